from carecoop.permissions import is_staff
from members.models import Membership, User


def can_manage_circle(user: User, receiver: Membership) -> bool:
    """The person themselves, or staff: nobody else changes who acts for someone."""
    return bool(user.is_authenticated and (user.pk == receiver.user_id or is_staff(user)))


def can_act_for(user: User, receiver: Membership, power: str) -> bool:
    """The person, staff, or someone in their circle with this power (can_view_care, can_book,
    can_manage_team). What they then do is recorded as done by them on the person's behalf."""
    from members import selectors

    if can_manage_circle(user, receiver):
        return True
    return selectors.circle_power(user=user, receiver=receiver, power=power)
