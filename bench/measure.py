"""Whole requests, timed in one process against a committed database, and what their queries cost.

    DJANGO_SETTINGS_MODULE=bench.settings BENCH_DATABASE_URL=postgres://… python -m bench.measure

Each page is requested as the member who uses it, through Django's test client (every middleware,
the session, the cache on Redis, the template): a warm-up, then `--runs` rounds of one timed
request of each page in turn, and one more counting its queries. A booking is made and rolled
back each time. Prints JSON: each page's median and 95th percentile, its query count, the
slowest queries with their plans (EXPLAIN ANALYZE), and a logged-in session cookie for each
member, for the load run."""

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.town import Town, log_in, town_read  # noqa: E402


@dataclass
class Page:
    name: str
    persona: str
    path: str
    data: dict[str, Any] | None = None  # posted, in a transaction rolled back after each request
    ok: tuple[int, ...] = (200,)
    timings: list[float] = field(default_factory=list)
    queries: int = 0


def pages(town: Town) -> list[Page]:
    """What a member waits for, as the member who waits for it."""
    day = timezone.localdate() + timedelta(days=9)
    return [
        Page("today: worker", "worker", "/today/"),
        Page("today: person", "person", "/today/"),
        Page("today: advocate", "advocate", "/today/"),
        Page("today: investor", "investor", "/today/"),
        Page("staff home", "staff", "/staff/"),
        Page("a worker's week", "worker", "/visits/?view=week"),
        Page("a person's month", "person", "/visits/?view=month"),
        Page("search", "person", f"/find/?within_km=15&skills={town.skill_id}"),
        Page("suggestions", "person", "/suggestions/"),
        Page("suggestions API", "person", "/api/v1/matches/suggestions/"),
        Page(
            "booking a visit",
            "person",
            "/visits/new/",
            data={
                "worker": town.team_worker_number,
                "day": day.isoformat(),
                "starts_at": "06:10",
                "ends_at": "06:40",
                "tasks": "Breakfast",
            },
            ok=(302,),
        ),
        Page("the care log", "person", f"/care-log/{town.person_number}/"),
        Page("a ballot", "worker", f"/ballots/{town.open_ballot_id}/"),
        Page("a ballot's results", "worker", f"/ballots/{town.closed_ballot_id}/results/"),
        Page("the register", "staff", "/staff/register/"),
        Page("the register as CSV", "staff", "/staff/register/?format=csv"),
    ]


class QueryClock:
    """Each query's time, by the page that made it."""

    def __init__(self) -> None:
        self.page = ""
        self.seen: dict[tuple[str, str], list[float]] = {}
        self.params: dict[str, Any] = {}

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seen.setdefault((self.page, sql), []).append((time.perf_counter() - start) * 1000)
            self.params[sql] = params

    def slowest(self, count: int) -> list[dict[str, Any]]:
        ranked = sorted(
            ((statistics.median(times), page, sql) for (page, sql), times in self.seen.items()),
            reverse=True,
        )
        chosen: list[dict[str, Any]] = []
        for ms, page, sql in ranked:
            if not sql.lstrip().upper().startswith("SELECT") or any(c["sql"] == sql for c in chosen):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", self.params[sql])
                plan = "\n".join(row[0] for row in cursor.fetchall())
            chosen.append({"page": page, "median_ms": round(ms, 2), "sql": sql, "plan": plan})
            if len(chosen) == count:
                break
        return chosen


def request(client: Client, page: Page) -> int:
    if page.data is None:
        response = client.get(page.path)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)  # a streamed page is timed to its last byte
        return response.status_code
    with transaction.atomic():
        status = client.post(page.path, page.data).status_code
        transaction.set_rollback(True)
    return status


def measure(runs: int, explain: int) -> dict[str, Any]:
    town = town_read()
    clients: dict[str, Client] = {}
    for persona, user in town.users.items():
        clients[persona] = Client()
        log_in(clients[persona], user)
    clock = QueryClock()
    measured = pages(town)
    with connection.execute_wrapper(clock):
        for page in measured:
            clock.page = page.name
            for _ in range(2):
                status = request(clients[page.persona], page)
                if status not in page.ok:
                    raise SystemExit(f"{page.name}: {page.path} answered {status}, not {page.ok}")
        # Round by round, one request of each page in turn: a few seconds when the machine is
        # busy elsewhere slow a request of every page, not all the requests of one page.
        for _ in range(runs):
            for page in measured:
                clock.page = page.name
                start = time.perf_counter()
                request(clients[page.persona], page)
                page.timings.append((time.perf_counter() - start) * 1000)
    for page in measured:
        with CaptureQueriesContext(connection) as queries:
            request(clients[page.persona], page)
        page.queries = len(queries)
    return {
        "members": town.members,
        "visits": town.visits,
        "pages": {
            page.name: {
                "path": page.path,
                "persona": page.persona,
                "median_ms": round(statistics.median(page.timings), 2),
                "p95_ms": round(statistics.quantiles(page.timings, n=20)[-1], 2),
                "queries": page.queries,
            }
            for page in measured
        },
        "slowest_queries": clock.slowest(explain),
        "cookies": {
            persona: f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
            for persona, client in clients.items()
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--explain", type=int, default=5, help="the slowest queries to explain")
    args = parser.parse_args()
    print(json.dumps(measure(args.runs, args.explain)))


if __name__ == "__main__":
    main()
