"""The one way in to booking, for the visit page and the API alike: a visit, or a repeating one."""

from django.db import transaction

from carecoop.audit import staff_action_record
from members.models import User
from scheduling.bookings import Booking
from scheduling.services.booking import visit_book
from scheduling.services.repeating import series_create
from scheduling.services.rules import Booked


@transaction.atomic
def booking_make(*, by: User, booking: Booking) -> Booked:
    """Book what was asked, checking every rule of `visit_book` or `series_create`. Staff booking
    for a person is logged here, once for the booking (a repeating one books many visits, and
    books more ahead each night, which is nobody's action)."""
    booked = _book(by=by, booking=booking)
    what = (
        f"repeating visits {booked.series.pk}"
        if booked.series is not None
        else "visit " + ", ".join(str(visit.pk) for visit in booked.visits)
    )
    staff_action_record(
        by=by,
        action="visit.book",
        summary=f"Booked {what} for member {booking.receiver.number}",
        member=booking.receiver.user,
    )
    return booked


def _book(*, by: User, booking: Booking) -> Booked:
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
