"""General meetings: calling them with notice to every member, amending the notice, the chair,
documents and minutes."""

import logging
from collections.abc import Callable
from datetime import datetime
from smtplib import SMTPException, SMTPRecipientsRefused
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.exceptions import ApplicationError, ConflictError
from governance.models import (
    Ballot,
    GovernancePolicy,
    Meeting,
    MeetingDocument,
    MeetingNotice,
    Minutes,
    Requisition,
)
from governance.rules import instant, notice_earliest_day
from governance.services.common import DOCUMENT_MAX_BYTES, DOCUMENT_TYPES, clean_text, staff_only
from members.models import Membership, User

logger = logging.getLogger(__name__)


@transaction.atomic
def meeting_call(
    *,
    called_by: User,
    kind: str,
    title: str,
    format: str,
    starts_at: datetime,
    ends_at: datetime,
    agenda: str,
    place: str = "",
    online_link: str = "",
    requisition: Requisition | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Call a general meeting and give every member notice of it, with the agenda, by email."""
    staff_only(called_by, _("call a general meeting"))
    now = now or timezone.now()
    if kind not in Meeting.Kind.values:
        raise ApplicationError(
            _("Choose the kind of meeting."), code="invalid", fields={"kind": [_("Choose one.")]}
        )
    title, agenda = _meeting_details_check(
        title=title,
        format=format,
        starts_at=starts_at,
        ends_at=ends_at,
        agenda=agenda,
        place=place,
        online_link=online_link,
    )
    _notice_period_check(starts_at=starts_at, now=now)
    if requisition is not None:
        requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
        if requisition.met_at is None:
            raise ApplicationError(
                _("This requisition does not have enough signatures yet."), code="requisition_not_met"
            )
        if Meeting.objects.filter(requisition=requisition).exists():
            raise ConflictError(
                _("A meeting has already been called for this requisition."), code="already_called"
            )
    meeting = Meeting.objects.create(
        kind=kind,
        title=title,
        format=format,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        online_link=online_link.strip(),
        agenda=agenda,
        requisition=requisition,
        called_by=called_by,
        called_at=now,
    )
    meeting.members_at_notice = _notices_owed(meeting, now)
    meeting.save(update_fields=["members_at_notice"])
    transaction.on_commit(lambda: _notices_send_soon(meeting.pk), robust=True)
    return meeting


def _notices_owed(meeting: Meeting, now: datetime) -> int:
    """Owe every current member the meeting's notice: a new row for each member without one, and
    the rows already sent made owed again (an amended notice). Returns how many members."""
    current = Membership.objects.current().filter(date_admitted__lte=timezone.localdate(now))
    members = list(current.values_list("pk", "user__email"))
    MeetingNotice.objects.filter(meeting=meeting, membership__in=current).update(sent_at=None)
    MeetingNotice.objects.bulk_create(
        [MeetingNotice(meeting=meeting, membership_id=pk, email=email) for pk, email in members],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return len(members)


@transaction.atomic
def meeting_amend(
    *,
    meeting: Meeting,
    user: User,
    title: str,
    format: str,
    starts_at: datetime,
    ends_at: datetime,
    agenda: str,
    place: str = "",
    online_link: str = "",
    now: datetime | None = None,
) -> Meeting:
    """Correct a meeting's details before it starts, and send every member the amended notice.

    A new date, or a changed agenda, is new notice: it needs the clear days the rules ask for
    from today. A place, a link or a title can be put right without that. A meeting whose
    ballots have opened keeps its date."""
    staff_only(user, _("change a general meeting"))
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.starts_at <= now:
        raise ConflictError(
            _("This meeting has started: it can no longer be changed."), code="meeting_started"
        )
    title, agenda = _meeting_details_check(
        title=title,
        format=format,
        starts_at=starts_at,
        ends_at=ends_at,
        agenda=agenda,
        place=place,
        online_link=online_link,
    )
    moved = instant(starts_at) != instant(meeting.starts_at)
    if moved and meeting.ballots.exclude(status=Ballot.Status.DRAFT).exists():
        message = _("This meeting's ballots have opened, so its date cannot move.")
        raise ConflictError(message, code="ballots_opened", fields={"starts_at": [message]})
    if moved or agenda != meeting.agenda:
        _notice_period_check(starts_at=starts_at, now=now)
    changed = {
        "title": title,
        "format": format,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "agenda": agenda,
        "place": place.strip(),
        "online_link": online_link.strip(),
    }
    if all(getattr(meeting, field) == value for field, value in changed.items()):
        return meeting  # nothing changed: no second notice
    for field, value in changed.items():
        setattr(meeting, field, value)
    meeting.notice_amended_at = now
    meeting.members_at_notice = _notices_owed(meeting, now)
    meeting.save()
    transaction.on_commit(lambda: _notices_send_soon(meeting.pk), robust=True)
    return meeting


def _meeting_details_check(
    *,
    title: str,
    format: str,
    starts_at: datetime,
    ends_at: datetime,
    agenda: str,
    place: str,
    online_link: str,
) -> tuple[str, str]:
    """The rules a meeting's details keep, called or amended: returns the title and agenda."""
    title = clean_text(title, field="title", what=_("a title"), most=200)
    agenda = clean_text(agenda, field="agenda", what=_("the agenda"))
    if format not in Meeting.Format.values:
        raise ApplicationError(
            _("Choose where the meeting happens."), code="invalid", fields={"format": [_("Choose one.")]}
        )
    if instant(ends_at) <= instant(starts_at):
        message = _("The meeting must end after it starts.")
        raise ApplicationError(message, code="ends_before_start", fields={"ends_at": [message]})
    if format != Meeting.Format.ONLINE and not place.strip():
        message = _("Say where the meeting is held.")
        raise ApplicationError(message, code="place_needed", fields={"place": [message]})
    if format != Meeting.Format.IN_PERSON and not online_link.strip():
        message = _("Give the link members use to join online.")
        raise ApplicationError(message, code="link_needed", fields={"online_link": [message]})
    return title, agenda


def _notice_period_check(*, starts_at: datetime, now: datetime) -> None:
    policy = GovernancePolicy.current()
    earliest = notice_earliest_day(today=timezone.localdate(now), clear_days=policy.notice_clear_days)
    if timezone.localdate(starts_at) < earliest:
        message = _(
            "A general meeting needs %(days)s clear days' notice, so the earliest it can be held is %(day)s."
        ) % {"days": policy.notice_clear_days, "day": f"{earliest:%A %-d %B %Y}"}
        raise ApplicationError(message, code="notice_too_short", fields={"starts_at": [message]})


def _notices_send_soon(meeting_id: int) -> None:
    from governance.tasks import meeting_notices_send_task

    meeting_notices_send_task.delay(meeting_id=meeting_id)


def meeting_notices_send(*, meeting_id: int | None = None, batch: int = 200) -> int:
    """Email each member's notice of a meeting (this one, or any owed), once.

    Rows are claimed with SKIP LOCKED and marked sent in the transaction that sends them, as the
    visit notifications are (decision 14): a failing mail server leaves them owed for the next try.
    """
    owed = MeetingNotice.objects.filter(sent_at__isnull=True).select_related("meeting")
    if meeting_id is not None:
        owed = owed.filter(meeting_id=meeting_id)
    return outbox_send(
        owed,
        email=lambda notice: _notice_email(notice) if notice.email else None,
        sent={"sent_at": timezone.now},
        batch=batch,
    )


def outbox_send(
    owed: QuerySet[Any],
    *,
    email: Callable[[Any], EmailMessage | None],
    sent: dict[str, Any],
    batch: int,
) -> int:
    """Send the emails of outbox rows `owed`, each once: rows are claimed with SKIP LOCKED in
    batches, and marked with `sent` (values, or callables giving them) in the transaction that
    sends them. A failing mail server leaves the rest of the batch owed for the next try (the
    rows sent before it stay marked); an email that can never go (a header the mail library
    refuses, an address the server refuses) is logged and not tried again, so it cannot hold up
    the others. Returns how many went."""
    count = 0
    while True:
        failure: Exception | None = None
        with transaction.atomic():
            claimed = list(owed.select_for_update(skip_locked=True, of=("self",)).order_by("pk")[:batch])
            if not claimed:
                break
            done: list[int] = []
            with get_connection() as mail:
                for row in claimed:
                    try:
                        message = email(row)
                        if message is not None:
                            mail.send_messages([message])
                            count += 1
                    except (ValueError, SMTPRecipientsRefused):  # BadHeaderError is a ValueError
                        logger.exception(
                            "Email for %s %s cannot be sent; not trying again", owed.model, row.pk
                        )
                    except (SMTPException, OSError) as error:
                        failure = error
                        break
                    done.append(row.pk)
            owed.model.objects.filter(pk__in=done).update(
                **{field: value() if callable(value) else value for field, value in sent.items()}
            )
        if failure is not None:
            raise failure
        if len(claimed) < batch:
            break
    return count


def _notice_email(notice: MeetingNotice) -> EmailMessage:
    meeting = notice.meeting
    context = {
        "meeting": meeting,
        "coop_name": settings.COOP_NAME,
        "url": f"{settings.SITE_URL}/meetings/{meeting.pk}/",
    }
    subject = " ".join(render_to_string("governance/email/meeting_notice_subject.txt", context).split())
    body = render_to_string("governance/email/meeting_notice_message.txt", context)
    return EmailMessage(f"[{settings.COOP_NAME}] {subject}", body, None, [notice.email])


@transaction.atomic
def meeting_chair_set(*, meeting: Meeting, chair: Membership | None, user: User) -> Meeting:
    staff_only(user, _("choose the chair"))
    if chair is not None and not chair.is_current:
        raise ApplicationError(_("The chair must be a current member."), code="chair_not_member")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.chair = chair
    meeting.save(update_fields=["chair"])
    return meeting


@transaction.atomic
def document_attach(*, meeting: Meeting, title: str, file: UploadedFile, user: User) -> MeetingDocument:
    staff_only(user, _("attach documents to a meeting"))
    title = clean_text(title, field="title", what=_("a title"), most=200)
    name = (file.name or "").lower()
    if not name.endswith(DOCUMENT_TYPES):
        message = _("Attach a PDF, OpenDocument, Word, Excel, text or CSV file.")
        raise ApplicationError(message, code="file_type", fields={"file": [message]})
    if file.size is None or file.size > DOCUMENT_MAX_BYTES:
        message = _("Attach a file of 20 MB or less.")
        raise ApplicationError(message, code="file_too_big", fields={"file": [message]})
    return MeetingDocument.objects.create(meeting=meeting, title=title, file=file, uploaded_by=user)


@transaction.atomic
def minutes_save(*, meeting: Meeting, text: str, user: User, now: datetime | None = None) -> Minutes:
    staff_only(user, _("write the minutes"))
    now = now or timezone.now()
    if meeting.starts_at > now:
        raise ApplicationError(
            _("Minutes are written once the meeting has started."), code="meeting_not_held"
        )
    text = clean_text(text, field="text", what=_("the minutes"), most=100_000)
    minutes = Minutes.objects.select_for_update().filter(meeting=meeting).first()
    if minutes is None:
        return Minutes.objects.create(meeting=meeting, text=text, written_by=user, updated_at=now)
    if minutes.approved_at_meeting_id is not None:
        raise ConflictError(
            _("These minutes have been approved and can no longer be changed."), code="minutes_approved"
        )
    minutes.text, minutes.written_by, minutes.updated_at = text, user, now
    minutes.save()
    return minutes


@transaction.atomic
def minutes_approve(
    *, minutes: Minutes, at_meeting: Meeting, user: User, now: datetime | None = None
) -> Minutes:
    """Record that a later meeting approved these minutes; from then on they are fixed."""
    staff_only(user, _("record the approval of minutes"))
    now = now or timezone.now()
    minutes = Minutes.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=minutes.pk)
    if minutes.approved_at_meeting_id is not None:
        raise ConflictError(_("These minutes have already been approved."), code="minutes_approved")
    if at_meeting.starts_at <= minutes.meeting.starts_at:
        raise ApplicationError(
            _("Minutes are approved at a later meeting than the one they record."), code="not_a_later_meeting"
        )
    if at_meeting.starts_at > now:
        raise ApplicationError(_("That meeting has not started yet."), code="meeting_not_held")
    minutes.approved_at_meeting, minutes.approved_by = at_meeting, user
    minutes.save()
    return minutes
