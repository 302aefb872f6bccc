"""The co-op's policies: one row each, made on first use, edited in place by staff, history kept."""

import pytest
from django.db import transaction
from django.urls import reverse

from governance.models import GovernancePolicy
from matching.models import MatchingPolicy
from members.models import Policy
from scheduling.models import SchedulingPolicy
from tests.second_factor import log_in_with_second_factor

POLICIES = [Policy, MatchingPolicy, SchedulingPolicy, GovernancePolicy]


@pytest.mark.parametrize("model", POLICIES)
def test_each_policy_is_one_row_made_on_first_use(db, model):
    assert not model.objects.exists()

    first = model.current()
    first.save()
    again = model.current()

    assert model.objects.count() == 1
    assert again.pk == first.pk


def test_staff_open_a_policy_straight_at_its_form_and_its_history_lists_changes(client, staff):
    log_in_with_second_factor(client, staff)
    listing = client.get(reverse("admin:scheduling_schedulingpolicy_changelist"))
    assert listing.status_code == 200
    assert 'name="offer_expiry_hours"' in listing.content.decode()  # no list of one row first

    policy = SchedulingPolicy.current()
    policy.offer_expiry_hours = 6
    policy._change_reason = "shorter offers"
    policy.save()

    history = client.get(reverse("admin:scheduling_schedulingpolicy_history"))
    assert history.status_code == 200
    assert "shorter offers" in history.content.decode()


@pytest.mark.parametrize("model", [Policy, MatchingPolicy, SchedulingPolicy])
def test_nobody_adds_or_deletes_a_policy_in_the_admin(client, staff, model):
    log_in_with_second_factor(client, staff)
    meta = model._meta
    model.current()

    assert client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code == 403
    assert (
        client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[1])).status_code == 403
    )
    assert model.objects.count() == 1


@pytest.mark.parametrize("model", POLICIES)
def test_a_policy_is_read_from_the_cache_once_committed_and_a_save_replaces_it(
    db, model, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        model.current()
    with django_assert_num_queries(0):
        kept = model.current()

    kept.save()
    # The saving transaction has not committed: this process reads the row, not the cache.
    with django_assert_num_queries(1):
        model.current()


def test_a_change_rolled_back_never_reaches_the_cache(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Policy.current()
    before = Policy.current().mileage_pence_per_mile

    def change_then_fail() -> None:
        with transaction.atomic():
            changed = Policy.current()
            changed.mileage_pence_per_mile = before + 10
            changed.save()
            raise RuntimeError("refused after saving")

    with pytest.raises(RuntimeError):
        change_then_fail()

    assert Policy.current().mileage_pence_per_mile == before
    assert Policy.objects.get().mileage_pence_per_mile == before
