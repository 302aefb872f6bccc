import datetime

import pytest
from django.core import mail
from django.utils import timezone

from matching.models import Introduction, TeamMember
from members import services as member_services
from tests.matching.conftest import listed, nearby_worker

T = datetime.time


@pytest.fixture
def nearby(staff):
    return nearby_worker(staff)


def test_workers_are_searched_through_the_api(api_client, ruth, nearby, staff):
    nearby_worker(staff, "Tom Ackroyd", "OL14 6AB")
    api_client.force_authenticate(ruth.user)

    body = api_client.get(
        "/api/v1/workers/",
        {"skills": "Dementia", "near": "HX7 8AH", "within_km": 5, "available": "1T09:00-10:00"},
    ).json()

    assert body["count"] == 1
    assert body["results"][0]["display_name"] == "Megan"
    assert body["results"][0]["distance_km"] < 1


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"skills": "Juggling"}, "skills"),
        ({"available": "monday"}, "available"),
        ({"near": "ZE1 0AA"}, "near"),
    ],
)
def test_bad_search_parameters_are_a_400_naming_the_field(api_client, ruth, params, field):
    api_client.force_authenticate(ruth.user)

    response = api_client.get("/api/v1/workers/", params)

    assert response.status_code == 400
    assert field in response.json()


def test_suggestions_through_the_api_give_scores_and_reasons(api_client, ruth, nearby):
    api_client.force_authenticate(ruth.user)

    body = api_client.get("/api/v1/matches/suggestions/").json()["results"]

    assert body[0]["worker"]["display_name"] == "Megan"
    assert 0 <= body[0]["score"] <= 100
    assert "Dementia experience" in body[0]["reasons"]


def test_asking_for_suggestions_for_someone_else_needs_their_circles_power(api_client, ruth, nearby, staff):
    api_client.force_authenticate(nearby.user)

    assert api_client.get("/api/v1/matches/suggestions/", {"receiver": ruth.number}).status_code == 404


def test_an_introduction_through_the_api_from_request_to_team(api_client, ruth, nearby):
    api_client.force_authenticate(ruth.user)
    created = api_client.post(
        "/api/v1/introductions/", {"to": nearby.number, "message": "Hello"}, format="json"
    )
    assert created.status_code == 201

    api_client.force_authenticate(nearby.user)
    accepted = api_client.post(f"/api/v1/introductions/{created.json()['id']}/accept/")
    team = api_client.get(f"/api/v1/teams/{ruth.number}/").json()

    assert accepted.json()["status"] == "accepted"
    assert [m["member_number"] for m in team["members"]] == [nearby.number]


def test_a_stranger_cannot_answer_or_see_an_introduction(api_client, ruth, nearby, staff):
    api_client.force_authenticate(ruth.user)
    introduction = api_client.post(
        "/api/v1/introductions/", {"to": nearby.number, "message": "Hello"}, format="json"
    ).json()
    tom = nearby_worker(staff, "Tom Ackroyd")
    api_client.force_authenticate(tom.user)

    response = api_client.post(f"/api/v1/introductions/{introduction['id']}/accept/")

    assert response.status_code == 404
    assert Introduction.objects.get().status == "pending"


def test_a_decline_and_a_withdrawal_through_the_api(api_client, ruth, nearby, staff):
    api_client.force_authenticate(ruth.user)
    first = api_client.post(
        "/api/v1/introductions/", {"to": nearby.number, "message": "Hello"}, format="json"
    ).json()
    api_client.force_authenticate(nearby.user)
    declined = api_client.post(
        f"/api/v1/introductions/{first['id']}/decline/", {"reason": "Full week"}, format="json"
    )
    api_client.force_authenticate(ruth.user)
    second = api_client.post(
        "/api/v1/introductions/", {"to": nearby.number, "message": "Again?"}, format="json"
    ).json()
    withdrawn = api_client.post(f"/api/v1/introductions/{second['id']}/withdraw/")

    assert (declined.json()["status"], declined.json()["decline_reason"]) == ("declined", "Full week")
    assert withdrawn.json()["status"] == "withdrawn"


def test_a_second_request_to_the_same_worker_is_a_409(api_client, ruth, nearby):
    api_client.force_authenticate(ruth.user)
    api_client.post("/api/v1/introductions/", {"to": nearby.number, "message": "Hello"}, format="json")

    response = api_client.post(
        "/api/v1/introductions/", {"to": nearby.number, "message": "Hello"}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "introduction_pending"


def test_the_team_gives_roles_and_removes_members_through_the_api(api_client, ruth, nearby):
    api_client.force_authenticate(ruth.user)
    introduction = api_client.post(
        "/api/v1/introductions/", {"to": nearby.number, "message": "Hi"}, format="json"
    ).json()
    api_client.force_authenticate(nearby.user)
    api_client.post(f"/api/v1/introductions/{introduction['id']}/accept/")
    api_client.force_authenticate(ruth.user)
    review = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()

    role = api_client.post(
        f"/api/v1/teams/{ruth.number}/roles/",
        {"holder_id": nearby.user.pk, "name": "Rota holder", "review_on": review},
        format="json",
    )
    place = TeamMember.objects.get()
    ended = api_client.post(
        f"/api/v1/teams/{ruth.number}/members/{place.pk}/end/", {"reason": "Moved"}, format="json"
    )

    assert role.status_code == 201
    assert ended.status_code == 204
    assert api_client.get(f"/api/v1/teams/{ruth.number}/").json()["members"] == []


@pytest.mark.parametrize("path", ["roles/", "members/1/end/"])
def test_the_team_s_actions_offer_only_their_post(api_client, ruth, path):
    api_client.force_authenticate(ruth.user)

    response = api_client.get(f"/api/v1/teams/{ruth.number}/{path}")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_someone_outside_the_team_cannot_read_it_through_the_api(api_client, ruth, nearby):
    api_client.force_authenticate(nearby.user)

    assert api_client.get(f"/api/v1/teams/{ruth.number}/").status_code == 404


def test_a_worker_cannot_ask_an_unlisted_person_by_number_through_the_api(api_client, ruth, staff):
    worker = nearby_worker(staff)
    api_client.force_authenticate(worker.user)

    response = api_client.post("/api/v1/introductions/", {"to": ruth.number, "message": "hi"}, format="json")

    assert response.status_code == 404
    assert Introduction.objects.count() == 0
    assert mail.outbox == []


def test_a_listed_person_can_be_asked(api_client, ruth, staff):
    listed(ruth, display_name="members")
    worker = nearby_worker(staff)
    api_client.force_authenticate(worker.user)

    response = api_client.post("/api/v1/introductions/", {"to": ruth.number, "message": "hi"}, format="json")

    assert response.status_code == 201


@pytest.mark.parametrize("value", ["1T25:00-26:99", "1T11:00-09:00"])
def test_an_impossible_time_in_the_worker_search_api_is_a_400(api_client, ruth, value):
    api_client.force_authenticate(ruth.user)

    response = api_client.get("/api/v1/workers/", {"available": value})

    assert response.status_code == 400
    assert response.json()["available"]


def test_the_worker_search_api_hides_an_area_the_worker_hid(api_client, ruth, staff):
    worker = nearby_worker(staff)
    listed(worker, area="team")
    api_client.force_authenticate(ruth.user)

    body = api_client.get("/api/v1/workers/").json()

    assert body["results"][0]["district"] is None


def test_the_api_gives_what_the_person_pays_an_hour_and_searches_by_it(api_client, ruth, nearby, staff):
    # Megan's rate is £15.00: the person pays £17.63 an hour (17.5% added).
    api_client.force_authenticate(ruth.user)

    [worker] = api_client.get("/api/v1/workers/").json()["results"]
    assert (worker["hourly_rate_pence"], worker["person_pays_hourly_pence"]) == (15_00, 17_63)
    assert api_client.get("/api/v1/workers/", {"max_rate": 17_63}).json()["count"] == 1
    assert api_client.get("/api/v1/workers/", {"max_rate": 17_62}).json()["count"] == 0
    suggested = api_client.get("/api/v1/matches/suggestions/").json()["results"][0]["worker"]
    assert suggested["person_pays_hourly_pence"] == 17_63


def test_the_api_gives_what_the_person_pays_a_sleep_in_night(api_client, ruth, nearby):
    api_client.force_authenticate(ruth.user)
    [before] = api_client.get("/api/v1/workers/").json()["results"]
    member_services.profile_update(
        profile=member_services.profile_get_or_create(membership=nearby),
        by=nearby.user,
        sleep_in_rate_pence=60_00,
    )

    [worker] = api_client.get("/api/v1/workers/").json()["results"]

    assert (before["sleep_in_rate_pence"], before["person_pays_night_pence"]) == (None, None)
    assert (worker["sleep_in_rate_pence"], worker["person_pays_night_pence"]) == (60_00, 70_50)
    suggested = api_client.get("/api/v1/matches/suggestions/").json()["results"][0]["worker"]
    assert suggested["person_pays_night_pence"] == 70_50
