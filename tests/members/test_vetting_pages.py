import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import VettingCheck
from tests.factories import (
    MembershipFactory,
    record_dbs,
    record_right_to_work,
)
from tests.second_factor import log_in_with_second_factor


@pytest.fixture
def worker(db):
    return MembershipFactory(member_class="worker", legal_name="Asha Begum", user__email="asha@example.org")


@pytest.fixture
def other_worker(db):
    return MembershipFactory(member_class="worker", legal_name="Tom Ackroyd")


def test_a_worker_cannot_read_another_workers_vetting(client, worker, other_worker, staff):
    record_dbs(other_worker, staff)
    client.force_login(worker.user)

    assert client.get(reverse("staff_worker_vetting", args=[other_worker.number])).status_code == 403
    assert client.get(reverse("staff_vetting_dashboard")).status_code == 403


def test_a_worker_sees_their_own_checks_on_their_account(client, worker, staff):
    record_dbs(worker, staff)
    client.force_login(worker.user)

    html = client.get(reverse("account_overview")).content.decode()

    assert "Criminal-record check (DBS)" in html
    assert "You cannot be booked until" in html


def test_staff_record_a_check_from_the_workers_page(client, worker, staff):
    log_in_with_second_factor(client, staff)

    response = client.post(
        reverse("staff_worker_vetting", args=[worker.number]),
        {
            "kind": "right_to_work",
            "right_to_work-issued_on": "2025-03-01",
            "right_to_work-document": "British passport",
            "right_to_work-expires_on": "",
        },
        follow=True,
    )

    assert "Check recorded." in response.content.decode()
    check = VettingCheck.objects.get(membership=worker)
    assert (check.kind, check.document, check.expires_on, check.verified_by) == (
        "right_to_work",
        "British passport",
        None,
        staff,
    )


def test_a_bad_certificate_number_is_shown_on_the_form_and_nothing_is_recorded(client, worker, staff):
    log_in_with_second_factor(client, staff)

    response = client.post(
        reverse("staff_worker_vetting", args=[worker.number]),
        {
            "kind": "dbs",
            "dbs-issued_on": "2025-03-01",
            "dbs-certificate_number": "ABC",
            "dbs-dbs_level": "enhanced",
        },
    )

    assert response.status_code == 400
    assert "A DBS certificate number has 12 digits." in response.content.decode()
    assert VettingCheck.objects.count() == 0


def test_vetting_pages_are_for_workers_only(client, member, staff):
    log_in_with_second_factor(client, staff)

    assert client.get(reverse("staff_worker_vetting", args=[member.number])).status_code == 404


def test_the_dashboard_makes_the_same_queries_for_few_or_many_checks(
    client, staff, django_assert_max_num_queries
):
    log_in_with_second_factor(client, staff)
    soon = timezone.localdate() + datetime.timedelta(days=10)

    def add(count):
        for _ in range(count):
            worker = MembershipFactory(member_class="worker")
            services.vetting_check_record(
                membership=worker,
                by=staff,
                kind="right_to_work",
                issued_on=datetime.date(2024, 1, 1),
                expires_on=soon,
                document="Visa",
            )

    add(2)
    with django_assert_max_num_queries(10) as few:
        assert client.get(reverse("staff_vetting_dashboard")).content.decode().count("status--expiring") == 2
    add(20)
    with django_assert_max_num_queries(10) as many:
        assert client.get(reverse("staff_vetting_dashboard")).content.decode().count("status--expiring") == 22

    assert len(few.captured_queries) == len(many.captured_queries)


# --- API ----------------------------------------------------------------------------------------


def test_staff_record_and_list_checks_through_the_api(api_client, worker, staff):
    api_client.force_authenticate(staff)
    url = f"/api/v1/members/{worker.number}/vetting/"

    created = api_client.post(
        url,
        {"kind": "training", "course": "First aid", "issued_on": "2025-05-01", "expires_on": "2028-05-01"},
        format="json",
    )
    listed = api_client.get(url)

    assert created.status_code == 201
    assert created.json()["course"] == "First aid"
    assert listed.json()["count"] == 1


def test_bad_vetting_input_through_the_api_is_a_400_with_the_field(api_client, worker, staff):
    api_client.force_authenticate(staff)

    response = api_client.post(
        f"/api/v1/members/{worker.number}/vetting/",
        {"kind": "reference", "issued_on": "2025-05-01"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["code"] == "referee_missing"
    assert response.json()["referee_name"]
    assert VettingCheck.objects.count() == 0


def test_a_worker_cannot_read_vetting_through_the_api(api_client, worker, other_worker):
    api_client.force_authenticate(worker.user)

    assert api_client.get(f"/api/v1/members/{other_worker.number}/vetting/").status_code == 403
    assert api_client.get("/api/v1/vetting/expiring/").status_code == 403


@pytest.mark.usefixtures("now")
def test_staff_stop_a_check_counting_from_the_workers_page(client, staff):
    worker = MembershipFactory(member_class="worker")
    check = record_right_to_work(worker, staff)
    log_in_with_second_factor(client, staff)

    client.post(
        reverse("staff_worker_vetting", args=[worker.number]),
        {"action": "void", "check": check.pk, "reason": "Visa revoked"},
    )

    check.refresh_from_db()
    assert check.voided_at is not None
