"""The one rule for what a visit costs (members.pricing): the worker's rate for the minutes that
count, less the co-op's deduction for the worker, plus its addition for the person, each rounded
half up to the penny; the co-op keeps the difference."""

from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from members import pricing

SHARE = SimpleNamespace(coop_deduction_percent=Decimal("7.50"), coop_addition_percent=Decimal("17.50"))
shares = st.builds(
    SimpleNamespace,
    coop_deduction_percent=st.decimals(min_value=0, max_value=50, places=2),
    coop_addition_percent=st.decimals(min_value=0, max_value=50, places=2),
)
rates = st.integers(min_value=1, max_value=100_00)


def test_a_two_hour_visit_at_fifteen_pounds_an_hour():
    cost = pricing.cost_of(rate_pence=15_00, minutes=120, share=SHARE)

    assert (cost.person_pays, cost.worker_gets, cost.coop_keeps) == (35_25, 27_75, 7_50)


def test_an_hour_rounds_half_up_to_the_penny():
    # £16.80 an hour: the person pays 1974 exactly; the worker gets 1554 exactly.
    assert pricing.hourly(16_80, SHARE) == pricing.Cost(worker_gets=15_54, person_pays=19_74)
    # £15.01: 1763.675 → 1764 for the person; 1388.425 → 1388 for the worker.
    assert pricing.hourly(15_01, SHARE) == pricing.Cost(worker_gets=13_88, person_pays=17_64)


@given(rate=rates, minutes=st.integers(min_value=0, max_value=24 * 60), share=shares)
def test_the_person_never_pays_less_than_the_worker_gets_and_nothing_is_negative(rate, minutes, share):
    cost = pricing.cost_of(rate_pence=rate, minutes=minutes, share=share)

    assert 0 <= cost.worker_gets <= cost.person_pays
    assert cost.coop_keeps == cost.person_pays - cost.worker_gets >= 0


@given(paying=st.integers(min_value=1, max_value=200_00), share=shares)
def test_searching_by_what_the_person_pays_finds_exactly_the_rates_within_it(paying, share):
    rate = pricing.highest_rate_within(paying, share)

    assert rate == 0 or pricing.hourly(rate, share).person_pays <= paying
    assert pricing.hourly(rate + 1, share).person_pays > paying
