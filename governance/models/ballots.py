"""Ballots, candidates and the list of who may vote (fixed when a ballot opens)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.models.meetings import Meeting
from governance.models.motions import Majority, Motion
from governance.models.policy import SeatClass
from members.models import Membership


class Ballot(models.Model):
    class Kind(models.TextChoices):
        MOTION = "motion", _("A motion: for, against or abstain")
        ELECTION = "election", _("A board election: rank the candidates")

    class Method(models.TextChoices):
        ONLINE = "online", _("Online, open to every eligible member until it closes")
        AT_MEETING = "at_meeting", _("At the meeting: members present and proxies")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not open yet")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="ballots"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    method = models.CharField(max_length=12, choices=Method.choices, default=Method.ONLINE)
    motion = models.ForeignKey(
        Motion, on_delete=models.PROTECT, null=True, blank=True, related_name="ballots"
    )
    seat_class = models.CharField(max_length=10, choices=SeatClass.choices, blank=True)
    seats = models.PositiveSmallIntegerField(default=0)
    secret = models.BooleanField(_("secret ballot"), default=True)
    changes_allowed = models.BooleanField(_("a vote may be changed until the ballot closes"), default=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Fixed when the ballot opens, so a change of the rules during a vote does not change it.
    weighting = models.JSONField(default=dict, blank=True)
    majority = models.CharField(max_length=10, choices=Majority.choices, blank=True)
    eligible_count = models.PositiveIntegerField(default=0)
    # Counted once, at close: the figures every results page and export shows.
    result = models.JSONField(null=True, blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords(excluded_fields=["result"])

    class Meta:
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="ballot_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(kind="motion", motion__isnull=False, seat_class="")
                | Q(kind="election", motion__isnull=True, seats__gte=1) & ~Q(seat_class=""),
                name="ballot_motion_or_election",
            ),
            models.CheckConstraint(
                condition=Q(method="online") | Q(meeting__isnull=False), name="ballot_at_meeting_has_meeting"
            ),
            models.UniqueConstraint(
                fields=["motion"], condition=Q(motion__isnull=False), name="ballot_one_per_motion"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="candidates")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(_("statement"), max_length=5000)
    stood_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["ballot", "membership"], name="candidate_stands_once")]

    def __str__(self) -> str:
        return f"{self.membership_id} in {self.ballot_id}"


class Eligibility(models.Model):
    """The members who may vote on a ballot, fixed when it opens (rule 6)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="eligibility")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    member_class = models.CharField(max_length=20)

    class Meta:
        verbose_name_plural = _("eligibility")
        constraints = [models.UniqueConstraint(fields=["ballot", "membership"], name="eligible_once")]

    def __str__(self) -> str:
        return f"{self.membership_id} may vote in {self.ballot_id}"
