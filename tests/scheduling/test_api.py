"""The visits API and the private calendar feed: the HTTP mapping of the scheduling services,
who sees what, and bad input answered with a 4xx that changes nothing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar
from knox.models import AuthToken
from rest_framework.test import APIClient

from members.models import CircleMember
from scheduling import services
from scheduling.models import Series, Visit
from tests.clock import NOW
from tests.factories import MembershipFactory, UserFactory, visit_booked
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")

VISITS = "/api/v1/visits/"


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def post(api_client, path, body=None):
    return api_client.post(path, body or {}, format="json")


# --- Booking and answering -------------------------------------------------------------------------


def test_the_person_books_through_the_api_and_the_worker_accepts(api_client, ruth, megan):
    response = post(
        as_user(api_client, ruth.user),
        VISITS,
        {
            "worker": megan.number,
            "starts": "2026-11-24T09:00",
            "ends": "2026-11-24T11:00",
            "tasks": ["Breakfast", "Medication"],
            "notes": "Key in the safe.",
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["warnings"] == []
    assert body["series"] is None
    [visit] = body["visits"]
    assert visit["status"] == "offered"
    assert visit["receiver"] == {"number": ruth.number, "name": "Ruth"}
    assert visit["worker"] == {"number": megan.number, "name": "Megan"}
    assert (visit["starts"], visit["ends"]) == ("2026-11-24T09:00:00Z", "2026-11-24T11:00:00Z")
    assert visit["tasks"] == [{"label": "Breakfast", "done": False}, {"label": "Medication", "done": False}]
    # Kept at the rate it is booked at, and shown before the worker answers.
    assert visit["cost"] == {"person_pays": 35_25, "worker_gets": 27_75, "coop_keeps": 7_50}

    response = post(as_user(api_client, megan.user), f"{VISITS}{visit['id']}/accept/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "accepted"
    assert response.json()["cost"] == {"person_pays": 35_25, "worker_gets": 27_75, "coop_keeps": 7_50}
    assert Visit.objects.get().status == Visit.Status.ACCEPTED


def test_times_with_an_offset_are_kept_and_summer_times_shown_in_british_summer_time(api_client, ruth, megan):
    response = post(
        as_user(api_client, ruth.user),
        VISITS,
        {"worker": megan.number, "starts": "2027-06-01T08:00:00Z", "ends": "2027-06-01T10:00:00Z"},
    )

    assert response.status_code == 201, response.json()
    assert response.json()["visits"][0]["starts"] == "2027-06-01T09:00:00+01:00"


def test_no_worker_books_an_open_visit_for_the_team(api_client, ruth, megan, asha):
    response = post(
        as_user(api_client, ruth.user), VISITS, {"starts": "2026-11-24T09:00", "ends": "2026-11-24T11:00"}
    )

    assert response.status_code == 201, response.json()
    visit = response.json()["visits"][0]
    assert (visit["is_open"], visit["worker"]) == (True, None)

    response = post(as_user(api_client, asha.user), f"{VISITS}{visit['id']}/accept/")

    assert response.json()["worker"]["number"] == asha.number


def test_a_daughter_in_the_circle_books_for_her_mother_by_number(api_client, ruth, megan, jane):
    response = post(
        as_user(api_client, jane),
        VISITS,
        {
            "receiver": ruth.number,
            "worker": megan.number,
            "starts": "2026-11-24T09:00",
            "ends": "2026-11-24T11:00",
        },
    )

    assert response.status_code == 201, response.json()
    assert Visit.objects.get().booked_by == jane


def test_booking_outside_the_workers_free_times_comes_back_with_a_warning(api_client, ruth, megan):
    response = post(
        as_user(api_client, ruth.user),
        VISITS,
        {"worker": megan.number, "starts": "2026-11-28T09:00", "ends": "2026-11-28T11:00"},  # a Saturday
    )

    assert response.status_code == 201
    assert response.json()["warnings"] == ["This is outside the times the worker says they are free."]


def test_accepting_a_visit_that_overlaps_an_accepted_one_is_a_409_overlap(api_client, ruth, megan):
    visit_booked(ruth, megan, at(24, 9), at(24, 11), accepted=True)
    clashing = visit_booked(ruth, megan, at(24, 10), at(24, 12))

    response = post(as_user(api_client, megan.user), f"{VISITS}{clashing.pk}/accept/")

    assert response.status_code == 409
    assert response.json()["code"] == "overlap"
    assert "starts" in response.json()
    clashing.refresh_from_db()
    assert clashing.status == Visit.Status.OFFERED


def test_the_worker_declines_with_a_reason(api_client, ruth, megan):
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11))

    response = post(as_user(api_client, megan.user), f"{VISITS}{visit.pk}/decline/", {"reason": "Away."})

    assert response.status_code == 200
    visit.refresh_from_db()
    assert (visit.status, visit.decline_reason) == (Visit.Status.DECLINED, "Away.")


def test_a_worker_cannot_accept_a_visit_offered_to_someone_else(api_client, ruth, megan, asha):
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11))

    response = post(as_user(api_client, asha.user), f"{VISITS}{visit.pk}/accept/")

    assert response.status_code == 400
    assert response.json()["code"] == "not_offered"


# --- Who sees what ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["outsider", "tom"])
def test_someone_outside_the_persons_life_gets_404_for_a_visit(api_client, request, ruth, megan, who):
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11))
    client = as_user(api_client, user)

    assert client.get(f"{VISITS}{visit.pk}/").status_code == 404
    assert post(client, f"{VISITS}{visit.pk}/accept/").status_code == 404
    assert post(client, f"{VISITS}{visit.pk}/cancel/", {"reason": "Mischief."}).status_code == 404
    assert client.get(f"{VISITS}{visit.pk + 1000}/").status_code == 404
    visit.refresh_from_db()
    assert visit.status == Visit.Status.OFFERED


def test_the_api_needs_a_login(api_client, ruth, megan):
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11))

    assert api_client.get(VISITS).status_code == 401
    assert api_client.get(f"{VISITS}{visit.pk}/").status_code == 401
    _instance, token = AuthToken.objects.create(user=ruth.user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get(f"{VISITS}{visit.pk}/").json()["id"] == visit.pk


def test_the_list_shows_each_person_the_visits_they_may_see(
    api_client, ruth, megan, asha, tom, outsider, jane
):
    for_megan = visit_booked(ruth, megan, at(24, 9), at(24, 11))
    for_asha = visit_booked(ruth, asha, at(25, 9), at(25, 11))
    open_visit = visit_booked(ruth, None, at(26, 9), at(26, 11))

    def ids(user, **params):
        response = as_user(api_client, user).get(VISITS, params)
        assert response.status_code == 200, response.json()
        return [visit["id"] for visit in response.json()["results"]]

    assert ids(ruth.user) == [for_megan.pk, for_asha.pk, open_visit.pk]
    assert ids(jane) == [for_megan.pk, for_asha.pk, open_visit.pk]
    assert ids(megan.user) == [for_megan.pk, open_visit.pk]  # not the visit offered to Asha
    assert ids(tom.user) == []
    assert ids(outsider) == []
    assert ids(ruth.user, worker=asha.number) == [for_asha.pk]
    assert ids(ruth.user, receiver=ruth.number) == [for_megan.pk, for_asha.pk, open_visit.pk]
    assert ids(megan.user, receiver=MembershipFactory().number) == []
    assert ids(ruth.user, **{"from": "2026-11-25", "to": "2026-11-25"}) == [for_asha.pk]
    assert ids(ruth.user, **{"from": "2026-11-24T10:30:00+00:00", "to": "2026-11-25T09:30"}) == [
        for_megan.pk,
        for_asha.pk,
    ]


def test_the_list_reaches_four_weeks_ahead_unless_asked_for_more(api_client, ruth, megan):
    soon = visit_booked(ruth, megan, at(24, 9), at(24, 11))
    later = visit_booked(
        ruth, megan, at(7, 9, month=1, year=2027), at(7, 11, month=1, year=2027), by=ruth.user
    )
    client = as_user(api_client, ruth.user)

    assert [v["id"] for v in client.get(VISITS).json()["results"]] == [soon.pk]
    assert [v["id"] for v in client.get(VISITS, {"to": "2027-01-31"}).json()["results"]] == [
        soon.pk,
        later.pk,
    ]


def test_the_visit_note_is_shown_only_to_those_who_may_see_care(api_client, ruth, megan, staff):
    visit = visit_booked(ruth, megan, at(23, 10, 30), at(23, 12), accepted=True)
    services.visit_check_in(visit=visit, by=megan.user)
    services.visit_check_out(visit=visit, by=megan.user, note="Ate well; a little breathless.", shorter=True)
    # A neighbour who may book Ruth's visits, but not read about her care.
    neighbour = UserFactory(email="neighbour@example.org")
    CircleMember.objects.create(
        receiver=ruth,
        supporter=neighbour,
        email=neighbour.email,
        status=CircleMember.Status.ACTIVE,
        can_view_care=False,
        can_book=True,
        token_hash="neighbour",
        invited_by=ruth.user,
        expires_at=NOW + datetime.timedelta(days=14),
    )

    for user in (ruth.user, megan.user, staff):
        body = as_user(api_client, user).get(f"{VISITS}{visit.pk}/").json()
        assert body["visit_note"] == "Ate well; a little breathless.", user
    body = as_user(api_client, neighbour).get(f"{VISITS}{visit.pk}/").json()
    assert body["id"] == visit.pk
    assert "visit_note" not in body
    listed = as_user(api_client, neighbour).get(VISITS, {"from": "2026-11-23"}).json()["results"]
    assert [v["id"] for v in listed] == [visit.pk]
    assert "visit_note" not in listed[0]


def test_the_list_runs_the_same_queries_for_many_visits_as_for_few(
    api_client, ruth, megan, asha, jane, django_assert_max_num_queries
):
    visit_booked(ruth, megan, at(24, 9), at(24, 11), accepted=True)
    visit_booked(ruth, None, at(24, 14), at(24, 15))
    client = as_user(api_client, jane)
    with CaptureQueriesContext(connection) as few:
        assert client.get(VISITS).json()["count"] == 2

    for day in range(25, 31):
        visit_booked(ruth, asha, at(day, 9), at(day, 11), accepted=True)
        visit_booked(ruth, megan, at(day, 14), at(day, 15))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(VISITS).json()["count"] == 14


# --- Changing and cancelling -----------------------------------------------------------------------------


def test_a_new_time_goes_back_to_the_worker_as_an_offer(api_client, ruth, megan):
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11), accepted=True)

    response = as_user(api_client, ruth.user).patch(
        f"{VISITS}{visit.pk}/",
        {"starts": "2026-11-24T10:00", "ends": "2026-11-24T12:00", "notes": "Later, please."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    [changed] = response.json()["visits"]
    assert (changed["status"], changed["starts"], changed["notes"]) == (
        "offered",
        "2026-11-24T10:00:00Z",
        "Later, please.",
    )


def test_the_worker_cannot_change_the_visit(api_client, ruth, megan):
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11), accepted=True)

    response = as_user(api_client, megan.user).patch(f"{VISITS}{visit.pk}/", {"notes": "x"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_cancelling_needs_a_reason(api_client, ruth, megan):
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11), accepted=True)
    client = as_user(api_client, ruth.user)

    response = post(client, f"{VISITS}{visit.pk}/cancel/")

    assert response.status_code == 400
    assert response.json()["code"] == "reason_required"
    assert "reason" in response.json()
    visit.refresh_from_db()
    assert visit.status == Visit.Status.ACCEPTED

    response = post(client, f"{VISITS}{visit.pk}/cancel/", {"reason": "In hospital."})

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["late_cancellation"]) == ("cancelled", True)


def test_cancelling_a_cancelled_visit_is_a_409(api_client, ruth, megan):
    visit = visit_booked(ruth, megan, at(26, 9), at(26, 11))
    services.visit_cancel(visit=visit, by=ruth.user, reason="Away.")

    response = post(as_user(api_client, ruth.user), f"{VISITS}{visit.pk}/cancel/", {"reason": "Again."})

    assert response.status_code == 409
    assert response.json()["code"] == "not_cancellable"


# --- Repeating visits -------------------------------------------------------------------------------------


def test_a_repeating_booking_books_each_visit(api_client, ruth, megan):
    response = post(
        as_user(api_client, ruth.user),
        VISITS,
        {
            "worker": megan.number,
            "starts": "2026-11-24T09:00",  # a Tuesday
            "ends": "2026-11-24T10:00",
            "tasks": ["Breakfast"],
            "repeat": {"weekdays": [1, 3], "count": 4},
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [v["starts"] for v in body["visits"]] == [
        "2026-11-24T09:00:00Z",
        "2026-11-26T09:00:00Z",
        "2026-12-01T09:00:00Z",
        "2026-12-03T09:00:00Z",
    ]
    series = Series.objects.get()
    assert body["series"] == series.pk
    assert {v["series"] for v in body["visits"]} == {series.pk}
    assert Visit.objects.count() == 4


def test_changing_the_following_visits_of_a_series_moves_them(api_client, ruth, megan):
    booked = services.series_create(
        by=ruth.user,
        receiver=ruth,
        worker=megan,
        weekdays=[1],
        starts_at=datetime.time(9),
        ends_at=datetime.time(10),
        first_date=datetime.date(2026, 11, 24),
        count=3,
    )
    second = booked.visits[1]

    response = as_user(api_client, ruth.user).patch(
        f"{VISITS}{second.pk}/",
        {"starts": "2026-12-01T14:00", "ends": "2026-12-01T15:30", "scope": "following"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert [v["starts"] for v in response.json()["visits"]] == [
        "2026-12-01T14:00:00Z",
        "2026-12-08T14:00:00Z",
    ]
    assert response.json()["series"] != booked.series.pk
    second.refresh_from_db()
    assert second.status == Visit.Status.CANCELLED


def test_cancelling_a_series_cancels_every_visit_to_come(api_client, ruth, megan):
    booked = services.series_create(
        by=ruth.user,
        receiver=ruth,
        worker=megan,
        weekdays=[1],
        starts_at=datetime.time(9),
        ends_at=datetime.time(10),
        first_date=datetime.date(2026, 11, 24),
        count=3,
    )

    response = post(
        as_user(api_client, ruth.user),
        f"{VISITS}{booked.visits[0].pk}/cancel/",
        {"reason": "Moving to my son's.", "scope": "series"},
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "cancelled"
    assert set(Visit.objects.values_list("status", flat=True)) == {Visit.Status.CANCELLED}


# --- Delivery and hours ---------------------------------------------------------------------------------


def test_the_worker_checks_in_ticks_tasks_writes_the_note_checks_out_and_the_person_confirms(
    api_client, ruth, megan
):
    visit = visit_booked(
        ruth, megan, at(23, 10, 30), at(23, 12), accepted=True, tasks=["Breakfast", "Medication"]
    )
    worker = as_user(api_client, megan.user)

    response = post(worker, f"{VISITS}{visit.pk}/check-in/", {"latitude": 53.742, "longitude": -2.014})
    assert response.status_code == 200, response.json()
    assert response.json()["checked_in_at"] == "2026-11-23T10:00:00Z"
    assert response.json()["check_in_far"] is False

    response = post(worker, f"{VISITS}{visit.pk}/tasks/1/", {"done": True})
    assert response.json()["tasks"][1] == {"label": "Medication", "done": True}
    assert post(worker, f"{VISITS}{visit.pk}/tasks/5/", {"done": True}).status_code == 400

    response = post(worker, f"{VISITS}{visit.pk}/check-out/")
    assert response.status_code == 400
    assert response.json()["code"] == "note_required"

    response = post(worker, f"{VISITS}{visit.pk}/note/", {"note": "Ate well."})
    assert response.json()["visit_note"] == "Ate well."
    response = post(worker, f"{VISITS}{visit.pk}/check-out/")
    assert (response.status_code, response.json()["code"]) == (409, "early_check_out")
    assert "shorter" in response.json()
    response = post(worker, f"{VISITS}{visit.pk}/check-out/", {"shorter": True})
    assert response.status_code == 200, response.json()
    assert response.json()["checked_out_at"] is not None

    assert post(worker, f"{VISITS}{visit.pk}/confirm/").status_code == 403  # not the worker's to confirm
    response = post(as_user(api_client, ruth.user), f"{VISITS}{visit.pk}/confirm/")
    assert response.status_code == 200
    assert response.json()["hours"] == "confirmed"
    response = post(as_user(api_client, ruth.user), f"{VISITS}{visit.pk}/confirm/")
    assert (response.status_code, response.json()["code"]) == (409, "already_answered")


def test_checking_in_before_the_visit_is_accepted_is_a_409(api_client, ruth, megan):
    visit = visit_booked(ruth, megan, at(23, 10, 30), at(23, 12))

    response = post(as_user(api_client, megan.user), f"{VISITS}{visit.pk}/check-in/")

    assert (response.status_code, response.json()["code"]) == (409, "not_accepted")


def test_the_person_queries_the_hours_with_a_reason(api_client, ruth, megan, jane):
    visit = visit_booked(ruth, megan, at(23, 10, 30), at(23, 12), accepted=True)
    services.visit_check_in(visit=visit, by=megan.user)
    services.visit_check_out(visit=visit, by=megan.user, note="Done.", shorter=True)
    client = as_user(api_client, jane)

    response = post(client, f"{VISITS}{visit.pk}/query/")
    assert (response.status_code, response.json()["code"]) == (400, "reason_required")

    response = post(client, f"{VISITS}{visit.pk}/query/", {"reason": "She left at eleven."})

    assert response.status_code == 200
    assert response.json()["hours"] == "queried"
    visit.refresh_from_db()
    assert visit.query_reason == "She left at eleven."


# --- Bad input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts": "next tuesday"}, "starts"),
        ({"ends": "2026-11-24T08:00"}, "ends"),
        ({"tasks": "Breakfast"}, "tasks"),
        ({"tasks": [{"nested": "object"}]}, "tasks"),
        ({"sleep_in": "perhaps"}, "sleep_in"),
        ({"worker": "Megan"}, "worker"),
        ({"worker": 999_999}, "worker"),
        ({"ends": "2026-11-24T23:00"}, "ends"),  # 14 hours
        ({"starts": "2026-11-20T09:00", "ends": "2026-11-20T11:00"}, "starts"),  # in the past
        ({"repeat": {"weekdays": [1]}}, "repeat"),
        ({"repeat": {"weekdays": [9], "count": 2}}, "repeat"),
        ({"repeat": "weekly"}, "repeat"),
        ({"starts": "0001-01-01T00:00", "ends": "0001-01-01T02:00"}, "starts"),
        ({"starts": "9999-12-31T22:00", "ends": "9999-12-31T23:00"}, "starts"),
    ],
)
def test_bad_booking_input_is_a_400_naming_the_field_and_books_nothing(
    api_client, ruth, megan, change, field
):
    body = {"worker": megan.number, "starts": "2026-11-24T09:00", "ends": "2026-11-24T11:00", **change}

    response = post(as_user(api_client, ruth.user), VISITS, body)

    assert response.status_code == 400, response.json()
    assert response.json()["detail"]
    assert field in response.json(), response.json()
    assert not Visit.objects.exists()
    assert not Series.objects.exists()


def test_an_unknown_person_is_a_404_and_books_nothing(api_client, ruth, megan, tom):
    client = as_user(api_client, ruth.user)
    base = {"worker": megan.number, "starts": "2026-11-24T09:00", "ends": "2026-11-24T11:00"}

    assert post(client, VISITS, {**base, "receiver": 999_999}).status_code == 404
    assert post(client, VISITS, {**base, "receiver": tom.number}).status_code == 404  # a worker
    other = MembershipFactory(member_class="receiver")
    assert post(client, VISITS, {**base, "receiver": other.number}).status_code == 404  # not hers to book
    assert post(client, VISITS, {**base, "receiver": 10**20}).status_code == 404
    assert post(client, VISITS, {**base, "worker": 10**20}).status_code == 400
    assert client.get(f"{VISITS}{10**20}/").status_code == 404
    assert client.get(VISITS, {"worker": 10**20}).json()["count"] == 0
    assert not Visit.objects.exists()


def test_someone_who_is_not_a_person_getting_support_says_who_the_booking_is_for(api_client, megan):
    response = post(
        as_user(api_client, megan.user), VISITS, {"starts": "2026-11-24T09:00", "ends": "2026-11-24T11:00"}
    )

    assert (response.status_code, response.json()["code"]) == (400, "receiver_required")
    assert "receiver" in response.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "2026-12-01", "to": "2026-11-30"}, "to"),
        ({"from": "2026-11-23", "to": "2027-03-01"}, "to"),  # more than 93 days
        ({"worker": "Megan"}, "worker"),
        ({"from": "0001-01-01"}, "from"),
        ({"from": "9999-12-31"}, "from"),
    ],
)
def test_bad_list_parameters_are_a_400_naming_the_field(api_client, ruth, params, field):
    response = as_user(api_client, ruth.user).get(VISITS, params)

    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_a_bad_change_is_a_400_and_changes_nothing(api_client, ruth, megan):
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11), accepted=True)
    client = as_user(api_client, ruth.user)

    for change, field in [
        ({"ends": "2026-11-24T08:00"}, "ends"),
        ({"starts": "garbage"}, "starts"),
        ({"scope": "everything"}, "scope"),
        ({"starts": "2026-11-24T10:00", "ends": "2026-11-24T11:00", "scope": "following"}, "code"),
    ]:
        response = client.patch(f"{VISITS}{visit.pk}/", change, format="json")
        assert response.status_code == 400, (change, response.json())
        assert field in response.json()

    visit.refresh_from_db()
    assert (visit.status, visit.starts) == (Visit.Status.ACCEPTED, at(24, 9))


# --- The calendar feed --------------------------------------------------------------------------------


def _feed(url):
    return APIClient().get(url)  # a calendar app: no login


def _events(response):
    calendar = Calendar.from_ical(response.content)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def test_the_private_feed_lists_the_visits_without_their_notes(api_client, ruth, megan, asha):
    visit = visit_booked(
        ruth, megan, at(23, 10, 30), at(23, 12), accepted=True, notes="Key in the safe by the door."
    )
    services.visit_check_in(visit=visit, by=megan.user)
    services.visit_check_out(visit=visit, by=megan.user, note="Ruth was low today.", shorter=True)
    offered = visit_booked(ruth, asha, at(25, 9), at(25, 11))
    cancelled = visit_booked(ruth, megan, at(26, 9), at(26, 11))
    services.visit_cancel(visit=cancelled, by=ruth.user, reason="Away.")

    response = post(as_user(api_client, ruth.user), "/api/v1/calendar/feed/")
    assert response.status_code == 201
    url = response.json()["url"]
    assert url.startswith("http://testserver/api/v1/calendar/")
    assert url.endswith(".ics")
    response = _feed(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events = _events(response)
    assert set(events) == {f"visit-{v.pk}@carecoop" for v in (visit, offered, cancelled)}
    event = events[f"visit-{visit.pk}@carecoop"]
    assert str(event["summary"]) == "Visit by Megan"
    assert str(event["status"]) == "CONFIRMED"
    assert event.decoded("dtstart") == at(23, 10, 30)
    assert event["dtstart"].to_ical() == b"20261123T103000Z"
    assert str(events[f"visit-{offered.pk}@carecoop"]["status"]) == "TENTATIVE"
    assert str(events[f"visit-{cancelled.pk}@carecoop"]["status"]) == "CANCELLED"
    text = response.content.decode()
    assert "low today" not in text
    assert "safe" not in text
    assert "HX7" not in text


def test_the_workers_feed_names_the_person(api_client, ruth, megan):
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11), accepted=True)
    token = services.calendar_feed_renew(user=megan.user)

    events = _events(_feed(f"/api/v1/calendar/{token}.ics"))

    assert str(events[f"visit-{visit.pk}@carecoop"]["summary"]) == "Visit: Ruth"


def test_a_renewed_or_revoked_feed_address_stops_working(api_client, ruth, megan):
    visit_booked(ruth, megan, at(24, 9), at(24, 11))
    client = as_user(api_client, ruth.user)
    old = post(client, "/api/v1/calendar/feed/").json()["url"]

    new = post(client, "/api/v1/calendar/feed/").json()["url"]

    assert new != old
    assert _feed(old).status_code == 404
    assert _feed(new).status_code == 200

    assert client.delete("/api/v1/calendar/feed/").status_code == 204
    assert _feed(new).status_code == 404


def test_an_unknown_feed_address_is_a_404_even_for_calendar_apps(db):
    assert _feed("/api/v1/calendar/not-a-real-token.ics").status_code == 404
    response = APIClient().get("/api/v1/calendar/not-a-real-token.ics", HTTP_ACCEPT="text/calendar")
    assert response.status_code == 404


def test_making_a_feed_address_needs_a_login(api_client, db):
    assert post(api_client, "/api/v1/calendar/feed/").status_code == 401


@pytest.mark.parametrize("offset", ["-20:00", "+18:00", "-23:59"])
def test_a_list_moment_with_a_far_offset_is_read_in_utc_not_a_crash(api_client, ruth, offset):
    response = as_user(api_client, ruth.user).get(VISITS, {"from": f"2026-11-30T09:00{offset}"})

    assert response.status_code == 200, response.content
