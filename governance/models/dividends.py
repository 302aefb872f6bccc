"""Patronage dividends and interest on share capital (decisions 23 and 24).

A financial year's surplus is recorded by staff; the board proposes an allocation of it (the
reserve, the community fund, and a pool for each class of member); an AGM motion approves it;
the calculation shares each class's pool among its members (one `Dividend` each, which the
database keeps to one per member per allocation) and issues their statements; staff then pay it.
Interest on share capital is declared for a year at a rate the rules cap, one `ShareInterest`
per member, apart from dividends.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecoop.policies import SingletonPolicy
from governance.models.motions import Motion
from members.models import MemberClass, Membership


class Measure(models.TextChoices):
    """What a class's pool is shared in proportion to."""

    HOURS_WORKED = "hours_worked", _("Confirmed hours worked in the year")
    HOURS_RECEIVED = "hours_received", _("Confirmed hours of support received in the year")
    EQUAL = "equal", _("Equally, one share each")
    SHARES = "shares", _("Share capital held at the year's end")
    NONE = "none", _("No dividend for this class")


class CeasedMembers(models.TextChoices):
    INCLUDED = "included", _("Included, for what they did while members")
    LEFT_OUT = "left_out", _("Left out: only those still members at the year's end")


class DividendPolicy(SingletonPolicy):
    """What the rules say about sharing the surplus and paying interest on shares. One row; every
    change is kept in its history. An allocation fixes these when it is proposed, so the AGM
    approves a definite thing."""

    advocates_measure = models.CharField(
        _("advocates' pool is shared"),
        max_length=20,
        choices=[(Measure.EQUAL, Measure.EQUAL.label), (Measure.NONE, Measure.NONE.label)],
        default=Measure.EQUAL,
    )
    investors_measure = models.CharField(
        _("investors' pool is shared"),
        max_length=20,
        choices=[
            (Measure.SHARES, Measure.SHARES.label),
            (Measure.EQUAL, Measure.EQUAL.label),
            (Measure.NONE, Measure.NONE.label),
        ],
        default=Measure.NONE,
        help_text=_("Investors are usually paid interest on their shares instead."),
    )
    ceased_members = models.CharField(
        _("members who ceased during the year"),
        max_length=10,
        choices=CeasedMembers.choices,
        default=CeasedMembers.INCLUDED,
    )
    interest_max_percent = models.DecimalField(
        _("highest interest on shares the rules allow (% a year)"),
        max_digits=5,
        decimal_places=2,
        default=5,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dividend and interest rules")
        verbose_name_plural = _("dividend and interest rules")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="dividend_policy_single_row"),
            models.CheckConstraint(
                condition=Q(interest_max_percent__gte=0, interest_max_percent__lte=100),
                name="dividend_policy_interest_max",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Dividend and interest rules"))


class FinancialYear(models.Model):
    """A financial year (London dates, both ends counted) and the surplus its accounts show."""

    starts = models.DateField(_("first day"))
    ends = models.DateField(_("last day"))
    surplus_pence = models.PositiveBigIntegerField(_("surplus (pence)"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="financial_year_ends_after_start"),
            models.UniqueConstraint(fields=["starts"], name="financial_year_starts_once"),
        ]

    def __str__(self) -> str:
        return f"{self.starts:%Y}–{self.ends:%y}"

    @property
    def label(self) -> str:
        return f"{self.starts:%-d %b %Y} – {self.ends:%-d %b %Y}"


CLASS_POOLS: tuple[tuple[str, str], ...] = (
    (MemberClass.WORKER, "workers_pence"),
    (MemberClass.RECEIVER, "receivers_pence"),
    (MemberClass.ADVOCATE, "advocates_pence"),
    (MemberClass.INVESTOR, "investors_pence"),
)


class DividendAllocation(models.Model):
    """How the board proposes to share a year's surplus; paid only once an AGM motion approving
    it has passed (decision 23)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CALCULATING = "calculating", _("Being calculated")
        CALCULATED = "calculated", _("Calculated: statements issued")
        PAID = "paid", _("Paid")

    year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="allocations")
    reserve_pence = models.PositiveBigIntegerField(_("to the reserve (pence)"))
    community_pence = models.PositiveBigIntegerField(_("to the community fund (pence)"))
    workers_pence = models.PositiveBigIntegerField(_("workers' pool (pence)"))
    receivers_pence = models.PositiveBigIntegerField(_("pool of people getting support (pence)"))
    advocates_pence = models.PositiveBigIntegerField(_("advocates' pool (pence)"))
    investors_pence = models.PositiveBigIntegerField(_("investors' pool (pence)"))
    # The rules in force when it was proposed: what the AGM approves.
    advocates_measure = models.CharField(max_length=20, choices=Measure.choices)
    investors_measure = models.CharField(max_length=20, choices=Measure.choices)
    ceased_members = models.CharField(max_length=10, choices=CeasedMembers.choices)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(default=timezone.now)
    # The AGM motion that approved it (decision 23: nothing is calculated or paid without it).
    motion = models.OneToOneField(
        Motion, on_delete=models.PROTECT, null=True, blank=True, related_name="dividend_allocation"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    # The calculation's progress, kept here so any page, process or API call can read it.
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    calculation_started_at = models.DateTimeField(null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)  # every dividend written
    calculated_at = models.DateTimeField(null=True, blank=True)  # every statement issued
    # The pennies the rounding left (and any pool with nobody to share it): to the reserve.
    leftover_pence = models.PositiveBigIntegerField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["progress_done", "progress_total"])

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            # One approved allocation a year: a surplus is shared once.
            models.UniqueConstraint(
                fields=["year"], condition=Q(motion__isnull=False), name="allocation_one_approved_a_year"
            ),
            models.CheckConstraint(
                condition=Q(status="proposed") | Q(motion__isnull=False), name="allocation_approved_first"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_at__isnull=False, calculated_at__isnull=False),
                name="allocation_paid_when_calculated",
            ),
            models.CheckConstraint(
                condition=Q(progress_done__lte=F("progress_total")), name="allocation_progress_in_bounds"
            ),
        ]

    def __str__(self) -> str:
        return f"Allocation {self.pk} of {self.year}"

    @property
    def pool_pence(self) -> int:
        return sum(int(getattr(self, field)) for _class, field in CLASS_POOLS)

    @property
    def total_pence(self) -> int:
        return int(self.reserve_pence) + int(self.community_pence) + self.pool_pence

    def pool_for(self, member_class: str) -> int:
        return int(getattr(self, dict(CLASS_POOLS)[member_class]))

    def measure_for(self, member_class: str) -> str:
        return {
            MemberClass.WORKER: Measure.HOURS_WORKED,
            MemberClass.RECEIVER: Measure.HOURS_RECEIVED,
            MemberClass.ADVOCATE: self.advocates_measure,
            MemberClass.INVESTOR: self.investors_measure,
        }[MemberClass(member_class)]

    def get_measure_display_for(self, member_class: str) -> str:
        return str(Measure(self.measure_for(member_class)).label)

    @property
    def percent_done(self) -> int:
        if self.status in (self.Status.CALCULATED, self.Status.PAID):
            return 100
        return 100 * self.progress_done // self.progress_total if self.progress_total else 0


class Dividend(models.Model):
    """One member's dividend from one allocation: at most one (the database refuses a second),
    however often the calculation runs."""

    allocation = models.ForeignKey(DividendAllocation, on_delete=models.PROTECT, related_name="dividends")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    member_class = models.CharField(max_length=20, choices=MemberClass.choices)
    measure = models.CharField(max_length=20, choices=Measure.choices)
    # The member's part of the measure (minutes, pence of capital, or 1), and the class's whole.
    quantity = models.PositiveBigIntegerField()
    class_quantity = models.PositiveBigIntegerField()
    class_pool_pence = models.PositiveBigIntegerField()
    amount_pence = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    stated_at = models.DateTimeField(null=True, blank=True)  # statement issued (email owed)

    class Meta:
        ordering = ["allocation", "membership"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "membership"], name="dividend_once_per_member"),
            models.CheckConstraint(
                condition=Q(quantity__lte=F("class_quantity"), amount_pence__lte=F("class_pool_pence")),
                name="dividend_within_its_class",
            ),
        ]
        indexes = [
            models.Index(
                fields=["allocation"], condition=Q(stated_at__isnull=True), name="dividend_not_stated"
            ),
        ]

    def __str__(self) -> str:
        return f"Dividend {self.pk}: {self.membership_id} in {self.allocation_id}"


class InterestDeclaration(models.Model):
    """Interest on share capital for a financial year, at the rate the board set (no more than the
    rules allow), worked out pro rata by the days each pound was held (decision 24). One a year."""

    class Status(models.TextChoices):
        CALCULATED = "calculated", _("Calculated: statements issued")
        PAID = "paid", _("Paid")

    year = models.OneToOneField(FinancialYear, on_delete=models.PROTECT, related_name="interest")
    rate_percent = models.DecimalField(_("rate (% a year)"), max_digits=5, decimal_places=2)
    declared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CALCULATED)
    total_pence = models.PositiveBigIntegerField(default=0)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["-declared_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_percent__gte=0, rate_percent__lte=100), name="interest_rate_in_bounds"
            ),
            models.CheckConstraint(
                condition=Q(status="calculated") | Q(paid_at__isnull=False), name="interest_paid_when"
            ),
        ]

    def __str__(self) -> str:
        return f"Interest for {self.year} at {self.rate_percent}%"


class ShareInterest(models.Model):
    """One member's interest on their share capital for one year: one per member per year."""

    declaration = models.ForeignKey(InterestDeclaration, on_delete=models.PROTECT, related_name="payments")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    capital_pence_days = models.PositiveBigIntegerField()
    average_capital_pence = models.PositiveBigIntegerField()
    amount_pence = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["declaration", "membership"]
        constraints = [
            models.UniqueConstraint(fields=["declaration", "membership"], name="share_interest_once"),
        ]

    def __str__(self) -> str:
        return f"Interest {self.pk}: {self.membership_id}"
