"""The member logged in is looked up once a request, and again after their membership changes."""

import pytest
from django.db import transaction
from django.utils import timezone

from carecoop import request_memo
from members import selectors, services
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.usefixtures("now")


def test_in_one_request_the_current_membership_is_read_once(member, django_assert_num_queries):
    with request_memo.request_scope(), django_assert_num_queries(1):
        first = selectors.membership_current_for_user(user=member.user)
        assert selectors.membership_current_for_user(user=member.user) is first
        assert selectors.member_or_supporter(user=member.user)
    assert first == member


def test_outside_a_request_it_is_read_every_time(member, django_assert_num_queries):
    with django_assert_num_queries(2):
        selectors.membership_current_for_user(user=member.user)
        selectors.membership_current_for_user(user=member.user)


def test_a_membership_ended_in_the_request_is_no_longer_current_in_it(member, staff):
    with request_memo.request_scope():
        assert selectors.membership_current_for_user(user=member.user) == member
        services.membership_cease(
            membership=member, by=staff, reason="resigned", ceased_on=timezone.localdate()
        )
        assert selectors.membership_current_for_user(user=member.user) is None


def test_a_member_admitted_in_the_request_is_current_in_it(newcomer, staff, documents):
    application = ApplicationFactory(
        user=newcomer,
        payment_date=timezone.localdate(),
        payment_amount_pence=100,
        payment_recorded_at=timezone.now(),
    )
    with request_memo.request_scope():
        assert selectors.membership_current_for_user(user=newcomer) is None
        admitted = services.application_approve(application=application, by=staff)
        assert selectors.membership_current_for_user(user=newcomer) == admitted


def test_a_class_change_in_the_request_is_seen_in_it(member, staff):
    with request_memo.request_scope():
        assert selectors.membership_current_for_user(user=member.user).member_class == "receiver"
        services.membership_change_class(
            membership=member, member_class="advocate", by=staff, reason="Became a carer."
        )
        assert selectors.membership_current_for_user(user=member.user).member_class == "advocate"


def test_a_membership_rolled_back_in_the_request_is_not_remembered(newcomer, staff, documents):
    application = ApplicationFactory(
        user=newcomer,
        payment_date=timezone.localdate(),
        payment_amount_pence=100,
        payment_recorded_at=timezone.now(),
    )
    seen_inside = []

    def admit_then_fail():
        with transaction.atomic():
            services.application_approve(application=application, by=staff)
            seen_inside.append(selectors.membership_current_for_user(user=newcomer))
            raise RuntimeError("the rest of the request failed")

    with request_memo.request_scope():
        assert selectors.membership_current_for_user(user=newcomer) is None
        with pytest.raises(RuntimeError):
            admit_then_fail()
        assert selectors.membership_current_for_user(user=newcomer) is None
    assert seen_inside[0] is not None
