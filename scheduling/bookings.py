"""A booking as asked for, and the clock it is asked by: wall-clock times in Europe/London and
the days a weekly pattern falls on. Plain data and pure functions, no database: the booking
services book it, the estimate prices it (scheduling.selectors), the pages and the API build it."""

import calendar as month_calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule
from django.conf import settings
from django.utils.translation import gettext as _

from members.models import Membership

LONDON = ZoneInfo(settings.TIME_ZONE)

# How long a visit may be (the services refuse others; the booking form warns first).
SHORTEST = timedelta(minutes=30)
LONGEST = timedelta(hours=12)


def local_datetime(day: date, at: time) -> datetime:
    """A wall-clock time in London on a day. A time that does not exist (the hour skipped when the
    clocks go forward) becomes the same time an hour later; a time that happens twice (when they go
    back) is the first of the two."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=LONDON)
    settled = aware.astimezone(UTC).astimezone(LONDON)
    return settled if settled.replace(tzinfo=None) != naive else aware


def weekly_pattern(*, weekdays: Sequence[int], starts_at: time, ends_at: time, every_weeks: int) -> str:
    """A repeating booking in a few words: "Tue, Thu, 09:00–10:30, every week"."""
    days = ", ".join(str(month_calendar.day_abbr[day]) for day in sorted(weekdays))
    every = _("every week") if every_weeks == 1 else _("every %(n)s weeks") % {"n": every_weeks}
    return f"{days}, {starts_at:%H:%M}–{ends_at:%H:%M}, {every}"


def span_for(day: date, starts_at: time, ends_at: time) -> tuple[datetime, datetime]:
    """A visit's start and end from a day and two wall-clock times; an end at or before the start
    is the next day (an overnight or sleep-in visit)."""
    starts = local_datetime(day, starts_at)
    end_day = day if ends_at > starts_at else day + timedelta(days=1)
    return starts, local_datetime(end_day, ends_at)


def occurrence_dates(
    *,
    weekdays: Sequence[int],
    first_date: date,
    every_weeks: int,
    until: date | None,
    count: int | None,
    through: date,
) -> list[date]:
    """The days a weekly pattern falls on, from its first date to its end (a last date or a number
    of visits), and no later than `through`."""
    rule = rrule.rrule(
        rrule.WEEKLY,
        interval=every_weeks,
        byweekday=sorted(weekdays),
        dtstart=datetime.combine(first_date, time()),
        # dateutil deprecates giving both (a future version refuses): a count ends the rule, and the
        # last date and the horizon cut it below.
        until=None if count else datetime.combine(min(until or through, through), time()),
        count=count,
    )
    last = min(until or through, through)
    return [moment.date() for moment in rule if moment.date() <= last]


@dataclass(frozen=True)
class Repeat:
    """Book it every week (or every so many) on these days (0 is Monday), from `first_date`, at
    these wall-clock times in Europe/London, until a date or for a number of visits. The times are
    the ones asked for, kept as written: a pattern at 01:30 stays at 01:30 though its first day
    is the one the clocks go forward."""

    weekdays: Sequence[int]
    first_date: date
    starts_at: time
    ends_at: time
    every_weeks: int = 1
    until: date | None = None
    count: int | None = None


@dataclass(frozen=True)
class Booking:
    """What someone asks to book. `worker` None offers it to the whole team (an open visit).
    `starts` and `ends` are the instants of one visit; a repeating booking's days and times are
    its `repeat`'s."""

    receiver: Membership
    worker: Membership | None
    starts: datetime
    ends: datetime
    sleep_in: bool = False
    tasks: Sequence[Any] = field(default_factory=list)
    notes: str = ""
    repeat: Repeat | None = None
