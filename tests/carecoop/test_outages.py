"""When Redis or the database is down: members still log in, and a page that cannot be served says
so plainly (503, with when to try again) instead of failing."""

import json
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connections
from django.test import Client, override_settings
from knox.models import AuthToken

from tests.carecoop.test_settings import PRODUCTION_ENV, _clean_env, _run
from tests.factories import PASSWORD

# Nothing listens here: a Redis that is down.
REDIS_DOWN_URL = "redis://127.0.0.1:6390/1"

PRINT_CACHE = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps(settings.CACHES["default"]))
"""


@pytest.fixture(scope="module")
def production_cache_with_redis_down():
    """The cache exactly as the production settings make it from CACHE_URL, pointed at a Redis
    that is not there."""
    result = _run(["-c", PRINT_CACHE], _clean_env(**{**PRODUCTION_ENV, "CACHE_URL": REDIS_DOWN_URL}))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def redis_down(production_cache_with_redis_down):
    with override_settings(CACHES={"default": production_cache_with_redis_down}):
        yield
        # What this process kept while Redis was down (the rate limits counted) goes with the test.
        cache.clear()


def test_the_login_page_works_while_redis_is_down(redis_down, newcomer):
    client = Client()

    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"login": newcomer.email, "password": PASSWORD})

    assert response.status_code == 302
    assert client.get("/api/v1/me/").json()["email"] == newcomer.email


def test_the_token_endpoint_gives_a_token_while_redis_is_down(redis_down, api_client, newcomer):
    response = api_client.post(
        "/api/v1/auth/token/", {"email": newcomer.email, "password": PASSWORD}, format="json"
    )

    assert response.status_code == 201
    assert AuthToken.objects.filter(user=newcomer).count() == 1


def test_failed_logins_are_still_limited_while_redis_is_down(redis_down, newcomer):
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"login": newcomer.email, "password": "guess"})

    response = client.post("/accounts/login/", {"login": newcomer.email, "password": PASSWORD})

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_landing_pages_render_while_redis_is_down(redis_down, ruth):
    assert Client().get("/").status_code == 200
    client = Client()
    client.force_login(ruth.user)

    response = client.get("/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/today/"


@pytest.fixture
def database_down(db):
    """Every connection to the database fails, as when it is restarting or out of reach."""
    failure = OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(connections["default"], "ensure_connection", side_effect=failure):
        yield


# Refused at connect (restarting, out of reach), or lost while the request was using it.
@pytest.mark.parametrize(
    "failure", [OperationalError("connection refused"), InterfaceError("connection already closed")]
)
def test_a_page_while_the_database_is_down_is_a_plain_503(newcomer, failure):
    client = Client(raise_request_exception=False)
    client.force_login(newcomer)

    with mock.patch.object(connections["default"], "ensure_connection", side_effect=failure):
        response = client.get("/accounts/")

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert '<html lang="en-GB">' in page
    assert "<h1>" in page
    assert "unavailable for a moment" in page


def test_a_page_that_needs_no_database_still_renders_while_it_is_down(database_down):
    response = Client().get("/")

    assert response.status_code == 200


def test_the_api_while_the_database_is_down_is_a_json_503(database_down):
    response = Client(raise_request_exception=False).get(
        "/api/v1/me/", HTTP_AUTHORIZATION="Token 0123456789abcdef"
    )

    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert body["detail"]


def test_any_other_failure_is_still_a_500(db):
    with mock.patch("governance.views.today.render", side_effect=RuntimeError("a bug")):
        response = Client(raise_request_exception=False).get("/")

    assert response.status_code == 500
    assert "Retry-After" not in response
