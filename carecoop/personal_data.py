"""A member's own data, as each app hands its part over (UK GDPR article 15, the right of access).

Each app's selectors give `Section`s of plain rows (one query each, whatever the member holds);
governance, which may import every app, puts them together. Rows are every stored field of the
record except secrets (hashes of tokens and passwords), so that nothing held is left out by
forgetting to name a new field.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import models


@dataclass(frozen=True)
class Section:
    """One kind of record: a key for the JSON, a heading for the page, its rows, and a note."""

    key: str
    title: str
    rows: list[dict[str, Any]]
    labels: dict[str, str] = field(default_factory=dict)
    note: str = ""


def plain(value: Any) -> Any:
    """A value as JSON holds it: dates as ISO text, money and phone numbers as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return str(value)


# Hashes of passwords and tokens: no information about anyone, and a risk in a file sent out.
SECRETS = frozenset({"password", "token_hash", "change_key_hash"})


def section(
    key: str,
    title: str,
    records: "models.QuerySet[Any]",
    *,
    extra: dict[str, Any] | None = None,
    note: str = "",
) -> Section:
    """A section of every concrete field of each record but secrets. `extra` adds computed
    columns: {column: function(record) -> value} (names from prefetched many-to-many, say)."""
    fields = [f for f in records.model._meta.concrete_fields if f.name not in SECRETS]
    computed = extra or {}
    labels = {f.attname: str(f.verbose_name).capitalize() for f in fields}
    labels.update({column: column.replace("_", " ").capitalize() for column in computed})
    rows = [
        {f.attname: plain(getattr(record, f.attname)) for f in fields}
        | {column: plain(read(record)) for column, read in computed.items()}
        for record in records
    ]
    return Section(key=key, title=title, rows=rows, labels=labels, note=note)


def sections(parts: Iterable[tuple[str, str, "models.QuerySet[Any]"]]) -> list[Section]:
    """Sections from (key, title, records) triples."""
    return [section(key, title, records) for key, title, records in parts]


def as_json(sections: Iterable[Section]) -> dict[str, Any]:
    """{"sections": {section key: rows}, "notes": {section key: note}}."""
    parts = list(sections)
    return {
        "sections": {part.key: part.rows for part in parts},
        "notes": {part.key: part.note for part in parts if part.note},
    }
