"""Staff log in with a second factor (decision 44): an authenticator app whose secret the tests
know, so they can compute its codes, and a quick way to a session that has passed it."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import Client

from carecoop import second_factor

# A made-up secret (base32), the same for every test's staff member.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def authenticator_app_for(user, secret: str = TOTP_SECRET) -> Authenticator:  # type: ignore[no-untyped-def]
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    return existing or TOTP.activate(user, secret).instance


def code_now(secret: str = TOTP_SECRET, *, step: int = 0) -> str:
    """The code the app shows now (or `step` periods later: a code is accepted once only)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def log_in_with_second_factor(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    """As if the user had logged in with their password and then a code from their app (the
    whole journey, through the pages, is in tests/browser/test_staff_second_factor_journey.py).
    Anyone but staff is simply logged in: they need no second factor."""
    client.force_login(user)
    if not user.is_staff:
        return
    authenticator = authenticator_app_for(user)
    second_factor.session_second_factor_record(client.session, user, authenticator_id=authenticator.pk)
