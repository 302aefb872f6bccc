"""General meetings: calling them with notice to every member, amending the notice, the chair,
documents and minutes."""

from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop import outbox
from carecoop.db import insert_from_select
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
    staff_only(called_by, _("call a general meeting"), action="meeting_call")
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
    meeting.members_at_notice = _notices_give(meeting, now)
    meeting.save(update_fields=["members_at_notice"])
    return meeting


def _notices_give(meeting: Meeting, now: datetime) -> int:
    """Give every current member the meeting's notice: a `MeetingNotice` for each member without
    one (the record that they were told), and an email to each in the outbox, sent once the
    meeting is saved. An amended notice takes the place of any notice email not yet sent. Returns
    how many members.

    Each email holds only the meeting's id and the member's name: the notice is rendered from the
    meeting when it is sent, so 10,000 members cost 10,000 small rows, not 10,000 agendas, and
    the database writes both kinds of row itself (INSERT … SELECT), one statement each."""
    about = f"governance.meeting_notice:{meeting.pk}"
    outbox.emails_cancel(about=about)
    current = Membership.objects.current().filter(date_admitted__lte=timezone.localdate(now))
    insert_from_select(
        MeetingNotice,
        ["meeting", "membership", "email"],
        current.values(for_meeting=Value(meeting.pk), for_member=F("pk"), to_address=F("user__email")),
        ignore_conflicts=True,
    )
    outbox.emails_queue_each(
        kind="governance.meeting_notice",
        recipients=current,
        to="user__email",
        name=Coalesce(NullIf(F("profile__display_name"), Value("")), F("legal_name")),
        context={"meeting": meeting.pk},
        about=about,
    )
    return current.count()


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
    staff_only(user, _("change a general meeting"), action="meeting_amend")
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
    meeting.members_at_notice = _notices_give(meeting, now)
    meeting.save()
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


@transaction.atomic
def meeting_chair_set(*, meeting: Meeting, chair: Membership | None, user: User) -> Meeting:
    staff_only(user, _("choose the chair"), action="meeting_chair_set")
    if chair is not None and not chair.is_current:
        raise ApplicationError(_("The chair must be a current member."), code="chair_not_member")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.chair = chair
    meeting.save(update_fields=["chair"])
    return meeting


@transaction.atomic
def document_attach(*, meeting: Meeting, title: str, file: UploadedFile, user: User) -> MeetingDocument:
    staff_only(user, _("attach documents to a meeting"), action="document_attach")
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
    staff_only(user, _("write the minutes"), action="minutes_save")
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
    staff_only(user, _("record the approval of minutes"), action="minutes_approve")
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
