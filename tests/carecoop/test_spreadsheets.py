import csv
import io

import pytest

from carecoop.spreadsheets import csv_response, csv_streaming_response, csv_text, spreadsheet_safe


@pytest.mark.parametrize("typed", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_a_cell_that_starts_like_a_formula_is_opened_as_text(typed):
    assert spreadsheet_safe(typed) == f"'{typed}"


def test_ordinary_cells_and_empty_ones_pass_unchanged():
    assert [spreadsheet_safe(v) for v in ("Ruth Sutcliffe", 12, None, "")] == ["Ruth Sutcliffe", "12", "", ""]


def test_every_row_of_a_csv_is_guarded_in_the_text_and_the_download():
    rows = [["name", "note"], ["=cmd|' /C calc'!A0", "fine"]]
    read = list(csv.reader(io.StringIO(csv_text(rows))))
    assert read[1] == ["'=cmd|' /C calc'!A0", "fine"]

    response = csv_response(filename="export.csv", rows=rows)
    assert response["Content-Disposition"] == 'attachment; filename="export.csv"'
    assert list(csv.reader(io.StringIO(response.content.decode())))[1][0].startswith("'=")


def test_a_streamed_csv_sends_the_same_guarded_lines_in_chunks():
    rows = [["name", "note"], *([f"member {i}", "=1+1" if i == 3 else "fine"] for i in range(5))]

    streamed = csv_streaming_response(filename="export.csv", rows=iter(rows), rows_per_chunk=2)

    assert streamed["Content-Disposition"] == 'attachment; filename="export.csv"'
    assert streamed["Content-Type"] == "text/csv; charset=utf-8"
    chunks = list(streamed.streaming_content)
    assert len(chunks) == 3  # six lines, two at a time
    assert b"".join(chunks) == csv_response(filename="export.csv", rows=rows).content
    assert b"member 3,'=1+1\r\n" in b"".join(chunks)
