"""The dividend API: a member's own statements (404 for anyone else's), and staff's surplus,
allocation, approval, calculation and payment (403 for anyone else), with stable codes."""

import pytest

from governance.models import DividendAllocation, FinancialYear
from tests.governance.dividends import (
    allocation_propose,
    approved_allocation,
    calculate,
    confirmed_visit,
    in_year,
    motion_decided,
    year_record,
)

pytestmark = pytest.mark.usefixtures("now")


def _as(api_client, user):
    api_client.force_authenticate(getattr(user, "user", user))
    return api_client


@pytest.fixture
def calculated(staff, margaret, tom, ruth, megan):
    confirmed_visit(ruth, megan, in_year(5, 1), hours=3)
    confirmed_visit(ruth, tom, in_year(5, 2), hours=1)
    return calculate(staff, approved_allocation(staff, [margaret, tom], workers_pence=400_00))


def test_a_member_reads_their_own_dividend_statements(api_client, calculated, megan):
    body = _as(api_client, megan).get("/api/v1/dividends/").json()
    assert body["count"] == 1
    statement = body["results"][0]
    assert statement["amount_pence"] == 300_00
    assert statement["measure"] == "hours_worked"
    assert (statement["quantity"], statement["class_quantity"]) == (180, 240)
    assert statement["statement"].startswith("Your dividend is £300.00: you worked 3 of the 4 hours")
    assert api_client.get(f"/api/v1/dividends/{statement['id']}/").json()["id"] == statement["id"]


def test_another_members_statement_is_not_found(api_client, calculated, megan, tom, margaret):
    megans = _as(api_client, megan).get("/api/v1/dividends/").json()["results"][0]["id"]
    response = _as(api_client, tom).get(f"/api/v1/dividends/{megans}/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    assert _as(api_client, margaret).get("/api/v1/dividends/").json()["count"] == 0
    api_client.force_authenticate(None)
    assert api_client.get("/api/v1/dividends/").status_code == 401


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/financial-years/"),
        ("post", "/api/v1/financial-years/"),
        ("post", "/api/v1/allocations/"),
        ("get", "/api/v1/allocations/{pk}/"),
        ("post", "/api/v1/allocations/{pk}/approval/"),
        ("get", "/api/v1/allocations/{pk}/calculation/"),
        ("post", "/api/v1/allocations/{pk}/calculation/"),
        ("post", "/api/v1/allocations/{pk}/payment/"),
    ],
)
def test_staff_endpoints_answer_403_to_members(api_client, calculated, margaret, method, path):
    response = getattr(_as(api_client, margaret), method)(path.format(pk=calculated.pk), {}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "staff_only")
    calculated.refresh_from_db()
    assert calculated.status == DividendAllocation.Status.CALCULATED


def test_staff_record_propose_approve_calculate_and_pay_through_the_api(
    api_client, staff, margaret, tom, ruth, megan
):
    confirmed_visit(ruth, megan, in_year(5, 1), hours=2)
    client = _as(api_client, staff)
    year = client.post(
        "/api/v1/financial-years/",
        {"starts": "2025-04-01", "ends": "2026-03-31", "surplus_pence": 1000_00},
        format="json",
    )
    assert year.status_code == 201
    pools = {
        "reserve_pence": 500_00,
        "community_pence": 0,
        "workers_pence": 500_00,
        "receivers_pence": 0,
        "advocates_pence": 0,
        "investors_pence": 0,
    }
    short = client.post(
        "/api/v1/allocations/", {"year": year.json()["id"], **pools, "reserve_pence": 1}, format="json"
    )
    assert (short.status_code, short.json()["code"]) == (400, "does_not_add_up")
    created = client.post("/api/v1/allocations/", {"year": year.json()["id"], **pools}, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    early = client.post(f"/api/v1/allocations/{pk}/calculation/")
    assert (early.status_code, early.json()["code"]) == (400, "not_approved")
    unpaid = client.post(f"/api/v1/allocations/{pk}/payment/")
    assert (unpaid.status_code, unpaid.json()["code"]) == (400, "not_approved")
    motion = motion_decided(staff, [margaret, tom])
    approved = client.post(f"/api/v1/allocations/{pk}/approval/", {"motion": motion.pk}, format="json")
    assert approved.json()["motion"] == motion.pk
    started = client.post(f"/api/v1/allocations/{pk}/calculation/")
    assert started.status_code == 202
    assert started.json()["status"] == "calculating"
    from governance import tasks

    tasks.dividends_calculate_task(allocation_id=pk)
    progress = client.get(f"/api/v1/allocations/{pk}/calculation/").json()
    assert (progress["status"], progress["done"], progress["total"], progress["percent"]) == (
        "calculated",
        1,
        1,
        100,
    )
    again = client.post(f"/api/v1/allocations/{pk}/calculation/")
    assert (again.status_code, again.json()["code"]) == (409, "already_calculated")
    paid = client.post(f"/api/v1/allocations/{pk}/payment/")
    assert paid.json()["paid_at"] is not None
    twice = client.post(f"/api/v1/allocations/{pk}/payment/")
    assert (twice.status_code, twice.json()["code"]) == (409, "already_paid")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"starts": "2025-04-01", "ends": "soon", "surplus_pence": 1},
        {"starts": "2025-04-01", "ends": "2026-03-31", "surplus_pence": -5},
    ],
)
def test_bad_surplus_input_is_a_400_naming_the_field_and_changes_nothing(api_client, staff, body):
    response = _as(api_client, staff).post("/api/v1/financial-years/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not FinancialYear.objects.exists()


def test_an_allocation_or_motion_that_is_not_there_is_a_clear_error(api_client, staff):
    year = year_record(staff)
    allocation = allocation_propose(staff, year)
    client = _as(api_client, staff)
    assert client.get("/api/v1/allocations/999999/").status_code == 404
    missing = client.post(f"/api/v1/allocations/{allocation.pk}/approval/", {"motion": 999999}, format="json")
    assert (missing.status_code, missing.json()["code"], "motion" in missing.json()) == (
        400,
        "not_found",
        True,
    )


def test_a_member_reads_their_interest_statements(api_client, staff, ian):
    from decimal import Decimal

    from governance import services
    from tests.clock import NOW

    services.interest_declare(user=staff, year=year_record(staff), rate_percent=Decimal(3), today=NOW.date())
    body = _as(api_client, ian).get("/api/v1/interest/").json()
    assert body["results"][0]["amount_pence"] == 15_00
    assert body["results"][0]["rate_percent"] == "3.00"
