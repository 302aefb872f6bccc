from datetime import date, datetime
from typing import Protocol

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


class _Span(Protocol):
    starts: datetime
    ends: datetime


@register.filter
def time_span(visit: _Span) -> str:
    """When a visit runs, in the co-op's time: "09:00–10:30", as `|time:"H:i"` gives each end.
    Each card shows one: two filters took a tenth of a card's rendering, most of it in
    formatting machinery that "H:i" does not need."""
    return f"{timezone.localtime(visit.starts):%H:%M}–{timezone.localtime(visit.ends):%H:%M}"


@register.filter
def local_date(moment: datetime) -> date:
    """The day a moment falls on in the co-op's time, to compare with the page's `local_today`."""
    return timezone.localdate(moment)


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
