from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def hours_and_minutes(minutes: int | None) -> str:
    """95 → "1 hour 35 minutes"; 120 → "2 hours"; 0 → "no time"."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    parts = []
    if hours:
        parts.append(ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours})
    if rest or not hours:
        parts.append(ngettext("%(n)s minute", "%(n)s minutes", rest) % {"n": rest} if rest else _("no time"))
    return " ".join(parts)


@register.filter
def hours_short(minutes: int | None) -> str:
    """95 → "1 h 35 min"; 120 → "2 h"; 0 → "0 min": for a column on a phone."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return _("%(n)s min") % {"n": rest}
    return _("%(h)s h %(n)s min") % {"h": hours, "n": rest} if rest else _("%(h)s h") % {"h": hours}
