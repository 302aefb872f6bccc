"""Seed a town-size co-op and commit it, so that its pages can be served and loaded.

    manage.py seed_town [--members 10000] [--visits <50 a member>] [--closed-months 3] [--seed 2026]

Needs PostgreSQL (DATABASE_URL), migrated and holding no members yet: the register of members
refuses deletes, so seeding again means a fresh database. Makes, in bulk (carecoop.town and each
app's `town` module): the members, half of them workers and two fifths people getting support,
the rest advocates (each in a circle of support) and investors, all with profiles around
Calderdale; teams; a year of visits and the next weeks, with care-log notes, reminders and
notifications; closed months' statements; an AGM held, a general meeting and an AGM coming,
with twenty ballots, their votes and proxies. Then every table is vacuumed and analysed.
Prints each stage with the seconds it took, then the logins of the personas (one password).
"""

import random
import time
from collections.abc import Callable
from functools import partial
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from carecoop.town import TOWN_PASSWORD, TOWN_PERSONAS, Town, TownSize

# Each app's `town` module seeds its part, in the order the apps depend on each other.
SEED_ORDER = ["members", "matching", "scheduling", "governance"]
FEWEST_MEMBERS = 50


class Command(BaseCommand):
    help = "Seed a town-size co-op (10,000 members, a year of visits) in bulk, and commit it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--members", type=int, default=10_000)
        parser.add_argument("--visits", type=int, default=None, help="About 50 a member unless given.")
        parser.add_argument(
            "--closed-months", type=int, default=3, help="Months up to last month closed with statements."
        )
        parser.add_argument("--seed", type=int, default=2026)

    def handle(
        self, *args: Any, members: int, visits: int | None, closed_months: int, seed: int, **options: Any
    ) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "seed_town needs PostgreSQL: set DATABASE_URL=postgres://… "
                f"(this database is {connection.vendor})."
            )
        if not settings.CARECOOP_DEMO_DATA_ALLOWED:
            raise CommandError(
                "The town has a published password and is refused here (CARECOOP_DEMO_DATA_ALLOWED is off)."
            )
        if members < FEWEST_MEMBERS or (visits is not None and visits < 1) or not 0 <= closed_months <= 11:
            raise CommandError(
                f"Give at least {FEWEST_MEMBERS} members and one visit, and between 0 and 11 months to close."
            )
        membership = apps.get_model("members", "Membership")
        if membership.objects.exists():
            raise CommandError(
                "This database already holds members. The register of members refuses deletes, so the town "
                "is seeded into a fresh database: createdb, migrate, then seed_town."
            )
        now = timezone.now()
        town = Town(
            size=TownSize.of(members, visits=visits),
            rng=random.Random(seed),  # noqa: S311  (repeatable test data, not secrets)
            now=now,
            today=timezone.localdate(now),
            closed_months=closed_months,
        )
        self.stdout.write(
            f"Seeding a town of {town.size.members:,} members and about {town.size.visits:,} visits…"
        )
        started = time.perf_counter()
        with transaction.atomic():
            for label, stage in self._stages():
                self._run(label, partial(stage, town))
        self._run("vacuum and analyse", self._vacuum)
        self.stdout.write(self.style.SUCCESS(f"The town is ready in {time.perf_counter() - started:.1f} s."))
        self.stdout.write(f"Logins (password: {TOWN_PASSWORD}):")
        for key, email in TOWN_PERSONAS.items():
            self.stdout.write(f"  {key:<9} {email}")

    def _stages(self) -> list[tuple[str, Callable[[Town], str]]]:
        stages: list[tuple[str, Callable[[Town], str]]] = []
        for label in SEED_ORDER:
            module = import_module(f"{apps.get_app_config(label).name}.town")
            stages.extend(module.STAGES)
        return stages

    def _run(self, label: str, stage: Callable[[], str]) -> None:
        started = time.perf_counter()
        done = stage()
        self.stdout.write(f"  {label:<28} {time.perf_counter() - started:6.1f} s   {done}")

    def _vacuum(self) -> str:
        # Bulk inserts leave the planner's statistics behind and the visibility map unset.
        # VACUUM cannot run inside a transaction, so this follows the commit; called inside
        # one (a test's), the statistics alone are brought up to date.
        with connection.cursor() as cursor:
            if connection.in_atomic_block:
                cursor.execute("ANALYZE")
                return "every table analysed (inside a transaction: not vacuumed)"
            cursor.execute("VACUUM ANALYZE")
        return "every table"
