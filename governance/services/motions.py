"""Motions: proposed and seconded by members or put by the board, with their text kept in versions."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from carecoop.permissions import is_staff
from governance.models import (
    Ballot,
    Majority,
    Meeting,
    Motion,
    MotionVersion,
)
from governance.services.common import clean_text, membership_of, staff_only
from members.models import User


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
        staff_only(user, _("put a motion from the board"), action="motion_propose")
        proposer = None
    else:
        proposer = membership_of(user)
    if meeting.ends_at <= now:
        raise ApplicationError(_("This meeting is over."), code="meeting_over")
    title = clean_text(title, field="title", what=_("a title"), most=200)
    text = clean_text(text, field="text", what=_("the motion's text"))
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
    seconder = membership_of(user)
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
    if not (is_staff(user) or (motion.proposer is not None and motion.proposer.user_id == user.pk)):
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
    motion = Motion.objects.select_for_update(of=("self",)).select_related("proposer__user").get(pk=motion.pk)
    _may_change_motion(user, motion)
    text = clean_text(text, field="text", what=_("the motion's text"))
    latest = motion.versions.order_by("-number")[0]  # version 1 is written with the motion
    if latest.text == text:
        raise ApplicationError(_("The text is the same as the current version."), code="unchanged")
    if not motion.by_board and motion.seconder_id is not None:
        # The seconder agreed to the text as it was: a new text needs seconding again.
        motion.seconder, motion.status = None, Motion.Status.AWAITING_SECONDER
        motion.save(update_fields=["seconder", "status"])
    version = MotionVersion.objects.create(
        motion=motion, number=latest.number + 1, text=text, created_by=user, note=note.strip()[:200]
    )
    _staff_changed(
        user,
        motion,
        "motion_revise",
        f"Revised the text of the motion “{motion.title}” (version {version.number})",
    )
    return version


@transaction.atomic
def motion_withdraw(*, motion: Motion, user: User) -> Motion:
    motion = Motion.objects.select_for_update(of=("self",)).select_related("proposer__user").get(pk=motion.pk)
    _may_change_motion(user, motion)
    motion.status = Motion.Status.WITHDRAWN
    motion.save(update_fields=["status"])
    _staff_changed(user, motion, "motion_withdraw", f"Withdrew the motion “{motion.title}”")
    return motion


def _staff_changed(user: User, motion: Motion, action: str, summary: str) -> None:
    """Staff changing a member's motion, or the board's, is a staff action; its proposer, when a
    member, is the member concerned."""
    staff_action_record(
        by=user,
        action=f"governance.{action}",
        summary=summary,
        member=motion.proposer.user if motion.proposer is not None else None,
    )
