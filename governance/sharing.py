"""Sharing money out, to the penny: a class's pool among its members, and interest on share
capital. Pure: no database, no Django (decisions 23 and 24).

One rounding rule for every figure here: each amount is rounded *down* to the whole penny, so
that no one is ever paid a penny the pool does not hold; the pennies the rounding leaves go to the
reserve, so the amounts paid and the pennies left add up to the pool exactly.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Shared(Generic[K]):
    """A pool shared out: each key's amount in pence, and the pence left for the reserve."""

    amounts: dict[K, int]
    leftover: int
    total_measure: int


def share_out(*, pool: int, measures: Mapping[K, int]) -> Shared[K]:
    """Share `pool` pence in proportion to each key's measure (minutes, pence of capital, or 1
    each for an equal share), each amount rounded down to the penny.

    Keys with no measure (0) get nothing and no entry. When nobody has any measure, the whole pool
    is left over (it goes to the reserve)."""
    if pool < 0:
        raise ValueError("A pool cannot be less than nothing.")
    if any(measure < 0 for measure in measures.values()):
        raise ValueError("A measure cannot be less than nothing.")
    counted = {key: int(measure) for key, measure in measures.items() if measure > 0}
    total = sum(counted.values())
    if total == 0:
        return Shared(amounts={}, leftover=pool, total_measure=0)
    # Integer arithmetic: floor(pool × measure / total), exact however large the numbers.
    amounts = {key: pool * measure // total for key, measure in counted.items()}
    return Shared(amounts=amounts, leftover=pool - sum(amounts.values()), total_measure=total)


# --- Interest on share capital --------------------------------------------------------------------


def year_days(*, starts: date, ends: date) -> int:
    """The days of a financial year, both ends counted."""
    if ends < starts:
        raise ValueError("A year ends after it starts.")
    return (ends - starts).days + 1


def capital_pence_days(
    *,
    starts: date,
    ends: date,
    changes: Iterable[tuple[date, int]],
    held_until: date | None = None,
) -> int:
    """The capital a member held on each day of the year (`starts`..`ends`, both counted), added
    up: pence × days. `changes` are the member's share transactions, (date, pence), positive for
    shares bought and negative for shares withdrawn; one dated before the year is in the opening
    balance, one within it counts from its own day, one after the year not at all. A member who
    ceased (`held_until`, the day they ceased) holds nothing after that day. A balance is never
    counted below nothing."""
    last = ends if held_until is None else min(ends, held_until)
    if last < starts:
        return 0
    by_day: dict[date, int] = {}
    opening = 0
    for day, pence in changes:
        if day < starts:
            opening += pence
        elif day <= last:
            by_day[day] = by_day.get(day, 0) + pence
    total, balance, since = 0, opening, starts
    for day in sorted(by_day):
        total += max(balance, 0) * (day - since).days
        balance, since = balance + by_day[day], day
    total += max(balance, 0) * ((last - since).days + 1)
    return total


def interest_due(*, capital_pence_days: int, rate_percent: Decimal, days_in_year: int) -> int:
    """A year's interest at `rate_percent` a year on capital held for the days it was held: the
    exact figure (capital × days × rate / 100 / days in the year) rounded down to the penny."""
    if capital_pence_days < 0 or rate_percent < 0 or days_in_year <= 0:
        raise ValueError("Interest is worked out on capital, a rate and a year of at least nothing.")
    exact = Decimal(capital_pence_days) * rate_percent / Decimal(100) / Decimal(days_in_year)
    return int(exact.to_integral_value(rounding=ROUND_FLOOR))


def interest_exact(*, capital_pence_days: int, rate_percent: Decimal, days_in_year: int) -> Decimal:
    return Decimal(capital_pence_days) * rate_percent / Decimal(100) / Decimal(days_in_year)
