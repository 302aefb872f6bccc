"""Statements and the finance page in the browser: who may read what, the downloads, closing a
month, and pages whose queries do not grow with the month's visits."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from scheduling.models import ClosedMonth, Visit
from tests.factories import UserFactory
from tests.scheduling.conftest import at
from tests.scheduling.test_statements import OCTOBER, delivered
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")


def _url(name, member, month=OCTOBER):
    return reverse(name, args=[member.number, month.year, month.month])


@pytest.fixture
def october(ruth, megan):
    return [delivered(ruth, megan, at(day, 9, month=10)) for day in (6, 8)]


def _rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


# --- Who reads a statement ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reader", "owner", "status"),
    [
        ("megan", "megan", 200),
        ("ruth", "ruth", 200),
        ("jane", "ruth", 200),  # in Ruth's circle with the power to book
        ("staff", "megan", 200),
        ("ruth", "megan", 404),
        ("megan", "ruth", 404),  # her team's person: not her money
        ("tom", "megan", 404),
        ("asha", "megan", 404),
        ("outsider", "ruth", 404),
        ("viewer", "ruth", 404),  # in Ruth's circle, seeing her care but not booking
    ],
)
def test_who_reads_a_statement(client, request, october, reader, owner, status, ruth):
    if reader == "viewer":
        from members.models import CircleMember

        viewer = UserFactory(email="viewer@example.org")
        CircleMember.objects.create(
            receiver=ruth,
            supporter=viewer,
            email=viewer.email,
            status="active",
            can_view_care=True,
            can_book=False,
            token_hash="viewer",
            invited_by=ruth.user,
            expires_at=at(30, 9),
        )
        user = viewer
    else:
        person = request.getfixturevalue(reader)
        user = person if reader in ("jane", "staff", "outsider") else person.user
    log_in_with_second_factor(client, user)
    member = request.getfixturevalue(owner)
    for name in ("statement", "statement_csv", "statement_pdf"):
        assert client.get(_url(name, member)).status_code == status, name


def test_the_anonymous_are_asked_to_log_in(client, megan):
    response = client.get(_url("statement", megan))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_month_outside_the_membership_or_a_made_up_one_is_not_found(client, megan):
    client.force_login(megan.user)
    assert client.get(reverse("statement", args=[megan.number, 2026, 13])).status_code == 404
    assert client.get(reverse("statement", args=[megan.number, 2027, 1])).status_code == 404  # not yet
    assert client.get(reverse("statement", args=[megan.number, 2001, 1])).status_code == 404  # before joining


def test_statements_lead_a_worker_to_this_months(client, megan):
    client.force_login(megan.user)
    response = client.get(reverse("statements"))
    assert response.status_code == 302
    assert response["Location"] == _url("statement", megan, datetime.date(2026, 11, 1))


def test_someone_acting_for_a_person_chooses_whose_statement(client, jane, ruth):
    client.force_login(jane)
    response = client.get(reverse("statements"))
    assert response.status_code == 200
    assert _url("statement", ruth, datetime.date(2026, 11, 1)) in response.content.decode()


# --- What it shows and downloads ------------------------------------------------------------------


def test_a_workers_statement_page_csv_and_pdf(client, megan, october):
    client.force_login(megan.user)
    page = client.get(_url("statement", megan)).content.decode()
    assert "£27.76" in page  # two hours at £15 less 7.5%, each visit rounded: 2 × £13.88
    assert "Kept by the co-op" in page

    rows = _rows(client.get(_url("statement_csv", megan)))
    assert rows[0][4] == "Earned"
    assert [row[4] for row in rows[1:]] == ["13.88", "13.88", "27.76"]
    assert rows[-1][0] == "Total"

    pdf = client.get(_url("statement_pdf", megan))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert f"statement-{megan.number}-2026-10.pdf" in pdf["Content-Disposition"]


def test_a_persons_statement_says_what_to_pay(client, ruth, october):
    client.force_login(ruth.user)
    page = client.get(_url("statement", ruth)).content.decode()
    assert "To pay" in page
    assert "£35.26" in page  # 2 × £17.63


def test_a_csv_cell_that_looks_like_a_formula_is_text(client, ruth, megan, october):
    megan.profile.display_name = "=HYPERLINK(1)"
    megan.profile.save()
    client.force_login(ruth.user)
    rows = _rows(client.get(_url("statement_csv", ruth)))
    assert rows[1][2] == "'=HYPERLINK(1)"


def test_a_statement_page_asks_the_same_queries_for_two_visits_or_forty(
    client, ruth, megan, django_assert_max_num_queries
):
    client.force_login(megan.user)
    delivered(ruth, megan, at(1, 7, month=10))
    with django_assert_max_num_queries(14) as few:
        client.get(_url("statement", megan))
    for index in range(40):
        delivered(ruth, megan, at(2, 7, month=10) + datetime.timedelta(hours=3 * index))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "£569.08" in client.get(_url("statement", megan)).content.decode()  # 41 × £13.88


# --- Staff: the finance page ------------------------------------------------------------------------


def test_the_finance_page_is_staffs(client, megan):
    client.force_login(megan.user)
    assert client.get(reverse("staff_finance")).status_code == 403
    assert client.post(reverse("staff_finance_close", args=[2026, 10])).status_code == 403
    assert client.get(reverse("staff_pay_run", args=[2026, 10])).status_code == 403
    assert client.get(reverse("staff_invoices", args=[2026, 10])).status_code == 403
    assert not ClosedMonth.objects.exists()


def test_staff_read_a_months_figures_close_it_and_export_pay_run_and_invoices(
    client, staff, ruth, megan, october
):
    delivered(ruth, megan, at(20, 9, month=10), hours=Visit.Hours.PENDING)
    log_in_with_second_factor(client, staff)
    page = client.get(reverse("staff_finance"), {"month": "2026-10"}).content.decode()
    assert "£35.26" in page  # charged
    assert "£27.76" in page  # paid to workers
    assert "£7.50" in page  # kept: 2 × (£17.63 − £13.88)
    assert "1 visit this month has hours not yet confirmed" in page
    assert "Close October 2026" in page

    response = client.post(reverse("staff_finance_close", args=[2026, 10]), follow=True)
    assert "October 2026 is closed" in response.content.decode()
    assert ClosedMonth.objects.get().closed_by == staff

    pay_run = _rows(client.get(reverse("staff_pay_run", args=[2026, 10])))
    assert pay_run[1][:4] == [str(megan.number), "Megan Holt", "2", "120"]
    assert pay_run[1][7:] == ["27.76", "yes"]
    invoices = _rows(client.get(reverse("staff_invoices", args=[2026, 10])))
    assert invoices[1][:2] == [str(ruth.number), "Ruth Sutcliffe"]
    assert invoices[1][7] == "35.26"


def test_closing_a_month_not_over_says_why_and_closes_nothing(client, staff):
    log_in_with_second_factor(client, staff)
    response = client.post(reverse("staff_finance_close", args=[2026, 11]), follow=True)
    assert "only once it is over" in response.content.decode()
    assert not ClosedMonth.objects.exists()


def test_a_made_up_month_on_the_finance_page_shows_this_month(client, staff):
    log_in_with_second_factor(client, staff)
    for asked in ("2026-13", "nonsense", "9999-99"):
        response = client.get(reverse("staff_finance"), {"month": asked})
        assert response.status_code == 200
        assert "Finance: November 2026" in response.content.decode()
    # A null character is refused for every page alike (decision 39).
    assert client.get(reverse("staff_finance"), {"month": "\x00"}).status_code == 400


def test_the_finance_page_asks_the_same_queries_however_many_visits(
    client, staff, ruth, megan, django_assert_max_num_queries
):
    log_in_with_second_factor(client, staff)
    delivered(ruth, megan, at(1, 7, month=10))
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("staff_finance"), {"month": "2026-10"})
    for index in range(30):
        delivered(ruth, megan, at(2, 7, month=10) + datetime.timedelta(hours=3 * index))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("staff_finance"), {"month": "2026-10"})
