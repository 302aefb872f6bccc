from dataclasses import dataclass
from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.account.utils import has_verified_email
from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from knox.models import AuthToken

from carecoop.exceptions import ApplicationError
from members.models import User


@transaction.atomic
def user_create(*, email: str, password: str, is_staff: bool = False, email_verified: bool = False) -> User:
    """Create an account outside the sign-up pages (staff tools, demo data)."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(_("An account with this email address already exists."), code="email_taken")
    user = User.objects.create_user(email=email, password=password, is_staff=is_staff)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expiry: datetime | None


@transaction.atomic
def auth_token_issue(*, request: HttpRequest | None, email: str, password: str) -> IssuedToken:
    """Give an API client a token for the account with this email and password.

    The same rules as signing in on the website: an active account with a verified email.
    """
    user = authenticate(request, email=email.strip().lower(), password=password)
    if user is None or not user.is_active:
        raise ApplicationError(
            _("Unable to log in with that email address and password."), code="invalid_credentials"
        )
    if not has_verified_email(user):
        raise ApplicationError(
            _("Please verify your email address first: follow the link in the email we sent you."),
            code="email_unverified",
        )
    instance, token = AuthToken.objects.create(user=user)
    return IssuedToken(token=token, expiry=instance.expiry)


@transaction.atomic
def auth_token_revoke(*, token: AuthToken) -> None:
    token.delete()
