"""Applying to join, and staff deciding: the rules of admission."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from carecoop import outbox
from carecoop.exceptions import ApplicationError
from members import services
from members.models import Application, Membership, Policy, RegisterCounter, ShareTransaction
from tests.concurrency import race
from tests.factories import (
    ApplicationFactory,
    GoverningDocumentFactory,
    MembershipFactory,
    UserFactory,
)
from tests.outbox import owed

TODAY = datetime.date(2026, 11, 23)


def _submit(user, documents, **overrides):
    data = {
        "user": user,
        "member_class": "receiver",
        "legal_name": "Ruth Sutcliffe",
        "address": "14 Albert Street\nHebden Bridge",
        "postcode": "HX7 8AH",
        "date_of_birth": datetime.date(1948, 3, 2),
        "reason": "I want to choose the people who help me.",
        "rules": documents["rules"],
        "commitment": documents["commitment"],
    }
    data.update(overrides)
    return services.application_submit(**data)


def _paid(application, staff):
    return services.application_record_payment(
        application=application,
        reference="BACS 0001",
        paid_on=timezone.localdate(),
        amount_pence=application.amount_due_pence,
        by=staff,
    )


# --- Applying ---------------------------------------------------------------------------------


def test_an_application_keeps_the_document_versions_agreed_and_one_pound_share(newcomer, documents):
    application = _submit(newcomer, documents)

    assert application.status == Application.Status.SUBMITTED
    assert application.rules == documents["rules"]
    assert application.commitment == documents["commitment"]
    assert (application.shares, application.amount_due_pence) == (1, 100)


def test_an_investor_chooses_an_amount_within_the_bounds(newcomer, documents):
    application = _submit(newcomer, documents, member_class="investor", investment_pence=250_00)

    assert (application.shares, application.amount_due_pence) == (250, 250_00)


@pytest.mark.parametrize(
    ("pence", "code"),
    [
        (99_00, "investment_out_of_bounds"),
        (30_001_00, "investment_out_of_bounds"),
        (None, "investment_out_of_bounds"),
        (150_50, "investment_not_whole_shares"),
    ],
)
def test_an_investment_outside_the_bounds_is_refused(newcomer, documents, pence, code):
    with pytest.raises(ApplicationError) as refused:
        _submit(newcomer, documents, member_class="investor", investment_pence=pence)

    assert refused.value.code == code
    assert Application.objects.count() == 0


def test_the_bounds_are_the_coops_policy(newcomer, documents):
    Policy.objects.update_or_create(pk=1, defaults={"investor_min_pence": 500_00})

    with pytest.raises(ApplicationError):
        _submit(newcomer, documents, member_class="investor", investment_pence=400_00)


def test_a_worker_under_18_cannot_apply(newcomer, documents, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC))

    with pytest.raises(ApplicationError) as refused:
        _submit(newcomer, documents, member_class="worker", date_of_birth=datetime.date(2008, 11, 24))

    assert refused.value.code == "too_young"
    assert Application.objects.count() == 0


def test_a_worker_who_is_18_today_can_apply(newcomer, documents, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 12, tzinfo=datetime.UTC))

    application = _submit(
        newcomer, documents, member_class="worker", date_of_birth=datetime.date(2008, 11, 23)
    )

    assert application.member_class == "worker"


def test_a_second_open_application_is_refused(newcomer, documents):
    _submit(newcomer, documents)

    with pytest.raises(ApplicationError) as refused:
        _submit(newcomer, documents, member_class="worker")

    assert refused.value.code == "application_open"
    assert Application.objects.count() == 1


def test_a_current_member_cannot_apply_again(member, documents):
    with pytest.raises(ApplicationError) as refused:
        _submit(member.user, documents)

    assert refused.value.code == "already_member"


def test_agreeing_to_an_old_version_of_the_rules_is_refused(newcomer, documents):
    GoverningDocumentFactory(kind="rules", version=2)

    with pytest.raises(ApplicationError) as refused:
        _submit(newcomer, documents)

    assert refused.value.code == "documents_changed"


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_applications_by_one_person_leave_one():
    user = UserFactory()
    documents = {
        "rules": GoverningDocumentFactory(kind="rules", version=1),
        "commitment": GoverningDocumentFactory(kind="commitment", version=1),
    }

    results = race([lambda: _submit(user, documents) for _ in range(20)])

    assert Application.objects.filter(user=user).count() == 1
    refusals = [r for r in results if isinstance(r, ApplicationError)]
    assert len(refusals) == 19
    assert {r.code for r in refusals} == {"application_open"}


# --- Payment and decisions ----------------------------------------------------------------------


def test_payment_must_match_the_shares(newcomer, documents, staff):
    application = _submit(newcomer, documents)

    with pytest.raises(ApplicationError) as refused:
        services.application_record_payment(
            application=application,
            reference="X",
            paid_on=timezone.localdate(),
            amount_pence=50,
            by=staff,
        )

    assert refused.value.code == "payment_amount_mismatch"
    application.refresh_from_db()
    assert application.payment_recorded_at is None


def test_approval_needs_the_payment_recorded(newcomer, documents, staff):
    application = _submit(newcomer, documents)

    with pytest.raises(ApplicationError) as refused:
        services.application_approve(application=application, by=staff)

    assert refused.value.code == "payment_missing"
    assert Membership.objects.count() == 0


def test_approval_admits_the_member_with_a_number_date_and_shares(
    newcomer, documents, staff, django_capture_on_commit_callbacks
):
    application = _paid(_submit(newcomer, documents), staff)

    with django_capture_on_commit_callbacks(execute=True):
        membership = services.application_approve(application=application, by=staff)

    assert membership.number == 1
    assert membership.date_admitted == timezone.localdate()
    assert (membership.legal_name, membership.member_class) == ("Ruth Sutcliffe", "receiver")
    shares = ShareTransaction.objects.get(membership=membership)
    assert (shares.kind, shares.shares, shares.amount_pence, shares.reference) == (
        "subscription",
        1,
        100,
        "BACS 0001",
    )
    application.refresh_from_db()
    assert application.status == Application.Status.APPROVED
    assert application.decided_by == staff
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [newcomer.email]
    assert "member number 1" in mail.outbox[0].subject
    assert "Dear Ruth Sutcliffe," in mail.outbox[0].body
    assert not owed(about=f"members.application:{application.pk}", kind="members.application_approved")


def test_the_decision_email_goes_once_however_often_the_outbox_is_swept(newcomer, documents, staff):
    application = _paid(_submit(newcomer, documents), staff)
    outbox.emails_send()  # the acknowledgement of the application
    mail.outbox.clear()
    services.application_approve(application=application, by=staff)

    sent = [outbox.emails_send() for _ in range(3)]

    assert sent == [1, 0, 0]
    assert len(mail.outbox) == 1


def test_an_approval_rolled_back_emails_nobody(newcomer, documents, staff):
    application = _paid(_submit(newcomer, documents), staff)
    outbox.emails_send()  # the acknowledgement of the application
    mail.outbox.clear()

    def approve_then_fail() -> None:
        with transaction.atomic():
            services.application_approve(application=application, by=staff)
            raise RuntimeError("the request failed after the approval")

    with pytest.raises(RuntimeError):
        approve_then_fail()

    assert outbox.emails_send() == 0
    assert mail.outbox == []


def test_an_application_is_decided_once(newcomer, documents, staff):
    application = _paid(_submit(newcomer, documents), staff)
    services.application_approve(application=application, by=staff)

    with pytest.raises(ApplicationError) as refused:
        services.application_approve(application=application, by=staff)

    assert refused.value.code == "application_decided"
    assert Membership.objects.count() == 1


def test_rejection_needs_a_reason_and_tells_the_applicant(
    newcomer, documents, staff, django_capture_on_commit_callbacks
):
    application = _submit(newcomer, documents)
    with pytest.raises(ApplicationError) as refused:
        services.application_reject(application=application, by=staff, reason="  ")
    assert refused.value.code == "reason_required"

    with django_capture_on_commit_callbacks(execute=True):
        services.application_reject(
            application=application, by=staff, reason="We do not yet work in your area."
        )

    application.refresh_from_db()
    assert application.status == Application.Status.REJECTED
    assert len(mail.outbox) == 1
    assert "We do not yet work in your area." in mail.outbox[0].body


def test_an_applicant_may_withdraw_and_apply_again(newcomer, documents):
    application = _submit(newcomer, documents)

    services.application_withdraw(application=application, by=newcomer)

    assert _submit(newcomer, documents).status == Application.Status.SUBMITTED


def test_only_the_applicant_may_withdraw(newcomer, documents, staff):
    application = _submit(newcomer, documents)

    with pytest.raises(ApplicationError):
        services.application_withdraw(application=application, by=staff)


# --- Membership numbers -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_approvals_get_distinct_sequential_numbers():
    staff = UserFactory(is_staff=True)
    applications = [
        ApplicationFactory(payment_date=TODAY, payment_amount_pence=100, payment_recorded_at=timezone.now())
        for _ in range(20)
    ]

    results = race([lambda a=a: services.application_approve(application=a, by=staff) for a in applications])

    assert not [r for r in results if isinstance(r, Exception)]
    numbers = sorted(Membership.objects.values_list("number", flat=True))
    assert numbers == list(range(1, 21))
    assert RegisterCounter.objects.get().last_number == 20


def test_a_refused_approval_uses_up_no_number(documents, staff):
    unpaid = ApplicationFactory()
    paid = ApplicationFactory(
        payment_date=TODAY, payment_amount_pence=100, payment_recorded_at=timezone.now()
    )

    with pytest.raises(ApplicationError):
        services.application_approve(application=unpaid, by=staff)
    membership = services.application_approve(application=paid, by=staff)

    assert membership.number == 1


def test_a_former_member_may_rejoin_with_a_new_number(documents, staff):
    first = ApplicationFactory(
        payment_date=TODAY, payment_amount_pence=100, payment_recorded_at=timezone.now()
    )
    old = services.application_approve(application=first, by=staff)
    services.membership_cease(membership=old, by=staff, reason="resigned", ceased_on=timezone.localdate())

    again = ApplicationFactory(
        user=first.user, payment_date=TODAY, payment_amount_pence=100, payment_recorded_at=timezone.now()
    )
    new = services.application_approve(application=again, by=staff)

    assert (old.number, new.number) == (1, 2)
    assert Membership.objects.filter(user=first.user).count() == 2


def test_the_database_refuses_two_current_memberships_for_one_person(member):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        MembershipFactory(user=member.user)


@pytest.mark.usefixtures("now")
def test_a_second_payment_for_a_paid_application_is_refused_and_the_first_kept(documents, staff):
    application = ApplicationFactory()
    services.application_record_payment(
        application=application, reference="BACS 1", paid_on=TODAY, amount_pence=100, by=staff
    )

    with pytest.raises(ApplicationError) as refused:
        services.application_record_payment(
            application=application, reference="BACS 2", paid_on=TODAY, amount_pence=100, by=staff
        )

    assert refused.value.code == "already_paid"
    application.refresh_from_db()
    assert application.payment_reference == "BACS 1"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("now")
def test_thirty_payments_recorded_at_once_take_one_and_refuse_the_rest():
    staff = UserFactory(is_staff=True)
    application = ApplicationFactory()

    results = race(
        [
            lambda i=i: services.application_record_payment(
                application=application, reference=f"BACS {i}", paid_on=TODAY, amount_pence=100, by=staff
            )
            for i in range(30)
        ]
    )

    accepted = [r for r in results if isinstance(r, Application)]
    refused = [r for r in results if not isinstance(r, Application)]
    assert len(accepted) == 1
    assert {getattr(r, "code", r) for r in refused} == {"already_paid"}
    application.refresh_from_db()
    assert application.payment_reference == accepted[0].payment_reference
    assert application.history.filter(history_change_reason="Payment recorded").count() == 1


@pytest.mark.usefixtures("now")
def test_correcting_a_payment_needs_one_recorded_first(documents, staff):
    with pytest.raises(ApplicationError) as refused:
        services.application_record_payment(
            application=ApplicationFactory(),
            reference="BACS 1",
            paid_on=TODAY,
            amount_pence=100,
            by=staff,
            correction=True,
        )

    assert refused.value.code == "nothing_to_correct"


@pytest.mark.usefixtures("now")
def test_a_corrected_payment_keeps_the_first_in_the_history(documents, staff):
    application = ApplicationFactory()
    for reference, correction in (("BACS 1", False), ("BACS 1A", True)):
        services.application_record_payment(
            application=application,
            reference=reference,
            paid_on=TODAY,
            amount_pence=100,
            by=staff,
            correction=correction,
        )

    history = list(
        application.history.order_by("history_date").values_list("payment_reference", "history_change_reason")
    )
    assert history[-2:] == [("BACS 1", "Payment recorded"), ("BACS 1A", "Payment corrected")]


@pytest.mark.usefixtures("now")
def test_a_refund_is_recorded_for_a_paid_application_not_approved(documents, staff):
    application = ApplicationFactory(
        payment_date=TODAY, payment_amount_pence=100, payment_recorded_at=timezone.now()
    )
    services.application_reject(application=application, by=staff, reason="Outside our area.")

    services.application_record_refund(
        application=application, by=staff, reference="REFUND 1", refunded_on=TODAY
    )

    with pytest.raises(ApplicationError) as refused:
        services.application_record_refund(
            application=application, by=staff, reference="again", refunded_on=TODAY
        )
    assert refused.value.code == "already_refunded"


@pytest.mark.usefixtures("now")
def test_an_impossible_date_of_birth_is_refused(newcomer, documents):
    with pytest.raises(ApplicationError) as refused:
        services.application_submit(
            user=newcomer,
            member_class="receiver",
            legal_name="A",
            address="1 Road",
            postcode="HX7 8AH",
            date_of_birth=datetime.date(1, 1, 1),
            reason="r",
            rules=documents["rules"],
            commitment=documents["commitment"],
        )

    assert refused.value.code == "invalid_date_of_birth"
