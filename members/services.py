import hashlib
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO
from itertools import pairwise
from smtplib import SMTPException
from typing import IO, Any

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.models import EmailAddress
from allauth.account.utils import has_verified_email
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.models import AuthToken
from localflavor.gb.forms import GBPostcodeField
from phonenumber_field.formfields import PhoneNumberField as PhoneNumberFormField
from PIL import Image, ImageOps, UnidentifiedImageError

from carecoop.exceptions import ApplicationError, ConflictError, RateLimitedError
from members import geo, profiles, selectors
from members.models import (
    Application,
    Audience,
    CircleMember,
    GoverningDocument,
    MemberClass,
    Membership,
    Policy,
    Profile,
    RegisterCounter,
    ShareTransaction,
    TrainingCourse,
    User,
    VettingCheck,
    WeeklyTime,
)

# --- Accounts ---------------------------------------------------------------------------------


@transaction.atomic
def user_create(*, email: str, password: str, is_staff: bool = False, email_verified: bool = False) -> User:
    """Create an account outside the sign-up pages (staff tools, demo data)."""
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(_("An account with this email address already exists."), code="email_taken")
    user = User.objects.create_user(email=email, password=password, is_staff=is_staff)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expiry: datetime | None


TOKEN_LIMIT_PER_USER = 20


@transaction.atomic
def auth_token_issue(*, request: HttpRequest, email: str, password: str) -> IssuedToken:
    """Give an API client a token for the account with this email and password.

    The same rules as logging in on the website: an active account with a verified email, and
    allauth's failed-login limits, counted together with the website's.
    """
    try:
        user = get_account_adapter(request).authenticate(
            request, email=email.strip().lower(), password=password
        )
    except DjangoValidationError as exc:  # allauth's lockout after too many failed attempts
        raise RateLimitedError(
            _("Too many failed login attempts. Please wait a few minutes, then try again."),
            code="too_many_login_attempts",
        ) from exc
    if user is None or not user.is_active:
        raise ApplicationError(
            _("Unable to log in with that email address and password."), code="invalid_credentials"
        )
    if not has_verified_email(user):
        raise ApplicationError(
            _("Please verify your email address first: follow the link in the email we sent you."),
            code="email_unverified",
        )
    # Lock the account's row so two requests at once cannot both pass the limit.
    User.objects.select_for_update().get(pk=user.pk)
    if AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).count() >= TOKEN_LIMIT_PER_USER:
        raise ConflictError(
            _("This account already has %(limit)s API tokens. Revoke one you no longer use first.")
            % {"limit": TOKEN_LIMIT_PER_USER},
            code="too_many_tokens",
        )
    instance, token = AuthToken.objects.create(user=user)
    return IssuedToken(token=token, expiry=instance.expiry)


@transaction.atomic
def auth_token_revoke(*, token: AuthToken) -> None:
    token.delete()


@transaction.atomic
def auth_tokens_revoke_all(*, user: User) -> int:
    """Revoke every API token of an account (its password changed: old devices must log in again)."""
    deleted: int = AuthToken.objects.filter(user=user).delete()[0]
    return deleted


def _refuse(message: str, code: str, field: str) -> ApplicationError:
    """A refusal whose message belongs beside one field of the form (or of the API input)."""
    return ApplicationError(message, code=code, fields={field: [message]})


# --- Governing documents ------------------------------------------------------------------------


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
            return GoverningDocument.objects.create(
                kind=kind, version=latest + 1, title=title.strip(), body=body.strip(), published_by=by
            )
    except IntegrityError as exc:
        raise ConflictError(
            _("Someone published a new version at the same moment. Please reload and try again."),
            code="document_version_taken",
        ) from exc


# --- Applying -------------------------------------------------------------------------------------


def postcode_clean(value: str) -> str:
    """A UK postcode in its standard form ("hx78ah" → "HX7 8AH"), or a refusal saying why."""
    try:
        return str(GBPostcodeField().clean(value))
    except DjangoValidationError as exc:
        raise ApplicationError(
            _("Enter a full UK postcode, like HX7 8AH."),
            code="invalid_postcode",
            fields={"postcode": [_("Enter a full UK postcode, like HX7 8AH.")]},
        ) from exc


def phone_clean(value: str) -> str:
    """A phone number in international form, "" when none is given, or a refusal saying why."""
    if not str(value or "").strip():
        return ""
    try:
        return str(PhoneNumberFormField(region="GB").clean(value))
    except DjangoValidationError as exc:
        raise ApplicationError(
            _("Enter a phone number we can call, like 01422 123456 or 07123 456789."),
            code="invalid_phone",
            fields={"phone": [_("Enter a UK phone number.")]},
        ) from exc


ADDRESS_MAX_LENGTH = 500
REASON_MAX_LENGTH = 2000


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _shares_for(*, member_class: str, investment_pence: int | None, policy: Policy) -> int:
    """How many shares an applicant takes: one, or what an investor chooses within the bounds."""
    if member_class != MemberClass.INVESTOR:
        return 1
    low, high = policy.investor_min_pence, policy.investor_max_pence
    if investment_pence is None or not low <= investment_pence <= high:
        raise ApplicationError(
            _("Investors choose an amount between £%(low)s and £%(high)s.")
            % {"low": f"{low / 100:,.0f}", "high": f"{high / 100:,.0f}"},
            code="investment_out_of_bounds",
            fields={"investment_pence": [_("Choose an amount within the bounds.")]},
        )
    if investment_pence % policy.share_value_pence:
        raise ApplicationError(
            _("Shares are £%(value)s each: choose a whole number of shares.")
            % {"value": f"{policy.share_value_pence / 100:.2f}"},
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
    if member_class == MemberClass.WORKER and _age_on(date_of_birth, today) < policy.worker_minimum_age:
        raise ApplicationError(
            _("Care and support workers must be %(age)s or over to join.")
            % {"age": policy.worker_minimum_age},
            code="too_young",
            fields={
                "date_of_birth": [_("Workers must be %(age)s or over.") % {"age": policy.worker_minimum_age}]
            },
        )
    if len(address) > ADDRESS_MAX_LENGTH:
        raise _refuse(
            _("Keep the address under %(n)s characters.") % {"n": ADDRESS_MAX_LENGTH}, "too_long", "address"
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise _refuse(_("Keep this under %(n)s characters.") % {"n": REASON_MAX_LENGTH}, "too_long", "reason")
    if date_of_birth.year < 1900:
        raise _refuse(_("Enter your date of birth."), "invalid_date_of_birth", "date_of_birth")
    shares = _shares_for(member_class=member_class, investment_pence=investment_pence, policy=policy)
    postcode = postcode_clean(postcode)
    phone = phone_clean(phone)
    try:
        with transaction.atomic():
            return Application.objects.create(
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
    *, application: Application, reference: str, paid_on: date, amount_pence: int, by: User
) -> Application:
    """Staff record the money received for the applicant's shares (there is no payment gateway)."""
    application = _lock_open_application(application)
    if amount_pence != application.amount_due_pence:
        raise ApplicationError(
            _("The shares cost £%(due)s; the amount recorded must match.")
            % {"due": f"{application.amount_due_pence / 100:,.2f}"},
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
    corrected = application.is_paid
    application.payment_reference = reference.strip()
    application.payment_date = paid_on
    application.payment_amount_pence = amount_pence
    application.payment_recorded_by = by
    application.payment_recorded_at = timezone.now()
    application._history_user = by  # type: ignore[attr-defined]
    application._change_reason = _("Payment corrected") if corrected else _("Payment recorded")  # type: ignore[attr-defined]
    application.save(
        update_fields=[
            "payment_reference",
            "payment_date",
            "payment_amount_pence",
            "payment_recorded_by",
            "payment_recorded_at",
        ]
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
        raise _refuse(_("A member cannot be admitted in the future."), "date_in_future", "admitted_on")
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
    _email_decision_on_commit(application)
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
        raise _refuse(_("The date cannot be in the future."), "date_in_future", "refunded_on")
    if not reference.strip():
        raise _refuse(_("Enter the refund's reference."), "reference_missing", "reference")
    application.refund_reference, application.refunded_on = reference.strip(), refunded_on
    application._history_user = by  # type: ignore[attr-defined]
    application._change_reason = _("Refund recorded")  # type: ignore[attr-defined]
    application.save(update_fields=["refund_reference", "refunded_on"])
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
    _email_decision_on_commit(application)
    return application


def _email_decision_on_commit(application: Application) -> None:
    from members.tasks import application_decision_email_send_task

    application_id = application.pk
    transaction.on_commit(lambda: application_decision_email_send_task.delay(application_id=application_id))


@transaction.atomic
def application_decision_email_send(*, application_id: int) -> bool:
    """Email the applicant the decision, once. Returns False when it had already gone."""
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("user").get(pk=application_id)
    )
    if application.decision_emailed_at is not None or application.status not in (
        Application.Status.APPROVED,
        Application.Status.REJECTED,
    ):
        return False
    context = {
        "application": application,
        "membership": getattr(application, "membership", None),
        "coop_name": settings.COOP_NAME,
    }
    template = "approved" if application.status == Application.Status.APPROVED else "rejected"
    subject = render_to_string(f"members/email/application_{template}_subject.txt", context).strip()
    body = render_to_string(f"members/email/application_{template}_message.txt", context)
    send_mail(subject, body, None, [application.user.email])
    # Marked in the same transaction: if sending failed, the row stays unmarked for the retry.
    application.decision_emailed_at = timezone.now()
    application.save(update_fields=["decision_emailed_at"])
    return True


# --- The register -----------------------------------------------------------------------------


def _lock_current_membership(membership: Membership) -> Membership:
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if not locked.is_current:
        raise ConflictError(_("This membership has already ceased."), code="membership_ceased")
    return locked


@transaction.atomic
def membership_change_class(
    *, membership: Membership, member_class: str, by: User, reason: str
) -> Membership:
    membership = _lock_current_membership(membership)
    if member_class not in MemberClass.values:
        raise ApplicationError(_("Choose a class."), code="invalid_member_class")
    if member_class == membership.member_class:
        raise ApplicationError(_("The member is already in that class."), code="same_class")
    if not reason.strip():
        raise ApplicationError(
            _("Give the reason for the change: it is kept in the register's history."),
            code="reason_required",
            fields={"reason": [_("Enter the reason.")]},
        )
    policy = Policy.current()
    if member_class == MemberClass.WORKER:
        born = membership.application.date_of_birth if membership.application else None
        if born is None or _age_on(born, timezone.localdate()) < policy.worker_minimum_age:
            raise ApplicationError(
                _("Workers must be %(age)s or over, and we hold no date of birth showing this member is.")
                % {"age": policy.worker_minimum_age},
                code="too_young",
            )
    if member_class == MemberClass.INVESTOR:
        held = selectors.membership_shares_held(membership=membership)
        if held.amount_pence < policy.investor_min_pence:
            raise ApplicationError(
                _("Investors hold at least £%(low)s in shares: record the shares bought first.")
                % {"low": f"{policy.investor_min_pence / 100:,.0f}"},
                code="investment_out_of_bounds",
            )
    membership.member_class = member_class
    membership._history_user = by  # type: ignore[attr-defined]
    membership._change_reason = reason.strip()  # type: ignore[attr-defined]
    membership.save(update_fields=["member_class"])
    worker_bookable_refresh(membership=membership)
    return membership


@transaction.atomic
def membership_update_details(
    *, membership: Membership, by: User, legal_name: str, address: str, postcode: str, reason: str
) -> Membership:
    """Correct or update the name and address in the register, with the reason, in its history."""
    membership = _lock_current_membership(membership)
    if not legal_name.strip():
        raise _refuse(_("Enter the member's name."), "name_required", "legal_name")
    if not address.strip() or len(address) > ADDRESS_MAX_LENGTH:
        raise _refuse(_("Enter the address (under 500 characters)."), "invalid_address", "address")
    if not reason.strip():
        raise _refuse(
            _("Give the reason: it is kept in the register's history."), "reason_required", "reason"
        )
    membership.legal_name = legal_name.strip()
    membership.address = address.strip()
    membership.postcode = postcode_clean(postcode)
    membership._history_user = by  # type: ignore[attr-defined]
    membership._change_reason = reason.strip()  # type: ignore[attr-defined]
    membership.save(update_fields=["legal_name", "address", "postcode"])
    return membership


@transaction.atomic
def membership_cease(
    *,
    membership: Membership,
    by: User,
    reason: str,
    ceased_on: date,
    note: str = "",
    withdraw_shares: bool = True,
) -> Membership:
    """End a membership (resignation, expulsion, death). The row stays in the register forever;
    the shares are withdrawn on the same date unless staff say otherwise."""
    membership = _lock_current_membership(membership)
    if reason not in Membership.CessationReason.values:
        raise ApplicationError(_("Choose why the membership ended."), code="invalid_cessation_reason")
    if ceased_on > timezone.localdate():
        raise _refuse(
            _("Record a membership's end on or after the day it ends, not before."),
            "ceased_in_future",
            "ceased_on",
        )
    if ceased_on < membership.date_admitted:
        raise ApplicationError(
            _("A membership cannot end before the member was admitted."),
            code="ceased_before_admitted",
            fields={
                "ceased_on": [_("Enter a date on or after %(day)s.") % {"day": membership.date_admitted}]
            },
        )
    membership.date_ceased = ceased_on
    membership.cessation_reason = reason
    membership.cessation_note = note.strip()
    membership._history_user = by  # type: ignore[attr-defined]
    membership._change_reason = str(Membership.CessationReason(reason).label)  # type: ignore[attr-defined]
    membership.save(update_fields=["date_ceased", "cessation_reason", "cessation_note"])
    held = selectors.membership_shares_held(membership=membership)
    if withdraw_shares and held.shares:
        ShareTransaction.objects.create(
            membership=membership,
            kind=ShareTransaction.Kind.WITHDRAWAL,
            shares=held.shares,
            amount_pence=held.amount_pence,
            date=ceased_on,
            note=_("Withdrawn when the membership ended"),
            recorded_by=by,
        )
    worker_bookable_refresh(membership=membership)
    return membership


def _check_share_date(membership: Membership, day: date) -> None:
    if day > timezone.localdate():
        raise _refuse(_("The date cannot be in the future."), "date_in_future", "paid_on")
    if day < membership.date_admitted:
        raise _refuse(
            _("The date cannot be before the member was admitted (%(day)s).")
            % {"day": membership.date_admitted},
            "date_before_admission",
            "paid_on",
        )


@transaction.atomic
def shares_subscribe(
    *, membership: Membership, shares: int, paid_on: date, reference: str, by: User
) -> ShareTransaction:
    """Record more shares bought by a member (investors, mostly)."""
    membership = _lock_current_membership(membership)
    policy = Policy.current()
    if shares < 1:
        raise ApplicationError(_("Enter how many shares were bought."), code="invalid_share_count")
    _check_share_date(membership, paid_on)
    held = selectors.membership_shares_held(membership=membership)
    amount = shares * policy.share_value_pence
    if held.amount_pence + amount > policy.investor_max_pence:
        raise ApplicationError(
            _("No member may hold more than £%(max)s in shares.")
            % {"max": f"{policy.investor_max_pence / 100:,.0f}"},
            code="holding_above_maximum",
            fields={"shares": [_("That would take the holding over the maximum.")]},
        )
    transaction_ = ShareTransaction.objects.create(
        membership=membership,
        kind=ShareTransaction.Kind.SUBSCRIPTION,
        shares=shares,
        amount_pence=amount,
        date=paid_on,
        reference=reference.strip(),
        recorded_by=by,
    )
    worker_bookable_refresh(membership=membership)
    return transaction_


@transaction.atomic
def shares_withdraw(
    *, membership: Membership, shares: int, paid_on: date, reference: str, by: User
) -> ShareTransaction:
    """Record shares paid back to a member. A current member keeps at least one share.
    The membership row is locked, so two withdrawals at once cannot both spend the same shares."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if shares < 1:
        raise ApplicationError(_("Enter how many shares were withdrawn."), code="invalid_share_count")
    _check_share_date(membership, paid_on)
    held = selectors.membership_shares_held(membership=membership)
    least = 1 if membership.is_current else 0
    if held.shares - shares < least:
        raise ApplicationError(
            _("A member keeps at least one share while they are a member.")
            if least
            else _("The member holds only %(held)s shares.") % {"held": held.shares},
            code="below_minimum_holding",
            fields={"shares": [_("Too many shares.")]},
        )
    value = held.amount_pence // held.shares if held.shares else 0
    transaction_ = ShareTransaction.objects.create(
        membership=membership,
        kind=ShareTransaction.Kind.WITHDRAWAL,
        shares=shares,
        amount_pence=shares * value,
        date=paid_on,
        reference=reference.strip(),
        recorded_by=by,
    )
    worker_bookable_refresh(membership=membership)
    return transaction_


# --- Profiles ---------------------------------------------------------------------------------

PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is 8000 x 6000; decoding more can exhaust memory
PHOTO_MAX_SIDE = 600
RADIUS_LIMIT_KM = 100

COMMON_PROFILE_FIELDS = frozenset(
    {"display_name", "bio", "interests", "postcode", "languages", "offers_peer_support", "lived_experience"}
)
CLASS_PROFILE_FIELDS: dict[str, frozenset[str]] = {
    MemberClass.WORKER: frozenset({"skills", "gender", "hourly_rate_pence", "travel_radius_km"}),
    MemberClass.RECEIVER: frozenset(
        {"what_matters", "support_wanted", "worker_preferences", "max_distance_km"}
    ),
}
MANY_TO_MANY_FIELDS = frozenset({"languages", "lived_experience", "skills", "support_wanted"})


def profile_fields_for(member_class: str) -> frozenset[str]:
    return COMMON_PROFILE_FIELDS | CLASS_PROFILE_FIELDS.get(member_class, frozenset())


@transaction.atomic
def profile_get_or_create(*, membership: Membership) -> Profile:
    profile, _created = Profile.objects.get_or_create(
        membership=membership, defaults={"display_name": membership.legal_name.split()[0]}
    )
    return profile


def _check_range(name: str, value: int | None, low: int, high: int, message: str) -> None:
    if value is not None and not low <= value <= high:
        raise ApplicationError(message, code=f"invalid_{name}", fields={name: [message]})


@transaction.atomic
def profile_update(
    *, profile: Profile, by: User, visibility: dict[str, str] | None = None, **changes: Any
) -> Profile:
    """Change a profile. Only the fields of the member's class may change; `by` is who did it
    (the member, someone in their circle of support, or staff), kept in the profile's history."""
    profile = Profile.objects.select_for_update().select_related("membership").get(pk=profile.pk)
    member_class = profile.membership.member_class
    unknown = set(changes) - profile_fields_for(member_class)
    if unknown:
        raise ApplicationError(
            _("These details are not part of this profile: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))},
            code="unknown_profile_fields",
        )
    policy = Policy.current()
    if "display_name" in changes:
        changes["display_name"] = str(changes["display_name"] or "").strip()
        if not changes["display_name"]:
            raise ApplicationError(
                _("Give a name to show."),
                code="display_name_required",
                fields={"display_name": [_("Enter a name.")]},
            )
    if "hourly_rate_pence" in changes:
        low, high = policy.hourly_rate_min_pence, policy.hourly_rate_max_pence
        message = _("Choose a rate between £%(low)s and £%(high)s an hour.") % {
            "low": f"{low / 100:.2f}",
            "high": f"{high / 100:.2f}",
        }
        if changes["hourly_rate_pence"] is None:
            raise ApplicationError(
                message, code="invalid_hourly_rate_pence", fields={"hourly_rate_pence": [message]}
            )
        _check_range("hourly_rate_pence", changes["hourly_rate_pence"], low, high, message)
    for name in ("travel_radius_km", "max_distance_km"):
        if name in changes:
            _check_range(
                name,
                changes[name],
                1,
                RADIUS_LIMIT_KM,
                _("Choose a distance from 1 to %(limit)s km.") % {"limit": RADIUS_LIMIT_KM},
            )
    if "postcode" in changes:
        _profile_place(profile, str(changes.pop("postcode") or ""))
    if visibility is not None:
        profile.visibility = _checked_visibility(member_class, {**profile.visibility, **visibility})

    many = {name: changes.pop(name) for name in list(changes) if name in MANY_TO_MANY_FIELDS}
    for name, value in changes.items():
        setattr(profile, name, value)
    profile._history_user = by  # type: ignore[attr-defined]
    if by.pk != profile.membership.user_id:
        profile._change_reason = _("Changed by %(who)s on behalf of %(name)s") % {  # type: ignore[attr-defined]
            "who": by.email,
            "name": profile.membership.legal_name,
        }
    profile.save()
    for name, value in many.items():
        getattr(profile, name).set(value)
    return profile


def _profile_place(profile: Profile, postcode: str) -> None:
    if not postcode.strip():
        profile.postcode, profile.district, profile.latitude, profile.longitude = "", None, None, None
        return
    postcode = postcode_clean(postcode)
    point = geo.geocoder().locate(postcode)
    if point is None:
        message = _(
            "We do not know where %(postcode)s is yet. Check it, or ask the office to add your area."
        ) % {"postcode": postcode}
        raise ApplicationError(message, code="unknown_postcode", fields={"postcode": [message]})
    profile.postcode = postcode
    profile.district_id = geo.outward_code(postcode)
    profile.latitude, profile.longitude = point.latitude, point.longitude


def _checked_visibility(member_class: str, chosen: dict[str, str]) -> dict[str, str]:
    allowed = profiles.private_fields_for(member_class)
    bad = [
        name for name, audience in chosen.items() if name not in allowed or audience not in Audience.values
    ]
    if bad:
        raise ApplicationError(
            _("Choose who sees each detail: all members, your team, or only staff."),
            code="invalid_visibility",
            fields={
                "visibility": [_("Unknown detail or audience: %(names)s") % {"names": ", ".join(sorted(bad))}]
            },
        )
    return profiles.visibility_with_defaults(member_class, chosen)


@transaction.atomic
def profile_weekly_times_set(
    *, profile: Profile, by: User, kind: str, times: list[tuple[int, time, time]]
) -> list[WeeklyTime]:
    """Replace the times a worker is free (or a person needs support) with these."""
    if kind not in WeeklyTime.Kind.values:
        raise ApplicationError(_("Unknown kind of time."), code="invalid_weekly_time_kind")
    ordered = sorted(times)
    for weekday, starts, ends in ordered:
        if weekday not in WeeklyTime.Weekday.values or starts >= ends:
            raise ApplicationError(
                _("Each time needs a day, and a start before its end."), code="invalid_weekly_time"
            )
    for (day_a, _start_a, end_a), (day_b, start_b, _end_b) in pairwise(ordered):
        if day_a == day_b and start_b < end_a:
            raise ApplicationError(
                _("Two of the times on %(day)s overlap.") % {"day": WeeklyTime.Weekday(day_a).label},
                code="overlapping_weekly_times",
            )
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    profile.weekly_times.filter(kind=kind).delete()
    return WeeklyTime.objects.bulk_create(
        WeeklyTime(profile=profile, kind=kind, weekday=weekday, starts=starts, ends=ends)
        for weekday, starts, ends in ordered
    )


@transaction.atomic
def profile_photo_set(*, profile: Profile, by: User, upload: IO[bytes], size: int) -> Profile:
    """Keep a photo: checked to be an image, turned upright, shrunk to 600 px and re-saved as
    JPEG, which also drops its metadata (such as where it was taken)."""
    message = _("Choose a photo (JPEG, PNG or WebP) smaller than 8 MB.")
    if size > PHOTO_MAX_BYTES:
        raise ApplicationError(message, code="photo_too_large", fields={"photo": [message]})
    try:
        with Image.open(upload) as original:  # reads the header only; pixels are decoded below
            if original.format not in ("JPEG", "PNG", "WEBP"):
                raise ApplicationError(message, code="photo_not_an_image", fields={"photo": [message]})
            width, height = original.size
            if width * height > PHOTO_MAX_PIXELS:
                raise ApplicationError(
                    _("That photo is too big to use (%(w)s × %(h)s pixels). Choose a smaller one.")
                    % {"w": width, "h": height},
                    code="photo_too_large",
                    fields={"photo": [message]},
                )
            upright = ImageOps.exif_transpose(original).convert("RGB")
            upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            buffer = BytesIO()
            upright.save(buffer, format="JPEG", quality=85)
    except (
        UnidentifiedImageError,
        OSError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ApplicationError(message, code="photo_not_an_image", fields={"photo": [message]}) from exc
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    old = profile.photo.name
    profile.photo.save(f"{uuid.uuid4().hex}.jpg", ContentFile(buffer.getvalue()), save=False)
    profile._history_user = by  # type: ignore[attr-defined]
    profile.save(update_fields=["photo", "updated_at"])
    if old:
        transaction.on_commit(lambda: profile.photo.storage.delete(old))
    return profile


@transaction.atomic
def profile_photo_remove(*, profile: Profile, by: User) -> Profile:
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    old = profile.photo.name
    if old:
        profile.photo = ""
        profile._history_user = by  # type: ignore[attr-defined]
        profile.save(update_fields=["photo", "updated_at"])
        storage = profile.photo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return profile


@transaction.atomic
def profile_save(
    *,
    profile: Profile,
    by: User,
    changes: dict[str, Any],
    visibility: dict[str, str] | None = None,
    weekly_times: list[tuple[int, time, time]] | None = None,
    photo: tuple[IO[bytes], int] | None = None,
    remove_photo: bool = False,
) -> Profile:
    """Everything the profile page saves, together: all of it, or (on any refusal) none of it."""
    profile = profile_update(profile=profile, by=by, visibility=visibility, **changes)
    if weekly_times is not None:
        kind = (
            WeeklyTime.Kind.NEEDED
            if profile.membership.member_class == MemberClass.RECEIVER
            else WeeklyTime.Kind.AVAILABLE
        )
        profile_weekly_times_set(profile=profile, by=by, kind=kind, times=weekly_times)
    if photo is not None:
        profile = profile_photo_set(profile=profile, by=by, upload=photo[0], size=photo[1])
    elif remove_photo:
        profile = profile_photo_remove(profile=profile, by=by)
    return profile


# --- Vetting ------------------------------------------------------------------------------------

DBS_CERTIFICATE = re.compile(r"^\d{12}$")
REMINDER_DAYS = (30, 7)


def _dbs_expiry(*, issued_on: date, update_service: bool, checked_on: date | None, policy: Policy) -> date:
    """A certificate counts for the agreed months; a recent Update Service check extends it."""
    expires = issued_on + relativedelta(months=policy.dbs_valid_months) - timedelta(days=1)
    if update_service and checked_on:
        extended = (
            checked_on + relativedelta(months=policy.update_service_check_valid_months) - timedelta(days=1)
        )
        expires = max(expires, extended)
    return expires


@transaction.atomic
def vetting_check_record(
    *,
    membership: Membership,
    by: User,
    kind: str,
    issued_on: date,
    expires_on: date | None = None,
    certificate_number: str = "",
    dbs_level: str = "",
    update_service: bool = False,
    update_service_checked_on: date | None = None,
    document: str = "",
    course: TrainingCourse | None = None,
    referee_name: str = "",
    referee_relationship: str = "",
    satisfactory: bool | None = None,
    notes: str = "",
) -> VettingCheck:
    """Staff record a check they have verified. For a DBS certificate the expiry follows from
    the policy (and the Update Service); for the rest it is what the document says."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_current or membership.member_class != MemberClass.WORKER:
        raise ApplicationError(_("Checks are recorded for current worker members."), code="not_a_worker")
    today = timezone.localdate()
    if issued_on > today:
        raise _refuse(_("The date cannot be in the future."), "date_in_future", "issued_on")
    if expires_on is not None and expires_on < issued_on:
        raise _refuse(
            _("The expiry cannot be before the date issued."), "expires_before_issued", "expires_on"
        )
    check = VettingCheck(
        membership=membership, kind=kind, issued_on=issued_on, notes=notes.strip(), verified_by=by
    )
    if kind == VettingCheck.Kind.DBS:
        number = "".join(certificate_number.split())
        if not DBS_CERTIFICATE.match(number):
            raise _refuse(
                _("A DBS certificate number has 12 digits."),
                "invalid_certificate_number",
                "certificate_number",
            )
        if dbs_level not in VettingCheck.DbsLevel.values:
            raise _refuse(_("Choose the level of the check."), "invalid_dbs_level", "dbs_level")
        if update_service and update_service_checked_on is None:
            raise _refuse(
                _("Give the date the Update Service status was checked."),
                "update_service_date_missing",
                "update_service_checked_on",
            )
        if update_service_checked_on and update_service_checked_on > today:
            raise _refuse(
                _("The date cannot be in the future."), "date_in_future", "update_service_checked_on"
            )
        if update_service_checked_on and update_service_checked_on < issued_on:
            raise _refuse(
                _("The Update Service check cannot be before the certificate was issued."),
                "update_service_before_issue",
                "update_service_checked_on",
            )
        check.certificate_number, check.dbs_level = number, dbs_level
        check.update_service, check.update_service_checked_on = update_service, update_service_checked_on
        check.expires_on = _dbs_expiry(
            issued_on=issued_on,
            update_service=update_service,
            checked_on=update_service_checked_on,
            policy=Policy.current(),
        )
    elif kind == VettingCheck.Kind.RIGHT_TO_WORK:
        if not document.strip():
            raise _refuse(_("Say which document was seen."), "document_missing", "document")
        check.document, check.expires_on = document.strip(), expires_on
    elif kind == VettingCheck.Kind.TRAINING:
        if course is None:
            raise _refuse(_("Choose the course."), "course_missing", "course")
        check.course, check.expires_on = course, expires_on
    elif kind == VettingCheck.Kind.REFERENCE:
        if not referee_name.strip():
            raise _refuse(_("Give the referee's name."), "referee_missing", "referee_name")
        if satisfactory is None:
            raise _refuse(
                _("Say whether the reference was satisfactory."), "satisfactory_missing", "satisfactory"
            )
        check.referee_name, check.referee_relationship = referee_name.strip(), referee_relationship.strip()
        check.satisfactory = satisfactory
    else:
        raise ApplicationError(_("Unknown kind of check."), code="invalid_check_kind")
    check._history_user = by  # type: ignore[attr-defined]
    check.save()
    worker_bookable_refresh(membership=membership)
    return check


@transaction.atomic
def vetting_check_void(*, check: VettingCheck, by: User, reason: str) -> VettingCheck:
    """A check recorded in error, or withdrawn (a certificate revoked): it stops counting now,
    and stays in the history with who voided it and why."""
    check = VettingCheck.objects.select_for_update().get(pk=check.pk)
    if check.voided_at is not None:
        raise ConflictError(_("This check no longer counts already."), code="check_voided")
    if not reason.strip():
        raise _refuse(_("Give the reason: it is kept with the check."), "reason_required", "reason")
    check.voided_at, check.voided_by, check.void_reason = timezone.now(), by, reason.strip()
    check._history_user = by  # type: ignore[attr-defined]
    check.save(update_fields=["voided_at", "voided_by", "void_reason"])
    worker_bookable_refresh(membership=check.membership)
    return check


def vetting_reminders_send(*, today: date | None = None) -> int:
    """Email each worker whose check expires within 30 days, and staff: 30 and 7 days before,
    once each. Every check is claimed on its own, so sweeps running at once share the work."""
    day = today or timezone.localdate()
    due = selectors.vetting_reminders_due(today=day).values_list("pk", flat=True)
    return sum(1 for check_id in list(due) if vetting_reminder_send(check_id=check_id, today=day))


@transaction.atomic
def vetting_reminder_send(*, check_id: int, today: date) -> bool:
    check = (
        VettingCheck.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("membership__user", "course")
        .filter(pk=check_id)
        .first()
    )
    if check is None or check.expires_on is None:
        return False  # another sweep holds it, or it does not expire
    days_left = (check.expires_on - today).days
    if days_left < 0:
        return False
    if days_left <= 7 and check.reminded_7_at is None:
        which = 7
    elif days_left <= 30 and check.reminded_30_at is None and check.reminded_7_at is None:
        which = 30
    else:
        return False
    staff = list(User.objects.filter(is_staff=True, is_active=True).values_list("email", flat=True))
    context = {"check": check, "days_left": days_left, "coop_name": settings.COOP_NAME}
    subject = render_to_string("members/email/vetting_expiry_subject.txt", context).strip()
    body = render_to_string("members/email/vetting_expiry_message.txt", context)
    EmailMessage(subject, body, to=[check.membership.user.email], bcc=staff).send()
    now = timezone.now()
    # A 7-day reminder also stands for a 30-day one never sent (a check recorded late).
    check.reminded_7_at = now if which == 7 else check.reminded_7_at
    check.reminded_30_at = check.reminded_30_at or now
    check.save(update_fields=["reminded_7_at", "reminded_30_at"])
    return True


# --- Circle of support ----------------------------------------------------------------------------

CIRCLE_INVITATION_DAYS = 14
CIRCLE_POWERS = ("can_view_care", "can_book", "can_manage_team")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def circle_invite(
    *,
    receiver: Membership,
    by: User,
    email: str,
    can_view_care: bool = True,
    can_book: bool = False,
    can_manage_team: bool = False,
    link_for: Callable[[str], str],
) -> CircleMember:
    """Invite someone to act for a person getting support. The link's token is emailed once
    the invitation is saved, and only its hash is kept. The email goes from this process, not
    through Celery, so that the token never waits in the broker."""
    receiver = Membership.objects.select_for_update().select_related("user").get(pk=receiver.pk)
    if not receiver.is_current or receiver.member_class != MemberClass.RECEIVER:
        raise ApplicationError(
            _("A circle of support is for a member getting support."), code="not_a_receiver"
        )
    if by.pk != receiver.user_id and not by.is_staff:
        raise ApplicationError(
            _("Only the person, or the co-op's staff, can invite someone to their circle."),
            code="not_allowed",
        )
    email = email.strip().lower()
    if email == receiver.user.email.lower():
        raise _refuse(_("You cannot invite yourself."), "invite_self", "email")
    if not any((can_view_care, can_book, can_manage_team)):
        raise ApplicationError(_("Choose at least one thing they may do for you."), code="no_powers")
    holders = EmailAddress.objects.filter(email__iexact=email).values("user_id")
    already = CircleMember.objects.filter(
        receiver=receiver, status__in=[CircleMember.Status.INVITED, CircleMember.Status.ACTIVE]
    ).filter(Q(email__iexact=email) | Q(supporter__email__iexact=email) | Q(supporter__in=holders))
    if already.exists():
        raise ConflictError(
            _("%(email)s is already in the circle, or has an invitation waiting.") % {"email": email},
            code="already_in_circle",
        )
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = CircleMember(
        receiver=receiver,
        email=email,
        can_view_care=can_view_care,
        can_book=can_book,
        can_manage_team=can_manage_team,
        token_hash=_token_hash(token),
        invited_by=by,
        invited_at=now,
        expires_at=now + timedelta(days=CIRCLE_INVITATION_DAYS),
    )
    invitation._history_user = by  # type: ignore[attr-defined]
    invitation.save()
    # Sent before the commit: if the email cannot go, nothing is saved and the person can try
    # again, rather than leaving an invitation nobody received.
    try:
        circle_invitation_email_send(invitation=invitation, accept_url=link_for(token))
    except (SMTPException, OSError) as exc:
        raise ApplicationError(
            _("We could not send the invitation email just now. Nothing was saved: please try again later."),
            code="email_failed",
        ) from exc
    return invitation


def circle_invitation_for_token(*, token: str) -> CircleMember:
    invitation = (
        CircleMember.objects.select_related("receiver__user", "invited_by")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if invitation is None:
        raise ApplicationError(_("This invitation link is not valid."), code="invitation_unknown")
    return invitation


def _lock_open_invitation(*, token: str, user: User) -> CircleMember:
    invitation = CircleMember.objects.select_for_update().filter(token_hash=_token_hash(token)).first()
    if invitation is None:
        raise ApplicationError(_("This invitation link is not valid."), code="invitation_unknown")
    if invitation.status != CircleMember.Status.INVITED:
        raise ConflictError(
            _("This invitation has already been answered or withdrawn."), code="invitation_closed"
        )
    if invitation.expires_at <= timezone.now():
        raise ApplicationError(
            _("This invitation has expired. Ask for a new one."), code="invitation_expired"
        )
    verified = EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()
    if not verified:
        raise ApplicationError(
            _("This invitation was sent to %(email)s. Log in with that address (and confirm it) to answer.")
            % {"email": invitation.email},
            code="invitation_for_someone_else",
        )
    return invitation


@transaction.atomic
def circle_accept(*, token: str, user: User) -> CircleMember:
    invitation = _lock_open_invitation(token=token, user=user)
    if invitation.receiver.user_id == user.pk:
        raise ApplicationError(_("You cannot join your own circle."), code="invite_self")
    if CircleMember.objects.filter(
        receiver_id=invitation.receiver_id, supporter=user, status=CircleMember.Status.ACTIVE
    ).exists():
        raise ConflictError(_("You are already in this circle of support."), code="already_in_circle")
    invitation.status = CircleMember.Status.ACTIVE
    invitation.supporter = user
    invitation.responded_at = timezone.now()
    invitation._history_user = user  # type: ignore[attr-defined]
    invitation.save()
    return invitation


@transaction.atomic
def circle_decline(*, token: str, user: User) -> CircleMember:
    invitation = _lock_open_invitation(token=token, user=user)
    invitation.status = CircleMember.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation._history_user = user  # type: ignore[attr-defined]
    invitation.save()
    return invitation


@transaction.atomic
def circle_revoke(*, member: CircleMember, by: User) -> CircleMember:
    """The person (or staff) ends someone's place in their circle, or withdraws an invitation."""
    member = CircleMember.objects.select_for_update().select_related("receiver").get(pk=member.pk)
    if by.pk != member.receiver.user_id and not by.is_staff:
        raise ApplicationError(_("Only the person, or staff, can change their circle."), code="not_allowed")
    if member.status not in (CircleMember.Status.INVITED, CircleMember.Status.ACTIVE):
        raise ConflictError(_("This person is no longer in the circle."), code="circle_member_gone")
    member.status = CircleMember.Status.REVOKED
    member.revoked_at = timezone.now()
    member.revoked_by = by
    member._history_user = by  # type: ignore[attr-defined]
    member.save()
    return member


def circle_invitation_email_send(*, invitation: CircleMember, accept_url: str) -> None:
    context = {
        "invitation": invitation,
        "accept_url": accept_url,
        "coop_name": settings.COOP_NAME,
        "days": CIRCLE_INVITATION_DAYS,
    }
    subject = render_to_string("members/email/circle_invitation_subject.txt", context).strip()
    body = render_to_string("members/email/circle_invitation_message.txt", context)
    send_mail(subject, body, None, [invitation.email])


# --- Bookability, kept for search -----------------------------------------------------------------


def worker_bookable_until(*, membership: Membership, today: date | None = None) -> date | None:
    """The last day this worker can be booked on what is recorded now, or None if not today.

    Checks are never issued in the future, so from today on a worker stays bookable until the
    first of their required checks expires (or their membership ends)."""
    day = today or timezone.localdate()
    if not selectors.worker_is_bookable(membership=membership, on=day):
        return None
    checks = [
        c
        for c in selectors.vetting_latest_for(membership=membership)
        if c.kind in selectors.REQUIRED_FOR_BOOKING
    ]
    ends = [c.expires_on for c in checks if c.is_current_on(day) and c.expires_on is not None]
    return min(ends) if ends else date.max


def worker_bookable_refresh(*, membership: Membership) -> Membership:
    until = worker_bookable_until(membership=membership)
    if membership.bookable_until != until:
        Membership.objects.filter(pk=membership.pk).update(bookable_until=until)
        membership.bookable_until = until
    return membership


def workers_bookable_refresh_all() -> int:
    """Recompute every worker's bookable_until (the daily task): a guard against any drift."""
    changed = 0
    for membership in Membership.objects.filter(member_class=MemberClass.WORKER):
        before = membership.bookable_until
        if worker_bookable_refresh(membership=membership).bookable_until != before:
            changed += 1
    return changed
