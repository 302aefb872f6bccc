"""The nightly erasure (decision 49): each night, every former member whose retention period in the
policy is over, and who is not yet erased, is erased as staff would erase them from a request,
and the queue of requests shows what went. Running it twice changes nothing more."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.urls import reverse

from carecoop.models import StaffAction
from governance.tasks import members_erase_after_retention_task
from members import services as member_services
from members.models import DataRequest, EmergencyContact, Membership, ShareTransaction
from scheduling.models import Visit
from tests.clock import LONDON
from tests.concurrency import race
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory, VisitFactory, in_circle
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")

# Two people who got care and left two days apart; the night in between their two ends of the
# retention period (8 years after the care ended, the policy's default).
FIRST_LEFT = datetime.date(2026, 11, 10)
SECOND_LEFT = datetime.date(2026, 11, 12)
THAT_NIGHT = datetime.datetime(2034, 11, 11, 3, 15, tzinfo=LONDON)


def _left_after_care(membership, worker, staff, *, on):
    VisitFactory(
        receiver=membership,
        worker=worker,
        status="accepted",
        starts=datetime.datetime.combine(on - datetime.timedelta(days=3), datetime.time(10), tzinfo=LONDON),
        ends=datetime.datetime.combine(on - datetime.timedelta(days=3), datetime.time(11), tzinfo=LONDON),
        notes="Key in the blue pot.",
        visit_note=f"{membership.legal_name} ate well.",
    )
    EmergencyContact.objects.create(
        membership=membership, name="A neighbour", phone="07700 900123", updated_by=staff
    )
    member_services.membership_cease(
        membership=membership, by=staff, reason="resigned", ceased_on=on, withdraw_shares=False
    )
    return Membership.objects.get(pk=membership.pk)


@pytest.fixture
def left(ruth, margaret, megan, staff):
    """Ruth left 8 years and a day before that night; Margaret 8 years less a day before it."""
    return (
        _left_after_care(ruth, megan, staff, on=FIRST_LEFT),
        _left_after_care(margaret, megan, staff, on=SECOND_LEFT),
    )


def _register(membership):
    row = Membership.objects.get(pk=membership.pk)
    return (row.number, row.legal_name, row.address, row.member_class, row.date_admitted, row.date_ceased)


def test_the_night_after_the_retention_period_a_former_member_is_erased_and_the_register_kept(
    left, time_machine
):
    ruth, margaret = left
    register = {m.pk: _register(m) for m in left}
    shares = list(ShareTransaction.objects.filter(membership=ruth).values())
    assert ruth.date_ceased + relativedelta(years=8, days=1) == THAT_NIGHT.date()
    assert margaret.date_ceased + relativedelta(years=8, days=-1) == THAT_NIGHT.date()
    logged = StaffAction.objects.count()
    time_machine.move_to(THAT_NIGHT, tick=False)

    erased = members_erase_after_retention_task()

    assert erased == 1
    assert Visit.objects.get(receiver=ruth).visit_note == ""
    assert not EmergencyContact.objects.filter(membership=ruth).exists()
    ruth.user.refresh_from_db()
    assert ruth.user.email.endswith("@erased.invalid")
    assert not ruth.user.is_active
    # Margaret's care record is kept another two days.
    assert Visit.objects.get(receiver=margaret).visit_note == "Margaret Greenwood ate well."
    assert EmergencyContact.objects.filter(membership=margaret).exists()
    assert Membership.objects.get(pk=margaret.pk).user.is_active
    # The register keeps both, as it was.
    assert {m.pk: _register(m) for m in left} == register
    assert list(ShareTransaction.objects.filter(membership=ruth).values()) == shares

    done = DataRequest.objects.get(user=ruth.user)
    assert (done.kind, done.status, done.answered_by) == (
        DataRequest.Kind.ERASURE,
        DataRequest.Status.DONE,
        None,
    )
    assert done.answered_at == THAT_NIGHT
    assert done.removed["visit_notes"] == 1
    assert done.removed["emergency_contact"] == 1
    assert not DataRequest.objects.filter(user=margaret.user).exists()
    assert StaffAction.objects.count() == logged  # the night is not a member of staff


def test_the_nightly_erasure_run_twice_changes_nothing_more(left, time_machine):
    ruth, _margaret = left
    time_machine.move_to(THAT_NIGHT, tick=False)
    assert members_erase_after_retention_task() == 1
    requests = list(DataRequest.objects.values())
    user = list(
        Membership.objects.filter(pk=ruth.pk).values("user__email", "user__is_active", "user__password")
    )

    assert members_erase_after_retention_task() == 0

    assert list(DataRequest.objects.values()) == requests
    assert (
        list(Membership.objects.filter(pk=ruth.pk).values("user__email", "user__is_active", "user__password"))
        == user
    )


@pytest.mark.django_db(transaction=True)
def test_two_nightly_erasures_at_once_erase_each_member_once(left, time_machine):
    ruth, _margaret = left
    time_machine.move_to(THAT_NIGHT, tick=False)

    results = race([members_erase_after_retention_task for _ in range(4)])

    assert sorted(results) == [0, 0, 0, 1]
    assert DataRequest.objects.get(user=ruth.user).removed["visit_notes"] == 1


def test_the_next_nights_erase_whoever_comes_to_the_end_of_their_period(left, time_machine):
    _ruth, margaret = left
    time_machine.move_to(THAT_NIGHT, tick=False)
    members_erase_after_retention_task()

    time_machine.move_to(THAT_NIGHT + datetime.timedelta(days=1), tick=False)
    assert members_erase_after_retention_task() == 1

    assert Visit.objects.get(receiver=margaret).visit_note == ""
    assert DataRequest.objects.filter(status=DataRequest.Status.DONE).count() == 2


def test_a_former_member_who_asked_for_erasure_has_their_request_answered_by_the_night(left, time_machine):
    ruth, _margaret = left
    asked = member_services.data_request_make(user=ruth.user, kind=DataRequest.Kind.ERASURE, note="Please.")
    time_machine.move_to(THAT_NIGHT, tick=False)

    members_erase_after_retention_task()

    asked.refresh_from_db()
    assert asked.status == DataRequest.Status.DONE
    assert asked.removed["visit_notes"] == 1
    assert asked.note == ""
    assert DataRequest.objects.filter(user=ruth.user).count() == 1


def test_someone_already_erased_by_staff_is_not_erased_again(left, staff, time_machine):
    from governance import services

    ruth, _margaret = left
    asked = member_services.data_request_make(user=ruth.user, kind=DataRequest.Kind.ERASURE)
    services.member_erase(data_request=asked, by=staff, today=FIRST_LEFT, override_reason="Court order.")
    time_machine.move_to(THAT_NIGHT, tick=False)

    assert members_erase_after_retention_task() == 0
    assert DataRequest.objects.filter(user=ruth.user).count() == 1


def test_a_former_worker_is_erased_once_contact_details_are_no_longer_kept(ruth, megan, staff, time_machine):
    """Without care of their own, what is kept is contact details: 12 months after leaving."""
    member_services.membership_cease(
        membership=megan, by=staff, reason="resigned", ceased_on=FIRST_LEFT, withdraw_shares=False
    )
    time_machine.move_to(datetime.datetime(2027, 11, 9, 3, 15, tzinfo=LONDON), tick=False)
    assert members_erase_after_retention_task() == 0

    time_machine.move_to(datetime.datetime(2027, 11, 10, 3, 15, tzinfo=LONDON), tick=False)
    assert members_erase_after_retention_task() == 1
    assert not Membership.objects.get(pk=megan.pk).user.is_active


def test_current_members_staff_and_accounts_still_in_use_are_not_erased(ruth, megan, staff, time_machine):
    """A current member is never erased. Nor is, by the night, an account in use again: a staff
    account, someone now in a member's circle of support, or someone whose application to join
    again is waiting; staff erase them from a request if they ask."""
    former = [
        MembershipFactory(legal_name=name, user=user)
        for name, user in [
            ("Sam Staff", UserFactory(email="sam@example.org", is_staff=True)),
            ("Carol Circle", UserFactory(email="carol@example.org")),
            ("Alan Again", UserFactory(email="alan@example.org")),
        ]
    ]
    for membership in former:
        member_services.membership_cease(
            membership=membership, by=staff, reason="resigned", ceased_on=FIRST_LEFT, withdraw_shares=False
        )
    in_circle(ruth, former[1].user)
    ApplicationFactory(user=former[2].user)
    time_machine.move_to(THAT_NIGHT, tick=False)

    assert members_erase_after_retention_task() == 0

    assert all(Membership.objects.get(pk=m.pk).user.is_active for m in [ruth, megan, *former])


def test_staff_see_the_nights_erasure_in_the_queue_with_what_it_removed(client, left, staff, time_machine):
    ruth, _margaret = left
    time_machine.move_to(THAT_NIGHT, tick=False)
    members_erase_after_retention_task()
    done = DataRequest.objects.get(user=ruth.user)
    log_in_with_second_factor(client, staff)

    queue = client.get(reverse("staff_data_requests")).content.decode()
    page = client.get(reverse("staff_data_request", args=[done.pk])).content.decode()

    assert "Visits with care notes emptied: 1" in queue
    assert "What the erasure removed" in page
    assert "by the nightly erasure, when the retention period was over" in page


def test_the_nightly_erasure_is_in_the_beat_schedule():
    (entry,) = [
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "governance.members_erase_after_retention"
    ]
    assert entry["schedule"].hour == {3}
