"""The register of members: class changes, details, cessation and share capital.

Rule 2: the register is kept forever, and every change records who made it and when."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop import request_memo
from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError, ConflictError
from carecoop.money import pounds
from members import selectors
from members.models import (
    MemberClass,
    Membership,
    Policy,
    ShareTransaction,
    User,
)
from members.services.bookability import worker_bookable_refresh
from members.services.rules import ADDRESS_MAX_LENGTH, age_on, postcode_clean, refuse


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
        if born is None or age_on(born, timezone.localdate()) < policy.worker_minimum_age:
            raise ApplicationError(
                _("Workers must be %(age)s or over, and we hold no date of birth showing this member is.")
                % {"age": policy.worker_minimum_age},
                code="too_young",
            )
    if member_class == MemberClass.INVESTOR:
        held = selectors.membership_shares_held(membership=membership)
        if held.amount_pence < policy.investor_min_pence:
            raise ApplicationError(
                _("Investors hold at least %(low)s in shares: record the shares bought first.")
                % {"low": pounds(policy.investor_min_pence, whole=True)},
                code="investment_out_of_bounds",
            )
    membership.member_class = member_class
    membership._history_user = by  # type: ignore[attr-defined]
    membership._change_reason = reason.strip()  # type: ignore[attr-defined]
    membership.save(update_fields=["member_class"])
    request_memo.forget()  # this request reads the changed membership from here on
    worker_bookable_refresh(membership=membership)
    staff_action_record(
        by=by,
        action="register.class",
        summary=f"Moved member {membership.number} to the {membership.get_member_class_display()} class: "
        f"{reason.strip()}",
        member=membership.user,
    )
    return membership


@transaction.atomic
def membership_update_details(
    *, membership: Membership, by: User, legal_name: str, address: str, postcode: str, reason: str
) -> Membership:
    """Correct or update the name and address in the register, with the reason, in its history."""
    membership = _lock_current_membership(membership)
    if not legal_name.strip():
        raise refuse(_("Enter the member's name."), "name_required", "legal_name")
    if not address.strip() or len(address) > ADDRESS_MAX_LENGTH:
        raise refuse(_("Enter the address (under 500 characters)."), "invalid_address", "address")
    if not reason.strip():
        raise refuse(_("Give the reason: it is kept in the register's history."), "reason_required", "reason")
    membership.legal_name = legal_name.strip()
    membership.address = address.strip()
    membership.postcode = postcode_clean(postcode)
    membership._history_user = by  # type: ignore[attr-defined]
    membership._change_reason = reason.strip()  # type: ignore[attr-defined]
    membership.save(update_fields=["legal_name", "address", "postcode"])
    request_memo.forget()  # this request reads the changed membership from here on
    staff_action_record(
        by=by,
        action="register.details",
        summary=f"Changed member {membership.number}'s name or address in the register: {reason.strip()}",
        member=membership.user,
    )
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
        raise refuse(
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
    request_memo.forget()  # this request reads the changed membership from here on
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
    staff_action_record(
        by=by,
        action="register.cease",
        summary=f"Ended member {membership.number}'s membership on {ceased_on:%d %B %Y} "
        f"({membership.get_cessation_reason_display()})",
        member=membership.user,
    )
    return membership


def _check_share_date(membership: Membership, day: date) -> None:
    if day > timezone.localdate():
        raise refuse(_("The date cannot be in the future."), "date_in_future", "paid_on")
    if day < membership.date_admitted:
        raise refuse(
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
            _("No member may hold more than %(max)s in shares.")
            % {"max": pounds(policy.investor_max_pence, whole=True)},
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
    _shares_logged(transaction_, by=by)
    return transaction_


def _shares_logged(transaction_: ShareTransaction, *, by: User) -> None:
    membership = transaction_.membership
    staff_action_record(
        by=by,
        action=f"shares.{transaction_.kind}",
        summary=f"Recorded {transaction_.get_kind_display().lower()} of {transaction_.shares} shares "
        f"({pounds(transaction_.amount_pence)}) for member {membership.number}",
        member=membership.user,
    )


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
    _shares_logged(transaction_, by=by)
    return transaction_
