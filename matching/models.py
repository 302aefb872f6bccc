from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecoop.policies import SingletonPolicy
from members.models import Membership


class MatchingPolicy(SingletonPolicy):
    """How suggestions are ranked, and the limits on introductions. One row; staff tune it."""

    weight_skills = models.PositiveSmallIntegerField(_("weight of skills wanted"), default=35)
    weight_availability = models.PositiveSmallIntegerField(_("weight of being free when needed"), default=25)
    weight_distance = models.PositiveSmallIntegerField(_("weight of being near"), default=20)
    weight_languages = models.PositiveSmallIntegerField(
        _("weight of speaking a preferred language"), default=10
    )
    weight_rate = models.PositiveSmallIntegerField(_("weight of a lower rate"), default=10)
    introduction_days = models.PositiveSmallIntegerField(
        _("days an introduction waits for an answer"), default=14
    )
    trial_weeks = models.PositiveSmallIntegerField(_("weeks of a trial in a team"), default=4)
    daily_pending_limit = models.PositiveSmallIntegerField(
        _("introductions a member may send in a day while unanswered"), default=5
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("matching policy")
        verbose_name_plural = _("matching policy")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="matching_policy_single_row")]

    def __str__(self) -> str:
        return str(_("Matching policy"))


class Introduction(models.Model):
    """One side asking to be introduced to the other. Contact details stay hidden until it is
    accepted; then the worker (or peer supporter) joins the person's team on trial."""

    class Kind(models.TextChoices):
        CARE = "care", _("Care and support")
        PEER = "peer", _("Peer support")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CARE)
    # The person whose team it is, and the worker or peer supporter who would join it.
    receiver = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="introductions_as_receiver"
    )
    supporter = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="introductions_as_supporter"
    )
    # Which of the two asked, and who pressed the button (an advocate may act for the person).
    from_receiver = models.BooleanField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    message = models.TextField(_("message"), max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.TextField(_("reason (optional)"), blank=True, max_length=500)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="matching_intro_expiry"),
            models.Index(fields=["sent_by", "created_at"], name="matching_intro_sender_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["receiver", "supporter", "kind"],
                condition=Q(status="pending"),
                name="matching_one_pending_introduction",
            ),
            models.CheckConstraint(
                condition=~Q(receiver=models.F("supporter")), name="matching_intro_two_people"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.receiver} ↔ {self.supporter}"

    @property
    def sender(self) -> Membership:
        return self.receiver if self.from_receiver else self.supporter

    @property
    def recipient(self) -> Membership:
        return self.supporter if self.from_receiver else self.receiver


class TeamMemberQuerySet(models.QuerySet["TeamMember"]):
    def active(self) -> "TeamMemberQuerySet":
        """Places held now: on trial or confirmed."""
        return self.filter(status__in=[TeamMember.Status.TRIAL, TeamMember.Status.CONFIRMED])

    def working(self) -> "TeamMemberQuerySet":
        """Workers' places held now: those that visits are booked with."""
        return self.active().filter(role=TeamMember.Role.WORKER)


class TeamMember(models.Model):
    """A worker or peer supporter in a person's team: on trial at first, then confirmed."""

    class Role(models.TextChoices):
        WORKER = "worker", _("Worker")
        PEER = "peer", _("Peer supporter")

    class Status(models.TextChoices):
        TRIAL = "trial", _("On trial")
        CONFIRMED = "confirmed", _("Confirmed")
        ENDED = "ended", _("Left the team")

    receiver = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="team")
    member = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="teams")
    role = models.CharField(max_length=10, choices=Role.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.TRIAL)
    introduction = models.OneToOneField(Introduction, on_delete=models.PROTECT, null=True, blank=True)
    joined_on = models.DateField(default=timezone.localdate)
    trial_ends_on = models.DateField()
    trial_reminded_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(blank=True, max_length=1000)

    history = HistoricalRecords()
    objects = TeamMemberQuerySet.as_manager()

    class Meta:
        ordering = ["receiver", "joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["receiver", "member"],
                condition=Q(status__in=["trial", "confirmed"]),
                name="matching_one_place_per_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} in {self.receiver}'s team"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.TRIAL, self.Status.CONFIRMED)


class TeamRole(models.Model):
    """A "hat" someone wears in a person's team (rota holder, medication record holder, …)."""

    receiver = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="team_roles")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_roles")
    name = models.CharField(_("role"), max_length=80)
    review_on = models.DateField(_("review on"))
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    given_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["receiver", "name"]

    def __str__(self) -> str:
        return self.name


class NoticeboardPost(models.Model):
    """A short message to a person's whole team."""

    receiver = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="noticeboard")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"), max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["receiver", "-created_at"], name="matching_noticeboard_recent")]

    def __str__(self) -> str:
        return self.body[:40]
