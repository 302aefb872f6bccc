"""The work PostgreSQL does for a request, read from its own plans, so a test can show that the
work does not grow with the data without timing anything (a timed test passes or fails with
the machine's load)."""

from collections.abc import Iterable
from typing import Any

from django.db import connection

# What a plan node did: the rows it gave, and those it read and threw away.
_ROWS_READ = (
    "Actual Rows",
    "Rows Removed by Filter",
    "Rows Removed by Join Filter",
    "Rows Removed by Index Recheck",
)


def _rows(node: dict[str, Any]) -> int:
    here = sum(int(node.get(key, 0)) for key in _ROWS_READ) * int(node.get("Actual Loops", 1))
    return here + sum(_rows(child) for child in node.get("Plans", []))


def rows_read(sql: str) -> int:
    """Every row each node of the query's plan produced or read and discarded, over all its loops,
    as EXPLAIN ANALYZE counts them: a scan over a table counts the table."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
        (plan,) = cursor.fetchone()
    return _rows(plan[0]["Plan"])


def rows_read_by_reads(queries: Iterable[dict[str, str]]) -> dict[str, int]:
    """`rows_read` of each SELECT among queries captured by CaptureQueriesContext (the others
    would change data if explained with ANALYZE), by its SQL."""
    return {
        query["sql"]: rows_read(query["sql"])
        for query in queries
        if query["sql"].lstrip().upper().startswith("SELECT")
    }


def analyze() -> None:
    """Fresh statistics, as autovacuum keeps them in production, so the planner chooses as it
    would there (inside the test's transaction, ANALYZE counts the rows it inserted)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
