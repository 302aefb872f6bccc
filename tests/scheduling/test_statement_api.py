"""Statements and the finance figures through the API: a member's own, a person's for someone
acting for them, staff's months and closing them; refusals as JSON with stable codes."""

import pytest

from scheduling.models import ClosedMonth, Visit
from tests.scheduling.conftest import at
from tests.scheduling.test_statements import delivered

pytestmark = pytest.mark.usefixtures("now")

OCTOBER = "/api/v1/statements/2026/10/"


@pytest.fixture
def october(ruth, megan):
    return [delivered(ruth, megan, at(day, 9, month=10)) for day in (6, 8)]


def test_a_worker_reads_their_own_statement(api_client, megan, october):
    api_client.force_authenticate(megan.user)
    body = api_client.get(OCTOBER).json()
    assert body["member"] == megan.number
    assert body["side"] == "worker"
    assert body["month"] == "2026-10"
    assert body["closed"] is False
    assert (body["visits"], body["minutes"], body["amount_pence"], body["total_pence"]) == (
        2,
        120,
        2776,
        2776,
    )
    assert [line["visit"] for line in body["lines"]] == [visit.pk for visit in october]
    assert body["lines"][0]["adjustment"] is False


def test_someone_acting_for_a_person_reads_theirs_and_nobody_else_does(
    api_client, ruth, jane, megan, tom, october
):
    api_client.force_authenticate(jane)
    body = api_client.get(OCTOBER, {"member": ruth.number}).json()
    assert (body["side"], body["total_pence"]) == ("person", 3526)
    assert api_client.get(OCTOBER).status_code == 404  # Jane has no statement of her own
    api_client.force_authenticate(tom.user)
    for number in (ruth.number, megan.number, 999_999):
        response = api_client.get(OCTOBER, {"member": number})
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_bad_input_is_a_clear_refusal(api_client, megan):
    api_client.force_authenticate(megan.user)
    response = api_client.get(OCTOBER, {"member": "Megan"})
    assert response.status_code == 400
    assert "member" in response.json()
    assert api_client.get("/api/v1/statements/2026/13/").status_code == 404
    assert api_client.get("/api/v1/statements/2026/12/").status_code == 404  # not yet
    api_client.force_authenticate(None)
    assert api_client.get(OCTOBER).status_code == 401


def test_staff_read_a_month_and_close_it_once(api_client, staff, megan, ruth, october):
    api_client.force_authenticate(staff)
    figures = api_client.get("/api/v1/finance/2026/10/").json()
    assert figures == {
        "month": "2026-10",
        "closed": False,
        "visits": 2,
        "minutes": 120,
        "charged_pence": 3526,
        "paid_pence": 2776,
        "coop_pence": 750,
        "expenses_pence": 0,
    }
    closed = api_client.post("/api/v1/finance/2026/10/close/")
    assert closed.status_code == 201
    assert closed.json()["closed"] is True
    again = api_client.post("/api/v1/finance/2026/10/close/")
    assert again.status_code == 409
    assert again.json()["code"] == "already_closed"
    not_over = api_client.post("/api/v1/finance/2026/11/close/")
    assert (not_over.status_code, not_over.json()["code"]) == (409, "month_not_over")
    assert ClosedMonth.objects.count() == 1


def test_the_finance_endpoints_are_staffs(api_client, megan, october):
    api_client.force_authenticate(megan.user)
    for method, path in (("get", "/api/v1/finance/2026/10/"), ("post", "/api/v1/finance/2026/10/close/")):
        response = getattr(api_client, method)(path)
        assert response.status_code == 403
        assert response.json()["code"] == "staff_only"
    assert not ClosedMonth.objects.exists()
    assert Visit.objects.filter(hours="confirmed").count() == 2
