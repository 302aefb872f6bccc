from django.conf import settings
from django.http import HttpRequest


def coop(request: HttpRequest) -> dict[str, object]:
    """The co-op's name, area and contact details, for every page."""
    return {
        "coop_name": settings.COOP_NAME,
        "coop_area": settings.COOP_AREA,
        "coop_places": settings.COOP_PLACES,
        "coop_contact_email": settings.COOP_CONTACT_EMAIL,
        "coop_contact_phone": settings.COOP_CONTACT_PHONE,
    }
