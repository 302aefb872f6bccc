from knox.models import AuthToken

from tests.factories import PASSWORD, UserFactory

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


def _get_token(api_client, email="newcomer@example.org", password=PASSWORD):
    return api_client.post(TOKEN_URL, {"email": email, "password": password}, format="json")


def test_a_token_from_email_and_password_opens_the_api(api_client, newcomer):
    response = _get_token(api_client)

    assert response.status_code == 201
    token = response.json()["token"]
    me = api_client.get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json() == {"id": newcomer.id, "email": "newcomer@example.org"}


def test_wrong_password_gets_no_token_and_a_clear_error(api_client, newcomer):
    response = _get_token(api_client, password="not-my-password")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Unable to log in with that email address and password.",
        "code": "invalid_credentials",
    }
    assert AuthToken.objects.count() == 0


def test_unverified_email_gets_no_token(api_client, db):
    UserFactory(email="new@example.org", email_verified=False)

    response = _get_token(api_client, email="new@example.org")

    assert response.status_code == 400
    assert response.json()["code"] == "email_unverified"
    assert AuthToken.objects.count() == 0


def test_token_requests_are_throttled(api_client, newcomer):
    statuses = [_get_token(api_client, password="guess").status_code for _ in range(11)]

    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    throttled = _get_token(api_client)
    assert throttled.json()["code"] == "throttled"


def test_a_revoked_token_no_longer_works(api_client, newcomer):
    token = _get_token(api_client).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}

    assert api_client.delete(TOKEN_URL, **auth).status_code == 204

    response = api_client.get(ME_URL, **auth)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_revoking_needs_a_token_not_a_session(api_client, newcomer):
    api_client.force_login(newcomer)

    response = api_client.delete(TOKEN_URL)

    assert response.status_code == 400
    assert response.json()["code"] == "not_token_auth"


def test_an_invented_token_is_refused(api_client, db):
    response = api_client.get(ME_URL, HTTP_AUTHORIZATION="Token 0123456789abcdef")

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_me_works_with_the_website_session(api_client, newcomer):
    api_client.force_login(newcomer)

    response = api_client.get(ME_URL)

    assert response.status_code == 200
    assert response.json()["email"] == "newcomer@example.org"


def test_me_makes_a_constant_number_of_queries(api_client, newcomer, django_assert_max_num_queries):
    token = _get_token(api_client).json()["token"]

    with django_assert_max_num_queries(3):
        api_client.get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}")
