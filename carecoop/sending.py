"""Sending the emails the outbox owes: one row at a time, claimed with SELECT … FOR UPDATE SKIP
LOCKED, handed to the mail server and marked in one short transaction (see carecoop.outbox)."""

import logging
from collections.abc import Iterable
from smtplib import SMTPException, SMTPRecipientsRefused
from typing import Any

from django.core.mail import get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, transaction
from django.utils import timezone

from carecoop.emails import email_message
from carecoop.models import Email

logger = logging.getLogger(__name__)


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
            .filter(pk=email_id, status=Email.Status.OWED)
            .first()
        )
        if email is None:
            return 0  # sent or taken back already, or another sender holds it right now
        if email.not_after is not None and email.not_after <= timezone.now():
            _close(email, Email.Status.CANCELLED, "No longer news when it could be sent.")
            return 0
        try:
            message = email_message(email)
        except DatabaseError:
            raise
        except Exception as error:  # a template or a lookup that fails fails the same way next time
            logger.exception("Email %s (%s) cannot be made; marked failed", email.pk, email.kind)
            _close(email, Email.Status.FAILED, f"{type(error).__name__}: {error}")
            return 0
        try:
            mailer.send(message)
        except (SMTPRecipientsRefused, ValueError) as error:  # BadHeaderError is a ValueError
            logger.error(
                "Email %s (%s) to %s cannot be sent; marked failed, not tried again: %s",
                email.pk,
                email.kind,
                email.to,
                error,
            )
            _close(email, Email.Status.FAILED, f"{type(error).__name__}: {error}")
            return 0
        except (SMTPException, OSError) as error:
            email.error = f"{type(error).__name__}: {error}"[:2000]
            email.save(update_fields=["error"])
            failure = error
        else:
            _close(email, Email.Status.SENT)
            return 1
    # Raised once the transaction has kept the error on the row, which stays owed.
    raise failure
