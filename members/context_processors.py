from django.http import HttpRequest

from members.selectors import membership_current_for_user


def navigation(request: HttpRequest) -> dict[str, object]:
    """What the menu offers: it depends on the member's class. One query, only when logged in."""
    membership = membership_current_for_user(user=request.user) if hasattr(request, "user") else None
    return {"nav": {"member_class": membership.member_class if membership else ""}}
