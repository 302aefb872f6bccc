"""Who may do what in the co-op's meetings and ballots, asked alike by the pages, the API and the
services: run a meeting's ballots (staff or its chair), and stand in an election."""

from django.contrib.auth.models import AnonymousUser

from carecoop.permissions import is_staff
from governance.models import SEAT_CLASS_MEMBERS, Ballot, Meeting
from members import selectors as member_selectors
from members.models import Membership, User


def chairs(member: Membership | None, meeting: Meeting | None) -> bool:
    """`member` chairs `meeting` (a current member: one who has ceased chairs nothing)."""
    return bool(
        member is not None
        and member.is_current
        and meeting is not None
        and meeting.chair_id is not None
        and meeting.chair_id == member.pk
    )


def runs_meeting(user: User | AnonymousUser, member: Membership | None, meeting: Meeting | None) -> bool:
    """Staff, or the chair of the meeting: they open, close and declare its ballots."""
    return is_staff(user) or chairs(member, meeting)


def may_stand(member: Membership | None, ballot: Ballot) -> bool:
    """A member who may take part (admitted, a paid share: rule 1) of the class whose seats an
    election fills, while nominations are open (until it opens). Standing again after withdrawing
    is allowed; standing twice is not (the service says so)."""
    return (
        member is not None
        and ballot.kind == Ballot.Kind.ELECTION
        and ballot.status == Ballot.Status.DRAFT
        and member.member_class in SEAT_CLASS_MEMBERS.get(ballot.seat_class, ())
        and member_selectors.membership_can_participate(membership=member)
    )
