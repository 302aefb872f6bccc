"""Who may act on a person's introductions and team, and who sees it, asked alike by the pages,
the API and the services."""

from django.contrib.auth.models import AnonymousUser

from carecoop.permissions import is_staff
from matching import selectors
from members import permissions as member_permissions
from members.models import MemberClass, Membership, User


def acts_for(user: User | AnonymousUser, membership: Membership, power: str = "can_manage_team") -> bool:
    """The member themself, staff, or (for a person getting support) someone in their circle
    with the power: they ask for introductions, answer them, and run the team."""
    if not user.is_authenticated:
        return False
    if user.pk == membership.user_id or is_staff(user):
        return True
    return membership.member_class == MemberClass.RECEIVER and member_permissions.can_act_for(
        user, membership, power
    )


def manages_team(user: User | AnonymousUser, receiver: Membership) -> bool:
    """Gives roles, ends places, confirms trials: the person, staff, or their circle with the power."""
    return acts_for(user, receiver, "can_manage_team")


def sees_team(user: User | AnonymousUser, receiver: Membership) -> bool:
    """Reads who is in the team: whoever manages it, anyone working in it, and the circle with
    the power to see care."""
    if not user.is_authenticated:
        return False
    return manages_team(user, receiver) or reads_noticeboard(user, receiver)


def reads_noticeboard(user: User | AnonymousUser, receiver: Membership) -> bool:
    """Reads the noticeboard and posts on it: what the team says of the person is care news, so
    (rule 9) the person, staff, anyone working in the team, and the circle with the power to see
    care; not someone in the circle who only manages the team or books."""
    if not user.is_authenticated:
        return False
    return selectors.in_team(user=user, receiver=receiver) or acts_for(user, receiver, "can_view_care")


def books_from_team(user: User | AnonymousUser, receiver: Membership) -> bool:
    """Sees "Book" beside each worker on the team page: the person, staff, or their circle with
    the power to book; never a worker in the team (they are booked, and a rota holder among them
    books from the visits page)."""
    if not user.is_authenticated or selectors.in_team(user=user, receiver=receiver):
        return False
    return acts_for(user, receiver, "can_book")


def sees_people_looking(user: User | AnonymousUser, own: Membership | None) -> bool:
    """The list of people looking for support is for workers (and staff)."""
    return is_staff(user) or (own is not None and own.member_class == MemberClass.WORKER)
