"""The register of members: the policy, governing documents, applications, memberships and shares."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from carecoop.policies import SingletonPolicy
from members.models.accounts import MemberClass


class Policy(SingletonPolicy):
    """The numbers the co-op's members have agreed, which staff keep in line with the rules.

    One row (pk=1); every change is kept in its history.
    """

    share_value_pence = models.PositiveIntegerField(_("value of one share (pence)"), default=100)
    investor_min_pence = models.PositiveIntegerField(_("least an investor may hold (pence)"), default=100_00)
    investor_max_pence = models.PositiveIntegerField(_("most any member may hold (pence)"), default=30_000_00)
    hourly_rate_min_pence = models.PositiveIntegerField(_("lowest hourly rate (pence)"), default=12_60)
    hourly_rate_max_pence = models.PositiveIntegerField(_("highest hourly rate (pence)"), default=30_00)
    # A sleep-in is paid a flat rate for the night, not by the hour (decision 25).
    sleep_in_rate_min_pence = models.PositiveIntegerField(
        _("lowest sleep-in rate, a night (pence)"), default=50_00
    )
    sleep_in_rate_max_pence = models.PositiveIntegerField(
        _("highest sleep-in rate, a night (pence)"), default=120_00
    )
    # Expenses are paid to the worker and charged to the person in full: no co-op share.
    mileage_pence_per_mile = models.PositiveSmallIntegerField(
        _("mileage paid a mile (pence)"),
        default=45,
        validators=[MinValueValidator(1), MaxValueValidator(200)],
        help_text=_("HMRC's approved rate for a car is 45p a mile."),
    )
    worker_minimum_age = models.PositiveSmallIntegerField(_("youngest age of a worker member"), default=18)
    dbs_valid_months = models.PositiveSmallIntegerField(
        _("months a criminal-record certificate counts as current"),
        default=36,
        help_text=_("Unless the worker is on the DBS Update Service and was checked more recently."),
    )
    update_service_check_valid_months = models.PositiveSmallIntegerField(
        _("months an Update Service status check counts as current"), default=12
    )
    # The co-op's share of every visit (members.pricing): a part of the worker's rate, and a part
    # added to what the person pays. A change applies to visits booked after it.
    coop_deduction_percent = models.DecimalField(
        _("the co-op's share, deducted from the worker's rate (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("7.50"),
        validators=[MinValueValidator(0), MaxValueValidator(50)],
    )
    coop_addition_percent = models.DecimalField(
        _("the co-op's share, added to what the person pays (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("17.50"),
        validators=[MinValueValidator(0), MaxValueValidator(50)],
    )
    care_records_retention_years = models.PositiveSmallIntegerField(
        _("years care records are kept after the care ended"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Adult social care records: 8 years after the care ended (decision 49)."),
    )
    contact_retention_months = models.PositiveSmallIntegerField(
        _("months contact details are kept after a member leaves"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Long enough to pay back shares and a last dividend (decision 49)."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("co-op policy")
        verbose_name_plural = _("co-op policy")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="members_policy_single_row"),
            models.CheckConstraint(
                condition=Q(investor_min_pence__lte=models.F("investor_max_pence")),
                name="members_policy_investor_bounds",
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate_min_pence__lte=models.F("hourly_rate_max_pence")),
                name="members_policy_rate_bounds",
            ),
            models.CheckConstraint(
                condition=Q(sleep_in_rate_min_pence__lte=models.F("sleep_in_rate_max_pence")),
                name="members_policy_sleep_in_rate_bounds",
            ),
            models.CheckConstraint(condition=Q(mileage_pence_per_mile__gt=0), name="members_policy_mileage"),
            models.CheckConstraint(condition=Q(share_value_pence__gt=0), name="members_policy_share_value"),
        ]

    def __str__(self) -> str:
        return str(_("Co-op policy"))


class GoverningDocument(models.Model):
    """A version of one of the documents every member agrees to. Versions are never edited:
    staff publish a new one, and each application keeps the versions its applicant agreed to."""

    class Kind(models.TextChoices):
        RULES = "rules", _("The co-op's rules")
        COMMITMENT = "commitment", _("Members' Commitment")

    kind = models.CharField(_("document"), max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=100_000)
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="members_document_kind_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class Application(models.Model):
    """Someone asking to become a member: what they told us, what they agreed to, and the answer."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    member_class = models.CharField(_("applying as"), max_length=20, choices=MemberClass.choices)
    legal_name = models.CharField(_("full legal name"), max_length=200)
    address = models.TextField(_("postal address"), max_length=500)
    postcode = models.CharField(_("postcode"), max_length=10)
    phone = PhoneNumberField(_("phone"), blank=True, region="GB")
    # Asked of everyone applying (workers must be old enough); emptied when their data is erased,
    # since the register does not keep it.
    date_of_birth = models.DateField(_("date of birth"), null=True)
    reason = models.TextField(_("why you want to join"), max_length=2000)
    rules = models.ForeignKey(GoverningDocument, on_delete=models.PROTECT, related_name="+")
    commitment = models.ForeignKey(GoverningDocument, on_delete=models.PROTECT, related_name="+")
    shares = models.PositiveIntegerField(_("shares"))
    share_value_pence = models.PositiveIntegerField(_("value of one share (pence)"))

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("reason"), blank=True, max_length=1000)

    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    payment_date = models.DateField(_("date paid"), null=True, blank=True)
    payment_amount_pence = models.PositiveIntegerField(_("amount paid (pence)"), null=True, blank=True)
    payment_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment_recorded_at = models.DateTimeField(null=True, blank=True)
    refund_reference = models.CharField(_("refund reference"), max_length=100, blank=True)
    refunded_on = models.DateField(_("date refunded"), null=True, blank=True)

    # Payments recorded, corrected and refunded, with who did it and when.
    history = HistoricalRecords()

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            # One open application per person, even when two requests race.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="submitted"),
                name="members_application_one_open_per_user",
            ),
            models.CheckConstraint(condition=Q(shares__gte=1), name="members_application_at_least_one_share"),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} ({self.get_member_class_display()})"

    @property
    def reference(self) -> str:
        """What the applicant quotes when paying for their shares."""
        return f"APP-{self.pk:05d}"

    @property
    def amount_due_pence(self) -> int:
        return self.shares * self.share_value_pence

    @property
    def is_paid(self) -> bool:
        return self.payment_recorded_at is not None


class RegisterCounter(models.Model):
    """The last membership number given. Locked while a number is taken, so numbers are
    sequential, never reused, and distinct however many approvals run at once."""

    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="members_register_counter_single_row")]

    def __str__(self) -> str:
        return str(self.last_number)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> "MembershipQuerySet":
        return self.filter(date_ceased__isnull=True)


class Membership(models.Model):
    """A row of the register of members. Kept forever: ceasing sets a date, nothing is deleted
    (the database refuses deletes), and every change is kept in its history."""

    class CessationReason(models.TextChoices):
        RESIGNED = "resigned", _("Resigned")
        EXPELLED = "expelled", _("Expelled")
        DIED = "died", _("Died")

    number = models.PositiveIntegerField(_("membership number"), unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    member_class = models.CharField(_("class"), max_length=20, choices=MemberClass.choices)
    legal_name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), max_length=500)
    postcode = models.CharField(_("postcode"), max_length=10)
    date_admitted = models.DateField(_("date admitted"))
    date_ceased = models.DateField(_("date ceased"), null=True, blank=True)
    cessation_reason = models.CharField(
        _("reason ceased"), max_length=20, choices=CessationReason.choices, blank=True
    )
    cessation_note = models.TextField(_("note"), blank=True, max_length=1000)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="membership"
    )
    # The last day a worker can be booked on what is recorded today (None: not bookable). Kept
    # by the services that change checks, shares or membership, and refreshed daily; search
    # filters on it. Booking itself always asks the exact rule (selectors.worker_is_bookable).
    bookable_until = models.DateField(null=True, blank=True, db_index=True, editable=False)
    # The last day a worker's "checks up to date" badge holds on what is recorded today: bookable,
    # and none of their checks that count run out (None: not today). Kept with bookable_until,
    # so that a page of search results or suggestions reads the badge from a column.
    checks_current_until = models.DateField(null=True, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["application", "bookable_until", "checks_current_until"])
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            # A person holds at most one membership at a time (a former member may rejoin).
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(date_ceased__isnull=True),
                name="members_membership_one_current_per_user",
            ),
            models.CheckConstraint(
                condition=(Q(date_ceased__isnull=True) & Q(cessation_reason=""))
                | (Q(date_ceased__isnull=False) & ~Q(cessation_reason="")),
                name="members_membership_ceased_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.legal_name}"

    @property
    def is_current(self) -> bool:
        return self.date_ceased is None

    @property
    def shown_name(self) -> str:
        """The name the member shows on their profile, or else their name on the register.
        (Select the profile with the membership where many are shown.)"""
        profile = getattr(self, "profile", None)
        return (profile.display_name if profile else "") or self.legal_name

    def ceased_on_or_before(self, day: date) -> bool:
        return self.date_ceased is not None and self.date_ceased <= day


class ShareTransaction(models.Model):
    """Share capital going in (subscription) or back out (withdrawal). Shares are withdrawable,
    not transferable. Rows are never changed or deleted: a mistake is put right by another row."""

    class Kind(models.TextChoices):
        SUBSCRIPTION = "subscription", _("Shares bought")
        WITHDRAWAL = "withdrawal", _("Shares withdrawn")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="share_transactions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    shares = models.PositiveIntegerField(_("shares"))
    amount_pence = models.PositiveIntegerField(_("amount (pence)"))
    date = models.DateField(_("date"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=500)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(shares__gt=0), name="members_share_transaction_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.shares}"
