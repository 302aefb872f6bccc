"""The arithmetic of sharing a pool and of interest on shares, proved for any numbers (hypothesis):
every amount rounded down to the penny, the pennies left to the reserve, to the penny in all."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance import sharing

pools = st.integers(min_value=0, max_value=10**12)
measures = st.dictionaries(st.integers(min_value=1, max_value=50_000), st.integers(0, 10**9), max_size=200)


@given(pool=pools, measures=measures)
def test_the_dividends_and_the_pennies_left_add_up_to_the_pool_exactly(pool, measures):
    shared = sharing.share_out(pool=pool, measures=measures)
    assert sum(shared.amounts.values()) + shared.leftover == pool


@given(pool=pools, measures=measures)
def test_no_dividend_is_negative_and_each_is_within_a_penny_below_its_exact_share(pool, measures):
    shared = sharing.share_out(pool=pool, measures=measures)
    total = sum(measures.values())
    for key, amount in shared.amounts.items():
        exact = Fraction(pool * measures[key], total)
        assert amount >= 0
        assert exact - 1 < amount <= exact  # rounded down: never more than the exact share


@given(pool=pools, measures=measures)
def test_the_pennies_left_are_fewer_than_the_members_sharing(pool, measures):
    shared = sharing.share_out(pool=pool, measures=measures)
    if shared.total_measure:
        assert 0 <= shared.leftover < max(len(shared.amounts), 1)
    else:
        assert shared.leftover == pool
        assert shared.amounts == {}


@given(pool=pools, measures=measures)
def test_more_of_the_measure_never_means_less_dividend(pool, measures):
    shared = sharing.share_out(pool=pool, measures=measures)
    ranked = sorted(shared.amounts, key=lambda key: measures[key])
    amounts = [shared.amounts[key] for key in ranked]
    assert amounts == sorted(amounts)


def test_a_class_with_no_hours_leaves_its_whole_pool_to_the_reserve():
    shared = sharing.share_out(pool=1_000_00, measures={7: 0, 8: 0})
    assert (shared.amounts, shared.leftover) == ({}, 1_000_00)


def test_three_equal_members_share_a_pound_and_a_penny_goes_to_the_reserve():
    shared = sharing.share_out(pool=100, measures={1: 1, 2: 1, 3: 1})
    assert shared.amounts == {1: 33, 2: 33, 3: 33}
    assert shared.leftover == 1


def test_negative_pools_and_measures_are_refused():
    with pytest.raises(ValueError, match="pool"):
        sharing.share_out(pool=-1, measures={1: 1})
    with pytest.raises(ValueError, match="measure"):
        sharing.share_out(pool=1, measures={1: -1})


# --- Interest -----------------------------------------------------------------------------------

START, END = datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)


def test_capital_held_all_year_earns_the_rate_on_it():
    held = sharing.capital_pence_days(starts=START, ends=END, changes=[(datetime.date(2024, 6, 1), 500_00)])
    assert held == 500_00 * 365
    assert (
        sharing.interest_due(capital_pence_days=held, rate_percent=Decimal("3.5"), days_in_year=365) == 17_50
    )


def test_capital_bought_half_way_through_counts_from_its_day():
    # £1,000 from 1 October: 182 of the year's 365 days.
    held = sharing.capital_pence_days(starts=START, ends=END, changes=[(datetime.date(2025, 10, 1), 1000_00)])
    assert held == 1000_00 * 182
    # 1000 × 182/365 × 4% = £19.9452…, rounded down.
    assert sharing.interest_due(capital_pence_days=held, rate_percent=Decimal(4), days_in_year=365) == 19_94


def test_a_withdrawal_counts_until_the_day_before_and_a_member_who_ceased_holds_nothing_after():
    changes = [(datetime.date(2024, 1, 1), 300_00), (datetime.date(2025, 4, 11), -100_00)]
    assert sharing.capital_pence_days(starts=START, ends=END, changes=changes) == 300_00 * 10 + 200_00 * 355
    ceased = sharing.capital_pence_days(
        starts=START, ends=END, changes=changes, held_until=datetime.date(2025, 4, 20)
    )
    assert ceased == 300_00 * 10 + 200_00 * 10
    assert (
        sharing.capital_pence_days(
            starts=START, ends=END, changes=changes, held_until=START.replace(year=2024)
        )
        == 0
    )


def test_transactions_after_the_year_do_not_count():
    assert (
        sharing.capital_pence_days(starts=START, ends=END, changes=[(datetime.date(2026, 4, 1), 900_00)]) == 0
    )


days = st.dates(min_value=datetime.date(2023, 1, 1), max_value=datetime.date(2027, 12, 31))


@given(
    changes=st.lists(st.tuples(days, st.integers(1, 30_000_00)), max_size=20),
    rate=st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10), places=2),
)
def test_interest_is_never_negative_never_above_the_rate_on_the_most_held_and_within_a_penny(changes, rate):
    held = sharing.capital_pence_days(starts=START, ends=END, changes=changes)
    amount = sharing.interest_due(capital_pence_days=held, rate_percent=rate, days_in_year=365)
    exact = Fraction(held) * Fraction(rate) / 100 / 365
    assert amount >= 0
    assert exact - 1 < amount <= exact
    most = sum(pence for _day, pence in changes)
    assert amount <= most * rate / 100
