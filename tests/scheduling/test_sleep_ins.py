"""Sleep-ins: paid a flat rate for the night, kept as booked, by the one rule of members.pricing;
only a worker with a sleep-in rate is booked for one (decision 25)."""

import datetime

import pytest

from carecoop.exceptions import ApplicationError
from members import services as member_services
from members.models import Policy
from scheduling import permissions, selectors, services
from scheduling.bookings import Booking, Repeat, span_for
from scheduling.models import SchedulingPolicy, Series, Visit
from tests.factories import visit_booked
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")

VISITS = "/api/v1/visits/"


def _night(worker, pence):
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=worker),
        by=worker.user,
        changes={"sleep_in_rate_pence": pence},
    )


def _cost(visit):
    return Visit.objects.get(pk=visit.pk).cost(Policy.current())


def _sleep_in(ruth, worker, *, accepted=False, day=24):
    """Tuesday 24 November, 21:00 to 08:00 the next morning."""
    return visit_booked(ruth, worker, at(day, 21), at(day + 1, 8), sleep_in=True, accepted=accepted)


def test_a_sleep_in_costs_the_night_at_the_rate_it_was_booked_at(ruth, megan):
    visit = _sleep_in(ruth, megan)
    _night(megan, 90_00)  # changed after booking: for sleep-ins booked from now on

    services.visit_accept(visit=visit, by=megan.user)

    assert Visit.objects.get(pk=visit.pk).sleep_in_rate_pence == 60_00
    # £60 a night: the person pays £70.50, Megan gets £55.50, the co-op keeps £15; not 11 hours.
    cost = _cost(visit)
    assert (cost.person_pays, cost.worker_gets, cost.coop_keeps) == (70_50, 55_50, 15_00)
    assert _sleep_in(ruth, megan, day=25).sleep_in_rate_pence == 90_00


def test_a_worker_without_a_sleep_in_rate_cannot_be_booked_for_one(ruth, asha):
    with pytest.raises(ApplicationError) as refused:
        _sleep_in(ruth, asha)

    assert (refused.value.code, list(refused.value.fields)) == ("no_sleep_in_rate", ["worker"])
    assert "no sleep-in rate" in refused.value.message
    assert not Visit.objects.exists()


def test_a_weekly_sleep_in_with_a_worker_without_a_rate_is_refused_at_once(ruth, asha):
    with pytest.raises(ApplicationError) as refused:
        services.series_create(
            by=ruth.user,
            receiver=ruth,
            worker=asha,
            weekdays=[1],
            starts_at=datetime.time(21),
            ends_at=datetime.time(8),
            first_date=datetime.date(2026, 11, 24),
            count=4,
            sleep_in=True,
        )

    assert refused.value.code == "no_sleep_in_rate"
    assert not Series.objects.exists()


def test_an_open_sleep_in_is_taken_at_the_night_rate_of_who_takes_it_and_only_by_one_who_has_one(
    ruth, megan, asha
):
    visit = services.visit_book(
        by=ruth.user, receiver=ruth, worker=None, starts=at(24, 21), ends=at(25, 8), sleep_in=True
    ).visits[0]
    policy = SchedulingPolicy.current()
    now = at(23, 10)

    assert _cost(visit) is None
    assert not permissions.visit_actions(asha.user, visit, now=now, policy=policy).accept
    assert permissions.visit_actions(megan.user, visit, now=now, policy=policy).accept
    with pytest.raises(ApplicationError) as refused:
        services.visit_accept(visit=visit, by=asha.user)
    assert refused.value.code == "no_sleep_in_rate"
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.OFFERED

    services.visit_accept(visit=visit, by=megan.user)

    assert Visit.objects.get(pk=visit.pk).sleep_in_rate_pence == 60_00
    assert _cost(visit).person_pays == 70_50


def test_an_open_sleep_in_is_refused_when_nobody_in_the_team_does_sleep_ins(ruth, megan, asha):
    _night(megan, None)

    with pytest.raises(ApplicationError) as refused:
        services.visit_book(
            by=ruth.user, receiver=ruth, worker=None, starts=at(24, 21), ends=at(25, 8), sleep_in=True
        )

    assert (refused.value.code, list(refused.value.fields)) == ("no_sleep_in_rate", ["sleep_in"])


def test_a_sleep_in_cut_short_still_costs_the_night(ruth, megan, time_machine):
    visit = _sleep_in(ruth, megan, accepted=True)
    time_machine.move_to(at(24, 21), tick=False)
    services.visit_check_in(visit=visit, by=megan.user)
    time_machine.move_to(at(25, 3), tick=False)

    services.visit_check_out(visit=visit, by=megan.user, note="Ruth's son came home.", shorter=True)

    assert Visit.objects.get(pk=visit.pk).counted_minutes == 6 * 60
    assert _cost(visit).person_pays == 70_50


def test_a_sleep_in_settled_to_none_costs_nothing(ruth, megan, jane, staff, time_machine):
    visit = _sleep_in(ruth, megan, accepted=True)
    time_machine.move_to(at(25, 8), tick=False)
    services.visit_check_in(visit=visit, by=megan.user)
    services.visit_check_out(visit=visit, by=megan.user, note="Slept through.")
    services.visit_hours_query(visit=visit, by=jane, reason="Megan never came.")

    services.visit_hours_settle(visit=visit, by=staff, minutes=0, reason="She did not come.")

    cost = _cost(visit)
    assert (cost.person_pays, cost.worker_gets, cost.coop_keeps) == (0, 0, 0)


def test_a_sleep_in_booked_before_sleep_in_rates_stays_priced_by_the_hour(ruth, megan):
    visit = _sleep_in(ruth, megan)
    Visit.objects.filter(pk=visit.pk).update(sleep_in_rate_pence=None)

    # 11 hours at £15 an hour, as it was agreed.
    assert _cost(visit).person_pays == 193_88


def test_changing_a_visit_to_a_sleep_in_prices_the_night_or_is_refused(ruth, megan, asha):
    megans = visit_booked(ruth, megan, at(24, 21), at(25, 8))
    ashas = visit_booked(ruth, asha, at(26, 21), at(27, 8))

    services.visit_change(visit=megans, by=ruth.user, sleep_in=True)
    with pytest.raises(ApplicationError) as refused:
        services.visit_change(visit=ashas, by=ruth.user, sleep_in=True)

    assert _cost(megans).person_pays == 70_50
    assert refused.value.code == "no_sleep_in_rate"
    assert not Visit.objects.get(pk=ashas.pk).sleep_in
    services.visit_change(visit=megans, by=ruth.user, sleep_in=False)
    assert (Visit.objects.get(pk=megans.pk).sleep_in_rate_pence, _cost(megans).person_pays) == (None, 193_88)


def test_the_estimate_of_weekly_sleep_ins_is_a_night_each(ruth, megan, asha):
    _night(asha, 80_00)
    first = datetime.date(2026, 11, 24)
    starts, ends = span_for(first, datetime.time(21), datetime.time(8))
    repeat = Repeat(
        weekdays=[1], first_date=first, starts_at=datetime.time(21), ends_at=datetime.time(8), count=4
    )
    share = Policy.current()

    named = selectors.booking_estimate(
        booking=Booking(receiver=ruth, worker=megan, starts=starts, ends=ends, sleep_in=True, repeat=repeat),
        share=share,
    )
    open_ = selectors.booking_estimate(
        booking=Booking(receiver=ruth, worker=None, starts=starts, ends=ends, sleep_in=True, repeat=repeat),
        share=share,
    )

    assert (named.visits, named.one_rate, named.cheapest.person_pays) == (4, True, 4 * 70_50)
    # £80 a night: the person pays £94.
    assert (open_.cheapest.person_pays, open_.dearest.person_pays) == (4 * 70_50, 4 * 94_00)


def test_the_estimate_of_a_sleep_in_with_a_worker_without_a_rate_is_unknown(ruth, asha):
    booking = Booking(receiver=ruth, worker=asha, starts=at(24, 21), ends=at(25, 8), sleep_in=True)

    assert selectors.booking_estimate(booking=booking, share=Policy.current()) is None


def test_the_booking_page_says_a_worker_without_a_sleep_in_rate_cannot_do_one(client, ruth, asha):
    client.force_login(ruth.user)
    form = {"worker": str(asha.number), "day": "2026-11-24", "starts_at": "21:00", "ends_at": "08:00"}

    estimated = client.post("/visits/new/", {**form, "sleep_in": "on", "estimate": "1"}).content.decode()
    booked = client.post("/visits/new/", {**form, "sleep_in": "on"}).content.decode()

    assert "cannot be booked as a sleep-in" in estimated
    assert "This worker does not do sleep-ins" in booked
    assert not Visit.objects.exists()


def test_booking_a_sleep_in_through_the_api_shows_the_night_and_refuses_without_a_rate(
    api_client, ruth, megan, asha
):
    api_client.force_authenticate(ruth.user)
    body = {"starts": "2026-11-24T21:00", "ends": "2026-11-25T08:00", "sleep_in": True}

    booked = api_client.post(VISITS, {**body, "worker": megan.number}, format="json")
    refused = api_client.post(VISITS, {**body, "worker": asha.number}, format="json")

    assert booked.status_code == 201, booked.json()
    assert booked.json()["visits"][0]["cost"] == {
        "person_pays": 70_50,
        "worker_gets": 55_50,
        "coop_keeps": 15_00,
    }
    assert refused.status_code == 400
    assert refused.json()["code"] == "no_sleep_in_rate"
    assert "This worker does not do sleep-ins" in refused.json()["worker"][0]
    assert Visit.objects.count() == 1


def test_a_sleep_in_rate_cleared_while_booking_is_refused_not_priced_by_the_hour(ruth, asha, monkeypatch):
    """The rate kept is the one read when the visit is written: if the worker cleared it after
    the first check (their profile saved at that moment), the booking is refused."""
    monkeypatch.setattr(permissions, "does_sleep_ins", lambda worker: True)  # the check saw a rate

    with pytest.raises(ApplicationError) as refused:
        _sleep_in(ruth, asha)

    assert refused.value.code == "no_sleep_in_rate"
    assert not Visit.objects.exists()
