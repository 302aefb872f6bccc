"""Whom to call if something happens at a visit."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from members.models.register import Membership


class EmergencyContact(models.Model):
    """Someone to call in an emergency, given by the person (or staff for them). Optional. Apart
    from the register (it is not a fact of membership) and from the profile (nobody finds or
    chooses by it): it is shown only to the worker at the door, during their visit."""

    membership = models.OneToOneField(Membership, on_delete=models.PROTECT, related_name="emergency_contact")
    name = models.CharField(_("name"), max_length=120)
    relationship = models.CharField(
        _("relationship to you"), max_length=80, blank=True, help_text=_("Daughter, neighbour, GP…")
    )
    phone = PhoneNumberField(_("phone"), region="GB")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords(excluded_fields=["updated_at"])

    def __str__(self) -> str:
        return f"Emergency contact of {self.membership_id}"
