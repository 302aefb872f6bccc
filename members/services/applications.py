"""Applying for membership against the published rules, the share payment, and staff's decision."""

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecoop import outbox, request_memo
from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError, ConflictError
from carecoop.money import pounds
from members import selectors
from members.models import (
    Application,
    GoverningDocument,
    MemberClass,
    Membership,
    Policy,
    RegisterCounter,
    ShareTransaction,
    User,
    VettingCheck,
)
from members.paying import bank_details
from members.services.rules import ADDRESS_MAX_LENGTH, age_on, phone_clean, postcode_clean, refuse


@transaction.atomic
def document_publish(*, kind: str, title: str, body: str, by: User) -> GoverningDocument:
    """Publish a new version of the rules or the Members' Commitment. Old versions stay as they
    were: applications point at the version their applicant agreed to."""
    if kind not in GoverningDocument.Kind.values:
        raise ApplicationError(_("Choose which document this is."), code="invalid_document_kind")
    if not title.strip() or not body.strip():
        raise ApplicationError(_("A document needs a title and some text."), code="document_empty")
    latest = GoverningDocument.objects.filter(kind=kind).aggregate(latest=Max("version"))["latest"] or 0
    try:
        with transaction.atomic():
            document = GoverningDocument.objects.create(
                kind=kind, version=latest + 1, title=title.strip(), body=body.strip(), published_by=by
            )
    except IntegrityError as exc:
        raise ConflictError(
            _("Someone published a new version at the same moment. Please reload and try again."),
            code="document_version_taken",
        ) from exc
    staff_action_record(
        by=by,
        action="document.publish",
        summary=f"Published version {document.version} of {document.get_kind_display()}: {document.title}",
    )
    return document


REASON_MAX_LENGTH = 2000


def _shares_for(*, member_class: str, investment_pence: int | None, policy: Policy) -> int:
    """How many shares an applicant takes: one, or what an investor chooses within the bounds."""
    if member_class != MemberClass.INVESTOR:
        return 1
    low, high = policy.investor_min_pence, policy.investor_max_pence
    if investment_pence is None or not low <= investment_pence <= high:
        raise ApplicationError(
            _("Investors choose an amount between %(low)s and %(high)s.")
            % {"low": pounds(low, whole=True), "high": pounds(high, whole=True)},
            code="investment_out_of_bounds",
            fields={"investment_pence": [_("Choose an amount within the bounds.")]},
        )
    if investment_pence % policy.share_value_pence:
        raise ApplicationError(
            _("Shares are %(value)s each: choose a whole number of shares.")
            % {"value": pounds(policy.share_value_pence)},
            code="investment_not_whole_shares",
            fields={"investment_pence": [_("Choose a whole number of shares.")]},
        )
    return investment_pence // policy.share_value_pence


@transaction.atomic
def application_submit(
    *,
    user: User,
    member_class: str,
    legal_name: str,
    address: str,
    postcode: str,
    date_of_birth: date,
    reason: str,
    rules: GoverningDocument,
    commitment: GoverningDocument,
    phone: str = "",
    investment_pence: int | None = None,
) -> Application:
    """Ask to join. The person agrees to the current versions of the rules and the Members'
    Commitment; one open application and one current membership per person."""
    if member_class not in MemberClass.values:
        raise ApplicationError(_("Choose how you want to join."), code="invalid_member_class")
    if selectors.membership_current_for_user(user=user) is not None:
        raise ConflictError(_("You are already a member of the co-op."), code="already_member")
    if Application.objects.filter(user=user, status=Application.Status.SUBMITTED).exists():
        raise ConflictError(
            _("You already have an application waiting for a decision."), code="application_open"
        )
    current = selectors.documents_current()
    if (
        current.get(GoverningDocument.Kind.RULES) != rules
        or current.get(GoverningDocument.Kind.COMMITMENT) != commitment
    ):
        raise ConflictError(
            _(
                "The rules or the Members' Commitment have changed since you opened this page. "
                "Please read the new version and agree to it."
            ),
            code="documents_changed",
        )
    policy = Policy.current()
    today = timezone.localdate()
    if date_of_birth > today:
        raise ApplicationError(
            _("The date of birth is in the future."),
            code="invalid_date_of_birth",
            fields={"date_of_birth": [_("Enter your date of birth.")]},
        )
    if member_class == MemberClass.WORKER and age_on(date_of_birth, today) < policy.worker_minimum_age:
        raise ApplicationError(
            _("Care and support workers must be %(age)s or over to join.")
            % {"age": policy.worker_minimum_age},
            code="too_young",
            fields={
                "date_of_birth": [_("Workers must be %(age)s or over.") % {"age": policy.worker_minimum_age}]
            },
        )
    if len(address) > ADDRESS_MAX_LENGTH:
        raise refuse(
            _("Keep the address under %(n)s characters.") % {"n": ADDRESS_MAX_LENGTH}, "too_long", "address"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise refuse(_("Keep this under %(n)s characters.") % {"n": REASON_MAX_LENGTH}, "too_long", "reason")
    if date_of_birth.year < 1900:
        raise refuse(_("Enter your date of birth."), "invalid_date_of_birth", "date_of_birth")
    shares = _shares_for(member_class=member_class, investment_pence=investment_pence, policy=policy)
    postcode = postcode_clean(postcode)
    phone = phone_clean(phone)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                user=user,
                member_class=member_class,
                legal_name=legal_name.strip(),
                address=address.strip(),
                postcode=postcode,
                phone=phone,
                date_of_birth=date_of_birth,
                reason=reason.strip(),
                rules=rules,
                commitment=commitment,
                shares=shares,
                share_value_pence=policy.share_value_pence,
            )
    except IntegrityError as exc:  # a second request raced past the check above
        raise ConflictError(
            _("You already have an application waiting for a decision."), code="application_open"
        ) from exc
    _received_email_queue(application)
    return application


def _received_email_queue(application: Application) -> None:
    """Acknowledge the application, once, with what happens next and how to pay for the shares."""
    bank = bank_details()
    outbox.email_queue(
        kind="members.application_received",
        to=application.user.email,
        name=application.legal_name,
        context={
            "reference": application.reference,
            "amount": pounds(application.amount_due_pence),
            "shares": application.shares,
            "member_class": application.get_member_class_display(),
            "bank": bank.as_context() if bank else None,
            "contact_phone": str(settings.COOP_CONTACT_PHONE),
        },
        about=f"members.application:{application.pk}",
    )


def _lock_open_application(application: Application) -> Application:
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != Application.Status.SUBMITTED:
        raise ConflictError(
            _("This application has already been %(status)s.")
            % {"status": locked.get_status_display().lower()},
            code="application_decided",
        )
    return locked


@transaction.atomic
def application_withdraw(*, application: Application, by: User) -> Application:
    application = _lock_open_application(application)
    if application.user_id != by.pk:
        raise ApplicationError(_("Only the applicant can withdraw an application."), code="not_applicant")
    application.status = Application.Status.WITHDRAWN
    application.decided_at = timezone.now()
    application.decided_by = by
    application.save(update_fields=["status", "decided_at", "decided_by"])
    return application


@transaction.atomic
def application_record_payment(
    *,
    application: Application,
    reference: str,
    paid_on: date,
    amount_pence: int,
    by: User,
    correction: bool = False,
) -> Application:
    """Staff record the money received for the applicant's shares (there is no payment gateway).

    A second payment for a paid application is refused (a double click, two staff at once): the
    row is locked, so of any number recorded at once exactly one is taken. Changing a recorded
    payment is a deliberate `correction`, kept in the history beside the first."""
    application = _lock_open_application(application)
    if application.is_paid and not correction:
        raise ConflictError(
            _("The payment for this application is already recorded (%(amount)s, reference %(reference)s).")
            % {
                "amount": pounds(application.payment_amount_pence or 0),
                "reference": application.payment_reference,
            },
            code="already_paid",
        )
    if correction and not application.is_paid:
        raise ConflictError(_("No payment was recorded for this application."), code="nothing_to_correct")
    if amount_pence != application.amount_due_pence:
        raise ApplicationError(
            _("The shares cost %(due)s; the amount recorded must match.")
            % {"due": pounds(application.amount_due_pence)},
            code="payment_amount_mismatch",
            fields={"amount_pence": [_("Enter the amount that was paid for the shares.")]},
        )
    if paid_on > timezone.localdate():
        raise ApplicationError(
            _("The payment date is in the future."),
            code="payment_date_in_future",
            fields={"paid_on": [_("Enter the date the money arrived.")]},
        )
    if not reference.strip():
        raise ApplicationError(
            _("Enter the payment's reference, so it can be found in the accounts."),
            code="payment_reference_missing",
            fields={"reference": [_("Enter a reference.")]},
        )
    application.payment_reference = reference.strip()
    application.payment_date = paid_on
    application.payment_amount_pence = amount_pence
    application.payment_recorded_by = by
    application.payment_recorded_at = timezone.now()
    application._history_user = by  # type: ignore[attr-defined]
    application._change_reason = _("Payment corrected") if correction else _("Payment recorded")  # type: ignore[attr-defined]
    application.save(
        update_fields=[
            "payment_reference",
            "payment_date",
            "payment_amount_pence",
            "payment_recorded_by",
            "payment_recorded_at",
        ]
    )
    staff_action_record(
        by=by,
        action="application.payment",
        summary=f"Recorded {pounds(amount_pence)} for application {application.pk} "
        f"(ref. {application.payment_reference})",
        member=application.user,
    )
    return application


def _next_membership_number() -> int:
    # The counter row is locked until the approving transaction ends: two approvals wait for
    # each other, and a rolled-back approval gives its number back.
    counter, _created = RegisterCounter.objects.select_for_update().get_or_create(pk=1)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


@transaction.atomic
def application_approve(*, application: Application, by: User, admitted_on: date | None = None) -> Membership:
    """Admit the applicant: the next membership number, the date admitted (today unless the board
    decided earlier), and their shares issued."""
    admitted_on = admitted_on or timezone.localdate()
    if admitted_on > timezone.localdate():
        raise refuse(_("A member cannot be admitted in the future."), "date_in_future", "admitted_on")
    application = _lock_open_application(application)
    paid_on, paid_pence = application.payment_date, application.payment_amount_pence
    if paid_on is None or paid_pence is None:
        raise ApplicationError(
            _("Record the payment for the shares before approving."), code="payment_missing"
        )
    if Membership.objects.current().filter(user_id=application.user_id).exists():
        raise ConflictError(_("This person is already a member."), code="already_member")

    membership = Membership(
        number=_next_membership_number(),
        user_id=application.user_id,
        member_class=application.member_class,
        legal_name=application.legal_name,
        address=application.address,
        postcode=application.postcode,
        date_admitted=admitted_on,
        application=application,
    )
    membership._history_user = by  # type: ignore[attr-defined]
    membership._change_reason = _("Admitted")  # type: ignore[attr-defined]
    membership.save()
    request_memo.forget()  # this request reads the changed membership from here on
    ShareTransaction.objects.create(
        membership=membership,
        kind=ShareTransaction.Kind.SUBSCRIPTION,
        shares=application.shares,
        amount_pence=paid_pence,
        date=paid_on,
        reference=application.payment_reference,
        note=_("Shares issued on admission"),
        recorded_by=by,
    )
    application.status = Application.Status.APPROVED
    application.decided_at = timezone.now()
    application.decided_by = by
    application.save(update_fields=["status", "decided_at", "decided_by"])
    _decision_email_queue(application, membership)
    staff_action_record(
        by=by,
        action="application.approve",
        summary=f"Admitted {membership.legal_name} as member {membership.number} "
        f"({membership.get_member_class_display()})",
        member=application.user,
    )
    return membership


@transaction.atomic
def application_record_refund(
    *, application: Application, by: User, reference: str, refunded_on: date
) -> Application:
    """Record the share money paid back to someone whose application was not approved, or withdrawn."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status not in (Application.Status.REJECTED, Application.Status.WITHDRAWN):
        raise ConflictError(
            _("Only an application not approved, or withdrawn, is refunded."), code="not_refundable"
        )
    if not application.is_paid:
        raise ConflictError(_("No payment was recorded for this application."), code="nothing_to_refund")
    if application.refunded_on is not None:
        raise ConflictError(_("The refund is already recorded."), code="already_refunded")
    if refunded_on > timezone.localdate():
        raise refuse(_("The date cannot be in the future."), "date_in_future", "refunded_on")
    if not reference.strip():
        raise refuse(_("Enter the refund's reference."), "reference_missing", "reference")
    application.refund_reference, application.refunded_on = reference.strip(), refunded_on
    application._history_user = by  # type: ignore[attr-defined]
    application._change_reason = _("Refund recorded")  # type: ignore[attr-defined]
    application.save(update_fields=["refund_reference", "refunded_on"])
    staff_action_record(
        by=by,
        action="application.refund",
        summary=f"Recorded the refund for application {application.pk} (ref. {application.refund_reference})",
        member=application.user,
    )
    return application


@transaction.atomic
def application_reject(*, application: Application, by: User, reason: str) -> Application:
    application = _lock_open_application(application)
    if not reason.strip():
        raise ApplicationError(
            _("Give the reason: the applicant is told it."),
            code="reason_required",
            fields={"reason": [_("Enter the reason.")]},
        )
    application.status = Application.Status.REJECTED
    application.decided_at = timezone.now()
    application.decided_by = by
    application.decision_reason = reason.strip()
    application.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    _decision_email_queue(application)
    staff_action_record(
        by=by,
        action="application.reject",
        summary=f"Turned down application {application.pk}: {application.decision_reason}",
        member=application.user,
    )
    return application


def _decision_email_queue(application: Application, membership: Membership | None = None) -> None:
    """Owe the applicant the decision's email, in the decision's transaction: sent once it commits."""
    if membership is not None:
        outbox.email_queue(
            kind="members.application_approved",
            to=application.user.email,
            name=application.legal_name,
            context={
                "number": membership.number,
                "member_class": membership.get_member_class_display(),
                "admitted": dateformat.format(membership.date_admitted, "j F Y"),
                "shares": application.shares,
                # A worker is booked only once their checks are recorded (rule 3): say which.
                "checks": _checks_needed() if membership.member_class == MemberClass.WORKER else [],
            },
            about=f"members.application:{application.pk}",
        )
    else:
        outbox.email_queue(
            kind="members.application_rejected",
            to=application.user.email,
            name=application.legal_name,
            context={"reason": application.decision_reason},
            about=f"members.application:{application.pk}",
        )


# What the office asks a new worker for, by kind of check, in the worker's words (lazy: in the
# language of the email being written, not of the process that loaded this module).
_CHECK_ASKED = {
    VettingCheck.Kind.DBS: gettext_lazy("An enhanced criminal-record check (DBS)"),
    VettingCheck.Kind.RIGHT_TO_WORK: gettext_lazy("Proof of your right to work in the UK"),
    VettingCheck.Kind.REFERENCE: gettext_lazy("References from people who know your work"),
    VettingCheck.Kind.TRAINING: gettext_lazy(
        "Your training certificates (the office arranges any training you still need)"
    ),
}


def _checks_needed() -> list[str]:
    """The checks a new worker brings to the office: first those needed before any booking (rule 3)."""
    required = selectors.REQUIRED_FOR_BOOKING
    needed = [
        _("%(check)s: needed before you can be booked") % {"check": _CHECK_ASKED[kind]} for kind in required
    ]
    needed += [str(asked) for kind, asked in _CHECK_ASKED.items() if kind not in required]
    return needed
