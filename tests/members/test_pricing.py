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


# --- A sleep-in night, and mileage -------------------------------------------------------------


def test_a_night_at_sixty_pounds_is_shared_by_the_same_rule():
    # £60 a night: the person pays £70.50, the worker gets £55.50, the co-op keeps £15.
    assert pricing.night(60_00, SHARE) == pricing.Cost(worker_gets=55_50, person_pays=70_50)
    # £55.01: 6463.675 → 6464 for the person; 5088.425 → 5088 for the worker.
    assert pricing.night(55_01, SHARE) == pricing.Cost(worker_gets=50_88, person_pays=64_64)


@given(rate=rates, share=shares)
def test_a_night_is_each_side_of_the_flat_rate_rounded_half_up_to_the_penny(rate, share):
    cost = pricing.night(rate, share)
    exact_pays = Decimal(rate) * (100 + share.coop_addition_percent) / 100
    exact_gets = Decimal(rate) * (100 - share.coop_deduction_percent) / 100

    assert 0 <= cost.worker_gets <= rate <= cost.person_pays
    assert abs(cost.person_pays - exact_pays) <= Decimal("0.5")
    assert abs(cost.worker_gets - exact_gets) <= Decimal("0.5")
    # Half a penny goes up, never down.
    assert cost.person_pays - exact_pays != Decimal("-0.5")
    assert cost.worker_gets - exact_gets != Decimal("-0.5")
    # A night costs what an hour at the same figure would: one rule, not two.
    assert cost == pricing.hourly(rate, share)


def test_mileage_is_the_miles_at_the_rate_rounded_half_up():
    assert pricing.mileage(Decimal("12.5"), 45) == 5_63  # 562.5 → 563
    assert pricing.mileage(Decimal("0.1"), 45) == 5  # 4.5 → 5
    assert pricing.mileage(Decimal("10"), 45) == 4_50


@given(miles=st.decimals(min_value=Decimal("0.1"), max_value=500, places=1), rate=st.integers(1, 200))
def test_mileage_is_never_more_than_half_a_penny_from_exact(miles, rate):
    # A tenth of a mile at 1p comes to nothing: the expense service refuses an amount of none.
    amount = pricing.mileage(miles, rate)

    assert amount >= 0
    assert -Decimal("0.5") < amount - miles * rate <= Decimal("0.5")
