"""Members requisitioning a general meeting: signatures until the threshold is met."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop import outbox
from carecoop.exceptions import ConflictError
from carecoop.outbox import Outgoing
from governance import selectors
from governance.models import (
    Requisition,
    RequisitionSignature,
)
from governance.services.common import clean_text, membership_of
from members.models import User


@transaction.atomic
def requisition_open(*, user: User, purpose: str) -> Requisition:
    membership = membership_of(user)
    purpose = clean_text(purpose, field="purpose", what=_("what the meeting is for"))
    requisition = Requisition.objects.create(purpose=purpose, opened_by=membership)
    return requisition_sign(requisition=requisition, user=user)


@transaction.atomic
def requisition_sign(*, requisition: Requisition, user: User) -> Requisition:
    membership = membership_of(user)
    # One signer at a time per requisition, so exactly one of them sees it met.
    requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if requisition.met_at is not None:
        raise ConflictError(
            _("This requisition already has the signatures it needs; the secretary calls the meeting."),
            code="requisition_met",
        )
    if RequisitionSignature.objects.filter(requisition=requisition, membership=membership).exists():
        raise ConflictError(_("You have already signed this requisition."), code="already_signed")
    RequisitionSignature.objects.create(requisition=requisition, membership=membership)
    needed = selectors.requisition_signatures_needed()
    if requisition.signatures.count() >= needed:
        requisition.met_at = timezone.now()
        requisition.signatures_needed = needed
        requisition.save(update_fields=["met_at", "signatures_needed"])
        _staff_tell_requisition_met(requisition)
    return requisition


@transaction.atomic
def requisition_unsign(*, requisition: Requisition, user: User) -> Requisition:
    """Take a signature back, while the requisition is still collecting them: once met, the
    meeting is owed to the members who asked for it."""
    membership = membership_of(user)
    requisition = Requisition.objects.select_for_update().get(pk=requisition.pk)
    if requisition.met_at is not None:
        raise ConflictError(
            _("This requisition has the signatures it needs: a signature can no longer be taken back."),
            code="requisition_met",
        )
    deleted, _rows = RequisitionSignature.objects.filter(
        requisition=requisition, membership=membership
    ).delete()
    if not deleted:
        raise ConflictError(_("You have not signed this requisition."), code="not_signed")
    return requisition


def _staff_tell_requisition_met(requisition: Requisition) -> None:
    """Each of the staff is emailed (one email each), in the transaction that met it."""
    staff = User.objects.filter(is_staff=True, is_active=True).exclude(email="").order_by("pk")
    context = {"purpose": requisition.purpose, "requisition": requisition.pk}
    outbox.emails_queue(
        emails=[
            Outgoing(
                kind="governance.requisition_met",
                to=user.email,
                context=context,
                about=f"governance.requisition:{requisition.pk}",
            )
            for user in staff
        ]
    )
