from django.conf import settings
from django.http import HttpRequest


def coop(request: HttpRequest) -> dict[str, str]:
    """The co-op's name and area, for every page."""
    return {"coop_name": settings.COOP_NAME, "coop_area": settings.COOP_AREA}
