"""Governance: calling meetings, requisitions, motions, ballots, votes, proxies and minutes.

Rule 6 (one eligible member, one vote) holds under any concurrency: `Participation` is unique
per member and ballot, so of twenty votes racing for one member the database lets one in. A vote
locks its ballot FOR SHARE and closing locks it FOR UPDATE, so no vote lands after the count.
Rule 7 (secret ballots): the vote row written here carries nothing that joins it to the voter.
"""

import hashlib
import logging
import math
import secrets
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from smtplib import SMTPException, SMTPRecipientsRefused
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from governance import counting
from governance.models import (
    SEAT_CLASS_MEMBERS,
    Attendance,
    Ballot,
    Candidate,
    Eligibility,
    GovernancePolicy,
    Majority,
    Meeting,
    MeetingDocument,
    MeetingNotice,
    Minutes,
    Motion,
    MotionVersion,
    Participation,
    Proxy,
    Requisition,
    RequisitionSignature,
    Vote,
    Weighting,
)
from members import selectors as member_selectors
from members.models import Membership, User

logger = logging.getLogger(__name__)

TEXT_MAX = 10_000
STATEMENT_MAX = 3_000
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_TYPES = (".pdf", ".odt", ".ods", ".docx", ".xlsx", ".txt", ".csv")

# --- Receipts -------------------------------------------------------------------------------------

# Crockford's base32: no I, L, O or U, so a receipt read aloud or copied by hand is not misread.
_RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_RECEIPT_LENGTH = 20  # 100 bits: nobody guesses another's receipt
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


def receipt_new() -> str:
    raw = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(_RECEIPT_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, _RECEIPT_LENGTH, 4))


def receipt_normalise(receipt: str) -> str:
    return "".join(ch for ch in receipt.upper().translate(_READ_AS) if ch in _RECEIPT_ALPHABET)


def receipt_hash(receipt: str) -> str:
    """The hash published on the receipts list and kept on the vote."""
    return hashlib.sha256(f"receipt:{receipt_normalise(receipt)}".encode()).hexdigest()


def _change_key_hash(receipt: str) -> str:
    # Kept on the Participation. Another prefix, so it cannot be matched to the published hash.
    return hashlib.sha256(f"change:{receipt_normalise(receipt)}".encode()).hexdigest()


# --- Rules and numbers --------------------------------------------------------------------------


def lesser_of(*, percent: int, most: int, members: int) -> int:
    """`percent` of `members` (rounded up), or `most`, whichever is fewer; never less than one."""
    return max(1, min(math.ceil(members * percent / 100), most))


def governance_policy_update(*, user: User, **values: Any) -> GovernancePolicy:
    if not user.is_staff:
        raise NotAllowedError(
            _("Only the co-op's staff can change the meeting and voting rules."), code="staff_only"
        )
    with transaction.atomic():
        policy = GovernancePolicy.current()
        policy = GovernancePolicy.objects.select_for_update().get(pk=policy.pk)
        for name, value in values.items():
            setattr(policy, name, value)
        if (
            policy.share_receivers_percent + policy.share_workers_percent + policy.share_investors_percent
            != 100
        ):
            raise ApplicationError(
                _("The fixed shares of the vote must add up to 100%."),
                code="shares_do_not_add_up",
                fields={"share_workers_percent": [_("The three shares must add up to 100%.")]},
            )
        try:
            # The database's check constraints, asked first so a bad number is a message, not a 500.
            policy.validate_constraints()
        except ValidationError as error:
            raise ApplicationError(
                _("Some of these numbers are outside what the rules allow: %(why)s")
                % {"why": " ".join(error.messages)},
                code="invalid_rules",
            ) from error
        policy._change_reason = f"changed by {user.email}"  # type: ignore[attr-defined]
        policy.save()
    return policy


def weighting_rule(policy: GovernancePolicy) -> dict[str, Any]:
    """The policy's weighting as stored on a ballot when it opens."""
    if policy.weighting == Weighting.CLASS_CAP:
        return {"mode": Weighting.CLASS_CAP, "caps": {"investor": f"{policy.investor_cap_percent}/100"}}
    if policy.weighting == Weighting.CLASS_SHARES:
        return {
            "mode": Weighting.CLASS_SHARES,
            "shares": {
                "receiver,advocate": f"{policy.share_receivers_percent}/100",
                "worker": f"{policy.share_workers_percent}/100",
                "investor": f"{policy.share_investors_percent}/100",
            },
        }
    return {"mode": Weighting.ONE_MEMBER_ONE_VOTE}


def weighting_from_rule(rule: dict[str, Any]) -> counting.Weighting:
    def key(classes: str) -> counting.ClassesKey:
        names = tuple(classes.split(","))
        return names[0] if len(names) == 1 else names

    if rule.get("mode") == Weighting.CLASS_CAP:
        return counting.ClassCap(caps={key(k): v for k, v in rule["caps"].items()})
    if rule.get("mode") == Weighting.CLASS_SHARES:
        return counting.ClassShares(shares={key(k): v for k, v in rule["shares"].items()})
    return counting.ONE_MEMBER_ONE_VOTE


def _membership_of(user: User) -> Membership:
    membership = member_selectors.membership_current_for_user(user=user)
    if membership is None or not member_selectors.membership_can_participate(membership=membership):
        raise NotAllowedError(
            _("Only members admitted and holding a paid share can take part."), code="not_a_member"
        )
    return membership


def _text(value: str, *, field: str, what: str, most: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(
            _("Please write %(what)s.") % {"what": what},
            code="required",
            fields={field: [_("This field is required.")]},
        )
    if len(value) > most:
        message = _("Please keep this to %(n)s characters.") % {"n": f"{most:,}"}
        raise ApplicationError(message, code="too_long", fields={field: [message]})
    return value


def _is_chair(user: User, meeting: Meeting | None) -> bool:
    if meeting is None or meeting.chair_id is None:
        return False
    return Membership.objects.filter(pk=meeting.chair_id, user=user, date_ceased__isnull=True).exists()


def _staff_or_chair(user: User, meeting: Meeting | None, what: str) -> None:
    if not (user.is_staff or _is_chair(user, meeting)):
        raise NotAllowedError(
            _("Only the chair of the meeting or the co-op's staff can %(what)s.") % {"what": what},
            code="chair_only",
        )


def _instant(moment: datetime) -> datetime:
    # Python compares two times of the same zone by the clock on the wall, so 01:30 BST and
    # 01:10 GMT on the night the clocks go back compare the wrong way round; UTC does not.
    return moment.astimezone(UTC)


def _staff_only(user: User, what: str) -> None:
    if not user.is_staff:
        raise NotAllowedError(_("Only the co-op's staff can %(what)s.") % {"what": what}, code="staff_only")


# --- Meetings -----------------------------------------------------------------------------------


def notice_earliest_day(*, today: date, clear_days: int) -> date:
    """The first day a meeting can be held: `clear_days` whole days between the day notice goes
    out and the day of the meeting, neither counted."""
    return today + timedelta(days=clear_days + 1)


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
    _staff_only(called_by, _("call a general meeting"))
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
    _staff_only(user, _("change a general meeting"))
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
    moved = _instant(starts_at) != _instant(meeting.starts_at)
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
    title = _text(title, field="title", what=_("a title"), most=200)
    agenda = _text(agenda, field="agenda", what=_("the agenda"))
    if format not in Meeting.Format.values:
        raise ApplicationError(
            _("Choose where the meeting happens."), code="invalid", fields={"format": [_("Choose one.")]}
        )
    if _instant(ends_at) <= _instant(starts_at):
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
    return _outbox_send(
        owed,
        email=lambda notice: _notice_email(notice) if notice.email else None,
        sent={"sent_at": timezone.now},
        batch=batch,
    )


def _outbox_send(
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
    _staff_only(user, _("choose the chair"))
    if chair is not None and not chair.is_current:
        raise ApplicationError(_("The chair must be a current member."), code="chair_not_member")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.chair = chair
    meeting.save(update_fields=["chair"])
    return meeting


@transaction.atomic
def document_attach(*, meeting: Meeting, title: str, file: UploadedFile, user: User) -> MeetingDocument:
    _staff_only(user, _("attach documents to a meeting"))
    title = _text(title, field="title", what=_("a title"), most=200)
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
    _staff_only(user, _("write the minutes"))
    now = now or timezone.now()
    if meeting.starts_at > now:
        raise ApplicationError(
            _("Minutes are written once the meeting has started."), code="meeting_not_held"
        )
    text = _text(text, field="text", what=_("the minutes"), most=100_000)
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
    _staff_only(user, _("record the approval of minutes"))
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


# --- Requisitions -------------------------------------------------------------------------------


def requisition_signatures_needed(*, on: date | None = None) -> int:
    policy = GovernancePolicy.current()
    members = member_selectors.memberships_participating(on=on or timezone.localdate()).count()
    return lesser_of(
        percent=policy.requisition_percent, most=policy.requisition_max_signatures, members=members
    )


@transaction.atomic
def requisition_open(*, user: User, purpose: str) -> Requisition:
    membership = _membership_of(user)
    purpose = _text(purpose, field="purpose", what=_("what the meeting is for"))
    requisition = Requisition.objects.create(purpose=purpose, opened_by=membership)
    return requisition_sign(requisition=requisition, user=user)


@transaction.atomic
def requisition_sign(*, requisition: Requisition, user: User) -> Requisition:
    membership = _membership_of(user)
    # One signer at a time per requisition, so exactly one of them sees it met.
    requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if requisition.met_at is not None:
        raise ConflictError(
            _("This requisition already has the signatures it needs; the secretary calls the meeting."),
            code="requisition_met",
        )
    if RequisitionSignature.objects.filter(requisition=requisition, membership=membership).exists():
        raise ConflictError(_("You have already signed this requisition."), code="already_signed")
    RequisitionSignature.objects.create(requisition=requisition, membership=membership)
    needed = requisition_signatures_needed()
    if requisition.signatures.count() >= needed:
        requisition.met_at = timezone.now()
        requisition.signatures_needed = needed
        requisition.save(update_fields=["met_at", "signatures_needed"])
        transaction.on_commit(lambda: _tell_staff_requisition_met(requisition.pk), robust=True)
    return requisition


@transaction.atomic
def requisition_unsign(*, requisition: Requisition, user: User) -> Requisition:
    """Take a signature back, while the requisition is still collecting them: once met, the
    meeting is owed to the members who asked for it."""
    membership = _membership_of(user)
    requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if requisition.met_at is not None:
        raise ConflictError(
            _("This requisition has the signatures it needs: a signature can no longer be taken back."),
            code="requisition_met",
        )
    deleted, _rows = RequisitionSignature.objects.filter(
        requisition=requisition, membership=membership
    ).delete()
    if not deleted:
        raise ConflictError(_("You have not signed this requisition."), code="not_signed")
    return requisition


def _tell_staff_requisition_met(requisition_id: int) -> None:
    requisition = Requisition.objects.get(pk=requisition_id)
    staff = list(User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True))
    if staff:
        send_mail(
            f"[{settings.COOP_NAME}] " + _("A requisition for a general meeting has the signatures it needs"),
            _("Members have requisitioned a general meeting:\n\n%(purpose)s\n\nCall it at %(url)s")
            % {
                "purpose": requisition.purpose,
                "url": f"{settings.SITE_URL}/meetings/requisitions/{requisition.pk}/",
            },
            None,
            staff,
        )


# --- Attendance and quorum ----------------------------------------------------------------------


def _attend(meeting: Meeting, membership: Membership, how: str, user: User) -> Attendance:
    try:
        with transaction.atomic():
            return Attendance.objects.create(
                meeting=meeting, membership=membership, how=how, recorded_by=user
            )
    except IntegrityError:
        return Attendance.objects.get(meeting=meeting, membership=membership)


def attendance_check_in(*, meeting: Meeting, user: User, now: datetime | None = None) -> Attendance:
    """A member checks themselves in; checking in twice keeps the first time."""
    membership = _membership_of(user)
    if not meeting.in_session(now):
        raise ApplicationError(
            _("You can check in from half an hour before the meeting starts until it ends."),
            code="not_in_session",
        )
    return _attend(meeting, membership, Attendance.How.ONLINE, user)


def attendance_mark(
    *, meeting: Meeting, membership: Membership, user: User, now: datetime | None = None
) -> Attendance:
    """Staff mark a member present in the room."""
    _staff_only(user, _("mark members present"))
    if not meeting.in_session(now):
        raise ApplicationError(
            _("Members are marked present while the meeting is on."), code="not_in_session"
        )
    if not member_selectors.membership_can_participate(membership=membership):
        raise ApplicationError(_("Only members can be marked present."), code="not_a_member")
    return _attend(meeting, membership, Attendance.How.IN_ROOM, user)


# --- Motions ------------------------------------------------------------------------------------


@transaction.atomic
def motion_propose(
    *,
    user: User,
    meeting: Meeting,
    title: str,
    text: str,
    majority: str = Majority.ORDINARY,
    by_board: bool = False,
    amends: Motion | None = None,
    now: datetime | None = None,
) -> Motion:
    """A member proposes a motion (it then waits for a seconder), or staff record one the board
    proposes (it needs none). An amendment gives the whole text as it would read if carried."""
    now = now or timezone.now()
    if by_board:
        _staff_only(user, _("put a motion from the board"))
        proposer = None
    else:
        proposer = _membership_of(user)
    if meeting.ends_at <= now:
        raise ApplicationError(_("This meeting is over."), code="meeting_over")
    title = _text(title, field="title", what=_("a title"), most=200)
    text = _text(text, field="text", what=_("the motion's text"))
    if majority not in Majority.values:
        raise ApplicationError(
            _("Choose the kind of resolution."), code="invalid", fields={"majority": [_("Choose one.")]}
        )
    if amends is not None:
        amends = Motion.objects.select_for_update().get(pk=amends.pk)
        if amends.meeting_id != meeting.pk:
            raise ApplicationError(
                _("An amendment is put at the same meeting as its motion."), code="other_meeting"
            )
        if amends.amends_id is not None:
            raise ApplicationError(_("An amendment cannot itself be amended."), code="amendment_of_amendment")
        if (
            amends.status not in (Motion.Status.AWAITING_SECONDER, Motion.Status.TABLED)
            or amends.ballots.exclude(status=Ballot.Status.DRAFT).exists()
        ):
            raise ConflictError(_("That motion can no longer be amended."), code="motion_not_amendable")
        majority = Majority.ORDINARY  # an amendment is decided by a simple majority
    motion = Motion.objects.create(
        meeting=meeting,
        title=title,
        majority=majority,
        amends=amends,
        by_board=by_board,
        proposer=proposer,
        status=Motion.Status.TABLED if by_board else Motion.Status.AWAITING_SECONDER,
        created_at=now,
    )
    MotionVersion.objects.create(motion=motion, number=1, text=text, created_by=user, created_at=now)
    return motion


@transaction.atomic
def motion_second(*, motion: Motion, user: User) -> Motion:
    seconder = _membership_of(user)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if motion.status != Motion.Status.AWAITING_SECONDER:
        raise ConflictError(_("This motion is not waiting for a seconder."), code="not_awaiting_seconder")
    if motion.proposer_id == seconder.pk:
        raise ApplicationError(
            _("A motion is seconded by someone other than its proposer."), code="own_motion"
        )
    motion.seconder, motion.status = seconder, Motion.Status.TABLED
    motion.save(update_fields=["seconder", "status"])
    return motion


def _may_change_motion(user: User, motion: Motion) -> None:
    if not (user.is_staff or (motion.proposer is not None and motion.proposer.user_id == user.pk)):
        raise NotAllowedError(
            _("Only the proposer or the co-op's staff can change a motion."), code="not_proposer"
        )
    if (
        motion.status not in (Motion.Status.AWAITING_SECONDER, Motion.Status.TABLED)
        or motion.ballots.exclude(status=Ballot.Status.DRAFT).exists()
    ):
        raise ConflictError(_("This motion can no longer be changed."), code="motion_fixed")


@transaction.atomic
def motion_revise(*, motion: Motion, text: str, user: User, note: str = "") -> MotionVersion:
    """A new version of the text; earlier versions are kept as they were."""
    motion = Motion.objects.select_for_update(of=("self",)).select_related("proposer").get(pk=motion.pk)
    _may_change_motion(user, motion)
    text = _text(text, field="text", what=_("the motion's text"))
    latest = motion.versions.order_by("-number")[0]  # version 1 is written with the motion
    if latest.text == text:
        raise ApplicationError(_("The text is the same as the current version."), code="unchanged")
    if not motion.by_board and motion.seconder_id is not None:
        # The seconder agreed to the text as it was: a new text needs seconding again.
        motion.seconder, motion.status = None, Motion.Status.AWAITING_SECONDER
        motion.save(update_fields=["seconder", "status"])
    return MotionVersion.objects.create(
        motion=motion, number=latest.number + 1, text=text, created_by=user, note=note.strip()[:200]
    )


@transaction.atomic
def motion_withdraw(*, motion: Motion, user: User) -> Motion:
    motion = Motion.objects.select_for_update(of=("self",)).select_related("proposer").get(pk=motion.pk)
    _may_change_motion(user, motion)
    motion.status = Motion.Status.WITHDRAWN
    motion.save(update_fields=["status"])
    return motion


# --- Ballots ------------------------------------------------------------------------------------


@transaction.atomic
def ballot_create(
    *,
    user: User,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    motion: Motion | None = None,
    meeting: Meeting | None = None,
    seat_class: str = "",
    seats: int = 0,
    method: str = Ballot.Method.ONLINE,
    secret: bool = True,
    changes_allowed: bool = True,
) -> Ballot:
    """A ballot on a motion (at its meeting) or a board election for one class's seats."""
    _staff_only(user, _("set up a ballot"))
    title = _text(title, field="title", what=_("a title"), most=200)
    if _instant(closes_at) <= _instant(opens_at):
        message = _("The ballot must close after it opens.")
        raise ApplicationError(message, code="closes_before_opening", fields={"closes_at": [message]})
    if method not in Ballot.Method.values:
        raise ApplicationError(
            _("Choose how members vote."), code="invalid", fields={"method": [_("Choose one.")]}
        )
    if motion is not None:
        motion = Motion.objects.select_for_update().get(pk=motion.pk)
        if motion.status != Motion.Status.TABLED:
            raise ApplicationError(
                _("Only a motion proposed and seconded is put to a vote."), code="motion_not_tabled"
            )
        if Ballot.objects.filter(motion=motion).exists():
            raise ConflictError(_("This motion already has a ballot."), code="motion_has_ballot")
        meeting = motion.meeting
        kind, seat_class, seats = Ballot.Kind.MOTION, "", 0
    else:
        kind = Ballot.Kind.ELECTION
        if seat_class not in SEAT_CLASS_MEMBERS:
            message = _("Choose whose seats the election fills.")
            raise ApplicationError(message, code="invalid", fields={"seat_class": [message]})
        most = GovernancePolicy.current().seats_for(seat_class)
        if not 1 <= seats <= most:
            message = _("An election fills between 1 and %(n)s seats of this class.") % {"n": most}
            raise ApplicationError(message, code="seats_out_of_range", fields={"seats": [message]})
    if method == Ballot.Method.AT_MEETING and meeting is None:
        raise ApplicationError(_("A vote at a meeting needs a meeting."), code="no_meeting")
    return Ballot.objects.create(
        title=title,
        meeting=meeting,
        kind=kind,
        method=method,
        motion=motion,
        seat_class=seat_class,
        seats=seats,
        secret=secret,
        changes_allowed=changes_allowed,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=user,
    )


@transaction.atomic
def candidate_stand(*, ballot: Ballot, user: User, statement: str) -> Candidate:
    membership = _membership_of(user)
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if ballot.kind != Ballot.Kind.ELECTION:
        raise ApplicationError(_("Candidates stand in elections, not on motions."), code="not_an_election")
    if ballot.status != Ballot.Status.DRAFT:
        raise ConflictError(_("Nominations closed when the ballot opened."), code="nominations_closed")
    if membership.member_class not in SEAT_CLASS_MEMBERS[ballot.seat_class]:
        raise NotAllowedError(
            _("Only members of the class whose seats are filled can stand in this election."),
            code="wrong_class",
        )
    statement = _text(statement, field="statement", what=_("your statement"), most=STATEMENT_MAX)
    candidate = Candidate.objects.filter(ballot=ballot, membership=membership).first()
    if candidate is not None and candidate.withdrawn_at is None:
        raise ConflictError(_("You are already standing in this election."), code="already_standing")
    if candidate is not None:
        candidate.statement, candidate.withdrawn_at, candidate.stood_at = statement, None, timezone.now()
        candidate.save()
        return candidate
    return Candidate.objects.create(ballot=ballot, membership=membership, statement=statement)


@transaction.atomic
def candidate_withdraw(*, candidate: Candidate, user: User) -> Candidate:
    candidate = (
        Candidate.objects.select_related("membership", "ballot")
        .select_for_update(of=("self",))
        .get(pk=candidate.pk)
    )
    if not (user.is_staff or candidate.membership.user_id == user.pk):
        raise NotAllowedError(
            _("Only the candidate or the co-op's staff can withdraw a candidacy."), code="not_candidate"
        )
    if candidate.ballot.status != Ballot.Status.DRAFT:
        raise ConflictError(
            _("Candidates can withdraw only before the ballot opens."), code="nominations_closed"
        )
    candidate.withdrawn_at = timezone.now()
    candidate.save(update_fields=["withdrawn_at"])
    return candidate


def quorum_needed(*, on: date | None = None) -> int:
    policy = GovernancePolicy.current()
    members = member_selectors.memberships_participating(on=on or timezone.localdate()).count()
    return lesser_of(percent=policy.quorum_percent, most=policy.quorum_max_members, members=members)


def quorum_present(*, meeting: Meeting) -> tuple[int, int]:
    """(members present, members absent but represented by a proxy who is present)."""
    present_ids = set(Attendance.objects.filter(meeting=meeting).values_list("membership_id", flat=True))
    represented = set()
    chair_present = meeting.chair_id in present_ids
    for appointer_id, holder_id, to_chair in Proxy.objects.filter(
        Q(meeting=meeting) | Q(ballot__meeting=meeting), revoked_at__isnull=True
    ).values_list("appointer_id", "holder_id", "to_chair"):
        if appointer_id not in present_ids and (holder_id in present_ids or (to_chair and chair_present)):
            represented.add(appointer_id)
    return len(present_ids), len(represented)


def quorum_is_met(*, meeting: Meeting) -> bool:
    present, by_proxy = quorum_present(meeting=meeting)
    if GovernancePolicy.current().quorum_counts_proxies:
        present += by_proxy
    return present >= quorum_needed()


@transaction.atomic
def ballot_open(*, ballot: Ballot, user: User | None = None, now: datetime | None = None) -> Ballot:
    """Open a ballot and fix who may vote on it. `user` is the chair or staff opening it by hand
    (a vote at a meeting is opened so); the minute's task opens online ballots on time."""
    now = now or timezone.now()
    ballot = (
        Ballot.objects.select_for_update(of=("self",)).select_related("meeting", "motion").get(pk=ballot.pk)
    )
    if user is not None:
        _staff_or_chair(user, ballot.meeting, _("open a ballot"))
    if ballot.status != Ballot.Status.DRAFT:
        raise ConflictError(_("This ballot has already been opened."), code="already_open")
    if ballot.closes_at <= now:
        raise ConflictError(_("This ballot's closing time has passed."), code="ballot_closed")
    if ballot.method == Ballot.Method.AT_MEETING:
        if ballot.meeting is None or not ballot.meeting.in_session(now):
            raise ApplicationError(
                _("A vote at a meeting opens while the meeting is on."), code="not_in_session"
            )
        if not quorum_is_met(meeting=ballot.meeting):
            raise ConflictError(_("The meeting is not quorate: no vote can be taken."), code="not_quorate")
    elif ballot.opens_at > now:
        # Online ballots open when members were told, whoever asks: opening early would also
        # fix who may vote before the day announced.
        raise ApplicationError(_("This ballot is not due to open yet."), code="not_due")
    classes: tuple[str, ...] = ()
    if ballot.kind == Ballot.Kind.MOTION:
        if ballot.motion is None or ballot.motion.status != Motion.Status.TABLED:
            raise ConflictError(_("The motion is no longer on the table."), code="motion_not_tabled")
        if ballot.motion.amendments.filter(status=Motion.Status.TABLED).exists():
            raise ConflictError(
                _("The amendments to this motion are voted on first."), code="amendments_first"
            )
        ballot.majority = ballot.motion.majority
        # An amendment nobody seconded lapses when its motion goes to the vote.
        ballot.motion.amendments.filter(status=Motion.Status.AWAITING_SECONDER).update(
            status=Motion.Status.WITHDRAWN
        )
    else:
        if not ballot.candidates.filter(withdrawn_at__isnull=True).exists():
            raise ConflictError(_("Nobody is standing in this election yet."), code="no_candidates")
        classes = SEAT_CLASS_MEMBERS[ballot.seat_class]
    voters = member_selectors.memberships_participating(on=timezone.localdate(now))
    if classes:
        voters = voters.filter(member_class__in=classes)
    created = Eligibility.objects.bulk_create(
        [
            Eligibility(ballot=ballot, membership_id=pk, member_class=member_class)
            for pk, member_class in voters.values_list("pk", "member_class")
        ],
        batch_size=2000,
    )
    ballot.eligible_count = len(created)
    ballot.weighting = weighting_rule(GovernancePolicy.current())
    ballot.status, ballot.opened_at = Ballot.Status.OPEN, now
    if ballot.opens_at > now:
        ballot.opens_at = now
    ballot.save()
    return ballot


@transaction.atomic
def ballot_close(*, ballot: Ballot, user: User | None = None, now: datetime | None = None) -> Ballot:
    """Close a ballot and count it. The chair (or staff) closes a vote at a meeting when it is
    done; an online ballot closes at its time, by the minute's task, and not before."""
    now = now or timezone.now()
    ballot = Ballot.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=ballot.pk)
    if ballot.status != Ballot.Status.OPEN:
        raise ConflictError(_("This ballot is not open."), code="not_open")
    if user is not None:
        _staff_or_chair(user, ballot.meeting, _("close a ballot"))
        if ballot.method == Ballot.Method.ONLINE and ballot.closes_at > now:
            raise ConflictError(
                _("An online ballot stays open until its closing time, as members were told."),
                code="closes_on_time",
            )
    elif ballot.closes_at > now:
        raise ApplicationError(_("This ballot is not due to close yet."), code="not_due")
    ballot.status, ballot.closed_at = Ballot.Status.CLOSED, now
    ballot.closes_at = min(ballot.closes_at, now)
    if ballot.secret:
        _votes_reseal(ballot)
    ballot.result = ballot_count(ballot=ballot)
    ballot.save()
    return ballot


def _votes_reseal(ballot: Ballot) -> None:
    """Write a secret ballot's votes again, all in this one transaction and in random order.

    Each vote was written in the transaction that recorded its voter, and PostgreSQL stamps every
    row with the id of the transaction that wrote it (xmin): a reader of the raw tables could join
    the two. Rewritten together, the votes all carry the closing transaction's id and new keys;
    the old rows are dead and go with the next vacuum (decision 16)."""
    votes = list(
        Vote.objects.filter(ballot=ballot).values("member_class", "choice", "ranking", "receipt_hash")
    )
    secrets.SystemRandom().shuffle(votes)
    Vote.objects.filter(ballot=ballot).delete()
    Vote.objects.bulk_create([Vote(ballot=ballot, **vote) for vote in votes], batch_size=2000)


def ballots_open_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    opened = 0
    due = Ballot.objects.filter(
        status=Ballot.Status.DRAFT, method=Ballot.Method.ONLINE, opens_at__lte=now, closes_at__gt=now
    )
    for ballot in due.only("pk"):
        try:
            ballot_open(ballot=ballot, now=now)
            opened += 1
        except ApplicationError:
            continue  # e.g. nobody standing: staff see it still closed on the meeting page
    return opened


def ballots_close_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    closed = 0
    for ballot in Ballot.objects.filter(status=Ballot.Status.OPEN, closes_at__lte=now).only("pk"):
        try:
            ballot_close(ballot=ballot, now=now)
            closed += 1
        except ConflictError:
            continue  # closed by hand meanwhile
    return closed


@transaction.atomic
def ballot_declare(*, ballot: Ballot, user: User, now: datetime | None = None) -> Ballot:
    """The chair declares the result. A motion is then carried or lost; a carried amendment
    becomes the motion's new text."""
    ballot = (
        Ballot.objects.select_for_update(of=("self",)).select_related("meeting", "motion").get(pk=ballot.pk)
    )
    _staff_or_chair(user, ballot.meeting, _("declare the result"))
    if ballot.status != Ballot.Status.CLOSED:
        raise ConflictError(_("A result is declared once the ballot has closed."), code="not_closed")
    if ballot.declared_at is not None:
        raise ConflictError(_("This result has already been declared."), code="already_declared")
    ballot.declared_at, ballot.declared_by = now or timezone.now(), user
    ballot.save(update_fields=["declared_at", "declared_by"])
    if ballot.motion is not None and ballot.result is not None:
        motion = Motion.objects.select_for_update().get(pk=ballot.motion.pk)
        motion.status = Motion.Status.CARRIED if ballot.result["passed"] else Motion.Status.LOST
        motion.save(update_fields=["status"])
        if motion.amends_id is not None and ballot.result["passed"]:
            amended = Motion.objects.select_for_update().get(pk=motion.amends_id)
            latest = amended.versions.order_by("-number")[0]
            text = motion.versions.order_by("-number")[0].text
            MotionVersion.objects.create(
                motion=amended,
                number=latest.number + 1,
                text=text,
                created_by=user,
                note=_("As amended by “%(title)s”") % {"title": motion.title},
            )
    return ballot


# --- Proxies ------------------------------------------------------------------------------------


def _proxies_applying(ballot: Ballot) -> Q:
    scope = Q(ballot=ballot)
    if ballot.meeting_id is not None:
        scope |= Q(meeting_id=ballot.meeting_id)
    return scope & Q(revoked_at__isnull=True)


def _held_by(holder: Membership | None, chair_of: Meeting | None) -> Q:
    """The proxies a person holds: named to them, or to the chair of a meeting they chair."""
    held = Q(holder=holder) if holder is not None else Q(pk__in=[])
    if chair_of is not None and holder is not None and chair_of.chair_id == holder.pk:
        held |= Q(to_chair=True)
    return held


@transaction.atomic
def proxy_appoint(
    *,
    user: User,
    holder: Membership | None = None,
    to_chair: bool = False,
    meeting: Meeting | None = None,
    ballot: Ballot | None = None,
    instruction: str = "",
    instructions_text: str = "",
    now: datetime | None = None,
) -> Proxy:
    """Appoint a member, or the chair, to vote for you at a meeting or on one ballot. A new
    appointment for the same meeting or ballot replaces the old one."""
    now = now or timezone.now()
    appointer = _membership_of(user)
    if (meeting is None) == (ballot is None):
        raise ApplicationError(_("Choose the meeting or the ballot the proxy is for."), code="proxy_scope")
    if (holder is None) == (not to_chair):
        raise ApplicationError(
            _("Choose a member, or the chair, as your proxy."),
            code="proxy_holder",
            fields={"holder": [_("Choose a member, or the chair.")]},
        )
    if holder is not None:
        if holder.pk == appointer.pk:
            raise ApplicationError(
                _("You cannot be your own proxy."),
                code="proxy_self",
                fields={"holder": [_("Choose someone else.")]},
            )
        if not member_selectors.membership_can_participate(membership=holder):
            raise ApplicationError(
                _("A proxy must be a current member."),
                code="holder_not_member",
                fields={"holder": [_("Not a current member.")]},
            )
    meeting_of: Meeting | None = None
    if ballot is not None:
        ballot = Ballot.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=ballot.pk)
        if ballot.status == Ballot.Status.CLOSED or ballot.closes_at <= now:
            raise ConflictError(_("This ballot has closed."), code="ballot_closed")
        if ballot.status == Ballot.Status.OPEN:
            if not Eligibility.objects.filter(ballot=ballot, membership=appointer).exists():
                raise NotAllowedError(_("You are not eligible to vote on this ballot."), code="not_eligible")
            if Participation.objects.filter(ballot=ballot, membership=appointer).exists():
                raise ConflictError(_("You have already voted on this ballot."), code="already_voted")
        if instruction and ballot.kind != Ballot.Kind.MOTION:
            raise ApplicationError(
                _("Instructions for, against or abstain are for motions."),
                code="instruction_not_for_election",
            )
        meeting_of = ballot.meeting
    elif meeting is not None:
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.ends_at <= now:
            raise ConflictError(_("This meeting is over."), code="meeting_over")
        if instruction:
            raise ApplicationError(
                _("For a whole meeting, write instructions; for, against or abstain is given per ballot."),
                code="instruction_needs_ballot",
            )
        meeting_of = meeting
    if instruction not in Proxy.Instruction.values:
        raise ApplicationError(
            _("Choose an instruction."), code="invalid", fields={"instruction": [_("Choose one.")]}
        )
    if to_chair and meeting_of is None:
        raise ApplicationError(_("An online ballot has no chair: choose a member."), code="no_chair")
    instructions_text = (instructions_text or "").strip()[:2000]

    # Serialise appointments to the same person (or the chair of the same meeting), so two at
    # once cannot both take the last place.
    if meeting_of is not None:
        Meeting.objects.select_for_update().filter(pk=meeting_of.pk).first()
    if holder is not None:
        Membership.objects.select_for_update().filter(pk=holder.pk).first()
    if ballot is not None:
        scope = _proxies_applying(ballot)
    else:
        scope = (Q(meeting=meeting) | Q(ballot__meeting=meeting)) & Q(revoked_at__isnull=True)
    if to_chair and meeting_of is not None:
        held = Q(to_chair=True) | (Q(holder_id=meeting_of.chair_id) if meeting_of.chair_id else Q(pk__in=[]))
    else:
        held = _held_by(holder, meeting_of)
    replaced = Proxy.objects.filter(
        appointer=appointer, meeting=meeting, ballot=ballot, revoked_at__isnull=True
    )
    # Changing the instructions to the same holder is not news by email: the page shows them.
    same_holder = holder is not None and replaced.filter(holder=holder).exists()
    replaced.update(revoked_at=now, holder_email_due=False)
    max_proxies = GovernancePolicy.current().max_proxies
    held_count = (
        Proxy.objects.filter(scope & held).exclude(appointer=appointer).values("appointer").distinct().count()
    )
    if held_count >= max_proxies:
        who = _("The chair") if to_chair else holder.shown_name  # type: ignore[union-attr]
        message = _("%(who)s already holds %(n)s proxies, the most anyone may hold.") % {
            "who": who,
            "n": max_proxies,
        }
        raise ConflictError(message, code="proxy_limit", fields={"holder": [message]})
    proxy = Proxy.objects.create(
        appointer=appointer,
        holder=holder,
        to_chair=to_chair,
        meeting=meeting,
        ballot=ballot,
        instruction=instruction,
        instructions_text=instructions_text,
        created_at=now,
        # The member named is told by email; the chair sees the proxies on the meeting's page.
        holder_email_due=holder is not None and not same_holder,
    )
    if proxy.holder_email_due:
        transaction.on_commit(_proxy_emails_send_soon, robust=True)
    return proxy


def _proxy_emails_send_soon() -> None:
    from governance.tasks import proxy_emails_send_task

    proxy_emails_send_task.delay()


def proxy_emails_send(*, batch: int = 200) -> int:
    """Tell each member named as a proxy that they hold it, once, as meeting notices are sent
    (rows claimed with SKIP LOCKED, the flag cleared in the transaction that sends)."""
    # A proxy for a meeting now over, or a ballot now closed, is no news any more.
    Proxy.objects.filter(holder_email_due=True).exclude(
        pk__in=Proxy.objects.in_force(timezone.now()).values("pk")
    ).update(holder_email_due=False)
    owed = Proxy.objects.filter(holder_email_due=True).select_related(
        "appointer__profile", "holder__user", "meeting", "ballot"
    )
    return _outbox_send(owed, email=_proxy_email, sent={"holder_email_due": False}, batch=batch)


def _proxy_email(proxy: Proxy) -> EmailMessage | None:
    if proxy.holder is None or not proxy.holder.user.email:
        return None
    context = {
        "proxy": proxy,
        "name": proxy.appointer.shown_name,
        "coop_name": settings.COOP_NAME,
        "url": f"{settings.SITE_URL}/ballots/{proxy.ballot_id}/"
        if proxy.ballot_id
        else f"{settings.SITE_URL}/meetings/{proxy.meeting_id}/",
        "proxies_url": f"{settings.SITE_URL}/proxies/",
    }
    subject = " ".join(render_to_string("governance/email/proxy_held_subject.txt", context).split())
    body = render_to_string("governance/email/proxy_held_message.txt", context)
    return EmailMessage(f"[{settings.COOP_NAME}] {subject}", body, None, [proxy.holder.user.email])


@transaction.atomic
def proxy_revoke(*, proxy: Proxy, user: User, now: datetime | None = None) -> Proxy:
    proxy = Proxy.objects.select_for_update(of=("self",)).select_related("appointer").get(pk=proxy.pk)
    # Not staff either: cancelling a proxy can take away a member's vote, so only they may.
    if proxy.appointer.user_id != user.pk:
        raise NotAllowedError(_("Only the member who appointed a proxy can cancel it."), code="not_appointer")
    if proxy.revoked_at is None:
        proxy.revoked_at = now or timezone.now()
        # Cancelled before the holder was told: there is nothing to tell them.
        proxy.holder_email_due = False
        proxy.save(update_fields=["revoked_at", "holder_email_due"])
    return proxy


def _proxy_to_use(ballot: Ballot, appointer: Membership, holder: Membership) -> Proxy:
    """The appointer's proxy for this ballot (one for the ballot itself wins over one for the
    whole meeting), if `holder` holds it; and within the most anyone may hold."""
    proxies = list(
        Proxy.objects.filter(_proxies_applying(ballot), appointer=appointer).order_by(
            "-ballot_id", "created_at"
        )
    )
    proxy = next((p for p in proxies if p.ballot_id is not None), proxies[0] if proxies else None)
    chair_of = ballot.meeting
    if proxy is None or not (
        proxy.holder_id == holder.pk
        or (proxy.to_chair and chair_of is not None and chair_of.chair_id == holder.pk)
    ):
        raise NotAllowedError(_("You do not hold this member's proxy for this ballot."), code="no_proxy")
    held = list(
        Proxy.objects.filter(_proxies_applying(ballot) & _held_by(holder, chair_of))
        .order_by("created_at", "pk")
        .values_list("appointer_id", flat=True)
    )
    most = GovernancePolicy.current().max_proxies
    firsts = list(dict.fromkeys(held))[:most]
    # Proxy votes already cast on this ballot count too, even if those proxies were cancelled or
    # moved since: otherwise a freed place could be filled and used again on the same ballot.
    used = set(
        Participation.objects.filter(ballot=ballot, cast_by_id=holder.user_id, proxy__isnull=False)
        .exclude(membership=appointer)
        .values_list("membership_id", flat=True)
    )
    if appointer.pk not in firsts or len(used) >= most:
        raise ConflictError(
            _("You hold more proxies than anyone may: this one cannot be used."), code="proxy_over_limit"
        )
    return proxy


# --- Votes --------------------------------------------------------------------------------------


def _lock_ballot_for_voting(ballot_id: int) -> Ballot:
    # FOR SHARE: votes do not wait for each other, but closing (FOR UPDATE) waits for every vote
    # in flight, and a vote arriving after the close finds the ballot closed.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM governance_ballot WHERE id = %s FOR SHARE", [ballot_id])
    return Ballot.objects.select_related("meeting").get(pk=ballot_id)


def _checked_vote(ballot: Ballot, choice: str, ranking: Sequence[Any]) -> tuple[str, list[int]]:
    if ballot.kind == Ballot.Kind.MOTION:
        if choice not in ("for", "against", "abstain"):
            message = _("Choose for, against or abstain.")
            raise ApplicationError(message, code="invalid_choice", fields={"choice": [message]})
        return choice, []
    standing = set(ballot.candidates.filter(withdrawn_at__isnull=True).values_list("pk", flat=True))
    try:
        ids = [int(c) for c in ranking]
    except (TypeError, ValueError):
        ids = [-1]
    if any(c not in standing for c in ids) or len(set(ids)) != len(ids) or isinstance(ranking, str):
        message = _("Rank candidates who are standing, each once.")
        raise ApplicationError(message, code="invalid_ranking", fields={"ranking": [message]})
    return "", ids


def vote_cast(
    *,
    ballot: Ballot,
    user: User,
    choice: str = "",
    ranking: Sequence[Any] = (),
    for_member: Membership | None = None,
    receipt: str = "",
    now: datetime | None = None,
) -> str:
    """Cast (or change) a vote, in person or as `for_member`'s proxy, and return its receipt.

    A change in a secret ballot needs the receipt of the vote it replaces: nothing else in the
    database can find that vote. A change gets a new receipt; the old one leaves the list.
    """
    try:
        with transaction.atomic():
            return _vote_cast(ballot.pk, user, choice, ranking, for_member, receipt, now or timezone.now())
    except IntegrityError as error:
        # Another vote for the same member committed first (rule 6).
        raise ConflictError(
            _("A vote has already been recorded for this member."), code="already_voted"
        ) from error


def _vote_cast(
    ballot_id: int,
    user: User,
    choice: str,
    ranking: Sequence[Any],
    for_member: Membership | None,
    receipt: str,
    now: datetime,
) -> str:
    ballot = _lock_ballot_for_voting(ballot_id)
    if ballot.status == Ballot.Status.CLOSED or ballot.closes_at <= now:
        raise ConflictError(_("This ballot has closed: no more votes can be taken."), code="ballot_closed")
    if ballot.status != Ballot.Status.OPEN:
        raise ConflictError(_("This ballot is not open yet."), code="ballot_not_open")
    # Rule 1: only a member votes. The snapshot adds nobody after opening, and a member who has
    # ceased since has no vote left to cast.
    me = member_selectors.membership_current_for_user(user=user)
    if me is None:
        raise NotAllowedError(_("You are not eligible to vote on this ballot."), code="not_eligible")
    proxy = None
    voter = me
    if for_member is not None and for_member.pk != me.pk:
        proxy = _proxy_to_use(ballot, for_member, me)
        voter = for_member
        if proxy.instruction and choice != proxy.instruction:
            raise ApplicationError(
                _("%(name)s instructed you to vote “%(choice)s”.")
                % {"name": voter.shown_name, "choice": Proxy.Instruction(proxy.instruction).label},
                code="against_instructions",
            )
    present = Attendance.objects.filter(meeting=ballot.meeting, membership=me)
    if ballot.method == Ballot.Method.AT_MEETING and not present.exists():
        raise NotAllowedError(_("This vote is taken at the meeting: check in first."), code="not_present")
    eligibility = Eligibility.objects.filter(ballot=ballot, membership=voter).first()
    if eligibility is None:
        who = _("This member is") if proxy else _("You are")
        raise NotAllowedError(
            _("%(who)s not eligible to vote on this ballot: those who may vote were fixed when it opened.")
            % {"who": who},
            code="not_eligible",
        )
    choice, ids = _checked_vote(ballot, choice, ranking)
    new_receipt = receipt_new()

    participation = Participation.objects.select_for_update().filter(ballot=ballot, membership=voter).first()
    if participation is not None:
        if not ballot.changes_allowed:
            raise ConflictError(_("A vote on this ballot cannot be changed."), code="already_voted")
        if participation.proxy_id is not None and proxy is None:
            raise ConflictError(
                _("Your proxy has already voted for you on this ballot."), code="voted_by_proxy"
            )
        if proxy is not None and participation.proxy_id is None:
            raise ConflictError(
                _("%(name)s has voted themselves, which cancels their proxy.") % {"name": voter.shown_name},
                code="voted_in_person",
            )
        if ballot.secret:
            if not receipt:
                message = _(
                    "To change a secret vote, give the receipt you were given for it. "
                    "Without it, the vote stands as cast."
                )
                raise ApplicationError(message, code="receipt_needed", fields={"receipt": [message]})
            if participation.change_key_hash != _change_key_hash(receipt):
                message = _(
                    "This is not the receipt of the vote cast: check it against the one you kept. "
                    "Without it, the vote stands as cast."
                )
                raise ApplicationError(message, code="receipt_wrong", fields={"receipt": [message]})
            Vote.objects.filter(ballot=ballot, receipt_hash=receipt_hash(receipt)).delete()
        else:
            Vote.objects.filter(ballot=ballot, voter=voter).delete()
        participation.change_key_hash = _change_key_hash(new_receipt)
        participation.voted_at, participation.cast_by = now, user
        participation.save(update_fields=["change_key_hash", "voted_at", "cast_by"])
    else:
        with transaction.atomic():
            Participation.objects.create(
                ballot=ballot,
                membership=voter,
                cast_by=user,
                proxy=proxy,
                voted_at=now,
                change_key_hash=_change_key_hash(new_receipt),
            )
        if proxy is None:
            # Voting in person cancels a proxy given for this ballot alone (a proxy for the
            # whole meeting stays for its other ballots; this ballot is now voted).
            Proxy.objects.filter(appointer=voter, ballot=ballot, revoked_at__isnull=True).update(
                revoked_at=now, holder_email_due=False
            )
    Vote.objects.create(
        ballot=ballot,
        member_class=eligibility.member_class,
        choice=choice,
        ranking=ids,
        receipt_hash=receipt_hash(new_receipt),
        voter=None if ballot.secret else voter,
    )
    return new_receipt


# --- Counting -----------------------------------------------------------------------------------


def ballot_count(*, ballot: Ballot) -> dict[str, Any]:
    """Count a ballot from its votes: the figures the results page, the API and the CSV show."""
    eligible = dict(
        Eligibility.objects.filter(ballot=ballot)
        .values_list("member_class")
        .annotate(n=Count("pk"))
        .values_list("member_class", "n")
    )
    voted = Participation.objects.filter(ballot=ballot).count()
    eligible_total = sum(eligible.values())
    base: dict[str, Any] = {
        "eligible": eligible_total,
        "voted": voted,
        "turnout_percent": _percent(voted, eligible_total),
        "eligible_by_class": eligible,
    }
    if ballot.kind == Ballot.Kind.MOTION:
        return base | _motion_result(ballot)
    return base | _election_result(ballot)


def _percent(part: int, whole: int) -> str:
    return f"{(100 * part / whole):.1f}" if whole else "0.0"


def _motion_result(ballot: Ballot) -> dict[str, Any]:
    rows = (
        Vote.objects.filter(ballot=ballot)
        .values_list("member_class", "choice")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for member_class, choice, n in rows:
        counts.setdefault(member_class, {})[choice] = n
    class_counts = [
        counting.ClassCount(
            member_class=c,
            votes_for=counts.get(c, {}).get("for", 0),
            votes_against=counts.get(c, {}).get("against", 0),
            abstentions=counts.get(c, {}).get("abstain", 0),
        )
        for c in counting.MEMBER_CLASSES
    ]
    result = counting.motion_tally(
        class_counts,
        weighting=weighting_from_rule(ballot.weighting),
        majority=ballot.majority or Majority.ORDINARY,
    )
    weighted_cast = result.weighted_for + result.weighted_against
    return {
        "kind": "motion",
        "majority": str(result.majority),
        "threshold": str(result.threshold),
        "weighting": ballot.weighting,
        "by_class": [
            {
                "member_class": count.member_class,
                "for": count.votes_for,
                "against": count.votes_against,
                "abstain": count.abstentions,
                "weight": f"{float(result.weights[count.member_class]):.4f}",
            }
            for count in result.counts
        ],
        "for": result.votes_for,
        "against": result.votes_against,
        "abstain": result.abstentions,
        "weighted_for": str(result.weighted_for),
        "weighted_against": str(result.weighted_against),
        "percent_for": str(result.percent_for) if result.percent_for is not None else None,
        "percent_against": (
            str((100 * result.weighted_against / weighted_cast).quantize(Decimal("0.01")))
            if weighted_cast
            else None
        ),
        "passed": result.passed,
    }


def _stage_description(stage: counting.StvStage, names: dict[str, str]) -> str:
    name = names.get(stage.candidate or "", "")
    if stage.action == counting.StageAction.SURPLUS:
        return _("Surplus of %(name)s transferred") % {"name": name}
    if stage.action == counting.StageAction.EXCLUSION:
        return _("%(name)s excluded") % {"name": name}
    return _("First preferences")


def _election_result(ballot: Ballot) -> dict[str, Any]:
    candidates = list(
        ballot.candidates.filter(withdrawn_at__isnull=True).select_related("membership__profile")
    )
    names = {str(c.pk): c.membership.shown_name for c in candidates}
    rankings = Vote.objects.filter(ballot=ballot).values_list("ranking").annotate(n=Count("pk")).order_by()
    ballots = [
        counting.RankedBallot(ranking=tuple(str(c) for c in ranking), count=n) for ranking, n in rankings
    ]
    result = counting.stv_count(list(names), ballots, ballot.seats, seed=f"ballot-{ballot.pk}")
    return {
        "kind": "election",
        "seats": ballot.seats,
        "candidates": [{"id": int(pk), "name": name} for pk, name in names.items()],
        "quota": result.quota,
        "valid": result.valid_ballots,
        "blank": result.blank_ballots,
        "elected": [int(pk) for pk in result.elected],
        "lots_drawn": result.lots_drawn,
        "stages": [
            {
                "number": stage.number,
                "description": _stage_description(stage, names),
                "totals": {pk: str(total) for pk, total in stage.totals.items()},
                "non_transferable": str(stage.non_transferable),
                "elected": list(stage.elected),
                "note": stage.note,
            }
            for stage in result.stages
        ],
    }
