"""A person's emergency contact: set, changed or removed by the person, or by staff."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError
from carecoop.permissions import is_staff
from members.models import EmergencyContact, Membership, User
from members.services.rules import phone_clean, refuse

NAME_MAX = 120
RELATIONSHIP_MAX = 80


@transaction.atomic
def emergency_contact_save(
    *, membership: Membership, by: User, name: str, relationship: str = "", phone: str = ""
) -> EmergencyContact | None:
    """Set the contact; a name and a phone both left empty removes it (it is optional)."""
    if by.pk != membership.user_id and not is_staff(by):
        raise ApplicationError(
            _("Only the member, or the co-op's staff, can change their emergency contact."),
            code="not_allowed",
        )
    name, relationship = name.strip(), relationship.strip()
    cleaned_phone = phone_clean(phone)
    if not name and not cleaned_phone:
        EmergencyContact.objects.filter(membership=membership).delete()
        _logged(by, membership, "Removed")
        return None
    if not name:
        raise refuse(_("Give the name of the person to call."), "name_required", "name")
    if len(name) > NAME_MAX:
        raise refuse(_("Keep the name under %(n)s characters.") % {"n": NAME_MAX}, "too_long", "name")
    if len(relationship) > RELATIONSHIP_MAX:
        raise refuse(
            _("Keep it under %(n)s characters.") % {"n": RELATIONSHIP_MAX}, "too_long", "relationship"
        )
    if not cleaned_phone:
        raise refuse(_("Give a phone number to call them on."), "phone_required", "phone")
    contact, _created = EmergencyContact.objects.update_or_create(
        membership=membership,
        defaults={
            "name": name,
            "relationship": relationship,
            "phone": cleaned_phone,
            "updated_at": timezone.now(),
            "updated_by": by,
        },
    )
    _logged(by, membership, "Changed")
    return contact


def _logged(by: User, membership: Membership, what: str) -> None:
    staff_action_record(
        by=by,
        action="emergency_contact.save",
        summary=f"{what} the emergency contact of member {membership.number}",
        member=membership.user,
    )
