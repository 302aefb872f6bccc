"""Time the counting of a large ballot, as the results page and the close task do it.

    manage.py benchmark_governance [--voters 10000] [--candidates 12] [--runs 20] [--seed 2026]

Needs PostgreSQL (DATABASE_URL). Seeds `--voters` members (receivers, advocates, workers and
enough investors to be held to their cap), a meeting, a motion ballot and a board election,
inside a transaction rolled back at the end, so the database is left as it was.

Measured, each `--runs` times after one warm-up, as median and 95th percentile:

- calling the meeting, which gives every member notice: a `MeetingNotice` row and an email owed in
  the outbox each, in the call's transaction (then a sample of those emails sent, to locmem);
- opening the motion ballot, which fixes who may vote (one run: it happens once per ballot);
- casting a vote through the service (its locks, checks and two inserts), over 200 voters;
- tallying the motion ballot with every member voting, weighted with the investors' 10% cap
  (`services.ballot_count`: the query grouping votes by class and choice, and the exact count);
- counting the board election, `--voters` rankings over `--candidates` candidates by STV
  (`services.ballot_count`: the query grouping identical rankings, and the Scottish STV count).

Targets (issue 7): the weighted tally 200 ms or less; the STV count 2 s or less.
"""

import random
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone

from carecoop import outbox
from carecoop.models import Email
from governance import counting, services
from governance.benchmarking import Voter, votes_seed_in_bulk
from governance.models import Ballot, Candidate, GovernancePolicy
from members.benchmarking import members_seed_in_bulk
from members.models import Membership, User

TALLY_TARGET_MS = 200
STV_TARGET_MS = 2000


class _RollBack(Exception):
    pass


def _timed(run: Callable[[], Any], runs: int) -> tuple[float, float]:
    run()  # warm-up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return statistics.median(timings), p95


class Command(BaseCommand):
    help = "Time tallying a large weighted ballot and an STV election count."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--voters", type=int, default=10_000)
        parser.add_argument("--candidates", type=int, default=12)
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, voters: int, candidates: int, runs: int, seed: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark needs PostgreSQL: set DATABASE_URL.")
        if voters < candidates + 200:
            raise CommandError("Give at least 200 more voters than candidates.")
        try:
            with transaction.atomic():
                self._run(voters, candidates, runs, seed)
                raise _RollBack
        except _RollBack:
            self.stdout.write("Rolled back: the database is as it was.")

    def _run(self, voters: int, candidates: int, runs: int, seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311 - test data
        started = time.perf_counter()
        members = members_seed_in_bulk(
            workers=voters // 2,
            receivers=voters - voters // 2,
            email_domain="bench.governance.example",
            admitted_days_ago=400,
            checked_days_ago=100,
        )
        # A fifth of the members become investors and a tenth advocates, so the cap has work to do.
        pks = [m.pk for m in members]
        rng.shuffle(pks)
        Membership.objects.filter(pk__in=pks[: voters // 5]).update(member_class="investor")
        Membership.objects.filter(pk__in=pks[voters // 5 : voters // 5 + voters // 10]).update(
            member_class="advocate"
        )
        GovernancePolicy.objects.update_or_create(
            pk=1, defaults={"weighting": "class_cap", "investor_cap_percent": 10}
        )
        secretary = User.objects.create_user(email="bench-secretary@bench.governance.example", is_staff=True)
        self.stdout.write(f"Seeded {voters:,} members in {time.perf_counter() - started:.1f} s.")
        now = timezone.now()
        with connection.cursor() as cursor:
            # Foreign keys are checked at the commit, which the benchmark never reaches: checked
            # here as each row goes in, their cost is in the time.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        start = time.perf_counter()
        meeting = services.meeting_call(
            called_by=secretary,
            kind="agm",
            title="Benchmark AGM",
            format="online",
            starts_at=now + timedelta(days=30),
            ends_at=now + timedelta(days=30, hours=2),
            online_link="https://meet.example.org/bench",
            agenda="1. Accounts",
        )
        called_ms = (time.perf_counter() - start) * 1000
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        self.stdout.write(
            f"Calling a meeting: notice to {meeting.members_at_notice:,} members, each a notice row and an "
            f"email owed in the outbox: {called_ms:.0f} ms"
        )
        self._notices_send(sample=min(500, voters))
        motion = services.motion_propose(
            user=secretary,
            meeting=meeting,
            title="Adopt the accounts",
            text="That the accounts be adopted.",
            by_board=True,
        )
        ballot = services.ballot_create(
            user=secretary, title="Accounts", motion=motion, opens_at=now, closes_at=now + timedelta(days=29)
        )

        start = time.perf_counter()
        ballot = services.ballot_open(ballot=ballot, user=secretary)
        self.stdout.write(
            f"Opening the ballot (fixing {ballot.eligible_count:,} eligible voters): "
            f"{(time.perf_counter() - start) * 1000:.0f} ms"
        )

        sample = list(Membership.objects.filter(pk__in=pks[:200]).select_related("user"))
        timings = []
        for member in sample:
            start = time.perf_counter()
            services.vote_cast(
                ballot=ballot, user=member.user, choice=rng.choice(["for", "against", "abstain"])
            )
            timings.append((time.perf_counter() - start) * 1000)
        self.stdout.write(
            f"Casting a vote through the service: median {statistics.median(timings):.1f} ms "
            f"over {len(timings)} voters"
        )

        voted = {m.pk for m in sample}
        rest = Membership.objects.exclude(pk__in=voted).filter(pk__in=pks).values_list("pk", "member_class")
        self._bulk_votes(
            ballot, secretary, rest, lambda: {"choice": rng.choice(["for", "for", "against", "abstain"])}
        )
        median, p95 = _timed(lambda: services.ballot_count(ballot=ballot), runs)
        result = services.ballot_count(ballot=ballot)
        self._report(
            f"Tallying a {result['voted']:,}-voter ballot weighted with the investors' cap",
            median,
            p95,
            TALLY_TARGET_MS,
        )
        investor = next(row for row in result["by_class"] if row["member_class"] == "investor")
        self.stdout.write(
            f"  (investors cast {investor['for'] + investor['against']:,} votes, each weighing "
            f"{investor['weight']}; {result['percent_for']}% for)"
        )

        election = services.ballot_create(
            user=secretary,
            title="Board election",
            meeting=meeting,
            seat_class="workers",
            seats=5,
            opens_at=now,
            closes_at=now + timedelta(days=29),
        )
        workers = list(
            Membership.objects.filter(pk__in=pks, member_class="worker").select_related("user")[:candidates]
        )
        standing = [
            Candidate.objects.create(ballot=election, membership=w, statement="Bench candidate")
            for w in workers
        ]
        # Every member votes in the timed election, whatever their class, so that it holds
        # `--voters` rankings; the snapshot is bypassed by writing the rows directly.
        Ballot.objects.filter(pk=election.pk).update(status=Ballot.Status.OPEN, opened_at=now)
        names = [str(c.pk) for c in standing]
        rankings = counting.stv_benchmark_ballots(voters, names, seed)
        ranking_iter = iter(rankings)
        everyone = Membership.objects.filter(pk__in=pks).values_list("pk", "member_class")
        self._bulk_votes(
            election, secretary, everyone, lambda: {"ranking": [int(c) for c in next(ranking_iter)]}
        )
        election.refresh_from_db()
        median, p95 = _timed(lambda: services.ballot_count(ballot=election), max(3, runs // 4))
        outcome = services.ballot_count(ballot=election)
        self._report(
            f"Counting an election of {outcome['valid'] + outcome['blank']:,} rankings over {candidates} "
            f"candidates by STV ({len(outcome['stages'])} stages)",
            median,
            p95,
            STV_TARGET_MS,
        )
        median, p95 = _timed(lambda: counting.stv_count(names, rankings, 5, seed=seed), max(3, runs // 4))
        self._report("  of which the STV count itself (no database)", median, p95, STV_TARGET_MS)

    def _notices_send(self, *, sample: int) -> None:
        """Send some of the notices owed, as the outbox's task would, to the in-memory backend."""
        owed = list(
            Email.objects.filter(kind="governance.meeting_notice", status=Email.Status.OWED)
            .order_by("pk")
            .values_list("pk", flat=True)[:sample]
        )
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            start = time.perf_counter()
            sent = outbox.emails_send(ids=owed)
            seconds = time.perf_counter() - start
            if hasattr(mail, "outbox"):
                mail.outbox.clear()
        self.stdout.write(
            f"Sending {sent} of those notices through the outbox (one row at a time, to locmem): "
            f"{seconds * 1000 / max(sent, 1):.1f} ms each"
        )

    def _bulk_votes(
        self, ballot: Ballot, secretary: User, voters: Any, vote: Callable[[], dict[str, Any]]
    ) -> None:
        votes_seed_in_bulk(
            ballot=ballot,
            voters=(Voter(pk, member_class, cast_by_id=secretary.pk) for pk, member_class in voters),
            vote=vote,
        )

    def _report(self, what: str, median: float, p95: float, target: float) -> None:
        verdict = "within" if p95 <= target else "OVER"
        self.stdout.write(
            f"{what}: median {median:.1f} ms, 95th percentile {p95:.1f} ms "
            f"({verdict} the {target:.0f} ms target)"
        )
