"""Who may book a person's visits, and who may see their care."""

from django.contrib.auth.models import AnonymousUser

from matching import selectors as matching_selectors
from matching.models import TeamRole
from members import permissions as member_permissions
from members.models import Membership, User
from scheduling.models import Visit

# The team role ("hat") that lets a team member book the person's visits.
ROTA_HOLDER = "rota holder"


def holds_rota(user: User | AnonymousUser, receiver: Membership) -> bool:
    """Holds the rota role, and is still where the role may be held: in the team, or in the
    circle of support. A role outlives neither (nobody has to remember to end it)."""
    if not user.is_authenticated:
        return False
    if not TeamRole.objects.filter(
        receiver=receiver, holder=user, ended_at__isnull=True, name__iexact=ROTA_HOLDER
    ).exists():
        return False
    return matching_selectors.in_team(user=user, receiver=receiver) or member_permissions.can_act_for(
        user, receiver, "can_view_care"
    )


def can_answer_hours(user: User | AnonymousUser, visit: Visit) -> bool:
    """Confirms or queries the hours that pay is worked out from: the person, someone in their
    circle with the power to book, or staff; never the worker who did the visit (a rota holder
    among the workers included)."""
    if not user.is_authenticated or (visit.worker is not None and visit.worker.user_id == user.pk):
        return False
    return member_permissions.can_act_for(user, visit.receiver, "can_book")


def can_book(user: User | AnonymousUser, receiver: Membership) -> bool:
    """The person, staff, someone in their circle with the power to book, or the team's rota
    holder."""
    if not user.is_authenticated:
        return False
    return member_permissions.can_act_for(user, receiver, "can_book") or holds_rota(user, receiver)


def can_see_care(user: User | AnonymousUser, receiver: Membership) -> bool:
    """Rule 9: the person, their circle of support (with the power to see care), their team, and
    staff; nobody else."""
    if not user.is_authenticated:
        return False
    return member_permissions.can_act_for(user, receiver, "can_view_care") or matching_selectors.in_team(
        user=user, receiver=receiver
    )


def can_book_or_see_care(user: User, receiver: Membership) -> bool:
    """May open the person's visits at all: to book them, or to see their care."""
    return can_book(user, receiver) or can_see_care(user, receiver)
