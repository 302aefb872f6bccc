"""CSV files for spreadsheets: the register, results, and every export to come.

Every cell passes through `spreadsheet_safe`: a cell that begins like a formula ("=HYPERLINK(...)"
typed as someone's name) is opened as text, not run (CSV injection)."""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse

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


class _Line:
    """Where csv.writer writes: each row comes back as its line of text, to be sent on."""

    def write(self, line: str) -> str:
        return line


def csv_streaming_response(
    *, filename: str, rows: Iterable[Iterable[Any]], rows_per_chunk: int = 500
) -> StreamingHttpResponse:
    """A CSV download sent while it is written, for exports as long as the register: the rows
    are read as they are sent (pass an iterator over the query), so neither the whole file nor
    every row of it is held in memory. The same cells and lines as `csv_response`."""

    def chunks() -> Iterator[bytes]:
        writer = csv.writer(_Line())
        lines: list[str] = []
        for row in rows:
            lines.append(writer.writerow([spreadsheet_safe(cell) for cell in row]))
            if len(lines) >= rows_per_chunk:
                yield "".join(lines).encode()
                lines = []
        if lines:
            yield "".join(lines).encode()

    response = StreamingHttpResponse(chunks(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
