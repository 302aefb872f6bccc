"""Attendance at a meeting, and the quorum it makes."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from carecoop.exceptions import ApplicationError
from governance.models import (
    Attendance,
    Meeting,
)
from governance.services.common import membership_of, staff_only
from members import selectors as member_selectors
from members.models import Membership, User


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
    membership = membership_of(user)
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
    staff_only(user, _("mark members present"), action="attendance_mark")
    if not meeting.in_session(now):
        raise ApplicationError(
            _("Members are marked present while the meeting is on."), code="not_in_session"
        )
    if not member_selectors.membership_can_participate(membership=membership):
        raise ApplicationError(_("Only members can be marked present."), code="not_a_member")
    return _attend(meeting, membership, Attendance.How.IN_ROOM, user)
