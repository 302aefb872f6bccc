"""Staff accounts work only after a second factor: an authenticator app's code (decision 44)."""

from allauth.mfa.models import Authenticator
from django.urls import reverse
from knox.models import AuthToken

from tests.factories import PASSWORD
from tests.second_factor import TOTP_SECRET, authenticator_app_for, code_now, log_in_with_second_factor

TOKEN_URL = "/api/v1/auth/token/"
STAFF_PAGES = ["/staff/", "/staff/register/", "/staff/log/", "/admin/"]


def _messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.wsgi_request._messages]


def test_staff_without_an_authenticator_app_are_sent_to_set_one_up(client, staff):
    client.force_login(staff)

    for path in STAFF_PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("mfa_activate_totp") + "?next="), path
    assert "Staff accounts need two-factor authentication" in _messages(response)[0]


def test_staff_whose_session_skipped_the_code_are_asked_for_it(client, staff):
    authenticator_app_for(staff)
    client.force_login(staff)  # a password alone

    response = client.get("/staff/register/?page=2")

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_reauthenticate") + "?next=%2Fstaff%2Fregister%2F%3Fpage%3D2"
    assert "Enter the code from your authenticator app" in _messages(response)[0]


def test_staff_open_every_staff_page_after_the_code(client, staff):
    log_in_with_second_factor(client, staff)

    for path in STAFF_PAGES:
        assert client.get(path).status_code == 200, path


def test_staff_are_not_asked_for_anything_on_their_account_pages(client, staff):
    client.force_login(staff)

    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("account_logout")).status_code == 200


def test_the_api_refuses_a_staff_session_without_the_code_with_a_clear_code(client, staff):
    client.force_login(staff)

    response = client.get("/api/v1/members/register/")

    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"
    assert "two-factor" in response.json()["detail"]
    log_in_with_second_factor(client, staff)
    assert client.get("/api/v1/members/register/").status_code == 200


def test_members_who_are_not_staff_need_no_second_factor(client, member):
    client.force_login(member.user)

    assert client.get(reverse("account_overview")).status_code == 200
    assert client.get("/api/v1/me/").status_code == 200


def test_staff_log_in_with_their_password_then_their_code(client, staff):
    authenticator_app_for(staff)

    login = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD})
    assert login["Location"] == reverse("mfa_authenticate")
    assert client.get("/staff/").status_code == 302  # not logged in yet

    wrong = client.post(
        reverse("mfa_authenticate"), {"code": "000000" if code_now() != "000000" else "111111"}
    )
    assert wrong.status_code == 200
    assert "Incorrect code" in wrong.content.decode()
    done = client.post(reverse("mfa_authenticate"), {"code": code_now()})

    assert done["Location"] == reverse("staff_home")
    assert client.get("/staff/").status_code == 200


def test_setting_up_the_app_counts_as_passing_the_second_factor(transactional_db, client, staff):
    # Committed for real: allauth tells of the new authenticator once its transaction commits.
    login = client.post(reverse("account_login"), {"login": staff.email, "password": PASSWORD}, follow=True)
    # Turning on two factors asks for the password once more (allauth's rule for account changes).
    confirm = login.redirect_chain[-1][0]
    assert confirm.startswith(reverse("account_reauthenticate"))
    client.post(confirm, {"password": PASSWORD}, follow=True)  # the secret is made
    secret = client.session["mfa.totp.secret"]

    old_token = AuthToken.objects.create(user=staff)[1]  # from before two factors were asked for
    activated = client.post(reverse("mfa_activate_totp"), {"code": code_now(secret)})

    assert activated.status_code == 302
    assert Authenticator.objects.filter(user=staff, type="totp").exists()
    assert client.get("/staff/").status_code == 200
    assert not AuthToken.objects.filter(user=staff).exists()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {old_token}").status_code == 401


# --- API tokens -------------------------------------------------------------------------------------


def _token(api_client, staff, **extra):  # type: ignore[no-untyped-def]
    return api_client.post(TOKEN_URL, {"email": staff.email, "password": PASSWORD, **extra}, format="json")


def test_staff_without_an_authenticator_app_get_no_api_token(api_client, staff):
    response = _token(api_client, staff)

    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_staff_get_an_api_token_only_with_a_current_code(api_client, staff):
    authenticator_app_for(staff)

    assert _token(api_client, staff).json()["code"] == "mfa_code_required"
    wrong = _token(api_client, staff, authenticator_code="12345678")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "mfa_code_invalid"
    issued = _token(api_client, staff, authenticator_code=code_now(TOTP_SECRET))
    assert issued.status_code == 201
    # A code is good once only.
    assert (
        _token(api_client, staff, authenticator_code=code_now(TOTP_SECRET)).json()["code"]
        == "mfa_code_invalid"
    )

    token = issued.json()["token"]
    assert api_client.get("/api/v1/members/register/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_a_staff_token_stops_working_when_the_authenticator_app_is_removed(api_client, staff):
    authenticator_app_for(staff)
    token = _token(api_client, staff, authenticator_code=code_now()).json()["token"]

    Authenticator.objects.filter(user=staff).delete()
    response = api_client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 403
    assert response.json()["code"] == "mfa_required"


def test_members_get_a_token_without_a_code(api_client, member):
    assert _token(api_client, member.user).status_code == 201
