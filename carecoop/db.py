"""Database expressions (and one statement) the ORM lacks, written once for PostgreSQL and the
embedded SQLite."""

import json
from typing import Any

from django.db import connections
from django.db.models import BigIntegerField, Field, Func, Model, QuerySet, Subquery
from django.db.models.constants import OnConflict


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


def insert_from_select(
    model: type[Model], fields: list[str], rows: QuerySet[Any], *, ignore_conflicts: bool = False
) -> list[int]:
    """INSERT INTO the model's table (these fields) SELECT the rows: one statement, the rows never
    leave the database, however many there are. Returns the new rows' ids.

    `rows` is a `.values(alias=expression, ...)` queryset naming one expression for each field, in
    the same order (constants as `Value(...)`); the aliases are free, so they cannot clash with
    the source model's fields. With `ignore_conflicts`, a row a unique constraint refuses is left
    out (ON CONFLICT DO NOTHING; INSERT OR IGNORE on SQLite)."""
    query = rows.query
    if query.values_select or query.extra_select or len(query.annotation_select) != len(fields):
        raise ValueError("Give rows as .values(alias=expression, ...), one for each field, in order.")
    connection = connections[rows.db]
    ops = connection.ops
    columns = [str(model._meta.get_field(name).column) for name in fields]  # type: ignore[union-attr]
    select_sql, params = query.sql_with_params()
    conflict = OnConflict.IGNORE if ignore_conflicts else None
    # On PostgreSQL a literal in the SELECT takes the type of the column it is inserted into.
    statement = " ".join(
        part
        for part in (
            ops.insert_statement(on_conflict=conflict),
            ops.quote_name(model._meta.db_table),
            f"({', '.join(ops.quote_name(column) for column in columns)})",
            select_sql,
            ops.on_conflict_suffix_sql([], conflict, [], []) if ignore_conflicts else "",
            f"RETURNING {ops.quote_name(model._meta.pk.column)}",
        )
        if part
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return [row[0] for row in cursor.fetchall()]


class MinutesBetween(Func):
    """The whole minutes from one moment to a later one (rounded down), as an integer, worked out
    by the database: for adding up the lengths of many rows without loading them."""

    output_field = BigIntegerField()

    def __init__(self, start: Any, end: Any, **extra: Any) -> None:
        super().__init__(start, end, **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        start, end = self.source_expressions
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        sql = f"FLOOR(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) / 60)::bigint"
        return sql, (*end_params, *start_params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        start, end = self.source_expressions
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        seconds = "CAST(strftime('%%s', {}) AS INTEGER)"
        sql = f"(({seconds.format(end_sql)} - {seconds.format(start_sql)}) / 60)"
        return sql, (*end_params, *start_params)
