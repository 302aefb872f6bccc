"""The dividend pages: staff's (403 for anyone else, decision 18) and a member's own statements."""

import datetime

import pytest
from django.urls import reverse

from governance.models import DividendAllocation, FinancialYear
from tests.factories import MembershipFactory
from tests.governance.dividends import (
    allocation_propose,
    approved_allocation,
    calculate,
    confirmed_visit,
    in_year,
    motion_decided,
    year_record,
)
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def calculated(staff, margaret, tom, ruth, megan):
    confirmed_visit(ruth, megan, in_year(5, 1), hours=3)
    confirmed_visit(ruth, tom, in_year(5, 2), hours=1)
    return calculate(
        staff, approved_allocation(staff, [margaret, tom], workers_pence=400_00, receivers_pence=100_00)
    )


def test_staff_pages_answer_403_to_members_and_ask_the_anonymous_to_log_in(client, calculated, margaret):
    urls = [
        reverse("staff_dividends"),
        reverse("staff_dividend_year", args=[calculated.year_id]),
        reverse("staff_dividend_allocation", args=[calculated.pk]),
        reverse("staff_dividend_progress", args=[calculated.pk]),
        reverse("staff_dividend_csv", args=[calculated.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(margaret.user)
    for url in urls:
        assert client.get(url).status_code == 403
    assert (
        client.post(reverse("staff_dividend_allocation_action", args=[calculated.pk, "pay"])).status_code
        == 403
    )
    calculated.refresh_from_db()
    assert calculated.status == DividendAllocation.Status.CALCULATED


def test_staff_record_a_surplus_and_a_bad_one_is_a_form_error_that_changes_nothing(client, staff):
    log_in_with_second_factor(client, staff)
    bad = client.post(
        reverse("staff_dividends"), {"starts": "2025-04-01", "ends": "2025-03-01", "surplus": "10"}
    )
    assert bad.status_code == 400
    assert "A year&#x27;s last day comes after its first." in bad.content.decode()
    assert client.post(reverse("staff_dividends"), {"starts": "x", "surplus": "-3"}).status_code == 400
    assert not FinancialYear.objects.exists()
    good = client.post(
        reverse("staff_dividends"), {"starts": "2025-04-01", "ends": "2026-03-31", "surplus": "12345.67"}
    )
    year = FinancialYear.objects.get()
    assert good.url == reverse("staff_dividend_year", args=[year.pk])
    assert year.surplus_pence == 12_345_67


def test_staff_propose_approve_calculate_and_pay_through_the_pages(client, staff, margaret, tom, ruth, megan):
    confirmed_visit(ruth, megan, in_year(5, 1), hours=3)
    year = year_record(staff, surplus_pence=1000_00)
    log_in_with_second_factor(client, staff)
    response = client.post(
        reverse("staff_dividend_year", args=[year.pk]),
        {
            "reserve_pence": "500",
            "community_pence": "0",
            "workers_pence": "400",
            "receivers_pence": "100",
            "advocates_pence": "0",
            "investors_pence": "0",
        },
    )
    allocation = DividendAllocation.objects.get()
    assert response.url == reverse("staff_dividend_allocation", args=[allocation.pk])
    page = client.get(response.url).content.decode()
    assert "Not yet approved at an AGM" in page
    motion = motion_decided(staff, [margaret, tom])
    action = reverse("staff_dividend_allocation_action", args=[allocation.pk, "calculate"])
    client.post(action)
    allocation.refresh_from_db()
    assert allocation.status == DividendAllocation.Status.PROPOSED  # refused: not approved
    client.post(
        reverse("staff_dividend_allocation_action", args=[allocation.pk, "approve"]), {"motion": motion.pk}
    )
    allocation.refresh_from_db()
    assert allocation.motion == motion
    client.post(action)
    allocation.refresh_from_db()
    assert allocation.status == DividendAllocation.Status.CALCULATING
    progress = client.get(reverse("staff_dividend_progress", args=[allocation.pk])).json()
    assert (progress["done"], progress["finished"]) == (0, False)
    page = client.get(reverse("staff_dividend_allocation", args=[allocation.pk])).content.decode()
    assert 'data-progress-url="' in page
    assert 'role="status" aria-live="polite"' in page
    from governance import tasks

    tasks.dividends_calculate_task(allocation_id=allocation.pk)
    progress = client.get(reverse("staff_dividend_progress", args=[allocation.pk])).json()
    assert progress == {
        "status": "calculated",
        "done": 2,
        "total": 2,
        "percent": 100,
        "finished": True,
        "message": "Done: 2 statements issued.",
    }
    csv = client.get(reverse("staff_dividend_csv", args=[allocation.pk]))
    assert csv["Content-Type"].startswith("text/csv")
    assert f"{megan.number},{megan.legal_name},worker,hours_worked,400.00" in csv.content.decode()
    client.post(reverse("staff_dividend_allocation_action", args=[allocation.pk, "pay"]))
    allocation.refresh_from_db()
    assert allocation.status == DividendAllocation.Status.PAID


def test_the_payment_file_opens_names_as_text_not_formulas(client, staff, margaret, tom, ruth):
    sly = MembershipFactory(member_class="worker", legal_name='=HYPERLINK("http://evil.example")')
    confirmed_visit(ruth, sly, in_year(5, 1))
    allocation = calculate(staff, approved_allocation(staff, [margaret, tom], workers_pence=10_00))
    log_in_with_second_factor(client, staff)
    body = client.get(reverse("staff_dividend_csv", args=[allocation.pk])).content.decode()
    assert "'=HYPERLINK" in body


def test_a_member_reads_their_own_statement_and_nobody_elses(client, calculated, megan, tom, ruth):
    client.force_login(megan.user)
    page = client.get(reverse("dividends_mine")).content.decode()
    assert "Your dividend is £300.00: you worked 3 of the 4 hours" in page
    assert "£100.00" not in page  # Tom's
    client.force_login(tom.user)
    assert (
        "Your dividend is £100.00: you worked 1 of the 4 hours"
        in client.get(reverse("dividends_mine")).content.decode()
    )
    account = client.get(reverse("account_overview")).content.decode()
    assert reverse("dividends_mine") in account


def _many_calculated(staff, voters, receiver, workers: int):
    for n, worker in enumerate(MembershipFactory.create_batch(workers, member_class="worker")):
        confirmed_visit(receiver, worker, in_year(5, 1) + datetime.timedelta(days=n))
    return calculate(staff, approved_allocation(staff, voters, workers_pence=100_00))


@pytest.mark.parametrize("workers", [2, 12])
def test_the_staff_pages_keep_their_queries_whatever_the_number_of_members(
    client, staff, margaret, tom, ruth, workers, django_assert_max_num_queries
):
    allocation = _many_calculated(staff, [margaret, tom], ruth, workers)
    log_in_with_second_factor(client, staff)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("staff_dividend_allocation", args=[allocation.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("staff_dividends")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("staff_dividend_year", args=[allocation.year_id])).status_code == 200


@pytest.mark.parametrize("years", [1, 2])
def test_a_members_dividend_page_keeps_its_queries_whatever_the_number_of_statements(
    client, staff, margaret, tom, ruth, megan, years, django_assert_max_num_queries
):
    from governance import services

    for n in range(years):
        year = services.financial_year_record(
            user=staff,
            starts=datetime.date(2025 - n, 4, 1),
            ends=datetime.date(2026 - n, 3, 31),
            surplus_pence=100_00,
            today=datetime.date(2026, 11, 23),
        )
        confirmed_visit(ruth, megan, in_year(5, 1) - datetime.timedelta(days=365 * n))
        allocation = allocation_propose(staff, year, workers_pence=100_00)
        motion = motion_decided(staff, [margaret, tom], title=f"Approve the dividends {n}")
        calculate(staff, services.allocation_approve(user=staff, allocation=allocation, motion=motion))
    client.force_login(megan.user)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("dividends_mine"))
    assert page.content.decode().count("Your dividend is £100.00") == years


def test_staff_declare_interest_on_its_page_then_export_and_pay_it(client, staff, ian, margaret):
    from governance.models import InterestDeclaration

    year = year_record(staff)
    client.force_login(margaret.user)
    assert (
        client.post(reverse("staff_interest_declare", args=[year.pk]), {"rate_percent": "3"}).status_code
        == 403
    )
    log_in_with_second_factor(client, staff)
    client.post(reverse("staff_interest_declare", args=[year.pk]), {"rate_percent": "9"})  # above the cap
    assert not InterestDeclaration.objects.exists()
    client.post(reverse("staff_interest_declare", args=[year.pk]), {"rate_percent": "3"})
    declaration = InterestDeclaration.objects.get()
    page = client.get(reverse("staff_dividend_year", args=[year.pk])).content.decode()
    assert "3.00% a year" in page
    csv = client.get(reverse("staff_interest_csv", args=[declaration.pk])).content.decode()
    assert f"{ian.number},{ian.legal_name},500.00,3.00,15.00,INT2025-{ian.number}" in csv
    client.post(reverse("staff_interest_pay", args=[declaration.pk]))
    declaration.refresh_from_db()
    assert declaration.status == "paid"
    client.force_login(ian.user)
    assert (
        "Your interest is £15.00: 3.00% a year on the £500.00"
        in client.get(reverse("dividends_mine")).content.decode()
    )
