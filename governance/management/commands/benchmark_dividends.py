"""Time the dividend calculation for a year of confirmed hours.

    manage.py benchmark_dividends [--members 10000] [--visits 500000]

Needs PostgreSQL (DATABASE_URL). Seeds `--members` members (half workers, half people getting
support, each with a paid £1 share) and `--visits` confirmed visits over the last whole financial
year (1 April to 31 March), an AGM motion carried after it, and an allocation of its surplus
approved by that motion, inside a transaction rolled back at the end, so the database is left as
it was; the tables touched are vacuumed afterwards.

Timed, once, as a worker runs it (`services.dividends_calculate`):

- sharing out: the confirmed minutes per worker and per person added up by the database (one
  GROUP BY query each), each pool shared in Python, every dividend written in bulk;
- the statements: each member's statement worked out and its email owed in the outbox, in
  batches of 500, each batch moving the progress on (each a savepoint here, a commit in a worker).

Target (issue 15): the whole calculation for 10,000 members over 500,000 visits in 10 s or less.
"""

import math
import time
from datetime import date, datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from governance import services
from governance.models import Ballot, Dividend, DividendAllocation, Meeting, Motion
from members.benchmarking import members_seed_in_bulk
from members.models import Membership, User

TARGET_S = 10.0

TOUCHED_TABLES = (
    "members_user",
    "members_membership",
    "members_sharetransaction",
    "members_vettingcheck",
    "scheduling_visit",
    "governance_financialyear",
    "governance_dividendallocation",
    "governance_dividend",
    "carecoop_email",
)

# Visit i: worker i % W, in that worker's slot i / W (slots `step` apart, an hour or two long, so
# a worker's visits never overlap), for person (i * 7919) % R; every one accepted, delivered and
# its hours confirmed, a tenth of them with fewer minutes counted (an early check-out).
VISITS_SQL = """
WITH slot AS (
    SELECT i,
           (%(workers)s::bigint[])[i %% %(worker_count)s + 1] AS worker_id,
           (%(receivers)s::bigint[])[(i * 7919) %% %(receiver_count)s + 1] AS receiver_id,
           i / %(worker_count)s AS s,
           abs(hashint8(i)::bigint) AS h
    FROM generate_series(0::bigint, %(visits)s - 1) AS i
),
timed AS (
    SELECT slot.*, person.user_id AS booker_id,
           %(base)s::timestamptz + s * %(step)s::interval AS starts,
           interval '1 hour' + (h %% 3) * interval '30 minutes' AS length
    FROM slot JOIN members_membership AS person ON person.id = slot.receiver_id
)
INSERT INTO scheduling_visit (
    receiver_id, worker_id, is_open, starts, ends, sleep_in, tasks, notes, status, rate_pence,
    booked_by_id, created_at, updated_at, offer_expires_at, answered_at, decline_reason,
    cancel_reason, late_cancellation, checked_in_at, checked_out_at, check_in_far, visit_note,
    hours, hours_answered_at, hours_answered_by_id, query_reason, worked_minutes,
    hours_settle_reason
)
SELECT receiver_id, worker_id, false, starts, starts + length, false, '[]'::jsonb, '', 'accepted',
       1500, booker_id, starts - interval '7 days', starts, starts - interval '12 hours',
       starts - interval '6 days', '', '', false, starts, starts + length, false, '', 'confirmed',
       starts + length + interval '1 day', booker_id, '',
       CASE WHEN h %% 10 = 0 THEN 45 END, ''
FROM timed
"""


class _RollBack(Exception):
    pass


def last_whole_year(today: date) -> tuple[date, date]:
    ends_in = today.year if today >= date(today.year, 4, 1) else today.year - 1
    return date(ends_in - 1, 4, 1), date(ends_in, 3, 31)


class Command(BaseCommand):
    help = "Time the dividend calculation over a year of confirmed visits (nothing is kept)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--members", type=int, default=10_000)
        parser.add_argument("--visits", type=int, default=500_000)

    def handle(self, *args: Any, members: int, visits: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "benchmark_dividends needs PostgreSQL: set DATABASE_URL=postgres://… "
                f"(this database is {connection.vendor})."
            )
        if members < 2 or visits < 1:
            raise CommandError("Give at least two members and one visit.")
        self.stdout.write(
            f"Database: {connection.vendor}. Seeding {members:,} members and {visits:,} visits…"
        )
        try:
            with transaction.atomic():
                started = time.perf_counter()
                allocation = self._seed(members, visits)
                self.stdout.write(f"Seeded in {time.perf_counter() - started:.1f} s.")
                self._measure(allocation, members, visits)
                raise _RollBack
        except _RollBack:
            self.stdout.write("Rolled back: the database is as it was.")
        if not connection.in_atomic_block:
            with connection.cursor() as cursor:
                for table in TOUCHED_TABLES:
                    cursor.execute(f"VACUUM ANALYZE {table}")

    def _seed(self, members: int, visits: int) -> DividendAllocation:
        workers = members // 2
        memberships = members_seed_in_bulk(
            workers=workers,
            receivers=members - workers,
            email_domain="benchdividends.carecoop.example",
            admitted_days_ago=800,
            checked_days_ago=500,
        )
        worker_rows, receiver_rows = memberships[:workers], memberships[workers:]
        starts, ends = last_whole_year(timezone.localdate())
        slots = math.ceil(visits / workers)
        step = timedelta(days=364) / slots
        if step < timedelta(hours=3):
            raise CommandError("Too many visits for the workers: give more members or fewer visits.")
        base = timezone.make_aware(datetime.combine(starts, datetime.min.time())) + timedelta(hours=7)
        with connection.cursor() as cursor:
            cursor.execute(
                VISITS_SQL,
                {
                    "workers": [m.pk for m in worker_rows],
                    "worker_count": len(worker_rows),
                    "receivers": [m.pk for m in receiver_rows],
                    "receiver_count": len(receiver_rows),
                    "visits": visits,
                    "base": base,
                    "step": step,  # type: ignore[dict-item]
                },
            )
            for table in TOUCHED_TABLES:
                cursor.execute(f"ANALYZE {table}")
        staff = User.objects.create(email="bench-secretary@benchdividends.carecoop.example", is_staff=True)
        year = services.financial_year_record(
            user=staff, starts=starts, ends=ends, surplus_pence=250_000_00, today=ends + timedelta(days=1)
        )
        allocation = services.allocation_propose(
            user=staff,
            year=year,
            reserve_pence=50_000_00,
            community_pence=10_000_00,
            workers_pence=120_000_00,
            receivers_pence=70_000_00,
            advocates_pence=0,
            investors_pence=0,
        )
        # The AGM that approved it: written as it stands once held, voted and declared.
        held = timezone.make_aware(datetime.combine(ends + timedelta(days=60), datetime.min.time()))
        meeting = Meeting.objects.create(
            kind=Meeting.Kind.AGM,
            title="Annual General Meeting",
            format=Meeting.Format.ONLINE,
            online_link="https://meet.example.org/agm",
            starts_at=held,
            ends_at=held + timedelta(hours=2),
            agenda="Dividends",
            called_by=staff,
        )
        motion = Motion.objects.create(
            meeting=meeting,
            title="Approve the dividends",
            majority="ordinary",
            by_board=True,
            status=Motion.Status.CARRIED,
        )
        Ballot.objects.create(
            title=motion.title,
            meeting=meeting,
            kind=Ballot.Kind.MOTION,
            motion=motion,
            opens_at=held,
            closes_at=held + timedelta(hours=1),
            status=Ballot.Status.CLOSED,
            closed_at=held + timedelta(hours=1),
            declared_at=held + timedelta(hours=1),
            declared_by=staff,
            result={"passed": True},
            created_by=staff,
        )
        allocation = services.allocation_approve(user=staff, allocation=allocation, motion=motion)
        return services.allocation_calculation_start(user=staff, allocation=allocation)

    def _measure(self, allocation: DividendAllocation, members: int, visits: int) -> None:
        started = time.perf_counter()
        services.dividends_calculate(allocation_id=allocation.pk, batches=0)  # sharing out only
        shared = time.perf_counter()
        services.dividends_calculate(allocation_id=allocation.pk)  # the statements, to the end
        finished = time.perf_counter()
        allocation.refresh_from_db()
        paid = sum(Dividend.objects.filter(allocation=allocation).values_list("amount_pence", flat=True))
        left = allocation.leftover_pence or 0
        total = finished - started
        written, stated = allocation.progress_total, allocation.progress_done
        self.stdout.write(
            f"Sharing out (hours added up, {written:,} dividends written): {shared - started:.2f} s"
        )
        self.stdout.write(
            f"Issuing {stated:,} statements (emails owed, progress moved): {finished - shared:.2f} s"
        )
        self.stdout.write(
            f"Calculating dividends for {Membership.objects.count():,} members over {visits:,} visits: "
            f"{total:.2f} s (target {TARGET_S:.0f} s: {'met' if total <= TARGET_S else 'MISSED'})"
        )
        exact = "exact" if paid + left == allocation.pool_pence else "WRONG"
        self.stdout.write(
            f"Paid {paid:,} p + {left:,} p to the reserve = pool {allocation.pool_pence:,} p: {exact}"
        )
        self.stdout.write(f"Status: {allocation.status}.")
