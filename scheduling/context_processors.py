from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from scheduling import selectors


def notifications_unread(request: HttpRequest) -> dict[str, object]:
    """The number of unread notifications the menu shows beside "Notifications". One query on the
    partial index of the unread, only for a logged-in user and only on a page that draws the menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread": 0}
    return {"notifications_unread": SimpleLazyObject(lambda: selectors.notifications_unread_count(user=user))}
