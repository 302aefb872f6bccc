"""Sending the emails the outbox owes: one row at a time, claimed with SELECT … FOR UPDATE SKIP
LOCKED, handed to the mail server and marked in one short transaction (see carecoop.outbox).

What the mail server says decides what happens to a row (decision 17):
- it took the email: sent;
- it refused this email for good (a 5xx reply: no such mailbox, rejected as spam, too large), or
  the email cannot be made (a bad header, a template that fails): failed, logged, never again;
- it refused this email for now (a 4xx reply: greylisted, mailbox full, try later): the row stays
  owed and is tried again later, ever less often, for three days, and the sender goes on with
  the others, so one email never holds up the rest;
- the server itself is not there (no connection, disconnected, login refused, our sender address
  refused): every email would fail alike, so the sender stops and raises, and the task retries.
"""

import logging
from collections.abc import Iterable
from datetime import timedelta
from enum import Enum
from smtplib import (
    SMTPAuthenticationError,
    SMTPConnectError,
    SMTPException,
    SMTPHeloError,
    SMTPRecipientsRefused,
    SMTPResponseException,
    SMTPSenderRefused,
    SMTPServerDisconnected,
)
from typing import Any

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from carecoop.emails import NoLongerNeeded, email_message
from carecoop.models import Email

logger = logging.getLogger(__name__)

# An email refused for now is tried again after 1, 2, 4 … minutes, at most every 6 hours, and
# given up once it is this old.
RETRY_LONGEST = timedelta(hours=6)
GIVE_UP_AFTER = timedelta(days=3)


class _Outcome(Enum):
    NEVER = "never"  # this email can never go
    LATER = "later"  # this email cannot go yet
    SERVER_DOWN = "server down"  # no email can go now


def _outcome(error: Exception) -> _Outcome:
    """What an error from the mail library means for this email and the others."""
    if isinstance(error, SMTPRecipientsRefused):
        codes = [code for code, _reply in error.recipients.values()]
        return _Outcome.NEVER if codes and all(code >= 500 for code in codes) else _Outcome.LATER
    if isinstance(error, SMTPServerDisconnected | SMTPConnectError | SMTPHeloError | SMTPAuthenticationError):
        return _Outcome.SERVER_DOWN
    if isinstance(error, SMTPSenderRefused):
        return _Outcome.SERVER_DOWN  # our own From address: every email would be refused alike
    if isinstance(error, SMTPResponseException):
        return _Outcome.NEVER if error.smtp_code >= 500 else _Outcome.LATER
    if isinstance(error, ValueError):  # BadHeaderError: a header the mail library refuses
        return _Outcome.NEVER
    if isinstance(error, SMTPException):
        return _Outcome.LATER  # the server did not take this one, and said nothing more
    return _Outcome.SERVER_DOWN  # OSError: the network, the server's address, a timeout


class _Mailer:
    """One connection to the mail server for a whole run of the sender, opened when first needed."""

    def __init__(self) -> None:
        self._connection: BaseEmailBackend | None = None

    def send(self, message: Any) -> None:
        if self._connection is None:
            self._connection = get_connection()
            self._connection.open()
        if self._connection.send_messages([message]) == 0:
            raise SMTPException("The mail server did not take the email.")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def emails_send(*, ids: Iterable[int] | None = None, batch: int = 200) -> int:
    """Send the emails owed (these ones, or all), each once. Returns how many went.

    Raises the mail server's error (SMTPException or OSError) when it fails: that email and the
    ones after it stay owed for the next try."""
    wanted = sorted(set(ids)) if ids is not None else None
    mailer = _Mailer()
    sent = 0
    after = 0
    try:
        while True:
            if wanted is not None:
                candidates = [pk for pk in wanted if pk > after][:batch]
            else:
                candidates = list(
                    Email.objects.filter(status=Email.Status.OWED, pk__gt=after)
                    .filter(_due_now())
                    .order_by("pk")
                    .values_list("pk", flat=True)[:batch]
                )
            for pk in candidates:
                sent += _email_send(email_id=pk, mailer=mailer)
            if len(candidates) < batch:
                break
            after = candidates[-1]
    finally:
        mailer.close()
    return sent


def _due_now() -> Q:
    return Q(next_try_at__isnull=True) | Q(next_try_at__lte=timezone.now())


def _close(email: Email, status: str, error: str = "") -> None:
    """Mark an email done with. What it said (which may hold a link's secret token, or someone's
    message) is not kept: the row keeps who, what kind, and when."""
    email.status, email.error, email.context = status, error[:2000], {}
    email.sent_at = timezone.now() if status == Email.Status.SENT else None
    email.save(update_fields=["status", "error", "context", "sent_at"])


def _email_send(*, email_id: int, mailer: _Mailer) -> int:
    """Claim one row, send it, and mark it, in one short transaction. Returns 1 if it went."""
    failure: Exception
    with transaction.atomic():
        email = (
            Email.objects.select_for_update(skip_locked=True)
            .filter(_due_now(), pk=email_id, status=Email.Status.OWED)
            .first()
        )
        if email is None:
            return 0  # sent, taken back or not due yet, or another sender holds it right now
        if email.not_after is not None and email.not_after <= timezone.now():
            _close(email, Email.Status.CANCELLED, "No longer news when it could be sent.")
            return 0
        try:
            message = email_message(email)
        except NoLongerNeeded as stale:
            _close(email, Email.Status.CANCELLED, str(stale))
            return 0
        except DatabaseError:
            raise  # the database, not the email: the row stays owed and the task retries
        except Exception as error:  # a template or a lookup that fails fails the same way next time
            logger.exception("Email %s (%s) cannot be made; marked failed", email.pk, email.kind)
            _close(email, Email.Status.FAILED, f"{type(error).__name__}: {error}")
            return 0
        try:
            mailer.send(message)
        except (SMTPException, OSError, ValueError) as error:
            outcome = _outcome(error)
            why = f"{type(error).__name__}: {error}"
            if outcome is _Outcome.SERVER_DOWN:
                email.error = why[:2000]
                email.save(update_fields=["error"])
                failure = error
            else:
                mailer.close()  # a refusal can leave the conversation half-way: start afresh
                if outcome is _Outcome.LATER and timezone.now() - email.created_at < GIVE_UP_AFTER:
                    _try_later(email, why)
                else:
                    logger.error(
                        "Email %s (%s) to %s cannot be sent; marked failed, not tried again: %s",
                        email.pk,
                        email.kind,
                        email.to,
                        error,
                    )
                    _close(email, Email.Status.FAILED, why)
                return 0
        else:
            _close(email, Email.Status.SENT)
            return 1
    # Raised once the transaction has kept the error on the row, which stays owed.
    raise failure


def _try_later(email: Email, why: str) -> None:
    """Refused for now: tried again after 1, 2, 4 … minutes, at most every six hours."""
    email.attempts += 1
    wait = min(timedelta(minutes=2 ** (email.attempts - 1)), RETRY_LONGEST)
    email.next_try_at = timezone.now() + wait
    email.error = why[:2000]
    email.save(update_fields=["attempts", "next_try_at", "error"])
    logger.warning(
        "Email %s (%s) to %s refused for now; tried again in %s", email.pk, email.kind, email.to, wait
    )
