"""A person's visits as a private iCalendar feed, for the calendar on their phone.

The feed's address is a secret that calendar apps fetch without logging in, and it may be
shared or leak: it carries times, names and status only, never care notes, tasks or addresses.
"""

from datetime import UTC, timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from members.models import User
from scheduling import selectors
from scheduling.models import Visit

PAST = timedelta(days=30)
AHEAD = timedelta(days=90)
STATUS: dict[str, str] = {
    Visit.Status.ACCEPTED: "CONFIRMED",
    Visit.Status.OFFERED: "TENTATIVE",
    Visit.Status.CANCELLED: "CANCELLED",
}


def _summary(visit: Visit, user: User) -> str:
    if visit.worker is not None and visit.worker.user_id == user.pk:
        return f"Visit: {visit.receiver.shown_name}"
    if visit.worker is None:
        return f"Open visit: {visit.receiver.shown_name}"
    if visit.receiver.user_id == user.pk:
        return f"Visit by {visit.worker.shown_name}"
    # Someone acting for the person (or holding their rota) sees whose visit it is, and by whom.
    return f"Visit: {visit.receiver.shown_name}, by {visit.worker.shown_name}"


def feed_for(*, user: User) -> bytes:
    """The user's visits from a month ago to three months ahead, as an iCalendar file."""
    now = timezone.now()
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.COOP_NAME}//carecoop visits//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{settings.COOP_NAME}: visits")
    for visit in selectors.calendar_for_user(user=user, start=now - PAST, end=now + AHEAD):
        event = Event()
        event.add("uid", f"visit-{visit.pk}@carecoop")
        event.add("dtstamp", visit.updated_at.astimezone(UTC))
        event.add("dtstart", visit.starts.astimezone(UTC))
        event.add("dtend", visit.ends.astimezone(UTC))
        event.add("summary", _summary(visit, user))
        event.add("status", STATUS.get(visit.status, "TENTATIVE"))
        calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics
