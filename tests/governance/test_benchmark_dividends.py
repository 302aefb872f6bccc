from io import StringIO

from django.core.management import call_command

from carecoop.models import Email
from governance.models import Dividend, FinancialYear
from members.models import Membership
from scheduling.models import Visit
from tests.benchmarks import figure


def test_the_dividend_benchmark_prints_its_time_and_leaves_nothing_behind(db):
    out = StringIO()

    call_command("benchmark_dividends", members=40, visits=2000, stdout=out)

    text = out.getvalue()
    seconds = figure(text, r"Calculating dividends for 40 members over 2,000 visits: (\d+\.\d+) s")
    assert 0 < seconds < 10
    assert figure(text, r"\(hours added up, (\d+) dividends written\)") == 40
    assert figure(text, r"Issuing (\d+) statements") == 40
    assert "exact" in text
    assert "Status: calculated." in text
    assert "Rolled back" in text
    assert Membership.objects.count() == 0
    assert Visit.objects.count() == 0
    assert Dividend.objects.count() == 0
    assert FinancialYear.objects.count() == 0
    assert Email.objects.count() == 0
