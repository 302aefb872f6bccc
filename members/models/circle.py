"""Each person's circle of support."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models.register import Membership


class CircleMember(models.Model):
    """Someone a person getting support has asked to act for them, with the powers they chose.

    An invitation is sent by email; only the person at that address can accept it. The person
    getting support (or staff) can revoke it at any time. Only a hash of the invitation's
    token is kept.
    """

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACTIVE = "active", _("Active")
        DECLINED = "declined", _("Declined")
        REVOKED = "revoked", _("Revoked")

    receiver = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="circle")
    email = models.EmailField(_("email address"))
    # Blank for invitations sent before names were asked: the email stands in for the name.
    name = models.CharField(_("name"), max_length=120, blank=True)
    supporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="supporting"
    )
    can_view_care = models.BooleanField(_("see my profile and care log"), default=True)
    can_book = models.BooleanField(_("book visits for me"), default=False)
    can_manage_team = models.BooleanField(_("manage my team"), default=False)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["receiver", "-invited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["receiver", "supporter"],
                condition=Q(status="active"),
                name="members_circle_one_active_per_supporter",
            ),
            models.UniqueConstraint(
                Lower("email"),
                "receiver",
                condition=Q(status="invited"),
                name="members_circle_one_open_invitation_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.receiver.legal_name}"

    @property
    def shown_name(self) -> str:
        return self.name or self.email

    POWERS = {
        "can_view_care": _("see my profile and care log"),
        "can_book": _("book visits for me"),
        "can_manage_team": _("manage my team"),
    }

    @property
    def powers(self) -> list[str]:
        return [str(label) for field, label in self.POWERS.items() if getattr(self, field)]
