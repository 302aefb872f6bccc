"""Who may read governance: every member and staff; anyone else gets a 404."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from carecoop.exceptions import NotFoundError
from members import selectors as member_selectors
from members.models import User


def can_take_part(user: User | AnonymousUser) -> bool:
    """Members (admitted, not ceased) and staff read the co-op's governance."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return member_selectors.membership_current_for_user(user=user) is not None


def seen_or_404(user: User | AnonymousUser) -> None:
    if not can_take_part(user):
        raise NotFoundError(_("Not found."), code="not_found")
