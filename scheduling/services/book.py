"""The one way in to booking, for the visit page and the API alike: a visit, or a repeating one."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from members.models import Membership, User
from scheduling.services.booking import visit_book
from scheduling.services.repeating import series_create
from scheduling.services.rules import Booked


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


def booking_make(*, by: User, booking: Booking) -> Booked:
    """Book what was asked, checking every rule of `visit_book` or `series_create`."""
    if booking.repeat is None:
        return visit_book(
            by=by,
            receiver=booking.receiver,
            worker=booking.worker,
            starts=booking.starts,
            ends=booking.ends,
            sleep_in=booking.sleep_in,
            tasks=booking.tasks,
            notes=booking.notes,
        )
    return series_create(
        by=by,
        receiver=booking.receiver,
        worker=booking.worker,
        weekdays=booking.repeat.weekdays,
        starts_at=booking.repeat.starts_at,
        ends_at=booking.repeat.ends_at,
        first_date=booking.repeat.first_date,
        every_weeks=booking.repeat.every_weeks,
        until=booking.repeat.until,
        count=booking.repeat.count,
        sleep_in=booking.sleep_in,
        tasks=booking.tasks,
        notes=booking.notes,
    )
