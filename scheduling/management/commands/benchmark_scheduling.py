"""Time calendars, booking and the reminder sweep over a year either side of today.

    manage.py benchmark_scheduling [--workers 4000] [--receivers <as workers>] [--visits 500000]
                                   [--runs 100] [--reminders 10000] [--seed 2026]

Needs PostgreSQL (DATABASE_URL): the visits are seeded with one INSERT … SELECT generate_series,
and the numbers only mean something on the database the co-op runs.

Seeds the members, their teams (three confirmed workers each, every worker bookable) and the
visits inside a transaction that is rolled back at the end, so the database is left as it was
(the register of members refuses deletes, so rows committed could not be taken out again). The
tables touched are vacuumed afterwards so the dead rows do not slow the app.

Each worker's visits sit in slots a few days apart, so their accepted visits never overlap
(the database's `visit_no_overlap` constraint holds throughout); each visit goes to one of the
people whose team the worker is in. The slots spread over the ten months or so either side of
today; four fifths of past visits were delivered, and future ones are a mix of accepted, offered,
open to the team, cancelled and declined.

Measured, each `--runs` times after one warm-up, as median and 95th percentile:

- a worker's next four weeks (`selectors.visits_for_worker`);
- a person's calendar for a month, as they see it (`selectors.calendar_for_user`);
- booking a visit with a worker of their team at a free time (`services.visit_book`).

Then the reminder sweep: `--reminders` due rows (four kinds for each of a set of accepted
future visits) are sent in this one process: `services.reminders_send_due()` writes their
notifications and owes their emails in the outbox, and `outbox.emails_send()` sends them, one row
at a time, to Django's in-memory (locmem) email backend, so nothing leaves the machine. The time
printed covers both. Inside the benchmark's transaction each batch, and each email, is a
savepoint, so what it leaves out is the COMMIT of each (fifty or so for the reminders, one per
email for the outbox). The reminder table is analysed once its rows are
in, as autovacuum would have done in production.
"""

import math
import random
import statistics
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any
from unittest import mock

from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from carecoop import outbox
from matching.benchmarking import teams_seed_in_bulk
from matching.models import TeamMember
from members.benchmarking import members_seed_in_bulk
from members.models import Membership, Profile, User
from scheduling import selectors, services, statements
from scheduling.benchmarking import visit_slots, visits_seed_in_bulk
from scheduling.models import Reminder, Statement, StatementLine, Visit

TEAM_SIZE = 3
SPREAD = timedelta(days=730)  # a year before today and a year after
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"

TOUCHED_TABLES = (
    "members_user",
    "members_membership",
    "members_profile",
    "members_sharetransaction",
    "members_vettingcheck",
    "matching_teammember",
    "scheduling_visit",
    "scheduling_historicalvisit",
    "scheduling_closedmonth",
    "scheduling_statement",
    "scheduling_statementline",
    "scheduling_reminder",
    "scheduling_notification",
    "carecoop_email",
)


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time calendars, booking and sending reminders over many visits (nothing is kept)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=4000)
        parser.add_argument("--receivers", type=int, default=None, help="As many as workers unless given.")
        parser.add_argument("--visits", type=int, default=500_000)
        parser.add_argument("--runs", type=int, default=100)
        parser.add_argument("--reminders", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(
        self,
        *args: Any,
        workers: int,
        receivers: int | None,
        visits: int,
        runs: int,
        reminders: int,
        seed: int,
        **options: Any,
    ) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "benchmark_scheduling needs PostgreSQL: set DATABASE_URL=postgres://… "
                f"(this database is {connection.vendor})."
            )
        receivers = workers if receivers is None else receivers
        if workers < 1 or receivers < 1 or visits < 1 or runs < 1 or reminders < 0:
            raise CommandError("Give at least one worker, receiver, visit and run.")
        if visits / workers > 2000:
            raise CommandError("At most 2,000 visits per worker fit in two years without overlapping.")
        self.random = random.Random(seed)  # noqa: S311  (repeatable test data, not secrets)
        self.stdout.write(
            f"Database: {connection.vendor}. Seeding {workers} workers, {receivers} receivers "
            f"and {visits} visits…"
        )
        # Whatever the settings say, no email leaves this machine.
        with override_settings(EMAIL_BACKEND=LOCMEM):
            try:
                with transaction.atomic():
                    started = time.perf_counter()
                    worker_rows, receiver_rows = self._seed(workers, receivers, visits)
                    self.stdout.write(f"Seeded in {time.perf_counter() - started:.1f} s.")
                    self._measure(worker_rows, receiver_rows, runs)
                    self._measure_reminders(worker_rows, reminders)
                    self._measure_statements()
                    raise Rollback
            except Rollback:
                self.stdout.write("Rolled back: the database is as it was.")
        if not connection.in_atomic_block:
            # The rolled-back rows stay as dead tuples until vacuumed, and would slow every later
            # run (and the app) until autovacuum caught up.
            with connection.cursor() as cursor:
                for table in TOUCHED_TABLES:
                    cursor.execute(f"VACUUM ANALYZE {table}")

    # --- Seeding, in bulk ---------------------------------------------------------------------

    def _seed(self, workers: int, receivers: int, visits: int) -> tuple[list[Membership], list[Membership]]:
        rnd = self.random
        memberships = members_seed_in_bulk(
            workers=workers,
            receivers=receivers,
            email_domain="benchscheduling.carecoop.example",
            admitted_days_ago=800,
            checked_days_ago=500,
        )
        worker_rows, receiver_rows = memberships[:workers], memberships[workers:]
        Profile.objects.bulk_create(
            [
                Profile(
                    membership=m,
                    display_name=f"Member {i}",
                    hourly_rate_pence=1500 if i < workers else None,
                )
                for i, m in enumerate(memberships)
            ],
            batch_size=2000,
        )
        teams_seed_in_bulk(
            worker_ids=[m.pk for m in worker_rows],
            receiver_ids=[m.pk for m in receiver_rows],
            rng=rnd,
            size=TEAM_SIZE,
        )
        visits_seed_in_bulk(
            worker_ids=[m.pk for m in worker_rows],
            receiver_ids=[m.pk for m in receiver_rows],
            visits=visits,
            slots=visit_slots(visits=visits, workers=workers, spread=SPREAD, past_share=0.5),
        )
        with connection.cursor() as cursor:
            for table in TOUCHED_TABLES:
                cursor.execute(f"ANALYZE {table}")
        return worker_rows, receiver_rows

    # --- Measuring ------------------------------------------------------------------------------

    def _time(self, label: str, action: Callable[[], object], runs: int) -> None:
        action()  # warm up
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            action()
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        median = statistics.median(timings)
        p95 = timings[max(0, math.ceil(len(timings) * 0.95) - 1)]
        self.stdout.write(f"{label:<44} median {median:7.1f} ms   p95 {p95:7.1f} ms   ({runs} runs)")

    def _queries(self, label: str, action: Callable[[], object]) -> None:
        with CaptureQueriesContext(connection) as captured:
            action()
        self.stdout.write(f"{label:<44} {len(captured.captured_queries)} queries")

    def _measure(self, worker_rows: list[Membership], receiver_rows: list[Membership], runs: int) -> None:
        rnd = self.random
        now = timezone.now()
        this_month = timezone.localdate().replace(day=1)

        def four_weeks() -> list[Visit]:
            worker = rnd.choice(worker_rows)
            return list(selectors.visits_for_worker(worker=worker, start=now, end=now + timedelta(days=28)))

        def month_start() -> datetime:
            # Any month of the year either side of this one.
            shift = rnd.randint(-11, 11)
            year, month = divmod(this_month.year * 12 + this_month.month - 1 + shift, 12)
            return timezone.make_aware(datetime.combine(date(year, month + 1, 1), clock(0)))

        def calendar() -> list[Visit]:
            receiver = rnd.choice(receiver_rows)
            start = month_start()
            return list(
                selectors.calendar_for_user(user=receiver.user, start=start, end=start + timedelta(days=35))
            )

        bookings = iter(self._free_bookings(receiver_rows, runs + 2))

        def book() -> services.Booked:
            receiver, worker, starts = next(bookings)
            return services.visit_book(
                by=receiver.user,
                receiver=receiver,
                worker=worker,
                starts=starts,
                ends=starts + timedelta(hours=1),
                tasks=["Lunch"],
            )

        self._time("A worker's next four weeks", four_weeks, runs)
        self._time("A person's calendar (a month, 35 days)", calendar, runs)
        self._time("Booking a visit with a worker of the team", book, runs)
        self._queries("  queries for a worker's next four weeks", four_weeks)
        self._queries("  queries for a person's calendar", calendar)
        self._queries("  queries for booking a visit", book)

    def _measure_statements(self) -> None:
        """Closing last month (every member's statement for it, both sides, with their lines), then
        the finance page's twelve months with one closed, then one worker's statement."""
        secretary = User.objects.create_user(email="benchmark-secretary@example.org", is_staff=True)
        last = statements.previous_month(statements.this_month())
        started = time.perf_counter()
        services.month_close(month=last, by=secretary)
        took = time.perf_counter() - started
        kept = Statement.objects.filter(month__month=last).count()
        lines = StatementLine.objects.filter(statement__month__month=last).count()
        self.stdout.write(
            f"{'Closing last month: every statement':<44} {took:7.1f} s    ({kept} statements, {lines} lines)"
        )
        started = time.perf_counter()
        statements.finance_months(through=statements.this_month())
        took = time.perf_counter() - started
        self.stdout.write(f"{'The finance page: twelve months, one closed':<44} {took * 1000:7.0f} ms")
        busiest = (
            Visit.objects.filter(hours=Visit.Hours.CONFIRMED, worker__isnull=False)
            .values("worker_id")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        if busiest is not None:
            worker = Membership.objects.get(pk=busiest["worker_id"])
            self._time(
                "A worker's statement, this month",
                lambda: statements.statement_for(member=worker, month=statements.this_month()),
                20,
            )

    def _free_bookings(
        self, receiver_rows: list[Membership], count: int
    ) -> list[tuple[Membership, Membership, datetime]]:
        """A person, a worker of their team, and an hour in the next eight weeks when that worker
        has no accepted visit: found before the clock starts."""
        rnd = self.random
        today = timezone.localdate()
        teams: dict[int, list[Membership]] = {}
        for place in TeamMember.objects.filter(receiver__in=receiver_rows).select_related("member"):
            teams.setdefault(place.receiver_id, []).append(place.member)
        found: list[tuple[Membership, Membership, datetime]] = []
        while len(found) < count:
            receiver = rnd.choice(receiver_rows)
            worker = rnd.choice(teams[receiver.pk])
            for _ in range(20):
                day = today + timedelta(days=rnd.randint(2, 56))
                starts = services.local_datetime(day, clock(rnd.randint(8, 17)))
                busy = (
                    Visit.objects.accepted()
                    .filter(worker=worker)
                    .between(starts, starts + timedelta(hours=1))
                )
                if not busy.exists():
                    found.append((receiver, worker, starts))
                    break
        return found

    def _measure_reminders(self, worker_rows: list[Membership], count: int) -> None:
        if count == 0:
            return
        kinds = [
            Reminder.Kind.WORKER_DAY_BEFORE,
            Reminder.Kind.WORKER_HOUR_BEFORE,
            Reminder.Kind.RECEIVER_EVENING,
            Reminder.Kind.MISSED,
        ]
        now = timezone.now()
        wanted = math.ceil(count / len(kinds))
        visit_ids = list(
            Visit.objects.accepted()
            .filter(worker__in=worker_rows, starts__gt=now, checked_in_at__isnull=True)
            .order_by("starts", "pk")
            .values_list("pk", flat=True)[:wanted]
        )
        if len(visit_ids) < wanted:
            raise CommandError(f"{count} reminders need {wanted} accepted future visits; seed more visits.")
        rows = [
            Reminder(
                visit_id=visit_ids[n // len(kinds)],
                kind=kinds[n % len(kinds)],
                due_at=now - timedelta(minutes=1 + n % 60),
            )
            for n in range(count)
        ]
        Reminder.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE scheduling_reminder")  # as autovacuum would have, in production
        ours = Reminder.objects.filter(pk__in=[r.pk for r in rows])
        if not hasattr(mail, "outbox"):
            mail.outbox = []  # the locmem backend's list, made here so that it can be counted
        emails_before = len(mail.outbox)
        sent = 0
        started = time.perf_counter()
        # The sweep writes the notifications, and the outbox sender emails them, both here in this
        # one process (not through a broker, as the task after each commit would).
        with mock.patch("carecoop.outbox._send_soon"):
            while ours.filter(sent_at__isnull=True).exists():
                sent += services.reminders_send_due()
            outbox.emails_send(batch=500)
        seconds = time.perf_counter() - started
        emails = len(mail.outbox) - emails_before
        del mail.outbox[emails_before:]
        self.stdout.write(
            f"{'Sending due reminders (one process)':<44} {sent} sent, {emails} emails to locmem in "
            f"{seconds:.1f} s   ({sent / seconds:,.0f} per second)"
        )
