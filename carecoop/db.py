"""Database expressions the ORM lacks, written once for PostgreSQL and the embedded SQLite."""

import json
from typing import Any

from django.db.models import Field, QuerySet, Subquery


class _ListField(Field[list[Any], list[Any]]):
    """The Python list a `ListOf` gives: PostgreSQL returns one, SQLite returns JSON text."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> list[Any]:
        if value is None:
            return []
        if isinstance(value, str):
            return list(json.loads(value))
        return list(value)


class ListOf(Subquery):
    """The one column of a correlated subquery as a list on each row, in the same query.

    The subquery must select a single value named `v`, for example
    `ListOf(Through.objects.filter(profile=OuterRef("pk")).values(v=F("skill_id")))`.
    With a LIMIT, PostgreSQL works it out only for the rows returned.
    """

    template = "ARRAY(%(subquery)s)"

    def __init__(self, queryset: QuerySet[Any], **extra: Any) -> None:
        super().__init__(queryset, output_field=_ListField(), **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        template = "(SELECT json_group_array(v) FROM (%(subquery)s))"
        # The stubs leave out the keyword arguments Subquery.as_sql passes on to its template.
        return self.as_sql(compiler, connection, template=template, **extra)  # type: ignore[call-arg]


def number_from_text(text: object) -> int | None:
    """A row's number (an id, a membership number) as typed or sent, or None for anything that
    is not one: ASCII digits only ("²" is a digit to Python, not to `int`), and short enough to
    fit PostgreSQL's integer, so a lookup with it can never raise."""
    value = "" if text is None else str(text)
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None
