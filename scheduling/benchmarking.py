"""Visits in bulk for the benchmark commands and the town-size seed: one INSERT … SELECT over
generate_series, so that half a million visits take seconds. PostgreSQL only."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock

from django.db import connection
from django.utils import timezone

# One row per visit i: worker i % W in its slot i / W. A worker's slots are `step` apart and a
# visit lasts at most 2.5 hours after an offset of at most `offset_hours`, so a worker's visits
# never overlap. The visit goes to the k-th person whose team the worker is in, k = slot mod n,
# at the worker's hourly rate. Past visits: four fifths delivered (with a note), the rest
# cancelled, declined or expired; future ones a mix of accepted, offered, open to the team,
# cancelled and declined.
VISITS_SQL = """
WITH team AS (
    SELECT member_id, receiver_id,
           row_number() OVER (PARTITION BY member_id ORDER BY receiver_id) - 1 AS k,
           count(*) OVER (PARTITION BY member_id) AS n
    FROM matching_teammember
    WHERE receiver_id = ANY(%(receivers)s) AND role = 'worker' AND status = 'confirmed'
),
slot AS (
    SELECT i,
           (%(workers)s::bigint[])[i %% %(worker_count)s + 1] AS worker_id,
           i / %(worker_count)s AS s,
           abs(hashint8(i + %(salt)s)::bigint) AS h  -- spreads statuses and lengths evenly over every worker
    FROM generate_series(0::bigint, %(visits)s - 1) AS i
),
timed AS (
    SELECT slot.*, h %% 100 AS p, team.receiver_id, person.user_id AS booker_id,
           coalesce(rate.hourly_rate_pence, 1500) AS worker_rate,
           %(base)s::timestamptz + s * %(step)s::interval
               + ((worker_id * 7 + s * 5) %% (%(offset_hours)s + 1)) * interval '1 hour' AS starts,
           interval '1 hour' + (h / 100 %% 4) * interval '30 minutes' AS length
    FROM slot
    JOIN team ON team.member_id = slot.worker_id AND team.k = slot.s %% team.n
    JOIN members_membership AS person ON person.id = team.receiver_id
    LEFT JOIN members_profile AS rate ON rate.membership_id = slot.worker_id
),
statused AS (
    SELECT timed.*, starts + length AS ends,
           CASE WHEN starts < %(now)s THEN
                CASE WHEN p < 80 THEN 'accepted' WHEN p < 90 THEN 'cancelled'
                     WHEN p < 95 THEN 'declined' ELSE 'expired' END
           ELSE
                CASE WHEN p < 70 THEN 'accepted' WHEN p < 85 THEN 'offered'
                     WHEN p < 95 THEN 'cancelled' ELSE 'declined' END
           END AS status,
           -- Some future offers go to the whole team rather than one worker.
           starts >= %(now)s AND p >= 70 AND p < 70 + %(open_percent)s AS is_open,
           least(starts - interval '7 days', %(now)s::timestamptz) AS made
    FROM timed
)
INSERT INTO scheduling_visit (
    receiver_id, worker_id, is_open, starts, ends, sleep_in, tasks, notes, status, rate_pence,
    booked_by_id, created_at, updated_at, offer_expires_at, answered_at, decline_reason,
    cancelled_at, cancelled_by_id, cancel_reason, late_cancellation, checked_in_at,
    checked_out_at, check_in_far, visit_note, hours, hours_answered_at, hours_answered_by_id,
    query_reason
)
SELECT receiver_id, CASE WHEN is_open THEN NULL ELSE worker_id END, is_open, starts, ends, false,
       '[{"label": "Lunch", "done": false}]'::jsonb, '', status,
       CASE WHEN status = 'accepted' THEN worker_rate END,
       booker_id, made, made, starts - interval '12 hours',
       CASE WHEN status IN ('accepted', 'declined') THEN made + interval '1 hour' END,
       CASE WHEN status = 'declined' THEN 'Away that week' ELSE '' END,
       CASE WHEN status = 'cancelled' THEN made + interval '2 days' END,
       CASE WHEN status = 'cancelled' THEN booker_id END,
       CASE WHEN status = 'cancelled' THEN 'In hospital' ELSE '' END,
       false,
       CASE WHEN status = 'accepted' AND ends < %(now)s THEN starts END,
       CASE WHEN status = 'accepted' AND ends < %(now)s THEN ends END,
       false,
       CASE WHEN status = 'accepted' AND ends < %(now)s
            THEN (%(notes)s::text[])[h / 400 %% array_length(%(notes)s::text[], 1) + 1] ELSE '' END,
       CASE WHEN status = 'accepted' AND ends < %(now)s - interval '2 days'
            THEN 'confirmed' ELSE 'pending' END,
       CASE WHEN status = 'accepted' AND ends < %(now)s - interval '2 days' THEN ends + interval '1 day' END,
       CASE WHEN status = 'accepted' AND ends < %(now)s - interval '2 days' THEN booker_id END,
       ''
FROM statused
"""

# What workers write in the care log after a visit.
VISIT_NOTES = [
    "All well.",
    "Made lunch together and had a chat about the garden. In good spirits.",
    "Helped with a shower and getting dressed. Skin looks fine. Ate all of breakfast.",
    "Medication taken as prescribed. Said the new tablets make her a bit sleepy.",
    "Walked to the park and back; a little breathless on the hill, so we rested on the bench.",
    "Shopping done at the Co-op; receipt on the kitchen table. Fridge stocked for the week.",
    "Quiet today and not very hungry. Had soup and a cup of tea. Worth keeping an eye on.",
    "Hoovered the front room and changed the bed. Talked about the grandchildren's visit.",
    "Went to the library in Hebden Bridge; borrowed two large-print books.",
    "Slept badly last night. We sat in the garden for a while and she perked up.",
    "Helped write a birthday card to his brother and posted it on the way back.",
    "Did the exercises the physio left. Knee is less swollen than last week.",
]


@dataclass(frozen=True)
class Slots:
    """Where each worker's visits go: the first at `first`, then one every `step`, shifted by
    up to `offset_hours` (a worker's visits never overlap)."""

    first: datetime
    step: timedelta
    offset_hours: int


def visit_slots(*, visits: int, workers: int, spread: timedelta, past_share: float) -> Slots:
    """Slots for `visits` shared by `workers` over `spread`, `past_share` of it before today.
    A step of a day or more is rounded to whole days, so visits stay in the daytime."""
    count = math.ceil(visits / workers)
    step = spread / count
    if step >= timedelta(days=1):
        step = timedelta(days=step.days)
    offset_hours = max(0, min(10, int((step - timedelta(hours=3)) / timedelta(hours=1))))
    # The first slot starts at 07:00 London.
    first_day = timezone.localdate() - timedelta(
        days=math.ceil(step * count * past_share / timedelta(days=1))
    )
    return Slots(timezone.make_aware(datetime.combine(first_day, clock(7))), step, offset_hours)


def visits_seed_in_bulk(
    *,
    worker_ids: Sequence[int],
    receiver_ids: Sequence[int],
    visits: int,
    slots: Slots,
    salt: int = 0,
    open_percent: int = 3,
) -> int:
    """Insert `visits` visits of these workers for the people in `receiver_ids` whose teams they
    are in, in `slots`; `salt` changes which visits get which status, and `open_percent` of those
    to come are offered to the whole team instead. Returns how many went in (a worker in none of
    those teams gets none)."""
    with connection.cursor() as cursor:
        cursor.execute(
            VISITS_SQL,
            {
                "receivers": list(receiver_ids),
                "workers": list(worker_ids),
                "worker_count": len(worker_ids),
                "visits": visits,
                "base": slots.first,
                # The stubs leave timedelta out of query parameters; the backends pass it as an interval.
                "step": slots.step,  # type: ignore[dict-item]
                "offset_hours": slots.offset_hours,
                "now": timezone.now(),
                "notes": VISIT_NOTES,
                "salt": salt,
                "open_percent": open_percent,
            },
        )
        return int(cursor.rowcount)
