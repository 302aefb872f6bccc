from decimal import Decimal

import pytest

from carecoop.money import pence_from_pounds, pounds, pounds_figure


@pytest.mark.parametrize(
    ("pence", "shown"),
    [(0, "£0.00"), (1, "£0.01"), (1260, "£12.60"), (123456, "£1,234.56"), (-500, "-£5.00")],
)
def test_pence_are_shown_in_pounds_to_the_penny(pence, shown):
    assert pounds(pence) == shown


def test_bounds_in_whole_pounds_leave_the_pence_out_but_not_a_part_pound():
    assert pounds(10_000, whole=True) == "£100"
    assert pounds(1_000_000, whole=True) == "£10,000"
    assert pounds(10_050, whole=True) == "£100.50"


def test_a_figure_for_a_form_or_spreadsheet_has_no_sign_or_commas():
    assert pounds_figure(123456) == "1234.56"
    assert pounds_figure(5) == "0.05"


def test_pounds_typed_become_whole_pence_with_no_float_error():
    # 0.29 * 100 is 28.999999999999996 in float; in Decimal it is 29.
    assert pence_from_pounds(Decimal("0.29")) == 29
    assert pence_from_pounds(Decimal("16.80")) == 1680
    assert pence_from_pounds(Decimal("0.005")) == 1
