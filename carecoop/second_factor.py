"""Staff accounts work only after a second factor (decision 44).

A staff member reads care notes, the register and vetting records, and changes them: a stolen
password alone must not be enough. So a staff account, logged in with its password only, can
reach nothing but its account pages (where it sets up or enters its authenticator code) until
its session has passed allauth's two-factor step. The rule is on the account, not on a list of
staff pages: staff powers also show on pages everyone uses (a person's care log, a visit), and a
list of pages to guard is one a new page can be left off.

The API follows the same rule. A session that did not pass the second factor is refused with
403 `mfa_required`; a token is given to a staff account only with a current authenticator code
(members.services.auth_token_issue), and stops working if the account's authenticator is removed.
Members who are not staff may set up two factors, and are then asked for them when they log in,
but nothing is refused them without.
"""

import time
from collections.abc import Callable
from typing import Any

from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY as AUTHENTICATION_METHODS_USER_SESSION_KEY,
)
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY, record_authentication
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken
from rest_framework import exceptions

MFA_REQUIRED = "mfa_required"
# What a staff account may open before its second factor: its account pages (log out, set up
# or enter a code, change a password), the token endpoint (which asks for the code itself), and
# what needs no account at all.
_OPEN_PREFIXES = ("/accounts/", "/api/v1/auth/token/", "/static/", "/healthz", "/privacy/")


def session_passed_second_factor(request: HttpRequest) -> bool:
    """Whether this session's login included an authenticator code (or a recovery code)."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def has_second_factor(user: Any) -> bool:
    return bool(is_mfa_enabled(user, [Authenticator.Type.TOTP]))


def _refusal(request: HttpRequest) -> HttpResponse:
    set_up = has_second_factor(request.user)
    if request.path_info.startswith("/api/"):
        detail = (
            _("Staff must enter their authenticator code to use the API: log in again with it.")
            if set_up
            else _("Staff must set up two-factor authentication before using the API.")
        )
        return JsonResponse({"detail": detail, "code": MFA_REQUIRED}, status=403)
    if set_up:
        messages.info(request, _("Enter the code from your authenticator app to open staff pages."))
        target = reverse("mfa_reauthenticate")
    else:
        messages.info(
            request,
            _("Staff accounts need two-factor authentication. Set up an authenticator app to continue."),
        )
        target = reverse("mfa_activate_totp")
    return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from carecoop.permissions import is_staff

        if (
            is_staff(request.user)
            and not request.path_info.startswith(_OPEN_PREFIXES)
            and not session_passed_second_factor(request)
        ):
            return _refusal(request)
        return self.get_response(request)


class TokenAuthentication(KnoxTokenAuthentication):  # type: ignore[misc]  # knox has no types
    """knox's, except that a staff account's token stops working once it has no authenticator:
    it was given against a code, and the code's device is what guards it."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        # Imported here: DRF imports this class while carecoop.permissions is importing DRF.
        from carecoop.permissions import is_staff

        user, auth_token = super().authenticate_credentials(token)
        if is_staff(user) and not has_second_factor(user):
            raise exceptions.PermissionDenied(
                _("Staff must set up two-factor authentication before using the API."),
                code=MFA_REQUIRED,
            )
        return user, auth_token


def _activation_counts_as_second_factor(
    sender: type[Authenticator], request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    """Activating an authenticator app means typing a code from it: the session has just shown
    the second factor, so the staff member is not asked for another code straight away. Every
    API token the account had is revoked: one given before (without a code, or against an
    authenticator since removed) must not come back to life with the new one."""
    if authenticator.type == Authenticator.Type.TOTP:
        record_authentication(request, user, "mfa", id=authenticator.pk, type=authenticator.type)
        AuthToken.objects.filter(user=user).delete()


def connect_signals() -> None:
    mfa_signals.authenticator_added.connect(_activation_counts_as_second_factor, dispatch_uid="carecoop-mfa")


def session_second_factor_record(
    session: SessionBase, user: Any, *, authenticator_id: int | None = None
) -> None:
    """Write into a session made without the login pages (`Client.force_login`: the benchmark's
    sessions and the tests') what allauth writes when a login passes both factors."""
    now = time.time()
    second: dict[str, Any] = {"method": "mfa", "at": now, "type": Authenticator.Type.TOTP}
    if authenticator_id is not None:
        second["id"] = authenticator_id
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now, "email": user.email},
        second,
    ]
    session[AUTHENTICATION_METHODS_USER_SESSION_KEY] = str(user.pk)
    session.save()
