"""The society's numbers for meetings and votes, the classes' seats and the weighting."""

from datetime import timedelta

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecoop.policies import SingletonPolicy

CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)


class SeatClass(models.TextChoices):
    """The board's seats are shared between these groups of member classes."""

    RECEIVERS = "receivers", _("People getting support and their advocates")
    WORKERS = "workers", _("Workers")
    INVESTORS = "investors", _("Investors")


SEAT_CLASS_MEMBERS: dict[str, tuple[str, ...]] = {
    SeatClass.RECEIVERS: ("receiver", "advocate"),
    SeatClass.WORKERS: ("worker",),
    SeatClass.INVESTORS: ("investor",),
}


class Weighting(models.TextChoices):
    ONE_MEMBER_ONE_VOTE = "one_member_one_vote", _("One member, one vote (no class limit)")
    CLASS_CAP = "class_cap", _("One member, one vote, with the investors' share capped")
    CLASS_SHARES = "class_shares", _("Fixed shares of the vote for each class")


class GovernancePolicy(SingletonPolicy):
    """The numbers of the society's registered rules about meetings and votes, which staff keep in
    step with the rules. One row (pk=1); every change is kept in its history."""

    notice_clear_days = models.PositiveSmallIntegerField(
        _("clear days' notice of a general meeting"),
        default=14,
        help_text=_("Not counting the day the notice goes out or the day of the meeting."),
    )
    requisition_percent = models.PositiveSmallIntegerField(
        _("members needed to requisition a meeting (% of members)"), default=10
    )
    requisition_max_signatures = models.PositiveIntegerField(
        _("…or this many members, if fewer"), default=100
    )
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (% of members)"), default=10)
    quorum_max_members = models.PositiveIntegerField(_("…or this many members, if fewer"), default=20)
    quorum_counts_proxies = models.BooleanField(
        _("members represented by a proxy count towards the quorum"), default=True
    )
    max_proxies = models.PositiveSmallIntegerField(_("most proxies one person may hold"), default=5)
    weighting = models.CharField(
        _("how votes are weighted"), max_length=20, choices=Weighting.choices, default=Weighting.CLASS_CAP
    )
    investor_cap_percent = models.PositiveSmallIntegerField(
        _("most of the voting strength the investors may hold (%)"), default=10
    )
    share_receivers_percent = models.PositiveSmallIntegerField(
        _("fixed share: people getting support and advocates (%)"), default=50
    )
    share_workers_percent = models.PositiveSmallIntegerField(_("fixed share: workers (%)"), default=50)
    share_investors_percent = models.PositiveSmallIntegerField(_("fixed share: investors (%)"), default=0)
    seats_receivers = models.PositiveSmallIntegerField(
        _("board seats: people getting support and advocates"), default=5
    )
    seats_workers = models.PositiveSmallIntegerField(_("board seats: workers"), default=5)
    seats_investors = models.PositiveSmallIntegerField(_("board seats: investors"), default=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting and voting rules")
        verbose_name_plural = _("meeting and voting rules")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="governance_policy_single_row"),
            models.CheckConstraint(
                condition=Q(requisition_percent__gte=1, requisition_percent__lte=100),
                name="governance_policy_requisition_percent",
            ),
            models.CheckConstraint(
                condition=Q(quorum_percent__gte=1, quorum_percent__lte=100),
                name="governance_policy_quorum_percent",
            ),
            models.CheckConstraint(
                condition=Q(investor_cap_percent__gte=1, investor_cap_percent__lte=99),
                name="governance_policy_investor_cap",
            ),
            models.CheckConstraint(
                condition=Q(
                    share_receivers_percent__lte=100,
                    share_workers_percent__lte=100,
                    share_investors_percent__lte=100,
                )
                & Q(share_receivers_percent=100 - F("share_workers_percent") - F("share_investors_percent")),
                name="governance_policy_shares_add_up",
            ),
            models.CheckConstraint(condition=Q(max_proxies__gte=1), name="governance_policy_max_proxies"),
        ]

    def __str__(self) -> str:
        return str(_("Meeting and voting rules"))

    def seats_for(self, seat_class: str) -> int:
        return int(getattr(self, f"seats_{seat_class}"))
