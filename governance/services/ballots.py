"""Ballots: setting them up, standing for election, opening (eligibility fixed), closing and declaring."""

import secrets
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from carecoop.permissions import is_staff
from governance import permissions, selectors
from governance.models import (
    SEAT_CLASS_MEMBERS,
    Ballot,
    Candidate,
    Eligibility,
    GovernancePolicy,
    Meeting,
    Motion,
    MotionVersion,
    Vote,
)
from governance.rules import instant, weighting_rule
from governance.services.common import STATEMENT_MAX, clean_text, membership_of, staff_only, staff_or_chair
from governance.services.results import ballot_count
from members import selectors as member_selectors
from members.models import User


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
    staff_only(user, _("set up a ballot"), action="ballot_create")
    title = clean_text(title, field="title", what=_("a title"), most=200)
    if instant(closes_at) <= instant(opens_at):
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
    membership = membership_of(user)
    ballot = Ballot.objects.select_for_update().get(pk=ballot.pk)
    if not permissions.may_stand(membership, ballot):
        if ballot.kind != Ballot.Kind.ELECTION:
            raise ApplicationError(
                _("Candidates stand in elections, not on motions."), code="not_an_election"
            )
        if ballot.status != Ballot.Status.DRAFT:
            raise ConflictError(_("Nominations closed when the ballot opened."), code="nominations_closed")
        raise NotAllowedError(
            _("Only members of the class whose seats are filled can stand in this election."),
            code="wrong_class",
        )
    statement = clean_text(statement, field="statement", what=_("your statement"), most=STATEMENT_MAX)
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
        Candidate.objects.select_related("membership__user", "ballot")
        .select_for_update(of=("self",))
        .get(pk=candidate.pk)
    )
    if not (is_staff(user) or candidate.membership.user_id == user.pk):
        raise NotAllowedError(
            _("Only the candidate or the co-op's staff can withdraw a candidacy."), code="not_candidate"
        )
    if candidate.ballot.status != Ballot.Status.DRAFT:
        raise ConflictError(
            _("Candidates can withdraw only before the ballot opens."), code="nominations_closed"
        )
    candidate.withdrawn_at = timezone.now()
    candidate.save(update_fields=["withdrawn_at"])
    staff_action_record(
        by=user,
        action="governance.candidate_withdraw",
        summary=f"Withdrew the candidacy of member {candidate.membership.number} ({candidate.ballot.title})",
        member=candidate.membership.user,
    )
    return candidate


@transaction.atomic
def ballot_open(*, ballot: Ballot, user: User | None = None, now: datetime | None = None) -> Ballot:
    """Open a ballot and fix who may vote on it. `user` is the chair or staff opening it by hand
    (a vote at a meeting is opened so); the minute's task opens online ballots on time."""
    now = now or timezone.now()
    ballot = (
        Ballot.objects.select_for_update(of=("self",)).select_related("meeting", "motion").get(pk=ballot.pk)
    )
    if user is not None:
        staff_or_chair(user, ballot.meeting, _("open a ballot"), action="ballot_open")
    if ballot.status != Ballot.Status.DRAFT:
        raise ConflictError(_("This ballot has already been opened."), code="already_open")
    if ballot.closes_at <= now:
        raise ConflictError(_("This ballot's closing time has passed."), code="ballot_closed")
    if ballot.method == Ballot.Method.AT_MEETING:
        if ballot.meeting is None or not ballot.meeting.in_session(now):
            raise ApplicationError(
                _("A vote at a meeting opens while the meeting is on."), code="not_in_session"
            )
        if not selectors.quorum_is_met(meeting=ballot.meeting):
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
        staff_or_chair(user, ballot.meeting, _("close a ballot"), action="ballot_close")
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
    staff_or_chair(user, ballot.meeting, _("declare the result"), action="ballot_declare")
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
