"""Vetting of workers: training courses and the checks staff record."""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models.profiles import Vocabulary
from members.models.register import Membership


class TrainingCourse(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("training course")


class VettingCheck(models.Model):
    """A check staff made on a worker: a criminal-record (DBS) certificate, the right to work in
    the UK, a training certificate or a reference. A renewal is a new row; the newest of each
    kind is the one that counts. `expires_on` is the last day it counts (None: it does not expire)."""

    class Kind(models.TextChoices):
        DBS = "dbs", _("Criminal-record check (DBS)")
        RIGHT_TO_WORK = "right_to_work", _("Right to work")
        TRAINING = "training", _("Training")
        REFERENCE = "reference", _("Reference")

    class DbsLevel(models.TextChoices):
        BASIC = "basic", _("Basic")
        STANDARD = "standard", _("Standard")
        ENHANCED = "enhanced", _("Enhanced")
        ENHANCED_BARRED = "enhanced_barred", _("Enhanced with barred lists")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="vetting_checks")
    kind = models.CharField(_("check"), max_length=20, choices=Kind.choices)
    issued_on = models.DateField(_("date issued or done"))
    expires_on = models.DateField(
        _("expires on"), null=True, blank=True, help_text=_("The last day it counts.")
    )

    certificate_number = models.CharField(_("certificate number"), max_length=40, blank=True)
    dbs_level = models.CharField(_("level"), max_length=20, choices=DbsLevel.choices, blank=True)
    update_service = models.BooleanField(_("on the DBS Update Service"), default=False)
    update_service_checked_on = models.DateField(
        _("Update Service status last checked"), null=True, blank=True
    )
    document = models.CharField(_("document seen"), max_length=120, blank=True)
    course = models.ForeignKey(TrainingCourse, on_delete=models.PROTECT, null=True, blank=True)
    referee_name = models.CharField(_("referee"), max_length=120, blank=True)
    referee_relationship = models.CharField(_("how they know the worker"), max_length=120, blank=True)
    satisfactory = models.BooleanField(_("satisfactory"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    # A check recorded in error, or withdrawn (a certificate revoked), stops counting at once.
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(_("why it no longer counts"), blank=True, max_length=1000)

    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(default=timezone.now)
    reminded_30_at = models.DateTimeField(null=True, blank=True)
    reminded_7_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["membership", "kind", "-issued_on", "-pk"]
        indexes = [
            models.Index(fields=["kind", "membership", "-issued_on"], name="members_vetting_latest"),
            models.Index(fields=["expires_on"], name="members_vetting_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="members_vetting_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.membership.legal_name})"

    def is_current_on(self, day: date) -> bool:
        return self.issued_on <= day and (self.expires_on is None or day <= self.expires_on)
