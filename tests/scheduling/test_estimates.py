"""What a booking will cost, seen before booking: every visit it would make, priced as it will be."""

import datetime

import pytest

from members import services as member_services
from members.models import Policy
from scheduling import selectors, services
from scheduling.bookings import Booking, Repeat, span_for
from scheduling.models import Visit
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")


def _estimate(booking):
    return selectors.booking_estimate(booking=booking, share=Policy.current())


def _rate(worker, pence):
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=worker),
        by=worker.user,
        changes={"hourly_rate_pence": pence},
    )


def test_one_visit_with_a_worker_costs_what_the_visit_will(ruth, megan):
    estimate = _estimate(Booking(receiver=ruth, worker=megan, starts=at(24, 9), ends=at(24, 11)))

    assert (estimate.visits, estimate.one_rate) == (1, True)
    assert (estimate.cheapest.person_pays, estimate.cheapest.worker_gets) == (35_25, 27_75)
    booked = services.visit_book(by=ruth.user, receiver=ruth, worker=megan, starts=at(24, 9), ends=at(24, 11))
    assert booked.visits[0].cost(Policy.current()) == estimate.cheapest


def test_a_weekly_booking_adds_up_each_visit_as_booked_across_the_clock_change(ruth, megan):
    # Sleep-ins from 21:00 to 08:00 every Saturday from 17 October 2026, four of them: the night the
    # clocks go back (25 October) is an hour longer, and the money follows the real hours.
    first = datetime.date(2026, 10, 17)
    starts, ends = span_for(first, datetime.time(21), datetime.time(8))
    repeat = Repeat(
        weekdays=[5], first_date=first, starts_at=datetime.time(21), ends_at=datetime.time(8), count=4
    )

    estimate = _estimate(Booking(receiver=ruth, worker=megan, starts=starts, ends=ends, repeat=repeat))

    # 11 h + 12 h + 11 h + 11 h at £15: 45 hours, £675; the person pays £793.13 (four roundings).
    assert estimate.visits == 4
    assert estimate.cheapest.person_pays == 3 * 193_88 + 211_50


def test_an_open_visit_costs_from_the_lowest_to_the_highest_rate_in_the_team(ruth, megan, asha):
    _rate(asha, 18_00)

    estimate = _estimate(Booking(receiver=ruth, worker=None, starts=at(24, 9), ends=at(24, 10)))

    assert not estimate.one_rate
    assert (estimate.cheapest.person_pays, estimate.dearest.person_pays) == (17_63, 21_15)


def test_no_rate_in_the_team_is_no_estimate(ruth):
    assert _estimate(Booking(receiver=ruth, worker=None, starts=at(24, 9), ends=at(24, 10))) is None


def test_the_person_sees_the_cost_of_a_weekly_booking_before_booking_it(client, ruth, megan):
    client.force_login(ruth.user)

    response = client.post(
        "/visits/new/",
        {
            "worker": str(megan.number),
            "day": "2026-11-24",
            "starts_at": "09:00",
            "ends_at": "10:00",
            "repeat": "on",
            "weekdays": ["1", "3"],
            "every_weeks": "1",
            "count": "6",
            "estimate": "1",
        },
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "6 visits: £105.78 to pay in all. The worker gets £83.28; the co-op keeps £22.50." in page
    assert "Nothing is booked yet." in page
    assert not Visit.objects.exists()


@pytest.mark.parametrize("count", [2, 50])
def test_the_estimate_asks_the_same_queries_for_two_visits_or_fifty(
    client, ruth, megan, asha, count, django_assert_max_num_queries
):
    """Priced in Python from one read of the team's rates, however many visits it makes."""
    client.force_login(ruth.user)
    with django_assert_max_num_queries(26):
        response = client.post(
            "/visits/new/",
            {
                "worker": "open",  # the team's rates are read: still one query
                "day": "2026-11-24",
                "starts_at": "09:00",
                "ends_at": "10:00",
                "repeat": "on",
                "weekdays": ["1", "3"],
                "every_weeks": "1",
                "count": str(count),
                "estimate": "1",
            },
        )
    assert f"{count} visits:" in response.content.decode()
    assert not Visit.objects.exists()
