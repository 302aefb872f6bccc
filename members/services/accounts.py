"""Accounts and API tokens."""

from dataclasses import dataclass
from datetime import datetime

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.models import EmailAddress
from allauth.account.utils import has_verified_email
from allauth.core.context import request_context
from allauth.mfa.base.forms import AuthenticateForm
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken

from carecoop import second_factor
from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError, RateLimitedError
from carecoop.permissions import is_staff
from members.models import (
    User,
)


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


TOKEN_LIMIT_PER_USER = 20


@transaction.atomic
def auth_token_issue(
    *, request: HttpRequest, email: str, password: str, authenticator_code: str = ""
) -> IssuedToken:
    """Give an API client a token for the account with this email and password.

    The same rules as logging in on the website: an active account with a verified email, and
    allauth's failed-login limits, counted together with the website's. A staff account also
    needs its authenticator app set up and a current code from it (or a recovery code), as its
    login does (decision 44).
    """
    try:
        user = get_account_adapter(request).authenticate(
            request, email=email.strip().lower(), password=password
        )
    except DjangoValidationError as exc:  # allauth's lockout after too many failed attempts
        raise RateLimitedError(
            _("Too many failed login attempts. Please wait a few minutes, then try again."),
            code="too_many_login_attempts",
        ) from exc
    if user is None or not user.is_active:
        raise ApplicationError(
            _("Unable to log in with that email address and password."), code="invalid_credentials"
        )
    if not has_verified_email(user):
        raise ApplicationError(
            _("Please verify your email address first: follow the link in the email we sent you."),
            code="email_unverified",
        )
    if is_staff(user):
        _second_factor_check(request=request, user=user, code=authenticator_code)
    # Lock the account's row so two requests at once cannot both pass the limit.
    User.objects.select_for_update().get(pk=user.pk)
    if AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).count() >= TOKEN_LIMIT_PER_USER:
        raise ConflictError(
            _("This account already has %(limit)s API tokens. Revoke one you no longer use first.")
            % {"limit": TOKEN_LIMIT_PER_USER},
            code="too_many_tokens",
        )
    instance, token = AuthToken.objects.create(user=user)
    return IssuedToken(token=token, expiry=instance.expiry)


def _second_factor_check(*, request: HttpRequest, user: User, code: str) -> None:
    if not second_factor.has_second_factor(user):
        raise NotAllowedError(
            _("Staff must set up two-factor authentication on the website before using the API."),
            code=second_factor.MFA_REQUIRED,
        )
    if not code.strip():
        raise ApplicationError(
            _("Enter the code from your authenticator app (or a recovery code)."), code="mfa_code_required"
        )
    # allauth's own check: a code is used once, and wrong codes count towards its lockout.
    with request_context(request):
        form = AuthenticateForm(user=user, data={"code": code})
        if not form.is_valid():
            raise ApplicationError(
                _("That code is not right, or has been used. Try the next one from your app."),
                code="mfa_code_invalid",
            )
        form.authenticator.record_usage()


@transaction.atomic
def auth_token_revoke(*, token: AuthToken) -> None:
    token.delete()


@transaction.atomic
def auth_tokens_revoke_all(*, user: User) -> int:
    """Revoke every API token of an account (its password changed: old devices must log in again)."""
    deleted: int = AuthToken.objects.filter(user=user).delete()[0]
    return deleted
