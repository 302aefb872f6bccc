"""Vetting of workers (rule 3): checks recorded by staff, their expiry and reminders."""

import re
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from carecoop import outbox
from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError, ConflictError
from carecoop.outbox import Outgoing
from members import selectors
from members.models import (
    MemberClass,
    Membership,
    Policy,
    TrainingCourse,
    User,
    VettingCheck,
)
from members.services.bookability import worker_bookable_refresh
from members.services.rules import refuse

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
        raise refuse(_("The date cannot be in the future."), "date_in_future", "issued_on")
    if expires_on is not None and expires_on < issued_on:
        raise refuse(_("The expiry cannot be before the date issued."), "expires_before_issued", "expires_on")
    check = VettingCheck(
        membership=membership, kind=kind, issued_on=issued_on, notes=notes.strip(), verified_by=by
    )
    if kind == VettingCheck.Kind.DBS:
        number = "".join(certificate_number.split())
        if not DBS_CERTIFICATE.match(number):
            raise refuse(
                _("A DBS certificate number has 12 digits."),
                "invalid_certificate_number",
                "certificate_number",
            )
        if dbs_level not in VettingCheck.DbsLevel.values:
            raise refuse(_("Choose the level of the check."), "invalid_dbs_level", "dbs_level")
        if update_service and update_service_checked_on is None:
            raise refuse(
                _("Give the date the Update Service status was checked."),
                "update_service_date_missing",
                "update_service_checked_on",
            )
        if update_service_checked_on and update_service_checked_on > today:
            raise refuse(
                _("The date cannot be in the future."), "date_in_future", "update_service_checked_on"
            )
        if update_service_checked_on and update_service_checked_on < issued_on:
            raise refuse(
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
            raise refuse(_("Say which document was seen."), "document_missing", "document")
        check.document, check.expires_on = document.strip(), expires_on
    elif kind == VettingCheck.Kind.TRAINING:
        if course is None:
            raise refuse(_("Choose the course."), "course_missing", "course")
        check.course, check.expires_on = course, expires_on
    elif kind == VettingCheck.Kind.REFERENCE:
        if not referee_name.strip():
            raise refuse(_("Give the referee's name."), "referee_missing", "referee_name")
        if satisfactory is None:
            raise refuse(
                _("Say whether the reference was satisfactory."), "satisfactory_missing", "satisfactory"
            )
        check.referee_name, check.referee_relationship = referee_name.strip(), referee_relationship.strip()
        check.satisfactory = satisfactory
    else:
        raise ApplicationError(_("Unknown kind of check."), code="invalid_check_kind")
    check._history_user = by  # type: ignore[attr-defined]
    check.save()
    worker_bookable_refresh(membership=membership)
    staff_action_record(
        by=by,
        action="vetting.record",
        summary=f"Recorded a {check.get_kind_display()} check for member {membership.number}",
        member=membership.user,
    )
    return check


@transaction.atomic
def vetting_check_void(*, check: VettingCheck, by: User, reason: str) -> VettingCheck:
    """A check recorded in error, or withdrawn (a certificate revoked): it stops counting now,
    and stays in the history with who voided it and why."""
    check = VettingCheck.objects.select_for_update().get(pk=check.pk)
    if check.voided_at is not None:
        raise ConflictError(_("This check no longer counts already."), code="check_voided")
    if not reason.strip():
        raise refuse(_("Give the reason: it is kept with the check."), "reason_required", "reason")
    check.voided_at, check.voided_by, check.void_reason = timezone.now(), by, reason.strip()
    check._history_user = by  # type: ignore[attr-defined]
    check.save(update_fields=["voided_at", "voided_by", "void_reason"])
    worker_bookable_refresh(membership=check.membership)
    staff_action_record(
        by=by,
        action="vetting.void",
        summary=f"Stopped a {check.get_kind_display()} check counting for member {check.membership.number}: "
        f"{check.void_reason}",
        member=check.membership.user,
    )
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
    _expiry_emails_queue(check, expires_on=check.expires_on, days_left=days_left)
    now = timezone.now()
    # A 7-day reminder also stands for a 30-day one never sent (a check recorded late).
    check.reminded_7_at = now if which == 7 else check.reminded_7_at
    check.reminded_30_at = check.reminded_30_at or now
    check.save(update_fields=["reminded_7_at", "reminded_30_at"])
    return True


def _expiry_emails_queue(check: VettingCheck, *, expires_on: date, days_left: int) -> None:
    """The worker is told, and each of the staff gets a copy (one email each, so no address is
    shown to anyone else)."""
    membership = check.membership
    values = {
        "worker": membership.legal_name,
        "number": membership.number,
        "check": check.get_kind_display(),
        "course": check.course.name if check.course else "",
        "needed_to_work": check.kind in (VettingCheck.Kind.DBS, VettingCheck.Kind.RIGHT_TO_WORK),
        "expires": dateformat.format(expires_on, "j F Y"),
        "days_left": days_left,
    }
    staff = User.objects.filter(is_staff=True, is_active=True).exclude(email="").order_by("pk")
    outbox.emails_queue(
        emails=[
            Outgoing(
                kind="members.vetting_expiry",
                to=membership.user.email,
                name=membership.legal_name,
                context={**values, "for_staff": False},
                about=f"members.vetting_check:{check.pk}",
            ),
            *(
                Outgoing(
                    kind="members.vetting_expiry",
                    to=user.email,
                    context={**values, "for_staff": True},
                    about=f"members.vetting_check:{check.pk}",
                )
                for user in staff
            ),
        ]
    )
