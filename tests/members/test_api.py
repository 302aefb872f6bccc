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
    assert me.json() == {"id": newcomer.id, "email": "newcomer@example.org", "membership": None}


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
    statuses = [
        _get_token(api_client, email=f"nobody{i}@example.org", password="guess").status_code
        for i in range(11)
    ]

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

    with django_assert_max_num_queries(4):
        assert api_client.get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_failed_website_logins_also_lock_the_token_endpoint(client, api_client, newcomer):
    for _ in range(5):
        client.post("/accounts/login/", {"login": newcomer.email, "password": "guess"})

    response = _get_token(api_client)

    assert response.status_code == 429
    assert response.json()["code"] == "too_many_login_attempts"
    assert AuthToken.objects.count() == 0


def test_failed_token_requests_also_lock_the_website_login(client, api_client, newcomer):
    for _ in range(5):
        _get_token(api_client, password="guess")

    response = client.post("/accounts/login/", {"login": newcomer.email, "password": PASSWORD})

    assert "Too many failed login attempts" in response.content.decode()


def test_a_forged_forwarded_for_header_does_not_escape_the_throttle(api_client, newcomer):
    statuses = [
        api_client.post(
            TOKEN_URL,
            {"email": f"nobody{i}@example.org", "password": "guess"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
        ).status_code
        for i in range(11)
    ]

    assert statuses[10] == 429


def test_changing_the_password_revokes_every_api_token(client, api_client, newcomer):
    token = _get_token(api_client).json()["token"]
    client.force_login(newcomer)

    client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )

    assert api_client.get(ME_URL, HTTP_AUTHORIZATION=f"Token {token}").status_code == 401
