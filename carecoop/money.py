"""Money as people read it. Amounts are kept in whole pence (integers, rule 8) and shown in
pounds, worked out in Decimal: never float, so no amount is ever a penny out."""

from decimal import ROUND_HALF_UP, Decimal

_PENCE_IN_A_POUND = Decimal(100)


def pounds(pence: int, *, whole: bool = False) -> str:
    """1260 → "£12.60", 123456 → "£1,234.56", -500 → "-£5.00". With `whole`, an amount in
    whole pounds leaves the pence out (10000 → "£100"), as bounds and prices are written."""
    amount = Decimal(int(pence)) / _PENCE_IN_A_POUND
    sign = "-" if amount < 0 else ""
    if whole and amount == amount.to_integral_value():
        return f"{sign}£{abs(amount):,.0f}"
    return f"{sign}£{abs(amount):,.2f}"


def pounds_figure(pence: int) -> str:
    """1260 → "12.60": the figure alone, for a form field to edit or a spreadsheet to add up."""
    return f"{Decimal(int(pence)) / _PENCE_IN_A_POUND:.2f}"


def pence_from_pounds(amount: Decimal) -> int:
    """Decimal("12.60") → 1260: pounds typed into a form, kept in whole pence (to the nearest)."""
    return int((amount * _PENCE_IN_A_POUND).quantize(Decimal(1), rounding=ROUND_HALF_UP))
