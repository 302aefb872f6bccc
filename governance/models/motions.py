"""Motions and the versions of their text."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.models.meetings import Meeting
from members.models import Membership


class Majority(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary resolution (more than half of the votes cast)")
    SPECIAL = "special", _("Special resolution (at least three quarters of the votes cast)")


class Motion(models.Model):
    class Status(models.TextChoices):
        AWAITING_SECONDER = "awaiting_seconder", _("Waiting for a seconder")
        TABLED = "tabled", _("Proposed and seconded")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CARRIED = "carried", _("Carried")
        LOST = "lost", _("Lost")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="motions")
    title = models.CharField(_("title"), max_length=200)
    majority = models.CharField(_("kind of resolution"), max_length=10, choices=Majority.choices)
    amends = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments"
    )
    by_board = models.BooleanField(_("proposed by the board"), default=False)
    proposer = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seconder = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(by_board=True, proposer__isnull=True, seconder__isnull=True)
                | Q(by_board=False, proposer__isnull=False),
                name="motion_by_board_or_a_member",
            ),
            models.CheckConstraint(
                condition=Q(seconder__isnull=True) | ~Q(seconder=F("proposer")),
                name="motion_not_seconded_by_proposer",
            ),
            models.CheckConstraint(
                condition=~Q(status="awaiting_seconder") | Q(seconder__isnull=True, by_board=False),
                name="motion_awaiting_has_no_seconder",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["awaiting_seconder", "withdrawn"])
                | Q(by_board=True)
                | Q(seconder__isnull=False),
                name="motion_tabled_is_seconded",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MotionVersion(models.Model):
    """The text of a motion. A change is a new version; versions are never edited."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(_("text"), max_length=20_000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["motion", "number"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "number"], name="motion_version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.motion_id} v{self.number}"
