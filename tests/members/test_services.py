import pytest
from allauth.account.models import EmailAddress
from django.db import IntegrityError
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework.test import APIRequestFactory

from carecoop.exceptions import ApplicationError
from members import services
from members.models import User
from tests.factories import PASSWORD, UserFactory


def test_user_create_stores_the_email_in_lower_case_with_its_verification(db):
    user = services.user_create(email="  Ada.Lovelace@Example.ORG ", password=PASSWORD, email_verified=True)

    assert user.email == "ada.lovelace@example.org"
    assert user.check_password(PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == ("ada.lovelace@example.org", True, True)


def test_user_create_refuses_an_email_already_used_in_any_case(db):
    UserFactory(email="jo@example.org")

    with pytest.raises(ApplicationError) as refused:
        services.user_create(email="JO@example.org", password=PASSWORD)

    assert refused.value.code == "email_taken"
    assert User.objects.count() == 1


def test_database_refuses_two_accounts_whose_emails_differ_only_in_case(db):
    User.objects.create(email="sam@example.org")

    with pytest.raises(IntegrityError):
        User.objects.create(email="Sam@Example.org")


@pytest.fixture
def request_():
    return APIRequestFactory().post("/api/v1/auth/token/")


def test_auth_token_issue_gives_a_token_that_authenticates_the_user(newcomer, request_):
    issued = services.auth_token_issue(request=request_, email="Newcomer@Example.org", password=PASSWORD)

    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Token {issued.token}")
    user, _token = TokenAuthentication().authenticate(request)
    assert user == newcomer
    assert issued.expiry is not None


@pytest.mark.parametrize(
    ("email", "password"),
    [("newcomer@example.org", "wrong-password"), ("nobody@example.org", PASSWORD)],
)
def test_auth_token_issue_refuses_wrong_credentials(newcomer, request_, email, password):
    with pytest.raises(ApplicationError) as refused:
        services.auth_token_issue(request=request_, email=email, password=password)

    assert refused.value.code == "invalid_credentials"


def test_auth_token_issue_refuses_an_inactive_account(db, request_):
    UserFactory(email="left@example.org", is_active=False)

    with pytest.raises(ApplicationError) as refused:
        services.auth_token_issue(request=request_, email="left@example.org", password=PASSWORD)

    assert refused.value.code == "invalid_credentials"


def test_auth_token_issue_refuses_an_unverified_email(db, request_):
    UserFactory(email="unverified@example.org", email_verified=False)

    with pytest.raises(ApplicationError) as refused:
        services.auth_token_issue(request=request_, email="unverified@example.org", password=PASSWORD)

    assert refused.value.code == "email_unverified"


def test_an_account_holds_at_most_twenty_tokens(newcomer, request_):
    for _ in range(services.TOKEN_LIMIT_PER_USER):
        services.auth_token_issue(request=request_, email=newcomer.email, password=PASSWORD)

    with pytest.raises(ApplicationError) as refused:
        services.auth_token_issue(request=request_, email=newcomer.email, password=PASSWORD)

    assert refused.value.code == "too_many_tokens"
    assert AuthToken.objects.filter(user=newcomer).count() == services.TOKEN_LIMIT_PER_USER
