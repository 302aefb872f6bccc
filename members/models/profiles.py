"""Places (postcode districts), the vocabularies, members' profiles and their weekly times."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from members.models.register import Membership


class PostcodeDistrict(models.Model):
    """The centroid of a postcode district (outward code), for distances without the internet."""

    outward_code = models.CharField(max_length=4, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["outward_code"]

    def __str__(self) -> str:
        return self.outward_code


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


class Gender(models.TextChoices):
    """A short list, kind to everyone; a person may describe themselves in their own words."""

    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBE = "self_describe", _("Prefer to self-describe")
    PREFER_NOT_TO_SAY = "prefer_not_to_say", _("Prefer not to say")


class Profile(models.Model):
    """What a member shows of themselves, to be found and chosen. One per membership.

    Workers and people getting support fill in different parts. For each detail in
    `PRIVATE_FIELDS` the person chooses who sees it (`visibility`); care data starts at team only.
    """

    membership = models.OneToOneField(Membership, on_delete=models.PROTECT, related_name="profile")
    display_name = models.CharField(_("name to show"), max_length=80)
    photo = models.ImageField(_("photo"), upload_to="profiles/", blank=True)
    bio = models.TextField(_("about me"), blank=True, max_length=2000)
    languages = models.ManyToManyField(Language, blank=True, related_name="+", verbose_name=_("languages"))
    interests = models.CharField(_("interests"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    district = models.ForeignKey(PostcodeDistrict, on_delete=models.PROTECT, null=True, blank=True)
    # Copied from the district so that distance filters use plain indexed columns.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    # Workers
    skills = models.ManyToManyField(Skill, blank=True, related_name="+", verbose_name=_("skills"))
    # 60 long: rows in the history keep the free text written before the list.
    gender = models.CharField(_("gender"), max_length=60, choices=Gender.choices, blank=True)
    gender_self_described = models.CharField(_("gender, in my own words"), max_length=60, blank=True)
    hourly_rate_pence = models.PositiveIntegerField(_("hourly rate (pence)"), null=True, blank=True)
    # A flat rate for a night's sleep-in; none: not booked for sleep-ins.
    sleep_in_rate_pence = models.PositiveIntegerField(
        _("sleep-in rate, a night (pence)"), null=True, blank=True
    )
    travel_radius_km = models.PositiveSmallIntegerField(_("how far I travel (km)"), null=True, blank=True)

    # People getting support
    what_matters = models.TextField(_("what matters to me"), blank=True, max_length=2000)
    support_wanted = models.ManyToManyField(
        Skill, blank=True, related_name="+", verbose_name=_("support I would like")
    )
    worker_preferences = models.TextField(_("what I look for in a worker"), blank=True, max_length=2000)
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

    @property
    def gender_shown(self) -> str:
        """The gender as the person put it: their own words, or the word from the list."""
        if self.gender == Gender.SELF_DESCRIBE:
            return self.gender_self_described
        if self.gender == Gender.PREFER_NOT_TO_SAY:
            return ""
        return str(self.get_gender_display()) if self.gender else ""


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
