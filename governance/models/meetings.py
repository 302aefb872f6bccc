"""Requisitions, general meetings, their notice, documents, minutes and attendance."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.models.policy import CHECK_IN_OPENS_BEFORE
from members.models import Membership


class Requisition(models.Model):
    """Members asking for a general meeting. It is met when enough members sign; the secretary
    then calls the meeting it asks for."""

    purpose = models.TextField(_("what the meeting is for"), max_length=2000)
    opened_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    met_at = models.DateTimeField(null=True, blank=True)
    signatures_needed = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.purpose[:60]


class RequisitionSignature(models.Model):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="signatures")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["requisition", "membership"], name="requisition_signed_once")
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} signed {self.requisition_id}"


class Meeting(models.Model):
    class Kind(models.TextChoices):
        AGM = "agm", _("Annual general meeting")
        GENERAL = "general", _("General meeting")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("In person and online")

    kind = models.CharField(_("kind of meeting"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    format = models.CharField(_("where it happens"), max_length=10, choices=Format.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.TextField(_("place"), blank=True, max_length=500)
    online_link = models.URLField(_("link to join online"), blank=True)
    agenda = models.TextField(_("agenda"), max_length=10_000)
    requisition = models.OneToOneField(
        Requisition, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting"
    )
    chair = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("chair")
    )
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    called_at = models.DateTimeField(default=timezone.now)
    # When its details were last corrected and the amended notice sent to every member.
    notice_amended_at = models.DateTimeField(null=True, blank=True)
    members_at_notice = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["members_at_notice"])

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(
                condition=Q(format="online") | ~Q(place=""), name="meeting_in_person_has_place"
            ),
            models.CheckConstraint(
                condition=Q(format="in_person") | ~Q(online_link=""), name="meeting_online_has_link"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def in_session(self, at: datetime | None = None) -> bool:
        """Whether members can check in: from half an hour before the start until the end."""
        now = at or timezone.now()
        return self.starts_at - CHECK_IN_OPENS_BEFORE <= now < self.ends_at


class MeetingNotice(models.Model):
    """The notice of a meeting given to one member, at this address: the record that every member
    was told. The email itself leaves through the outbox (carecoop.Email), written with it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "membership"], name="meeting_notice_once"),
        ]

    def __str__(self) -> str:
        return f"Notice of {self.meeting_id} to {self.membership_id}"


class MeetingDocument(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="meetings/%Y/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Minutes(models.Model):
    """The minutes of a meeting, approved (and then fixed) at a later meeting."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    text = models.TextField(_("minutes"), max_length=100_000)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    approved_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="minutes_approved"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("minutes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(approved_at_meeting=F("meeting")), name="minutes_approved_at_another_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}"


class Attendance(models.Model):
    class How(models.TextChoices):
        ONLINE = "online", _("Checked in online")
        IN_ROOM = "in_room", _("Marked present in the room")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    how = models.CharField(max_length=10, choices=How.choices)
    present_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["present_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "membership"], name="attendance_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} at {self.meeting_id}"
