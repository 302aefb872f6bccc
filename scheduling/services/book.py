"""The one way in to booking, for the visit page and the API alike: a visit, or a repeating one."""

from members.models import User
from scheduling.bookings import Booking
from scheduling.services.booking import visit_book
from scheduling.services.repeating import series_create
from scheduling.services.rules import Booked


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
