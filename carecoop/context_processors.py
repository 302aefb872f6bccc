from django.conf import settings
from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, object]:
    """What the menu offers: it depends on the member's class. One query, only when logged in."""
    from members.selectors import membership_current_for_user

    membership = membership_current_for_user(user=request.user) if hasattr(request, "user") else None
    return {"nav": {"member_class": membership.member_class if membership else ""}}


def coop(request: HttpRequest) -> dict[str, object]:
    """The co-op's name, area and contact details, for every page."""
    return {
        "coop_name": settings.COOP_NAME,
        "coop_area": settings.COOP_AREA,
        "coop_places": settings.COOP_PLACES,
        "coop_contact_email": settings.COOP_CONTACT_EMAIL,
        "coop_contact_phone": settings.COOP_CONTACT_PHONE,
    }
