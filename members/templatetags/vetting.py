from datetime import date, timedelta

from django import template
from django.utils.translation import gettext as _

from members.models import VettingCheck

register = template.Library()


@register.filter
def check_status(check: VettingCheck, today: date) -> str:
    """ "current", "expiring" (within 30 days) or "expired", for a CSS class and a word."""
    if not check.is_current_on(today):
        return "expired"
    if check.expires_on is not None and check.expires_on <= today + timedelta(days=30):
        return "expiring"
    return "current"


@register.filter
def check_status_label(check: VettingCheck, today: date) -> str:
    return {"current": _("Current"), "expiring": _("Expires soon"), "expired": _("Expired")}[
        check_status(check, today)
    ]
