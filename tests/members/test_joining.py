"""Joining: how to pay for the shares, the emails that acknowledge and welcome, and staff
confirming before they approve."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from carecoop.exceptions import ApplicationError
from members import services
from members.models import Membership
from tests.factories import ApplicationFactory
from tests.outbox import owed, send_owed, site_links
from tests.second_factor import log_in_with_second_factor

BANK = {
    "COOP_BANK_ACCOUNT_NAME": "Calder Valley Care Co-op Ltd",
    "COOP_BANK_SORT_CODE": "00-00-00",
    "COOP_BANK_ACCOUNT_NUMBER": "12345678",
}


@pytest.fixture
def bank(settings):
    for name, value in BANK.items():
        setattr(settings, name, value)


@pytest.fixture
def no_bank(settings):
    for name in BANK:
        setattr(settings, name, "")


def _submit(user, documents, member_class="receiver"):
    return services.application_submit(
        user=user,
        member_class=member_class,
        legal_name="Jane Smith",
        address="14 Albert Street\nHebden Bridge",
        postcode="HX7 8AH",
        date_of_birth=datetime.date(1980, 3, 2),
        reason="I want to choose the people who help me.",
        rules=documents["rules"],
        commitment=documents["commitment"],
    )


def _paid(application, staff):
    return services.application_record_payment(
        application=application,
        reference=application.reference,
        paid_on=timezone.localdate(),
        amount_pence=application.amount_due_pence,
        by=staff,
    )


# --- The reference ---------------------------------------------------------------------------


def test_the_payment_reference_is_the_applications_own_and_does_not_change(db, documents):
    first, second = ApplicationFactory(), ApplicationFactory()

    assert first.reference == f"APP-{first.pk:05d}"
    assert first.reference != second.reference
    first.legal_name = "Another Name"
    first.save()
    first.refresh_from_db()
    assert first.reference == f"APP-{first.pk:05d}"


# --- The application page --------------------------------------------------------------------


def test_the_application_page_shows_the_bank_details_and_the_reference(client, newcomer, documents, bank):
    application = _submit(newcomer, documents)
    client.force_login(newcomer)

    html = client.get(reverse("application_status")).content.decode()

    assert "How to pay for your shares" in html
    for value in BANK.values():
        assert value in html
    assert application.reference in html
    assert "£1.00" in html


def test_without_bank_details_the_page_says_the_office_will_tell_them(client, newcomer, documents, no_bank):
    application = _submit(newcomer, documents)
    client.force_login(newcomer)

    html = client.get(reverse("application_status")).content.decode()

    assert "The office will tell you how to pay" in html
    assert "Sort code" not in html
    assert application.reference in html
    assert "hello@caldervalley.care.example" in html


def test_once_paid_the_page_no_longer_asks_for_payment(client, newcomer, documents, staff, bank):
    _paid(_submit(newcomer, documents), staff)
    client.force_login(newcomer)

    html = client.get(reverse("application_status")).content.decode()

    assert "Your payment has been received." in html
    assert "Sort code" not in html


def test_another_person_sees_only_their_own_application(client, newcomer, documents, bank):
    application = _submit(newcomer, documents)
    someone = ApplicationFactory().user
    client.force_login(someone)

    html = client.get(reverse("application_status")).content.decode()

    assert application.reference not in html


# --- The emails ------------------------------------------------------------------------------


def test_applying_is_acknowledged_once_with_the_reference_and_how_to_pay(newcomer, documents, bank, settings):
    application = _submit(newcomer, documents)

    sent = send_owed()
    assert send_owed() == []

    assert len(sent) == 1
    message = sent[0]
    assert message.to == [newcomer.email]
    assert application.reference in message.subject
    assert application.reference in message.body
    assert "What happens next" in message.body
    assert "sort code 00-00-00, account number 12345678" in message.body
    assert settings.SITE_URL + reverse("application_status") in site_links(message)[0]


def test_the_acknowledgement_without_bank_details_names_the_office(newcomer, documents, no_bank):
    _submit(newcomer, documents)

    (message,) = send_owed()

    assert "The office will tell you how to pay" in message.body
    assert "sort code" not in message.body


def test_a_refused_application_is_not_acknowledged(newcomer, documents):
    _submit(newcomer, documents)
    send_owed()
    with pytest.raises(ApplicationError):
        _submit(newcomer, documents)

    assert send_owed() == []


def test_the_welcome_email_links_to_the_site_and_lists_a_workers_checks(newcomer, documents, staff, settings):
    application = _paid(_submit(newcomer, documents, member_class="worker"), staff)
    send_owed()
    services.application_approve(application=application, by=staff)

    (message,) = send_owed()

    assert "member number 1" in message.subject
    assert "Next, the office records your checks." in message.body
    assert "An enhanced criminal-record check (DBS): needed before you can be booked" in message.body
    assert "Proof of your right to work in the UK: needed before you can be booked" in message.body
    assert "References from people who know your work" in message.body
    text_links, html_links = site_links(message)
    assert settings.SITE_URL + reverse("account_overview") in text_links
    assert html_links == text_links


def test_the_welcome_email_of_a_person_getting_support_lists_no_checks(newcomer, documents, staff):
    application = _paid(_submit(newcomer, documents), staff)
    send_owed()
    services.application_approve(application=application, by=staff)

    (message,) = send_owed()

    assert "criminal-record" not in message.body


# --- Staff confirm before approving ----------------------------------------------------------


def test_approving_asks_staff_to_confirm_and_admits_nobody_yet(client, staff, documents):
    application = ApplicationFactory(legal_name="Jane Smith", member_class="worker")
    _paid(application, staff)
    log_in_with_second_factor(client, staff)

    response = client.post(reverse("staff_application_review", args=[application.pk]), {"action": "approve"})

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Approve Jane Smith as a member (care or support worker) with 1 share of £1.00? "
        "This adds them to the register." in html
    )
    assert 'value="approve_confirmed"' in html
    assert not Membership.objects.exists()
    assert owed(about=f"members.application:{application.pk}", kind="members.application_approved") == []


def test_the_confirmed_post_approves(client, staff, documents):
    application = ApplicationFactory(legal_name="Jane Smith")
    _paid(application, staff)
    log_in_with_second_factor(client, staff)

    response = client.post(
        reverse("staff_application_review", args=[application.pk]),
        {"action": "approve_confirmed"},
        follow=True,
    )

    membership = Membership.objects.get(user=application.user)
    assert f"Jane Smith is now member number {membership.number}." in response.content.decode()


def test_confirming_an_unpaid_application_is_refused_and_admits_nobody(client, staff, documents):
    application = ApplicationFactory()
    log_in_with_second_factor(client, staff)
    url = reverse("staff_application_review", args=[application.pk])

    asked = client.post(url, {"action": "approve"}, follow=True)
    confirmed = client.post(url, {"action": "approve_confirmed"}, follow=True)

    assert "Record the payment for the shares before approving." in asked.content.decode()
    assert "Record the payment for the shares before approving." in confirmed.content.decode()
    assert not Membership.objects.exists()


def test_a_member_who_is_not_staff_cannot_reach_the_confirmation(client, member, documents, staff):
    application = ApplicationFactory()
    _paid(application, staff)
    client.force_login(member.user)

    response = client.post(reverse("staff_application_review", args=[application.pk]), {"action": "approve"})

    assert response.status_code == 403
    assert Membership.objects.filter(user=application.user).count() == 0


def test_staff_see_the_reference_to_match_on_the_queue_and_the_review(client, staff, documents):
    application = ApplicationFactory()
    log_in_with_second_factor(client, staff)

    queue = client.get(reverse("staff_application_queue")).content.decode()
    review = client.get(reverse("staff_application_review", args=[application.pk])).content.decode()

    assert application.reference in queue
    assert f"quoting <strong>{application.reference}</strong>" in review


def test_the_api_approves_directly_as_it_is_explicit(api_client, staff, documents):
    application = ApplicationFactory()
    _paid(application, staff)
    api_client.force_authenticate(staff)

    response = api_client.post(reverse("api-application-approve", args=[application.pk]))

    assert response.status_code in (200, 201)
    assert Membership.objects.filter(user=application.user).exists()
