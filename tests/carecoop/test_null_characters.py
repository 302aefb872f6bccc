"""A null character in the query is refused with a clear 400 on every page and API: the
database cannot read one, and a parameter that reached it answered 500."""

import pytest

from tests.second_factor import log_in_with_second_factor

NULL_REFUSED = "Null characters are not allowed."


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/membership/applications/?status=submitted%00", "status"),
        ("/api/v1/members/register/?q=Ruth%00", "q"),
        ("/api/v1/workers/?near=HX7%00&sort=name", "near"),
        ("/api/v1/visits/?from=2026-11-23&to%00=x", "to\x00"),
    ],
)
def test_an_api_query_with_a_null_character_is_a_400_naming_the_parameter(api_client, staff, path, name):
    api_client.force_authenticate(staff)

    response = api_client.get(path)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    assert body[name] == [NULL_REFUSED]


def test_the_query_is_refused_before_login_too(api_client, db):
    response = api_client.post("/api/v1/auth/token/?next=%00", {}, format="json")

    assert response.status_code == 400
    assert response.json()["next"] == [NULL_REFUSED]


@pytest.mark.parametrize("path", ["/staff/register/?q=Ruth%00", "/find/?near=HX7%00"])
def test_a_page_asked_with_a_null_character_says_so_on_a_400_page(client, staff, path):
    log_in_with_second_factor(client, staff)

    response = client.get(path)

    assert response.status_code == 400
    assert "a null character" in response.content.decode()
    assert "Go to the home page" in response.content.decode()


def test_the_login_page_asked_with_a_null_character_says_so_before_login(client, db):
    response = client.get("/accounts/login/?next=/find/%00")

    assert response.status_code == 400
    assert "a null character" in response.content.decode()
