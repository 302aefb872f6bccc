import csv
import datetime
import io

import pytest
from django.utils import timezone

from members import services
from members.models import Application, Membership
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    admitted,
)

APPLICATIONS = "/api/v1/membership/applications/"
REGISTER = "/api/v1/members/register/"


def _application_body(documents, **overrides):
    body = {
        "member_class": "worker",
        "legal_name": "Asha Begum",
        "address": "7 Commercial Street\nHalifax",
        "postcode": "HX1 1BA",
        "phone": "0113 496 0123",
        "date_of_birth": "1990-04-12",
        "reason": "I want to be paid fairly for good care.",
        "rules_version": documents["rules"].version,
        "commitment_version": documents["commitment"].version,
    }
    body.update(overrides)
    return body


def test_me_shows_the_membership(api_client, member):
    api_client.force_authenticate(member.user)

    body = api_client.get("/api/v1/me/").json()

    assert body["membership"] == {"number": member.number, "member_class": "receiver", "status": "current"}


def test_me_shows_no_membership_for_a_newcomer(api_client, newcomer):
    api_client.force_authenticate(newcomer)

    assert api_client.get("/api/v1/me/").json()["membership"] is None


def test_applying_through_the_api(api_client, newcomer, documents):
    api_client.force_authenticate(newcomer)

    response = api_client.post(APPLICATIONS, _application_body(documents), format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["member_class"], body["shares"], body["amount_due_pence"]) == (
        "submitted",
        "worker",
        1,
        100,
    )
    assert body["reference"] == f"APP-{body['id']:05d}"


def test_bad_application_input_is_a_400_with_field_errors_and_changes_nothing(
    api_client, newcomer, documents
):
    api_client.force_authenticate(newcomer)

    response = api_client.post(
        APPLICATIONS, _application_body(documents, member_class="king", date_of_birth="soon"), format="json"
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body) >= {"detail", "member_class", "date_of_birth"}
    assert Application.objects.count() == 0


def test_a_rule_refusal_is_a_4xx_with_its_code(api_client, newcomer, documents):
    api_client.force_authenticate(newcomer)
    api_client.post(APPLICATIONS, _application_body(documents), format="json")

    response = api_client.post(APPLICATIONS, _application_body(documents), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "application_open"


def test_an_under_age_worker_gets_the_reason_on_the_field(api_client, newcomer, documents):
    api_client.force_authenticate(newcomer)
    too_young = (timezone.localdate().replace(year=timezone.localdate().year - 17)).isoformat()

    response = api_client.post(
        APPLICATIONS, _application_body(documents, date_of_birth=too_young), format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == "too_young"
    assert response.json()["date_of_birth"]


def test_agreeing_to_an_unknown_version_is_refused(api_client, newcomer, documents):
    api_client.force_authenticate(newcomer)

    response = api_client.post(APPLICATIONS, _application_body(documents, rules_version=99), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "documents_changed"


def test_a_person_lists_only_their_own_applications(api_client, newcomer, documents):
    mine = ApplicationFactory(user=newcomer)
    ApplicationFactory()
    api_client.force_authenticate(newcomer)

    body = api_client.get(APPLICATIONS).json()

    assert body["count"] == 1
    assert [row["id"] for row in body["results"]] == [mine.pk]


def test_staff_list_every_application_oldest_first(api_client, staff, documents):
    first, second = ApplicationFactory(), ApplicationFactory()
    api_client.force_authenticate(staff)

    body = api_client.get(APPLICATIONS, {"status": "submitted"}).json()

    assert [row["id"] for row in body["results"]] == [first.pk, second.pk]


def test_staff_record_payment_then_approve(api_client, staff, documents):
    application = ApplicationFactory()
    api_client.force_authenticate(staff)

    paid = api_client.post(
        f"{APPLICATIONS}{application.pk}/payment/",
        {"reference": "BACS 42", "paid_on": timezone.localdate().isoformat(), "amount_pence": 100},
        format="json",
    )
    approved = api_client.post(f"{APPLICATIONS}{application.pk}/approve/")

    assert paid.status_code == 200
    assert paid.json()["paid"] is True
    assert approved.status_code == 200
    assert approved.json()["number"] == 1
    assert approved.json()["shares_held"] == 1


def test_a_second_payment_is_refused_with_a_code_and_a_correction_says_so(api_client, staff, documents):
    application = ApplicationFactory()
    api_client.force_authenticate(staff)
    url = f"{APPLICATIONS}{application.pk}/payment/"
    body = {"reference": "BACS 42", "paid_on": timezone.localdate().isoformat(), "amount_pence": 100}

    first = api_client.post(url, body, format="json")
    second = api_client.post(url, {**body, "reference": "BACS 43"}, format="json")
    corrected = api_client.post(url, {**body, "reference": "BACS 43", "correction": True}, format="json")

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json()["code"] == "already_paid"
    assert corrected.status_code == 200
    application.refresh_from_db()
    assert application.payment_reference == "BACS 43"


def test_approving_without_payment_is_refused_with_a_code(api_client, staff, documents):
    application = ApplicationFactory()
    api_client.force_authenticate(staff)

    response = api_client.post(f"{APPLICATIONS}{application.pk}/approve/")

    assert response.status_code == 400
    assert response.json()["code"] == "payment_missing"
    assert Membership.objects.count() == 0


def test_staff_reject_with_a_reason(api_client, staff, documents):
    application = ApplicationFactory()
    api_client.force_authenticate(staff)

    response = api_client.post(f"{APPLICATIONS}{application.pk}/reject/", {"reason": "Outside our area."})

    assert response.status_code == 200
    assert response.json()["status"] == "rejected"


@pytest.mark.parametrize("action", ["payment", "approve", "reject"])
def test_a_member_cannot_decide_an_application(api_client, member, documents, action):
    application = ApplicationFactory()
    api_client.force_authenticate(member.user)

    response = api_client.post(f"{APPLICATIONS}{application.pk}/{action}/", {}, format="json")

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "submitted"


def test_deciding_an_application_that_does_not_exist_is_404(api_client, staff):
    api_client.force_authenticate(staff)

    assert api_client.post(f"{APPLICATIONS}999999/approve/").status_code == 404


def test_a_member_cannot_read_the_register(api_client, member):
    api_client.force_authenticate(member.user)

    response = api_client.get(REGISTER)

    assert response.status_code == 403
    assert response.json()["code"] == "staff_only"


def test_the_register_is_paginated_and_filtered(api_client, staff):
    MembershipFactory.create_batch(3, member_class="worker")
    MembershipFactory(member_class="investor", shares=250)
    api_client.force_authenticate(staff)

    body = api_client.get(REGISTER, {"member_class": "investor"}).json()

    assert body["count"] == 1
    assert body["results"][0]["shares_held"] == 250
    assert body["results"][0]["amount_paid_pence"] == 250_00


def test_the_register_downloads_whole_as_csv(api_client, staff):
    members = MembershipFactory.create_batch(30)
    api_client.force_authenticate(staff)

    response = api_client.get(REGISTER, {"format": "csv", "page_size": 5})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["number", "name", "address"]
    assert len(rows) == 1 + len(members)


def test_the_register_makes_the_same_queries_for_5_or_50_members(
    api_client, staff, django_assert_max_num_queries
):
    api_client.force_authenticate(staff)
    MembershipFactory.create_batch(5)
    with django_assert_max_num_queries(5) as small:
        assert api_client.get(REGISTER, {"page_size": 100}).status_code == 200
    MembershipFactory.create_batch(45)
    with django_assert_max_num_queries(5) as large:
        assert api_client.get(REGISTER, {"page_size": 100}).json()["count"] == 50

    assert len(small.captured_queries) == len(large.captured_queries)


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("postcode", "ZZ1", "invalid_postcode"), ("phone", "12", "invalid_phone")],
)
def test_the_api_checks_postcodes_and_phones_as_the_form_does(
    api_client, newcomer, documents, field, value, code
):
    api_client.force_authenticate(newcomer)

    response = api_client.post(APPLICATIONS, _application_body(documents, **{field: value}), format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()[field]
    assert Application.objects.count() == 0


def test_postcodes_are_kept_in_their_standard_form(api_client, newcomer, documents):
    api_client.force_authenticate(newcomer)

    api_client.post(APPLICATIONS, _application_body(documents, postcode="hx78ah"), format="json")

    assert Application.objects.get().postcode == "HX7 8AH"


@pytest.mark.usefixtures("now")
def test_me_shows_the_current_membership_after_rejoining(api_client, documents, staff):
    first = admitted(staff, datetime.date(1980, 1, 1))
    services.membership_cease(membership=first, by=staff, reason="resigned", ceased_on=timezone.localdate())
    again = ApplicationFactory(
        user=first.user,
        payment_date=timezone.localdate(),
        payment_amount_pence=100,
        payment_recorded_at=timezone.now(),
    )
    second = services.application_approve(application=again, by=staff)
    api_client.force_authenticate(first.user)

    body = api_client.get("/api/v1/me/").json()

    assert body["membership"] == {"number": second.number, "member_class": "receiver", "status": "current"}


@pytest.mark.usefixtures("now")
def test_a_very_long_address_is_refused_by_the_api(api_client, newcomer, documents):
    api_client.force_authenticate(newcomer)

    response = api_client.post(
        "/api/v1/membership/applications/",
        {
            "member_class": "receiver",
            "legal_name": "A",
            "address": "x" * 100_000,
            "postcode": "HX7 8AH",
            "date_of_birth": "1950-01-01",
            "reason": "r",
            "rules_version": 1,
            "commitment_version": 1,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["address"]
    assert Application.objects.count() == 0


@pytest.mark.usefixtures("now")
def test_the_api_names_the_field_it_was_given(api_client, newcomer, documents):
    api_client.force_authenticate(newcomer)

    response = api_client.post(
        "/api/v1/membership/applications/",
        {
            "member_class": "investor",
            "legal_name": "A",
            "address": "1 Road",
            "postcode": "HX7 8AH",
            "date_of_birth": "1950-01-01",
            "reason": "r",
            "rules_version": 1,
            "commitment_version": 1,
            "investment_pence": 5,
        },
        format="json",
    )

    assert response.json()["investment_pence"]
