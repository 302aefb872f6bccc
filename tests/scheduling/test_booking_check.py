"""Booking warns before, not after: the form's check shows the worker's free and busy times for the
days chosen (never whose visits), warns as the times are picked, and prices the booking; only for
someone who may book for the person. The team page offers Book beside each worker to them."""

import datetime

import pytest

from matching.models import TeamRole
from members.models import CircleMember
from scheduling.models import Visit
from tests.factories import VisitFactory
from tests.scheduling.conftest import at
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")

CHECK = "/visits/new/check/"


def _check(client, **fields):
    return client.get(CHECK, fields)


def _busy(receiver, worker, starts, ends):
    return VisitFactory(receiver=receiver, worker=worker, starts=starts, ends=ends, status="accepted")


# --- What the check shows --------------------------------------------------------------------------


def test_the_check_shows_the_workers_free_times_and_busy_times_without_whose(client, ruth, megan, margaret):
    _busy(margaret, megan, at(24, 14), at(24, 15, 30))
    client.force_login(ruth.user)

    response = _check(client, worker=megan.number, day="2026-11-24")

    page = response.content.decode()
    assert response.status_code == 200
    assert "When Megan is free" in page
    assert "Tuesday 24 November" in page
    assert "Free 08:00–18:00" in page
    assert "Busy 14:00–15:30" in page
    assert "Margaret" not in page
    assert "Before you book" not in page  # no times picked yet: nothing to warn about


def test_free_times_that_suit_are_said_with_the_cost(client, ruth, megan):
    client.force_login(ruth.user)

    page = _check(client, worker=megan.number, day="2026-11-24", starts_at="09:00", ends_at="11:00").content
    page = page.decode()

    assert "These times suit: Megan is free then and has no other visit." in page
    assert "1 visit: £35.25 to pay. The worker gets £27.75; the co-op keeps £7.50." in page
    assert not Visit.objects.exists()


def test_a_time_outside_the_workers_free_times_is_warned(client, ruth, megan):
    client.force_login(ruth.user)

    # Saturday 28 November: Megan works weekdays.
    page = _check(client, worker=megan.number, day="2026-11-28", starts_at="09:00", ends_at="10:00")

    assert "Not free this day" in page.content.decode()
    assert "This is outside the times the worker says they are free." in page.content.decode()


def test_a_time_over_another_visit_of_the_worker_is_warned(client, ruth, megan, margaret):
    _busy(margaret, megan, at(24, 10), at(24, 11))
    client.force_login(ruth.user)

    page = _check(client, worker=megan.number, day="2026-11-24", starts_at="10:30", ends_at="12:00")

    assert "The worker already has a visit then: they cannot accept both." in page.content.decode()
    assert "These times suit" not in page.content.decode()


def test_an_offer_waiting_for_the_worker_is_busy_too(client, ruth, megan, margaret):
    VisitFactory(receiver=margaret, worker=megan, starts=at(24, 10), ends=at(24, 11))  # offered
    client.force_login(ruth.user)

    page = _check(client, worker=megan.number, day="2026-11-24", starts_at="10:00", ends_at="11:00")

    assert "Busy 10:00–11:00" in page.content.decode()
    assert "already has a visit then" in page.content.decode()


def test_a_time_in_the_past_is_warned(client, ruth, megan):
    client.force_login(ruth.user)  # the clock stands at 10:00 on Monday 23 November

    page = _check(client, worker=megan.number, day="2026-11-23", starts_at="08:00", ends_at="09:00")

    assert "That time has passed: choose a time in the future." in page.content.decode()


@pytest.mark.parametrize(("starts_at", "ends_at"), [("09:00", "09:15"), ("06:00", "19:00")])
def test_a_visit_too_short_or_too_long_is_warned(client, ruth, megan, starts_at, ends_at):
    client.force_login(ruth.user)

    page = _check(client, worker=megan.number, day="2026-11-24", starts_at=starts_at, ends_at=ends_at)

    assert "A visit lasts from 30 minutes to 12 hours" in page.content.decode()


def test_a_weekly_booking_warns_each_day_that_clashes_by_its_date(client, ruth, megan, margaret):
    _busy(margaret, megan, at(1, 9, month=12), at(1, 10, month=12))
    client.force_login(ruth.user)

    page = _check(
        client,
        worker=megan.number,
        day="2026-11-24",
        starts_at="09:00",
        ends_at="10:00",
        repeat="on",
        weekdays=["1"],
        every_weeks="1",
        count="3",
    ).content.decode()

    assert "Tuesday 1 December" in page
    assert "Tue 1 Dec: The worker already has a visit then" in page
    assert "Tue 24 Nov: The worker" not in page
    assert "3 visits: £52.89 to pay in all." in page


def test_a_sleep_in_is_priced_at_the_night_rate(client, ruth, megan):
    client.force_login(ruth.user)

    page = _check(
        client, worker=megan.number, day="2026-11-24", starts_at="22:00", ends_at="07:00", sleep_in="on"
    ).content.decode()

    assert "A sleep-in is paid a flat rate for the night" in page
    assert "1 visit: £70.50 to pay." in page


def test_an_open_visit_shows_no_ones_times_and_is_priced_across_the_team(client, ruth, megan, asha):
    client.force_login(ruth.user)

    page = _check(
        client, worker="open", day="2026-11-24", starts_at="09:00", ends_at="10:00"
    ).content.decode()

    assert "is free" not in page
    assert "1 visit: £17.63 to pay." in page


# --- Bad input, and who may ask --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"day": "not a day"}, "Enter a valid date."),
        ({"day": "2026-11-24", "starts_at": "25:99"}, "Enter a valid time."),
        ({"day": "0001-01-01"}, "Choose a day within the next few years."),
        ({"day": "2026-11-24", "repeat": "on", "every_weeks": "many", "count": "2"}, "Enter a whole number."),
        ({"day": "2026-11-24", "repeat": "on", "weekdays": ["9"]}, "Select a valid choice."),
        ({"for": "not-a-number"}, None),
    ],
)
def test_bad_input_in_the_check_is_a_clear_message_never_a_500(client, ruth, megan, fields, said):
    client.force_login(ruth.user)

    response = _check(client, worker=megan.number, **fields)

    assert response.status_code in (400, 404)
    if said:
        assert said in response.content.decode()


def test_a_worker_outside_the_team_is_refused_and_their_times_are_not_shown(client, ruth, megan, tom):
    client.force_login(ruth.user)

    response = _check(client, worker=tom.number, day="2026-11-24", starts_at="09:00", ends_at="10:00")

    assert response.status_code == 400
    assert "Visits are booked with workers in the person&#x27;s team." in response.content.decode()
    assert "Free 08:00" not in response.content.decode()


def test_someone_in_the_circle_with_the_power_to_book_sees_the_workers_times(client, ruth, megan, jane):
    client.force_login(jane)

    response = _check(client, **{"for": ruth.number, "worker": megan.number, "day": "2026-11-24"})

    assert response.status_code == 200
    assert "Free 08:00–18:00" in response.content.decode()


def test_a_worker_in_the_team_cannot_see_another_workers_busy_times(client, ruth, megan, asha, margaret):
    _busy(margaret, asha, at(24, 14), at(24, 15))
    client.force_login(megan.user)

    response = _check(client, **{"for": ruth.number, "worker": asha.number, "day": "2026-11-24"})

    assert response.status_code == 403
    assert "Busy" not in response.content.decode()


def test_someone_outside_the_persons_circle_and_team_learns_nothing(client, ruth, megan, tom, outsider):
    for user in (tom.user, outsider):
        client.force_login(user)
        response = _check(client, **{"for": ruth.number, "worker": megan.number, "day": "2026-11-24"})
        assert response.status_code in (403, 404)
        assert "Free 08:00" not in response.content.decode()


def test_the_check_needs_a_log_in(client, ruth, megan):
    response = _check(client, **{"for": ruth.number, "worker": megan.number, "day": "2026-11-24"})

    assert response.status_code == 302


@pytest.mark.parametrize("size", [2, 40])
def test_the_check_asks_the_same_queries_however_many_visits_and_days(
    client, ruth, megan, margaret, size, django_assert_max_num_queries
):
    for week in range(size):
        starts = at(24, 14) + datetime.timedelta(weeks=week)
        _busy(margaret, megan, starts, starts + datetime.timedelta(hours=1))
    client.force_login(ruth.user)

    with django_assert_max_num_queries(10):
        response = _check(
            client,
            worker=megan.number,
            day="2026-11-24",
            starts_at="14:00",
            ends_at="15:00",
            repeat="on",
            weekdays=["1"],
            every_weeks="1",
            count=str(size),
        )

    assert response.status_code == 200
    assert response.content.decode().count("already has a visit then") == min(size, 8)


# --- The form ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 20])
def test_the_form_with_a_worker_chosen_shows_their_day_in_constant_queries(
    client, ruth, megan, margaret, size, django_assert_max_num_queries
):
    for hour in range(size):
        starts = at(24, 0) + datetime.timedelta(minutes=70 * hour)
        _busy(margaret, megan, starts, starts + datetime.timedelta(hours=1))
    client.force_login(ruth.user)

    with django_assert_max_num_queries(11):  # with the menu's unread count
        response = client.get(f"/visits/new/?worker={megan.number}")

    page = response.content.decode()
    assert f'value="{megan.number}" selected' in page
    assert "When Megan is free" in page
    assert "Tuesday 24 November" in page
    assert page.count("slot--busy") == size
    assert 'aria-live="polite"' in page


def test_the_form_ignores_a_worker_outside_the_team(client, ruth, megan, tom):
    client.force_login(ruth.user)

    page = client.get(f"/visits/new/?worker={tom.number}").content.decode()

    assert "When Tom is free" not in page
    assert "When Megan is free" not in page


def test_without_the_script_check_warns_and_books_nothing(client, ruth, megan):
    client.force_login(ruth.user)

    page = client.post(
        "/visits/new/",
        {
            "worker": megan.number,
            "day": "2026-11-28",
            "starts_at": "09:00",
            "ends_at": "10:00",
            "estimate": "1",
        },
    ).content.decode()

    assert "This is outside the times the worker says they are free." in page
    assert "1 visit: £17.63 to pay." in page
    assert not Visit.objects.exists()


# --- The team page's Book button ----------------------------------------------------------------------


def _book_links(client, ruth):
    page = client.get(f"/teams/{ruth.number}/").content.decode()
    return [name for name in ("Book Megan Holt", "Book Asha Patel") if name in page], page


def test_the_person_sees_book_beside_each_worker(client, ruth, megan, asha):
    client.force_login(ruth.user)

    names, page = _book_links(client, ruth)

    assert names == ["Book Megan Holt", "Book Asha Patel"]
    assert f'href="/visits/new/?worker={megan.number}"' in page


def test_the_circle_with_the_power_to_book_sees_book_for_the_person(client, ruth, megan, jane):
    client.force_login(jane)

    names, page = _book_links(client, ruth)

    assert names == ["Book Megan Holt"]
    assert f'href="/visits/new/?for={ruth.number}&amp;worker={megan.number}"' in page


def test_the_circle_without_the_power_to_book_sees_no_book(client, ruth, megan, jane):
    CircleMember.objects.filter(supporter=jane).update(can_book=False)
    client.force_login(jane)

    names, _page = _book_links(client, ruth)

    assert names == []


def test_workers_viewing_the_team_see_no_book(client, ruth, megan, asha):
    client.force_login(megan.user)

    names, page = _book_links(client, ruth)

    assert "People in the team" in page
    assert names == []


def test_the_book_button_leads_to_the_form_with_the_worker_chosen(client, ruth, megan, jane):
    client.force_login(jane)

    page = client.get(f"/visits/new/?for={ruth.number}&worker={megan.number}").content.decode()

    assert "For Ruth." in page
    assert "When Megan is free" in page


def test_staff_see_book_on_a_team_page(client, ruth, megan, staff):
    log_in_with_second_factor(client, staff)

    names, _page = _book_links(client, ruth)

    assert names == ["Book Megan Holt"]


def test_a_worker_holding_the_rota_sees_no_book_on_the_team_page(client, ruth, megan, asha):
    TeamRole.objects.create(
        receiver=ruth,
        holder=asha.user,
        name="Rota holder",
        review_on=datetime.date(2027, 1, 1),
        given_by=ruth.user,
    )
    client.force_login(asha.user)

    names, _page = _book_links(client, ruth)

    assert names == []
