import csv
import io

import pytest

from carecoop.spreadsheets import csv_response, csv_text, spreadsheet_safe


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
