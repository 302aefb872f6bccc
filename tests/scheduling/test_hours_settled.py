"""Hours that follow what happened: a worker who leaves early confirms the shorter time, and staff
settle queried hours, as they were or changed, with a reason both sides see."""

import pytest
from django.urls import reverse

from carecoop.exceptions import ApplicationError
from members.models import Policy
from scheduling import services
from scheduling.models import Notification, Visit, VisitEvent
from tests.factories import VisitFactory, visit_booked
from tests.outbox import owed
from tests.scheduling.conftest import at
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def queried(ruth, megan, jane, time_machine):
    """Tuesday 24 November, 09:00 to 11:00 (£15 an hour): delivered, and Jane queries the hours."""
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11), accepted=True)
    time_machine.move_to(at(24, 8, 55), tick=False)
    services.visit_check_in(visit=visit, by=megan.user)
    time_machine.move_to(at(24, 11), tick=False)
    services.visit_check_out(visit=visit, by=megan.user, note="Ruth had porridge.")
    return services.visit_hours_query(visit=visit, by=jane, reason="Megan left at 10:00.")


def _cost(visit):
    return Visit.objects.get(pk=visit.pk).cost(Policy.current())


# --- Settling a query ---------------------------------------------------------------------------


def test_staff_settle_queried_hours_as_they_were_and_both_sides_are_told_why(
    queried, staff, ruth, megan, jane
):
    before = _cost(queried)

    services.visit_hours_settle(
        visit=queried, by=staff, minutes=None, reason="Megan's phone log shows 11:00."
    )

    visit = Visit.objects.get(pk=queried.pk)
    assert (visit.hours, visit.worked_minutes, visit.hours_settle_reason) == (
        Visit.Hours.CONFIRMED,
        None,
        "Megan's phone log shows 11:00.",
    )
    assert (visit.hours_settled_by, visit.hours_settled_at is not None) == (staff, True)
    assert _cost(queried) == before
    told = Notification.objects.filter(kind=VisitEvent.HOURS_SETTLED, visit=queried)
    assert {n.user for n in told} == {ruth.user, jane, megan.user}
    assert all("Megan's phone log shows 11:00." in n.body for n in told)
    emailed = owed(about__in=[f"scheduling.notification:{n.pk}" for n in told])
    assert {e.to for e in emailed} == {ruth.user.email, jane.email, megan.user.email}
    assert "Hours settled by secretary@example.org" in visit.history.first().history_change_reason


def test_hours_settled_at_less_time_cost_less_to_the_penny(queried, staff):
    assert (_cost(queried).person_pays, _cost(queried).worker_gets) == (35_25, 27_75)  # two hours

    services.visit_hours_settle(visit=queried, by=staff, minutes=60, reason="Megan left at 10:00.")

    cost = _cost(queried)
    assert Visit.objects.get(pk=queried.pk).counted_minutes == 60
    assert (cost.person_pays, cost.worker_gets, cost.coop_keeps) == (17_63, 13_88, 3_75)


@pytest.mark.parametrize("who", ["ruth", "jane", "megan"])
def test_only_staff_settle_hours(queried, who, request):
    person = request.getfixturevalue(who)

    with pytest.raises(ApplicationError) as refused:
        services.visit_hours_settle(visit=queried, by=getattr(person, "user", person), minutes=60, reason="x")

    assert refused.value.code == "staff_only"
    assert Visit.objects.get(pk=queried.pk).hours == Visit.Hours.QUERIED


def test_only_queried_hours_are_settled(ruth, megan, staff):
    pending = VisitFactory(receiver=ruth, worker=megan, status=Visit.Status.ACCEPTED)

    with pytest.raises(ApplicationError) as refused:
        services.visit_hours_settle(visit=pending, by=staff, minutes=None, reason="x")

    assert refused.value.code == "not_queried"


@pytest.mark.parametrize(
    ("minutes", "reason", "code", "field"),
    [
        (60, "  ", "reason_required", "reason"),
        (-1, "x", "bad_minutes", "minutes"),
        (24 * 60 + 1, "x", "bad_minutes", "minutes"),
    ],
)
def test_a_settlement_needs_a_reason_and_a_time_within_a_day(queried, staff, minutes, reason, code, field):
    with pytest.raises(ApplicationError) as refused:
        services.visit_hours_settle(visit=queried, by=staff, minutes=minutes, reason=reason)

    assert (refused.value.code, list(refused.value.fields)) == (code, [field])
    visit = Visit.objects.get(pk=queried.pk)
    assert (visit.hours, visit.worked_minutes) == (Visit.Hours.QUERIED, None)


# --- Leaving early ---------------------------------------------------------------------------------


def test_a_worker_leaving_early_confirms_the_shorter_time_and_the_money_follows(ruth, megan, time_machine):
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11), accepted=True)
    time_machine.move_to(at(24, 9, 10), tick=False)  # ten minutes late
    services.visit_check_in(visit=visit, by=megan.user)
    time_machine.move_to(at(24, 10, 10), tick=False)

    with pytest.raises(ApplicationError) as refused:
        services.visit_check_out(visit=visit, by=megan.user, note="Called away.")
    assert (refused.value.code, list(refused.value.fields)) == ("early_check_out", ["shorter"])
    assert "50 minutes early" in refused.value.message
    assert Visit.objects.get(pk=visit.pk).checked_out_at is None

    services.visit_check_out(visit=visit, by=megan.user, note="Called away.", shorter=True)

    visit.refresh_from_db()
    assert visit.worked_minutes == 60  # from her check-in at 09:10 to 10:10
    assert _cost(visit).person_pays == 17_63


def test_leaving_within_the_policys_minutes_of_the_end_counts_the_visit_as_booked(ruth, megan, time_machine):
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11), accepted=True)
    time_machine.move_to(at(24, 8, 55), tick=False)
    services.visit_check_in(visit=visit, by=megan.user)
    time_machine.move_to(at(24, 10, 46), tick=False)  # 14 minutes before the end

    services.visit_check_out(visit=visit, by=megan.user, note="All done.")

    visit.refresh_from_db()
    assert (visit.worked_minutes, visit.counted_minutes) == (None, 120)


# --- The pages ---------------------------------------------------------------------------------------


def test_staff_find_queried_hours_in_a_queue_and_settle_them_on_the_visit_page(
    client, queried, staff, ruth, megan
):
    VisitFactory(receiver=ruth, worker=megan, status=Visit.Status.ACCEPTED)  # not queried: not listed
    log_in_with_second_factor(client, staff)

    queue = client.get(reverse("staff_hours_queried")).content.decode()
    assert "Megan left at 10:00." in queue
    assert queue.count(reverse("visit_detail", args=[queried.pk])) == 1
    page = client.get(reverse("visit_detail", args=[queried.pk])).content.decode()
    assert "Settle the queried hours" in page

    refused = client.post(
        reverse("visit_action", args=[queried.pk, "settle"]),
        {"settle-outcome": "changed", "settle-reason": "Agreed with both."},
    )
    assert refused.status_code == 400
    assert "Give the time that counts" in refused.content.decode()
    settled = client.post(
        reverse("visit_action", args=[queried.pk, "settle"]),
        {
            "settle-outcome": "changed",
            "settle-hours": "1",
            "settle-minutes": "0",
            "settle-reason": "Agreed with both.",
        },
        follow=True,
    )
    assert "The hours are settled" in settled.content.decode()
    assert Visit.objects.get(pk=queried.pk).counted_minutes == 60
    client.force_login(ruth.user)
    seen = client.get(reverse("visit_detail", args=[queried.pk])).content.decode()
    assert "Agreed with both." in seen
    assert "1 hour, not the time booked." in seen
    assert "Settle the queried hours" not in seen


@pytest.mark.parametrize("who", ["ruth", "megan", "outsider"])
def test_the_queue_is_for_staff(client, db, who, request):
    person = request.getfixturevalue(who)
    client.force_login(getattr(person, "user", person))

    assert client.get(reverse("staff_hours_queried")).status_code == 403


def test_the_queue_asks_the_same_queries_however_many_are_queried(
    client, staff, ruth, megan, django_assert_max_num_queries
):
    def queried(count):
        for _ in range(count):
            VisitFactory(receiver=ruth, worker=megan, status=Visit.Status.ACCEPTED, hours=Visit.Hours.QUERIED)

    log_in_with_second_factor(client, staff)
    queried(2)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("staff_hours_queried")).status_code == 200
    queried(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("staff_hours_queried")).status_code == 200


# --- The API ---------------------------------------------------------------------------------------


def test_the_api_settles_queried_hours_for_staff_only(api_client, queried, staff, ruth):
    path = f"/api/v1/visits/{queried.pk}/settle/"
    api_client.force_authenticate(ruth.user)
    assert api_client.post(path, {"minutes": 60, "reason": "x"}, format="json").json()["code"] == "staff_only"

    api_client.force_authenticate(staff)
    bad = api_client.post(path, {"minutes": "an hour", "reason": "x"}, format="json")
    assert (bad.status_code, "minutes" in bad.json()) == (400, True)
    done = api_client.post(path, {"minutes": 90, "reason": "Agreed."}, format="json")
    assert done.status_code == 200
    assert (done.json()["hours"], done.json()["counted_minutes"], done.json()["hours_settle_reason"]) == (
        "confirmed",
        90,
        "Agreed.",
    )
    again = api_client.post(path, {"reason": "Again."}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "not_queried")


@pytest.mark.django_db(transaction=True)
def test_two_staff_settling_the_same_query_at_once_settle_it_once(ruth, megan, staff):
    """The visit row is locked: the second finds the hours no longer queried."""
    from tests.concurrency import race
    from tests.factories import UserFactory

    starts = at(20, 9)
    visit = VisitFactory(
        receiver=ruth,
        worker=megan,
        status=Visit.Status.ACCEPTED,
        starts=starts,
        ends=at(20, 11),
        rate_pence=15_00,
        checked_in_at=starts,
        checked_out_at=at(20, 11),
        hours=Visit.Hours.QUERIED,
        hours_answered_by=ruth.user,
        hours_answered_at=at(20, 12),
        query_reason="Megan left at ten.",
    )
    other = UserFactory(is_staff=True)
    outcomes = race(
        [
            lambda: services.visit_hours_settle(visit=visit, by=staff, minutes=60, reason="Agreed: an hour."),
            lambda: services.visit_hours_settle(visit=visit, by=other, minutes=None, reason="As booked."),
        ]
    )

    settled = [o for o in outcomes if isinstance(o, Visit)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(settled) == 1
    assert [e.code for e in refused] == ["not_queried"]
    visit.refresh_from_db()
    assert visit.hours_settled_by_id == settled[0].hours_settled_by_id
    assert visit.history.filter(history_change_reason__startswith="Hours settled").count() == 1
    assert Notification.objects.filter(kind=VisitEvent.HOURS_SETTLED).count() == 2  # once each side
