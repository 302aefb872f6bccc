import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import Application, GoverningDocument, Membership
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
)
from tests.second_factor import log_in_with_second_factor
from tests.sent_once import form_token


def _form(documents, **overrides):
    data = {
        "member_class": "receiver",
        "legal_name": "Ruth Sutcliffe",
        "address": "14 Albert Street\nHebden Bridge",
        "postcode": "hx7 8ah",
        "phone": "",
        "date_of_birth": "1948-03-02",
        "reason": "To choose who helps me.",
        "investment": "",
        "rules_version": documents["rules"].version,
        "commitment_version": documents["commitment"].version,
        "agree_rules": "on",
        "agree_commitment": "on",
    }
    data.update(overrides)
    return data


# --- Applying ---------------------------------------------------------------------------------


def test_applying_needs_a_login(client, documents):
    response = client.get(reverse("application_create"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_application_form_links_the_versions_to_agree_to(client, newcomer, documents):
    client.force_login(newcomer)

    html = client.get(reverse("application_create")).content.decode()

    assert reverse("document_version", args=["rules", 1]) in html
    assert reverse("document_version", args=["commitment", 1]) in html


def test_applying_sends_the_application_and_shows_what_happens_next(client, newcomer, documents):
    client.force_login(newcomer)

    response = client.post(reverse("application_create"), _form(documents), follow=True)

    application = Application.objects.get(user=newcomer)
    assert application.postcode == "HX7 8AH"
    html = response.content.decode()
    assert application.reference in html
    assert "£1.00" in html


def test_a_form_with_mistakes_says_what_to_fix_and_saves_nothing(client, newcomer, documents):
    client.force_login(newcomer)

    response = client.post(
        reverse("application_create"),
        _form(documents, postcode="nowhere", agree_rules="", member_class="investor", investment=""),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter how much you want to invest." in html
    assert "Enter a valid postcode." in html
    assert Application.objects.count() == 0


def test_a_worker_under_18_is_told_why_on_the_form(client, newcomer, documents):
    client.force_login(newcomer)
    born = timezone.localdate().replace(year=timezone.localdate().year - 16).isoformat()

    response = client.post(
        reverse("application_create"), _form(documents, member_class="worker", date_of_birth=born)
    )

    assert response.status_code == 400
    assert "Workers must be 18 or over." in response.content.decode()
    assert Application.objects.count() == 0


def test_a_change_to_the_rules_while_applying_asks_to_agree_again(client, newcomer, documents):
    client.force_login(newcomer)
    data = _form(documents)
    GoverningDocument.objects.create(kind="rules", version=2, title="Rules", body="New rules.")

    response = client.post(reverse("application_create"), data)

    assert response.status_code == 400
    assert "have changed since you opened this page" in response.content.decode()
    assert Application.objects.count() == 0


def test_applications_are_closed_until_the_documents_are_published(client, newcomer):
    client.force_login(newcomer)

    response = client.get(reverse("application_create"))

    assert "Applications open once the co-op has published its rules" in response.content.decode()


def test_a_member_is_sent_to_their_account_instead_of_the_form(client, member, documents):
    client.force_login(member.user)

    response = client.get(reverse("application_create"))

    assert response["Location"] == reverse("account_overview")


def test_the_account_page_shows_the_membership_number_and_shares(client, member):
    client.force_login(member.user)

    html = client.get(reverse("account_overview")).content.decode()

    assert str(member.number) in html
    assert "1 share (£1.00)" in html


def test_an_applicant_may_withdraw(client, newcomer, documents):
    application = ApplicationFactory(user=newcomer)
    client.force_login(newcomer)

    client.post(reverse("application_withdraw"))

    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_withdrawing_with_nothing_open_is_a_404(client, newcomer):
    client.force_login(newcomer)

    assert client.post(reverse("application_withdraw")).status_code == 404


def test_documents_are_public_by_version(client, documents):
    response = client.get(reverse("document_version", args=["rules", 1]))

    assert response.status_code == 200
    assert "Rules of the co-op" in response.content.decode()
    assert client.get(reverse("document_version", args=["rules", 7])).status_code == 404
    assert client.get("/membership/documents/nonsense/").status_code == 404


# --- Staff pages ------------------------------------------------------------------------------

STAFF_PAGES = ["staff_application_queue", "staff_register", "staff_documents"]


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_a_member_is_told_staff_pages_are_for_staff(client, member, name):
    client.force_login(member.user)

    response = client.get(reverse(name))

    assert response.status_code == 403
    assert "You cannot open this page" in response.content.decode()


@pytest.mark.parametrize("name", STAFF_PAGES)
def test_staff_pages_ask_a_visitor_to_log_in(client, db, name):
    assert client.get(reverse(name))["Location"].startswith(reverse("account_login"))


def test_a_member_cannot_see_another_members_register_page(client, member):
    other = MembershipFactory()
    client.force_login(member.user)

    assert client.get(reverse("staff_member_detail", args=[other.number])).status_code == 403


def test_the_queue_lists_waiting_applications_oldest_first(client, staff, documents):
    first = ApplicationFactory(legal_name="Alice Older")
    second = ApplicationFactory(legal_name="Bob Newer")
    ApplicationFactory(legal_name="Carol Decided", status="rejected")
    log_in_with_second_factor(client, staff)

    html = client.get(reverse("staff_application_queue")).content.decode()

    assert html.index(first.legal_name) < html.index(second.legal_name)
    assert "Carol Decided" not in html


def payment_form(reference="BACS 7", amount="1.00", **extra):
    """The staff's form recording the money paid for an application's shares."""
    return {
        "action": "payment",
        "payment-reference": reference,
        "payment-paid_on": timezone.localdate().isoformat(),
        "payment-amount": amount,
        **extra,
    }


def test_staff_record_the_payment_and_approve(client, staff, documents):
    application = ApplicationFactory()
    log_in_with_second_factor(client, staff)
    url = reverse("staff_application_review", args=[application.pk])

    client.post(url, payment_form())
    asked = client.post(url, {"action": "approve"})
    assert "This adds them to the register." in asked.content.decode()
    assert not Membership.objects.filter(user=application.user).exists()
    response = client.post(url, {"action": "approve_confirmed"}, follow=True)

    membership = Membership.objects.get(user=application.user)
    assert f"is now member number {membership.number}" in response.content.decode()


def test_a_payment_form_sent_twice_records_one_payment(client, staff, documents):
    application = ApplicationFactory()
    log_in_with_second_factor(client, staff)
    url = reverse("staff_application_review", args=[application.pk])
    token = form_token(client, url)
    form = payment_form(sent_once=token)

    first = client.post(url, form)
    again = client.post(url, {**form, "payment-reference": "BACS 8"}, follow=True)

    assert first.status_code == 302
    assert "already been sent" in again.content.decode()
    application.refresh_from_db()
    assert application.payment_reference == "BACS 7"
    assert application.history.filter(history_change_reason="Payment recorded").count() == 1


def test_a_payment_for_a_paid_application_is_refused_on_the_form(client, staff, documents):
    application = ApplicationFactory(
        payment_reference="BACS 7",
        payment_date=timezone.localdate(),
        payment_amount_pence=100,
        payment_recorded_at=timezone.now(),
    )
    log_in_with_second_factor(client, staff)

    response = client.post(reverse("staff_application_review", args=[application.pk]), payment_form("BACS 8"))

    page = client.get(response["Location"]).content.decode()
    assert "The payment for this application is already recorded" in page
    application.refresh_from_db()
    assert application.payment_reference == "BACS 7"


def test_a_wrong_payment_amount_shows_on_the_form_and_records_nothing(client, staff, documents):
    application = ApplicationFactory()
    log_in_with_second_factor(client, staff)

    response = client.post(
        reverse("staff_application_review", args=[application.pk]), payment_form(amount="0.50")
    )

    assert response.status_code == 400
    assert "the amount recorded must match" in response.content.decode()
    application.refresh_from_db()
    assert not application.is_paid


def test_rejecting_needs_a_reason_on_the_form(client, staff, documents):
    application = ApplicationFactory()
    log_in_with_second_factor(client, staff)

    response = client.post(
        reverse("staff_application_review", args=[application.pk]), {"action": "reject", "reject-reason": ""}
    )

    assert response.status_code == 400
    application.refresh_from_db()
    assert application.status == "submitted"


def test_the_register_page_and_csv(client, staff):
    MembershipFactory(legal_name="Ruth Sutcliffe", member_class="receiver")
    MembershipFactory(legal_name="Tom Ackroyd", member_class="worker")
    log_in_with_second_factor(client, staff)

    page = client.get(reverse("staff_register"), {"member_class": "worker"}).content.decode()
    download = client.get(reverse("staff_register"), {"member_class": "worker", "format": "csv"})

    assert "Tom Ackroyd" in page
    assert "Ruth Sutcliffe" not in page
    rows = list(csv.reader(io.StringIO(download.getvalue().decode())))
    assert [row[1] for row in rows[1:]] == ["Tom Ackroyd"]
    assert "attachment" in download["Content-Disposition"]


def test_the_register_page_makes_the_same_queries_for_3_or_60_members(
    client, staff, django_assert_max_num_queries
):
    log_in_with_second_factor(client, staff)
    MembershipFactory.create_batch(3)
    with django_assert_max_num_queries(8) as small:
        assert client.get(reverse("staff_register")).status_code == 200
    MembershipFactory.create_batch(57)
    with django_assert_max_num_queries(8) as large:
        assert client.get(reverse("staff_register")).status_code == 200

    assert len(small.captured_queries) == len(large.captured_queries)


def test_a_later_page_of_the_register_shows_its_own_members_shares(client, staff):
    log_in_with_second_factor(client, staff)
    MembershipFactory.create_batch(50)
    investor = MembershipFactory(legal_name="Ian Crossley", member_class="investor", shares=250)

    page = client.get(reverse("staff_register"), {"page": 2})

    assert [member.pk for member in page.context["page"]] == [investor.pk]
    shown = page.context["page"][0]
    assert (shown.shares_held, shown.amount_paid_pence) == (250, 250_00)
    assert "51 members found." in page.content.decode()


@pytest.mark.usefixtures("now")
def test_the_register_csv_is_sent_as_it_is_read_with_every_column(client, staff):
    worker = MembershipFactory(legal_name="Tom Ackroyd", member_class="worker", shares=3)
    left = MembershipFactory(legal_name="Ruth Sutcliffe", member_class="receiver")
    services.membership_cease(
        membership=left, by=staff, reason="resigned", ceased_on=timezone.localdate(), note="Moved away."
    )
    log_in_with_second_factor(client, staff)

    download = client.get(reverse("staff_register"), {"format": "csv"})

    assert download.streaming
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download["Content-Disposition"] == (
        f'attachment; filename="register-of-members-{timezone.localdate().isoformat()}.csv"'
    )
    rows = list(csv.reader(io.StringIO(download.getvalue().decode())))
    assert rows == [
        [
            "number",
            "name",
            "address",
            "postcode",
            "email",
            "class",
            "shares_held",
            "amount_paid",
            "date_admitted",
            "date_ceased",
            "reason_ceased",
        ],
        [
            str(worker.number),
            "Tom Ackroyd",
            "2 Bridge Gate Hebden Bridge",
            "HX7 8EX",
            worker.user.email,
            "Care or support worker",
            "3",
            "3.00",
            worker.date_admitted.isoformat(),
            "",
            "",
        ],
        [
            str(left.number),
            "Ruth Sutcliffe",
            "2 Bridge Gate Hebden Bridge",
            "HX7 8EX",
            left.user.email,
            "Person getting support",
            "0",
            "0.00",
            left.date_admitted.isoformat(),
            timezone.localdate().isoformat(),
            "Resigned",
        ],
    ]


def test_the_register_csv_makes_the_same_queries_for_3_or_30_members(
    client, staff, django_assert_max_num_queries
):
    log_in_with_second_factor(client, staff)
    MembershipFactory.create_batch(3)
    with django_assert_max_num_queries(3) as small:
        assert len(client.get(reverse("staff_register"), {"format": "csv"}).getvalue().splitlines()) == 4
    MembershipFactory.create_batch(27)
    with django_assert_max_num_queries(3) as large:
        assert len(client.get(reverse("staff_register"), {"format": "csv"}).getvalue().splitlines()) == 31

    assert len(small.captured_queries) == len(large.captured_queries)


def test_staff_move_a_member_to_another_class_and_see_it_in_the_history(client, staff, member):
    log_in_with_second_factor(client, staff)
    url = reverse("staff_member_detail", args=[member.number])

    client.post(url, {"action": "class", "class-member_class": "advocate", "class-reason": "Became a carer."})
    html = client.get(url).content.decode()

    assert "Became a carer." in html
    assert staff.email in html


def test_ending_a_membership_from_its_page_keeps_it_in_the_register(client, staff, member):
    log_in_with_second_factor(client, staff)

    client.post(
        reverse("staff_member_detail", args=[member.number]),
        {
            "action": "cease",
            "cease-reason": "died",
            "cease-ceased_on": timezone.localdate().isoformat(),
            "cease-withdraw_shares": "on",
        },
    )

    member.refresh_from_db()
    assert member.cessation_reason == "died"
    assert member.legal_name in client.get(reverse("staff_register"), {"standing": "ceased"}).content.decode()


def test_an_unknown_action_on_a_member_page_is_a_404(client, staff, member):
    log_in_with_second_factor(client, staff)

    assert (
        client.post(reverse("staff_member_detail", args=[member.number]), {"action": "delete"}).status_code
        == 404
    )


def test_staff_publish_a_new_version_of_the_rules(client, staff, documents):
    log_in_with_second_factor(client, staff)

    client.post(
        reverse("staff_documents"), {"kind": "rules", "title": "Rules", "body": "Revised at the AGM."}
    )

    latest = GoverningDocument.objects.filter(kind="rules").order_by("-version").first()
    assert (latest.version, latest.body, latest.published_by) == (2, "Revised at the AGM.", staff)


def test_date_fields_are_prefilled_in_the_form_browsers_read(client, staff, documents):
    application = ApplicationFactory()
    log_in_with_second_factor(client, staff)

    html = client.get(reverse("staff_application_review", args=[application.pk])).content.decode()

    assert f'type="date" name="payment-paid_on" value="{timezone.localdate().isoformat()}"' in html


@pytest.mark.usefixtures("now")
def test_one_bad_filter_does_not_drop_the_others(client, staff):
    MembershipFactory(legal_name="Tom Ackroyd", member_class="worker")
    MembershipFactory(legal_name="Ruth Sutcliffe", member_class="receiver")
    log_in_with_second_factor(client, staff)

    html = client.get(
        reverse("staff_register"), {"member_class": "worker", "standing": "nonsense"}
    ).content.decode()

    assert "Tom Ackroyd" in html
    assert "Ruth Sutcliffe" not in html


@pytest.mark.usefixtures("now")
def test_a_second_application_in_the_browser_says_why_the_form_is_not_shown(client, newcomer, documents):
    ApplicationFactory(user=newcomer)
    client.force_login(newcomer)

    response = client.get(reverse("application_create"), follow=True)

    assert "You already have an application waiting for a decision" in response.content.decode()


@pytest.mark.usefixtures("now")
def test_document_version_zero_does_not_exist(client, documents):
    assert client.get("/membership/documents/commitment/0/").status_code == 404
