"""The one email outbox: emails owed in the transaction of the change that causes them, and sent
after it commits, each once.

- `emails_queue` writes one row per recipient in the caller's transaction (`emails_queue_each`,
  the same email to every row of a query, in one INSERT … SELECT: notice to every member), and
  once that transaction commits asks Celery to send them (`emails_send_task`, with their ids). A
  sweep every minute (Celery beat) sends whatever a lost message left owed.
- `emails_send` (in carecoop.sending, named here too) claims one row at a time with SELECT … FOR
  UPDATE SKIP LOCKED, hands the email to the mail server and marks the row sent in that same short
  transaction. Two senders at once never take the same row; a sender killed mid-batch leaves at
  most the email in flight to go again.
- An address or a header that can never go is logged and marked failed, and the sender goes on
  with the rest. A mail server that fails leaves the row, and every row after it, owed; the sender
  stops and raises, so that the task is retried with backoff.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import DateTimeField, F, QuerySet, Value
from django.db.models.expressions import Combinable
from django.utils import timezone

from carecoop.db import insert_from_select
from carecoop.emails import template_prefix
from carecoop.models import Email
from carecoop.sending import emails_send

__all__ = ["Outgoing", "email_queue", "emails_cancel", "emails_queue", "emails_queue_each", "emails_send"]


@dataclass(frozen=True)
class Outgoing:
    """An email to queue: its kind, one address, the name to greet, and plain values to render
    it with (JSON: no model instances, no datetimes; format dates as text)."""

    kind: str
    to: str
    name: str = ""
    context: dict[str, Any] = field(default_factory=dict)
    about: str = ""
    not_after: datetime | None = None


# No savepoint of their own: they only ever add to (or take back from) the caller's transaction,
# and a query saved counts for every change that emails someone.
@transaction.atomic(savepoint=False)
def emails_queue(*, emails: Iterable[Outgoing]) -> list[Email]:
    """Owe these emails, in the caller's transaction; they are sent once it commits. An email
    to no address is left out. Returns the rows written."""
    now = timezone.now()
    rows = []
    for outgoing in emails:
        if not outgoing.to:
            continue
        template_prefix(outgoing.kind)  # a kind of the wrong shape fails here, not when sending
        rows.append(
            Email(
                kind=outgoing.kind,
                to=outgoing.to,
                to_name=outgoing.name[:200],
                context=outgoing.context,
                about=outgoing.about,
                not_after=outgoing.not_after,
                created_at=now,
            )
        )
    if not rows:
        return []
    created = Email.objects.bulk_create(rows, batch_size=2000)
    ids = [email.pk for email in created]
    # Robust: a broker that is down never turns the change into an error; the sweep sends them.
    # (A function, not a partial: Django names the callback by its __qualname__ when it fails.)
    transaction.on_commit(lambda: _send_soon(ids), robust=True)
    return created


@transaction.atomic(savepoint=False)
def emails_queue_each(
    *,
    kind: str,
    recipients: QuerySet[Any],
    to: str,
    name: Combinable | None = None,
    context: dict[str, Any] | None = None,
    about: str = "",
    not_after: datetime | None = None,
) -> list[int]:
    """Owe the same email to each of `recipients` (rows of any model): `to` is the path to their
    address (say "user__email"), `name` an expression for the name to greet them by. The database
    writes the rows itself, in one INSERT … SELECT, so that notice to 10,000 members is one
    statement rather than 10,000 objects made in Python; they are sent after the commit as any
    other. Those with no address are left out. Returns the new emails' ids."""
    template_prefix(kind)
    fields = ["kind", "to", "to_name", "context", "about", "not_after", "status", "created_at", "error"]
    rows = (
        recipients.exclude(**{f"{to}__isnull": True})
        .exclude(**{to: ""})
        .values(
            outbox_kind=Value(kind),
            outbox_to=F(to),
            outbox_to_name=name if name is not None else Value(""),
            outbox_context=Value(json.dumps(context or {})),
            outbox_about=Value(about),
            outbox_not_after=Value(not_after, output_field=DateTimeField()),
            outbox_status=Value(Email.Status.OWED.value),
            outbox_created_at=Value(timezone.now(), output_field=DateTimeField()),
            outbox_error=Value(""),
        )
        .order_by()
    )
    ids = insert_from_select(Email, fields, rows)
    if ids:
        transaction.on_commit(lambda: _send_soon(ids), robust=True)
    return ids


def email_queue(
    *,
    kind: str,
    to: str,
    name: str = "",
    context: dict[str, Any] | None = None,
    about: str = "",
    not_after: datetime | None = None,
) -> Email | None:
    """Owe one email (see `emails_queue`). Returns its row, or None when there is no address."""
    outgoing = Outgoing(kind=kind, to=to, name=name, context=context or {}, about=about, not_after=not_after)
    created = emails_queue(emails=[outgoing])
    return created[0] if created else None


def _send_soon(ids: list[int]) -> None:
    from carecoop.tasks import emails_send_task

    emails_send_task.delay(email_ids=ids)


@transaction.atomic(savepoint=False)
def emails_cancel(*, about: str | Sequence[str]) -> int:
    """Take back the emails about these things that are still owed (the news is no longer true).
    Returns how many."""
    abouts = [about] if isinstance(about, str) else list(about)
    if not abouts:
        return 0
    return Email.objects.filter(status=Email.Status.OWED, about__in=abouts).update(
        status=Email.Status.CANCELLED, context={}
    )
