from datetime import date
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from carecoop.policies import SingletonPolicy


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=email.strip().lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who can sign in. Their email address is their login.

    Being a user is not being a member: membership (class, shares, the register) is its own
    record, so that the legal register never depends on an account's life.
    """

    email = models.EmailField(_("email address"), unique=True)
    is_staff = models.BooleanField(
        _("staff"), default=False, help_text=_("Staff run the co-op: the secretary, coordinators.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Addresses differing only in case belong to one person.
            models.UniqueConstraint(Lower("email"), name="members_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.email


class MemberClass(models.TextChoices):
    RECEIVER = "receiver", _("Person getting support")
    ADVOCATE = "advocate", _("Family member, friend or advocate")
    WORKER = "worker", _("Care or support worker")
    INVESTOR = "investor", _("Investor")


class Policy(SingletonPolicy):
    """The numbers the co-op's members have agreed, which staff keep in line with the rules.

    One row (pk=1); every change is kept in its history.
    """

    share_value_pence = models.PositiveIntegerField(_("value of one share (pence)"), default=100)
    investor_min_pence = models.PositiveIntegerField(_("least an investor may hold (pence)"), default=100_00)
    investor_max_pence = models.PositiveIntegerField(_("most any member may hold (pence)"), default=30_000_00)
    hourly_rate_min_pence = models.PositiveIntegerField(_("lowest hourly rate (pence)"), default=12_60)
    hourly_rate_max_pence = models.PositiveIntegerField(_("highest hourly rate (pence)"), default=30_00)
    worker_minimum_age = models.PositiveSmallIntegerField(_("youngest age of a worker member"), default=18)
    dbs_valid_months = models.PositiveSmallIntegerField(
        _("months a criminal-record certificate counts as current"),
        default=36,
        help_text=_("Unless the worker is on the DBS Update Service and was checked more recently."),
    )
    update_service_check_valid_months = models.PositiveSmallIntegerField(
        _("months an Update Service status check counts as current"), default=12
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
    body = models.TextField(_("text"))
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
    address = models.TextField(_("postal address"))
    postcode = models.CharField(_("postcode"), max_length=10)
    phone = PhoneNumberField(_("phone"), blank=True, region="GB")
    date_of_birth = models.DateField(_("date of birth"))
    reason = models.TextField(_("why you want to join"))
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
    decision_reason = models.TextField(_("reason"), blank=True)

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
    address = models.TextField(_("address"))
    postcode = models.CharField(_("postcode"), max_length=10)
    date_admitted = models.DateField(_("date admitted"))
    date_ceased = models.DateField(_("date ceased"), null=True, blank=True)
    cessation_reason = models.CharField(
        _("reason ceased"), max_length=20, choices=CessationReason.choices, blank=True
    )
    cessation_note = models.TextField(_("note"), blank=True)
    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="membership"
    )
    # The last day a worker can be booked on what is recorded today (None: not bookable). Kept
    # by the services that change checks, shares or membership, and refreshed daily; search
    # filters on it. Booking itself always asks the exact rule (selectors.worker_is_bookable).
    bookable_until = models.DateField(null=True, blank=True, db_index=True, editable=False)

    history = HistoricalRecords(excluded_fields=["application", "bookable_until"])
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
    note = models.TextField(_("note"), blank=True)
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


# --- Places -----------------------------------------------------------------------------------


class PostcodeDistrict(models.Model):
    """The centroid of a postcode district (outward code), for distances without the internet."""

    outward_code = models.CharField(max_length=4, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["outward_code"]

    def __str__(self) -> str:
        return self.outward_code


# --- Profiles -----------------------------------------------------------------------------------


class Vocabulary(models.Model):
    """A word from a list staff keep (skills, languages, lived experience)."""

    name = models.CharField(_("name"), max_length=80, unique=True)
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Skill(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("skill")


class Language(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("language")


class LivedExperience(Vocabulary):
    class Meta(Vocabulary.Meta):
        verbose_name = _("lived experience")
        verbose_name_plural = _("lived experience")


class Audience(models.TextChoices):
    """Who may see a detail of a profile (the person themselves and staff always may)."""

    MEMBERS = "members", _("All members")
    TEAM = "team", _("My team and my circle of support")
    STAFF = "staff", _("Only the co-op's staff")


class Profile(models.Model):
    """What a member shows of themselves, to be found and chosen. One per membership.

    Workers and people getting support fill in different parts. For each detail in
    `PRIVATE_FIELDS` the person chooses who sees it (`visibility`); care data starts at team only.
    """

    membership = models.OneToOneField(Membership, on_delete=models.PROTECT, related_name="profile")
    display_name = models.CharField(_("name to show"), max_length=80)
    photo = models.ImageField(_("photo"), upload_to="profiles/", blank=True)
    bio = models.TextField(_("about me"), blank=True)
    languages = models.ManyToManyField(Language, blank=True, related_name="+", verbose_name=_("languages"))
    interests = models.CharField(_("interests"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    district = models.ForeignKey(PostcodeDistrict, on_delete=models.PROTECT, null=True, blank=True)
    # Copied from the district so that distance filters use plain indexed columns.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    # Workers
    skills = models.ManyToManyField(Skill, blank=True, related_name="+", verbose_name=_("skills"))
    gender = models.CharField(_("gender"), max_length=60, blank=True)
    hourly_rate_pence = models.PositiveIntegerField(_("hourly rate (pence)"), null=True, blank=True)
    travel_radius_km = models.PositiveSmallIntegerField(_("how far I travel (km)"), null=True, blank=True)

    # People getting support
    what_matters = models.TextField(_("what matters to me"), blank=True)
    support_wanted = models.ManyToManyField(
        Skill, blank=True, related_name="+", verbose_name=_("support I would like")
    )
    worker_preferences = models.TextField(_("what I look for in a worker"), blank=True)
    max_distance_km = models.PositiveSmallIntegerField(
        _("furthest a worker may come from (km)"), null=True, blank=True
    )

    # Peer support, open to every class
    offers_peer_support = models.BooleanField(_("I offer peer support"), default=False)
    lived_experience = models.ManyToManyField(
        LivedExperience, blank=True, related_name="+", verbose_name=_("lived experience")
    )

    visibility = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "latitude", "longitude"])

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"], name="members_profile_location")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
                name="members_profile_latitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class WeeklyTime(models.Model):
    """A time in the week: when a worker is free, or when a person usually needs support."""

    class Kind(models.TextChoices):
        AVAILABLE = "available", _("Free to work")
        NEEDED = "needed", _("Support needed")

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="weekly_times")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "starts"]
        indexes = [
            models.Index(fields=["kind", "weekday", "starts", "ends"], name="members_weeklytime_lookup")
        ]
        constraints = [
            models.CheckConstraint(condition=Q(starts__lt=models.F("ends")), name="members_weeklytime_order")
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


# --- Vetting of workers -------------------------------------------------------------------------


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
    notes = models.TextField(_("notes"), blank=True)
    # A check recorded in error, or withdrawn (a certificate revoked), stops counting at once.
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(_("why it no longer counts"), blank=True)

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


# --- Circle of support ----------------------------------------------------------------------------


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

    POWERS = {
        "can_view_care": _("see my profile and care log"),
        "can_book": _("book visits for me"),
        "can_manage_team": _("manage my team"),
    }

    @property
    def powers(self) -> list[str]:
        return [str(label) for field, label in self.POWERS.items() if getattr(self, field)]
