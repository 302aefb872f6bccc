"""Every API error is JSON with `detail` and `code`; every page error is a friendly page."""

import pytest
from rest_framework.test import APIRequestFactory

from carecoop.api import exception_handler
from carecoop.exceptions import ApplicationError, ConflictError


def test_unknown_api_path_is_json_404(api_client, db):
    response = api_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert b"find that page" in response.content
    assert b"Go to the home page" in response.content


def test_unauthenticated_api_request_is_401_with_code(api_client, db):
    response = api_client.get("/api/v1/me/")

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }
    assert response["WWW-Authenticate"] == "Token"


def test_validation_error_has_detail_code_and_field_errors(api_client, db):
    response = api_client.post("/api/v1/auth/token/", {"email": "not-an-email"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"]
    assert body["email"] == ["Enter a valid email address."]
    assert body["password"] == ["This field is required."]


def test_malformed_json_is_400_with_code(api_client, db):
    response = api_client.post("/api/v1/auth/token/", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_wrong_method_is_405_with_code(api_client, newcomer):
    api_client.force_authenticate(newcomer)

    response = api_client.post("/api/v1/me/", {}, format="json")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


@pytest.mark.urls("tests.carecoop.urls_failing")
def test_unexpected_api_failure_is_json_500(db):
    from django.test import Client

    response = Client(raise_request_exception=False).get("/api/v1/failing/")

    assert response.status_code == 500
    assert response.json() == {
        "detail": "Something went wrong on our side. Please try again later.",
        "code": "server_error",
    }


@pytest.mark.urls("tests.carecoop.urls_failing")
def test_unexpected_page_failure_is_a_friendly_500(db):
    from django.test import Client

    response = Client(raise_request_exception=False).get("/failing/")

    assert response.status_code == 500
    assert b"Sorry, something went wrong on our side" in response.content


def _handle(exc: Exception):
    request = APIRequestFactory().get("/api/v1/anything/")
    return exception_handler(exc, {"request": request, "view": None})


def test_application_error_is_400_with_its_code_and_fields():
    response = _handle(
        ApplicationError(
            "That share amount is too small.", code="share_too_small", fields={"amount": ["Too small."]}
        )
    )

    assert response.status_code == 400
    assert response.data == {
        "detail": "That share amount is too small.",
        "code": "share_too_small",
        "amount": ["Too small."],
    }


def test_conflict_error_is_409():
    response = _handle(ConflictError("The worker is already booked then.", code="overlap"))

    assert response.status_code == 409
    assert response.data == {"detail": "The worker is already booked then.", "code": "overlap"}


def test_django_validation_error_becomes_a_400_with_field_errors():
    from django.core.exceptions import ValidationError

    response = _handle(ValidationError({"postcode": ["Enter a UK postcode."]}))

    assert response.status_code == 400
    assert response.data["code"] == "invalid"
    assert response.data["postcode"] == ["Enter a UK postcode."]


def test_an_api_path_without_its_trailing_slash_is_a_json_404_not_a_redirect(api_client, db):
    response = api_client.post("/api/v1/auth/token", {}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_request_for_an_unknown_host_gets_json_under_the_api(db):
    from django.test import Client

    response = Client(HTTP_HOST="evil.example").get("/api/v1/me/")

    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_a_form_sent_from_a_stale_page_gets_a_friendly_page(newcomer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(newcomer)

    response = client.post("/accounts/password/change/", {})

    assert response.status_code == 403
    assert "Please try that again" in response.content.decode()


def test_an_api_request_without_csrf_on_a_session_gets_json(newcomer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(newcomer)

    response = client.delete("/api/v1/auth/token/")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_the_errors_of_a_list_s_items_are_an_array_with_one_entry_per_item(api_client, ruth):
    api_client.force_authenticate(ruth.user)

    response = api_client.post("/api/v1/visits/", {"tasks": ["Shopping", "x" * 201, "Lunch"]}, format="json")

    assert response.status_code == 400
    assert response.json()["tasks"] == [[], ["Ensure this field has no more than 200 characters."]]


def _nested(levels: int) -> str:
    return '{"email": ' + "[" * (levels - 1) + '"a"' + "]" * (levels - 1) + "}"


@pytest.mark.parametrize(
    "body", [_nested(1_000), "[" * 1_000 + "]" * 1_000, '{"a":' * 1_000 + "1" + "}" * 1_000]
)
def test_json_nested_a_thousand_deep_is_refused_before_login(api_client, db, body):
    response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "nested_too_deeply"
    assert response.json()["detail"]


def test_json_nested_too_deeply_is_refused_when_logged_in_too(api_client, megan):
    api_client.force_authenticate(megan.user)
    body = '{"weekly_times": ' + "[" * 100 + "]" * 100 + "}"

    response = api_client.patch("/api/v1/profiles/me/", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["code"] == "nested_too_deeply"


def test_json_within_the_nesting_limit_is_read_and_brackets_in_strings_do_not_count(api_client, db):
    from carecoop.api import JSON_DEPTH_LIMIT

    within = api_client.post(
        "/api/v1/auth/token/", _nested(JSON_DEPTH_LIMIT), content_type="application/json"
    )
    beyond = api_client.post(
        "/api/v1/auth/token/", _nested(JSON_DEPTH_LIMIT + 1), content_type="application/json"
    )
    quoted = api_client.post("/api/v1/auth/token/", {"email": "[{" * 1_000, "password": "x"}, format="json")

    assert within.json()["code"] == "invalid"  # read, then refused as not an email
    assert beyond.json()["code"] == "nested_too_deeply"
    assert quoted.json()["email"] == ["Enter a valid email address."]
