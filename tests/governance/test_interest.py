"""Interest on investors' shares: a rate the board sets within the rules' cap, pro rata by the days
each pound was held, rounded down, its own statements, declared once a year."""

import datetime
from decimal import Decimal

import pytest

from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from carecoop.models import Email
from governance import services
from governance.models import DividendPolicy, InterestDeclaration, ShareInterest
from governance.selectors import dividends as selectors
from members.models import ShareTransaction
from tests.clock import NOW
from tests.factories import MembershipFactory
from tests.governance.dividends import year_record

pytestmark = pytest.mark.usefixtures("now")


def test_interest_is_paid_on_capital_for_the_days_it_was_held(staff, ian):
    late = MembershipFactory(member_class="investor", shares=0, legal_name="Lena Late")
    ShareTransaction.objects.create(
        membership=late,
        kind="subscription",
        shares=1000,
        amount_pence=1000_00,
        date=datetime.date(2025, 10, 1),
    )
    worker = MembershipFactory(member_class="worker")  # not an investor: no interest
    declaration = services.interest_declare(
        user=staff, year=year_record(staff), rate_percent=Decimal("4.00"), today=NOW.date()
    )
    paid = dict(ShareInterest.objects.values_list("membership_id", "amount_pence"))
    # Ian held £500 all year: 4% is £20. Lena's £1,000 from 1 October: 182/365 of £40 = £19.945…
    assert paid == {ian.pk: 20_00, late.pk: 19_94}
    assert worker.pk not in paid
    assert declaration.total_pence == 39_94
    emails = {e.to: e.context for e in Email.objects.filter(kind="governance.interest_statement")}
    assert emails[ian.user.email]["amount"] == "£20.00"
    assert emails[late.user.email]["average"] == "£498.63"
    assert list(selectors.interest_for_user(user=ian.user).values_list("amount_pence", flat=True)) == [20_00]
    assert selectors.interest_payment_rows(declaration=declaration)[1][-2:] == [
        "20.00",
        f"INT2025-{ian.number}",
    ]


def test_a_rate_above_the_rules_cap_is_refused(staff, ian):
    DividendPolicy.objects.update_or_create(pk=1, defaults={"interest_max_percent": Decimal("3.00")})
    with pytest.raises(ApplicationError) as refused:
        services.interest_declare(
            user=staff, year=year_record(staff), rate_percent=Decimal("3.01"), today=NOW.date()
        )
    assert refused.value.code == "rate_above_rules"
    assert not InterestDeclaration.objects.exists()


@pytest.mark.parametrize("rate", ["0", "-1", "2.555", "NaN", "lots"])
def test_a_rate_that_is_not_one_is_refused(staff, rate):
    with pytest.raises(ApplicationError) as refused:
        services.interest_declare(user=staff, year=year_record(staff), rate_percent=rate, today=NOW.date())
    assert refused.value.code == "invalid_rate"


def test_interest_is_declared_once_a_year_and_paid_once(staff, ian, margaret):
    year = year_record(staff)
    with pytest.raises(NotAllowedError):
        services.interest_declare(user=margaret.user, year=year, rate_percent=Decimal(2), today=NOW.date())
    declaration = services.interest_declare(user=staff, year=year, rate_percent=Decimal(2), today=NOW.date())
    with pytest.raises(ConflictError) as again:
        services.interest_declare(user=staff, year=year, rate_percent=Decimal(3), today=NOW.date())
    assert again.value.code == "already_declared"
    assert ShareInterest.objects.count() == 1
    services.interest_pay(user=staff, declaration=declaration)
    with pytest.raises(ConflictError) as twice:
        services.interest_pay(user=staff, declaration=declaration)
    assert twice.value.code == "already_paid"
