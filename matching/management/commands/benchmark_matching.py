"""Time suggestions and search over thousands of members.

    manage.py benchmark_matching [--workers 5000] [--receivers 5000] [--runs 100]

Seeds the members inside a transaction that is rolled back at the end, so the database is left
as it was. Run it against PostgreSQL (DATABASE_URL) for numbers that mean something.
"""

import random
import statistics
import time
from datetime import date
from datetime import time as clock
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from matching import selectors
from matching.selectors import TimeWanted, WorkerCriteria
from members import geo
from members.benchmarking import members_seed_in_bulk, profiles_seed_in_bulk
from members.models import Profile, Skill


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time matching suggestions and worker search over thousands of members (nothing is kept)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--workers", type=int, default=5000)
        parser.add_argument("--receivers", type=int, default=5000)
        parser.add_argument("--runs", type=int, default=100)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, workers: int, receivers: int, runs: int, seed: int, **options: Any) -> None:
        self.random = random.Random(seed)  # noqa: S311  (repeatable test data, not secrets)
        self.stdout.write(
            f"Database: {connection.vendor}. Seeding {workers} workers and {receivers} receivers…"
        )
        try:
            with transaction.atomic():
                started = time.perf_counter()
                receiver_profiles = self._seed(workers, receivers)
                self.stdout.write(f"Seeded in {time.perf_counter() - started:.1f} s.")
                self._measure(receiver_profiles, runs)
                raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: the database is as it was.")
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # The rolled-back rows stay as dead tuples until vacuumed, and would slow every later
            # run (and the app) until autovacuum caught up.
            with connection.cursor() as cursor:
                for table in (
                    "members_user",
                    "members_membership",
                    "members_profile",
                    "members_weeklytime",
                    "members_vettingcheck",
                    "members_sharetransaction",
                    "members_profile_skills",
                    "members_profile_support_wanted",
                    "members_profile_languages",
                ):
                    cursor.execute(f"VACUUM ANALYZE {table}")

    # --- Seeding, in bulk ---------------------------------------------------------------------

    def _seed(self, workers: int, receivers: int) -> list[Profile]:
        memberships = members_seed_in_bulk(
            workers=workers,
            receivers=receivers,
            email_domain="bench.carecoop.example",
            admitted_days_ago=365,
            checked_days_ago=200,
        )
        profiles = profiles_seed_in_bulk(memberships=memberships, rng=self.random)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        return profiles[workers:]

    # --- Measuring ------------------------------------------------------------------------------

    def _time(self, label: str, action: Any, runs: int) -> None:
        action()  # warm up
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            action()
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        median = statistics.median(timings)
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        self.stdout.write(f"{label:<44} median {median:7.1f} ms   p95 {p95:7.1f} ms   ({runs} runs)")

    def _measure(self, receivers: list[Profile], runs: int) -> None:
        rnd = self.random
        today: date = timezone.localdate()
        sample = rnd.sample(receivers, min(runs, len(receivers)))
        skills = list(Skill.objects.all())
        cycle = iter(sample * 1000)

        def suggest() -> None:
            profile = Profile.objects.select_related("membership").get(pk=next(cycle).pk)
            list(selectors.suggestions_for(receiver=profile, on=today))

        def search() -> None:
            profile = next(cycle)
            if profile.latitude is None or profile.longitude is None:
                raise CommandError(f"Profile {profile.pk} has no place to search near.")
            criteria = WorkerCriteria(
                skills=rnd.sample(skills, 1),
                near=geo.Point(profile.latitude, profile.longitude),
                within_km=15,
                available=[TimeWanted(rnd.randrange(7), clock(9), clock(12))],
            )
            results = selectors.worker_search(criteria=criteria, on=today)
            list(results[:20])
            results.count()

        self._time("Suggestions for a person (best 20)", suggest, runs)
        self._time("Search: skill, distance, time (page of 20)", search, runs)
