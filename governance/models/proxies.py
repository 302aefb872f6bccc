"""Proxies, and the one way to ask which of them count."""

from collections.abc import Iterable
from datetime import datetime

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.models.ballots import Ballot
from governance.models.meetings import Meeting
from members.models import Membership


class ProxyQuerySet(models.QuerySet["Proxy"]):
    """Every question about which proxies count is asked through these, so that the vote, the
    ballot page, the quorum and the lists agree on it."""

    def live(self) -> "ProxyQuerySet":
        """Not cancelled."""
        return self.filter(revoked_at__isnull=True)

    def for_ballot(self, ballot: "Ballot") -> "ProxyQuerySet":
        """Live proxies that may vote on this ballot: given for it, or for its whole meeting."""
        scope = Q(ballot=ballot)
        if ballot.meeting_id is not None:
            scope |= Q(meeting_id=ballot.meeting_id)
        return self.live().filter(scope)

    def for_meeting(self, meeting: "Meeting") -> "ProxyQuerySet":
        """Live proxies at this meeting: given for it, or for one of its ballots."""
        return self.live().filter(Q(meeting=meeting) | Q(ballot__meeting=meeting))

    def held_by(self, members: models.QuerySet[Membership]) -> "ProxyQuerySet":
        """Proxies named to one of `members`, or to the chair of a meeting one of them chairs."""
        return self.filter(
            Q(holder__in=members)
            | Q(to_chair=True, meeting__chair__in=members)
            | Q(to_chair=True, ballot__meeting__chair__in=members)
        )

    def held_by_chair(self, meeting: "Meeting") -> "ProxyQuerySet":
        """Proxies the chair of `meeting` holds: given to the chair, or named to whoever chairs."""
        held = Q(to_chair=True)
        if meeting.chair_id is not None:
            held |= Q(holder_id=meeting.chair_id)
        return self.filter(held)

    def in_force(self, now: datetime) -> "ProxyQuerySet":
        """Proxies not cancelled, for a meeting not yet over or a ballot not yet closed."""
        return self.filter(revoked_at__isnull=True).filter(
            Q(meeting__ends_at__gt=now) | (Q(ballot__isnull=False) & ~Q(ballot__status=Ballot.Status.CLOSED))
        )


class Proxy(models.Model):
    """A member's appointment of another member, or of the chair, to vote for them at a meeting
    (every ballot of it) or on one ballot."""

    class Instruction(models.TextChoices):
        DISCRETION = "", _("As the proxy thinks best")
        FOR = "for", _("Vote for")
        AGAINST = "against", _("Vote against")
        ABSTAIN = "abstain", _("Abstain")

    appointer = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="proxies_given")
    holder = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="proxies_held"
    )
    to_chair = models.BooleanField(_("the chair of the meeting"), default=False)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="proxies"
    )
    ballot = models.ForeignKey(
        Ballot, on_delete=models.PROTECT, null=True, blank=True, related_name="proxies"
    )
    instruction = models.CharField(max_length=10, choices=Instruction.choices, blank=True)
    instructions_text = models.TextField(_("instructions"), blank=True, max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ProxyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("proxies")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=True) ^ Q(ballot__isnull=True), name="proxy_for_meeting_or_ballot"
            ),
            models.CheckConstraint(
                condition=Q(holder__isnull=True, to_chair=True) | Q(holder__isnull=False, to_chair=False),
                name="proxy_member_or_chair",
            ),
            models.CheckConstraint(condition=~Q(holder=F("appointer")), name="proxy_not_oneself"),
            models.UniqueConstraint(
                fields=["appointer", "meeting"],
                condition=Q(revoked_at__isnull=True, meeting__isnull=False),
                name="proxy_one_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["appointer", "ballot"],
                condition=Q(revoked_at__isnull=True, ballot__isnull=False),
                name="proxy_one_per_ballot",
            ),
        ]

    def __str__(self) -> str:
        return f"Proxy of {self.appointer_id}"

    @staticmethod
    def applying(proxies: "Iterable[Proxy]") -> "Proxy | None":
        """Of one member's live proxies for a ballot, the one that votes: one given for the ballot
        itself wins over one for its whole meeting; else the first given."""
        ordered = sorted(proxies, key=lambda p: (p.ballot_id is None, p.created_at, p.pk))
        return ordered[0] if ordered else None

    def is_held_by(self, member: Membership) -> bool:
        """Named to `member`, or to the chair of the meeting when `member` chairs it."""
        if self.holder_id == member.pk:
            return True
        meeting = self.meeting if self.meeting_id else (self.ballot.meeting if self.ballot else None)
        return self.to_chair and meeting is not None and meeting.chair_id == member.pk
