"""The visits of the town-size co-op (carecoop.town, `manage.py seed_town`): a year of them and
the next weeks, with care-log notes, reminders, notifications and closed months' statements."""

from collections.abc import Callable
from datetime import time as clock
from datetime import timedelta

from django.db import connection

from carecoop.town import WEEKS_AHEAD, Town
from members.models import User
from scheduling import services, statements
from scheduling.benchmarking import VISIT_NOTES, Slots, visit_slots, visits_seed_in_bulk
from scheduling.bookings import local_datetime
from scheduling.models import SchedulingPolicy, Statement, Visit

YEAR = timedelta(days=365)
# The busy worker's round, every day: morning, lunch and tea calls.
BUSY_ROUNDS = (clock(8), clock(12), clock(17))

# The busy worker's visits of today and tomorrow are accepted (those over, delivered with a note
# and their hours waiting), and those of the next five evenings are offers waiting for an answer.
BUSY_DAYS_SQL = """
UPDATE scheduling_visit AS v
SET status = 'accepted', is_open = false, rate_pence = p.hourly_rate_pence,
    answered_at = least(v.created_at + interval '1 hour', %(now)s), decline_reason = '',
    cancelled_at = NULL, cancelled_by_id = NULL, cancel_reason = '',
    checked_in_at = CASE WHEN v.ends < %(now)s THEN v.starts END,
    checked_out_at = CASE WHEN v.ends < %(now)s THEN v.ends END,
    visit_note = CASE WHEN v.ends < %(now)s THEN %(note)s ELSE '' END,
    hours = 'pending', hours_answered_at = NULL, hours_answered_by_id = NULL
FROM members_profile AS p
WHERE p.membership_id = v.worker_id AND v.worker_id = %(worker)s
  AND v.starts >= %(today)s AND v.starts < %(today)s + interval '2 days';

UPDATE scheduling_visit
SET status = 'offered', rate_pence = NULL, answered_at = NULL, decline_reason = '',
    cancelled_at = NULL, cancelled_by_id = NULL, cancel_reason = ''
WHERE worker_id = %(worker)s AND starts >= %(today)s + interval '2 days'
  AND starts < %(today)s + interval '7 days'
  AND (starts AT TIME ZONE 'Europe/London')::time >= '17:00';
"""

# Reminders as reminders_plan makes them for each accepted visit to come (and each open visit
# nobody has taken); those whose moment has passed are marked sent, so nothing old goes out.
REMINDERS_SQL = """
INSERT INTO scheduling_reminder (visit_id, kind, due_at, sent_at)
SELECT id, kind, due_at, CASE WHEN due_at <= %(now)s THEN due_at END
FROM (
    SELECT v.id, k.kind,
           CASE k.kind
               WHEN 'worker_24h' THEN v.starts - interval '24 hours'
               WHEN 'worker_1h' THEN v.starts - interval '1 hour'
               WHEN 'receiver_evening' THEN
                   (((v.starts AT TIME ZONE 'Europe/London')::date - 1) + time '18:00')
                   AT TIME ZONE 'Europe/London'
               ELSE v.starts + %(missed_after)s * interval '1 minute'
           END AS due_at
    FROM scheduling_visit AS v
    CROSS JOIN (VALUES ('worker_24h'), ('worker_1h'), ('receiver_evening'), ('missed')) AS k (kind)
    WHERE v.status = 'accepted' AND v.ends > %(now)s AND v.checked_in_at IS NULL
    UNION ALL
    SELECT v.id, 'open_unfilled', v.starts - %(unfilled_hours)s * interval '1 hour'
    FROM scheduling_visit AS v
    WHERE v.status = 'offered' AND v.is_open AND v.starts > %(now)s
) AS planned
"""

# What people were told as it happened: visits finished in the last four weeks (the person is
# asked to confirm the hours), offers waiting (the worker asked), and visits of the next two
# weeks accepted (the person told). Those older than a few days have been read.
NOTIFICATIONS_SQL = """
INSERT INTO scheduling_notification (user_id, kind, visit_id, title, body, created_at, read_at)
SELECT r.user_id, 'visit_delivered', v.id,
       coalesce(wp.display_name, 'Your worker') || ' has finished the visit of '
           || to_char(v.starts AT TIME ZONE 'Europe/London', 'FMDay FMDD FMMonth, HH24:MI')
           || ': please confirm the hours',
       '', v.checked_out_at,
       CASE WHEN v.checked_out_at < %(now)s - interval '3 days' THEN v.checked_out_at + interval '5 hours' END
FROM scheduling_visit AS v
JOIN members_membership AS r ON r.id = v.receiver_id
LEFT JOIN members_profile AS wp ON wp.membership_id = v.worker_id
WHERE v.checked_out_at > %(now)s - interval '28 days'
UNION ALL
SELECT w.user_id, 'visit_offered', v.id,
       coalesce(rp.display_name, r.legal_name) || ' asks you to visit on '
           || to_char(v.starts AT TIME ZONE 'Europe/London', 'FMDay FMDD FMMonth, HH24:MI'),
       'Accept or decline it in your visits.', v.created_at, NULL
FROM scheduling_visit AS v
JOIN members_membership AS w ON w.id = v.worker_id
JOIN members_membership AS r ON r.id = v.receiver_id
LEFT JOIN members_profile AS rp ON rp.membership_id = v.receiver_id
WHERE v.status = 'offered' AND NOT v.is_open AND v.starts > %(now)s
UNION ALL
SELECT r.user_id, 'visit_accepted', v.id,
       coalesce(wp.display_name, 'Your worker') || ' will visit on '
           || to_char(v.starts AT TIME ZONE 'Europe/London', 'FMDay FMDD FMMonth, HH24:MI'),
       '', least(v.answered_at, %(now)s),
       CASE WHEN v.answered_at < %(now)s - interval '2 days' THEN v.answered_at + interval '2 hours' END
FROM scheduling_visit AS v
JOIN members_membership AS r ON r.id = v.receiver_id
LEFT JOIN members_profile AS wp ON wp.membership_id = v.worker_id
WHERE v.status = 'accepted' AND v.starts > %(now)s AND v.starts < %(now)s + interval '14 days'
"""


def seed_visits(town: Town) -> str:
    """About fifty visits a member a year, over the past year and the next weeks, each worker's
    in slots a few days apart; the busy worker three a day, every day, across twelve teams."""
    today, busy = town.today, town.persona_members["worker"]
    spread = YEAR + timedelta(weeks=WEEKS_AHEAD)
    days = spread.days
    busy_visits = days * len(BUSY_ROUNDS)
    general = max(0, town.size.visits - busy_visits)
    others = town.workers[1:]
    made = visits_seed_in_bulk(
        worker_ids=others,
        receiver_ids=town.receivers,
        visits=general,
        slots=visit_slots(visits=general, workers=len(others), spread=spread, past_share=YEAR / spread),
    )
    first_day = today - YEAR
    for n, at in enumerate(BUSY_ROUNDS):
        made += visits_seed_in_bulk(
            worker_ids=[busy],
            receiver_ids=town.busy_teams,
            visits=days,
            slots=Slots(local_datetime(first_day, at), timedelta(days=1), 0),
            salt=n * 1_000_003,
            # All the busy worker's own, so that each day's round is theirs to do.
            open_percent=0,
        )
    with connection.cursor() as cursor:
        cursor.execute(
            BUSY_DAYS_SQL,
            {
                "worker": busy,
                "now": town.now,
                "today": local_datetime(today, clock(0)),
                "note": VISIT_NOTES[1],
            },
        )
        cursor.execute("ANALYZE scheduling_visit")
    delivered = Visit.objects.filter(checked_out_at__isnull=False).count()
    return f"{made:,} visits ({delivered:,} delivered, each with a care-log note)"


def seed_reminders(town: Town) -> str:
    policy = SchedulingPolicy.current()
    with connection.cursor() as cursor:
        cursor.execute(
            REMINDERS_SQL,
            {
                "now": town.now,
                "missed_after": policy.missed_after_minutes,
                "unfilled_hours": policy.unfilled_alert_hours,
            },
        )
        reminders = cursor.rowcount
        cursor.execute(NOTIFICATIONS_SQL, {"now": town.now})
        notifications = cursor.rowcount
    return f"{reminders:,} reminders, {notifications:,} notifications"


def seed_statements(town: Town) -> str:
    """The last `closed_months` months closed in order, as staff close them: every member's
    statement for each, both sides, with its lines (the project's own month_close)."""
    staff = User.objects.get(pk=town.staff_user)
    month = statements.this_month()
    months = []
    for _ in range(town.closed_months):
        month = statements.previous_month(month)
        months.append(month)
    for month in reversed(months):
        services.month_close(month=month, by=staff)
    kept = Statement.objects.count()
    return f"{len(months)} months closed, {kept:,} statements"


STAGES: list[tuple[str, Callable[[Town], str]]] = [
    ("visits", seed_visits),
    ("reminders and notifications", seed_reminders),
    ("statements", seed_statements),
]
