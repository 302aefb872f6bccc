"""CSV files for spreadsheets: the register, results, and every export to come.

Every cell passes through `spreadsheet_safe`: a cell that begins like a formula ("=HYPERLINK(...)"
typed as someone's name) is opened as text, not run (CSV injection)."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def csv_response(*, filename: str, rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """A CSV download, named `filename`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    csv.writer(response).writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return response
