"""Visits: booking, offers and acceptance, repeating visits, delivery, hours, reminders.

Two rules hold under any concurrency. A worker never holds two accepted visits that overlap:
PostgreSQL's exclusion constraint refuses the second (the services also check, which is what
holds on the embedded SQLite, where writes are serialised). An open visit goes to one worker:
accepting locks the visit row and finds it already taken.
"""

from scheduling.bookings import (
    LONDON,
    LONGEST,
    SHORTEST,
    Booking,
    Repeat,
    local_datetime,
    span_for,
)
from scheduling.services.book import (
    booking_make,
)
from scheduling.services.booking import (
    offers_expire,
    visit_accept,
    visit_book,
    visit_cancel,
    visit_change,
    visit_decline,
    visits_release_left_team,
)
from scheduling.services.calendar_feed import (
    calendar_feed_renew,
    calendar_feed_revoke,
)
from scheduling.services.delivery import (
    visit_check_in,
    visit_check_out,
    visit_note_save,
    visit_running_late,
    visit_task_tick,
)
from scheduling.services.erasure import (
    care_records_erase,
)
from scheduling.services.expenses import (
    AMOUNT_MOST_PENCE,
    MILES_MOST,
    visit_expense_add,
    visit_expense_remove,
)
from scheduling.services.hours import (
    SETTLED_MOST_MINUTES,
    hours_confirm_unanswered,
    visit_hours_confirm,
    visit_hours_query,
    visit_hours_settle,
)
from scheduling.services.notifications import (
    email_choices_save,
    notifications_mark_read,
    reminders_plan,
    reminders_send_due,
)
from scheduling.services.repeating import (
    SeriesAnswer,
    series_answer,
    series_book_ahead_all,
    series_cancel,
    series_change_from,
    series_create,
)
from scheduling.services.rules import (
    NOTE_MAX,
    TASKS_MAX,
    TEXT_MAX,
    Booked,
    availability_warnings,
)
from scheduling.services.statements import (
    month_close,
)

__all__ = [
    "AMOUNT_MOST_PENCE",
    "LONDON",
    "LONGEST",
    "MILES_MOST",
    "NOTE_MAX",
    "SETTLED_MOST_MINUTES",
    "SHORTEST",
    "TASKS_MAX",
    "TEXT_MAX",
    "Booked",
    "Booking",
    "Repeat",
    "SeriesAnswer",
    "availability_warnings",
    "booking_make",
    "calendar_feed_renew",
    "calendar_feed_revoke",
    "care_records_erase",
    "email_choices_save",
    "hours_confirm_unanswered",
    "local_datetime",
    "month_close",
    "notifications_mark_read",
    "offers_expire",
    "reminders_plan",
    "reminders_send_due",
    "series_answer",
    "series_book_ahead_all",
    "series_cancel",
    "series_change_from",
    "series_create",
    "span_for",
    "visit_accept",
    "visit_book",
    "visit_cancel",
    "visit_change",
    "visit_check_in",
    "visit_check_out",
    "visit_decline",
    "visit_expense_add",
    "visit_expense_remove",
    "visit_hours_confirm",
    "visit_hours_query",
    "visit_hours_settle",
    "visit_note_save",
    "visit_running_late",
    "visit_task_tick",
    "visits_release_left_team",
]
