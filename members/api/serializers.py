import re
from typing import Any, TypeVar

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from carecoop.validators import visible_name
from members.models import (
    Application,
    Audience,
    Gender,
    Language,
    LivedExperience,
    MemberClass,
    Membership,
    Profile,
    Skill,
    TrainingCourse,
    VettingCheck,
    WeeklyTime,
)

Word = TypeVar("Word", Language, LivedExperience, Skill)


class AuthTokenInputSerializer(serializers.Serializer[None]):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})
    authenticator_code = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        max_length=64,
        help_text="Staff only: a current code from their authenticator app, or a recovery code.",
    )


class AuthTokenOutputSerializer(serializers.Serializer[dict[str, object]]):
    token = serializers.CharField()
    expiry = serializers.DateTimeField(allow_null=True)


class MembershipSummarySerializer(serializers.Serializer[dict[str, object]]):
    number = serializers.IntegerField()
    member_class = serializers.ChoiceField(choices=MemberClass.choices)
    status = serializers.ChoiceField(choices=[("current", "current"), ("ceased", "ceased")])


class MeOutputSerializer(serializers.Serializer[dict[str, object]]):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    membership = MembershipSummarySerializer(allow_null=True)


class ApplicationInputSerializer(serializers.Serializer[None]):
    member_class = serializers.ChoiceField(choices=MemberClass.choices)
    legal_name = serializers.CharField(max_length=200, validators=[visible_name])
    address = serializers.CharField(max_length=500)
    postcode = serializers.CharField(max_length=10)
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    date_of_birth = serializers.DateField()
    reason = serializers.CharField(max_length=2000)
    investment_pence = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        help_text="Investors only: the amount, in pence.",
    )
    rules_version = serializers.IntegerField(help_text="The version of the rules the applicant agrees to.")
    commitment_version = serializers.IntegerField(
        help_text="The version of the Members' Commitment the applicant agrees to."
    )


class ApplicationOutputSerializer(serializers.Serializer[Application]):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Application.Status.choices)
    member_class = serializers.ChoiceField(choices=MemberClass.choices)
    legal_name = serializers.CharField()
    email = serializers.EmailField(source="user.email")
    address = serializers.CharField()
    postcode = serializers.CharField()
    phone = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True, help_text="Empty once the data is erased.")
    reason = serializers.CharField()
    rules_version = serializers.IntegerField(source="rules.version")
    commitment_version = serializers.IntegerField(source="commitment.version")
    shares = serializers.IntegerField()
    amount_due_pence = serializers.IntegerField()
    paid = serializers.BooleanField(source="is_paid")
    submitted_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField()


class PaymentInputSerializer(serializers.Serializer[None]):
    reference = serializers.CharField(max_length=100)
    paid_on = serializers.DateField()
    amount_pence = serializers.IntegerField(min_value=1)
    correction = serializers.BooleanField(
        default=False,
        help_text="Replace the payment already recorded (kept in the history). Without it, a second "
        "payment for a paid application is refused with 409 `already_paid`.",
    )


class RejectInputSerializer(serializers.Serializer[None]):
    reason = serializers.CharField(max_length=1000)


class RegisterEntrySerializer(serializers.Serializer[Membership]):
    number = serializers.IntegerField()
    name = serializers.CharField(source="legal_name")
    address = serializers.CharField()
    postcode = serializers.CharField()
    email = serializers.EmailField(source="user.email")
    member_class = serializers.ChoiceField(choices=MemberClass.choices)
    shares_held = serializers.IntegerField()
    amount_paid_pence = serializers.IntegerField()
    date_admitted = serializers.DateField()
    date_ceased = serializers.DateField(allow_null=True)
    cessation_reason = serializers.ChoiceField(choices=Membership.CessationReason.choices, allow_blank=True)


class RegisterFilterSerializer(serializers.Serializer[None]):
    q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    member_class = serializers.ChoiceField(
        choices=MemberClass.choices, required=False, allow_blank=True, default=""
    )
    standing = serializers.ChoiceField(
        choices=[("current", "current"), ("ceased", "ceased")], required=False, allow_blank=True, default=""
    )


class VettingCheckSerializer(serializers.Serializer[VettingCheck]):
    id = serializers.IntegerField(read_only=True)
    member_number = serializers.IntegerField(source="membership.number", read_only=True)
    kind = serializers.ChoiceField(choices=VettingCheck.Kind.choices)
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    certificate_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=20)
    dbs_level = serializers.ChoiceField(
        choices=VettingCheck.DbsLevel.choices, required=False, allow_blank=True, default=""
    )
    update_service = serializers.BooleanField(required=False, default=False)
    update_service_checked_on = serializers.DateField(required=False, allow_null=True, default=None)
    document = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    course = serializers.SlugRelatedField(
        slug_field="name",
        queryset=TrainingCourse.objects.all(),
        required=False,
        allow_null=True,
        default=None,
    )
    referee_name = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=120, validators=[visible_name]
    )
    referee_relationship = serializers.CharField(required=False, allow_blank=True, default="", max_length=120)
    satisfactory = serializers.BooleanField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    verified_by = serializers.EmailField(source="verified_by.email", read_only=True)
    verified_at = serializers.DateTimeField(read_only=True)


TIME_OF_DAY = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@extend_schema_field(
    {"type": "string", "pattern": TIME_OF_DAY, "example": "09:00", "description": "A time of day in London."}
)
class TimeOfDayField(serializers.TimeField):
    """A time on the clock in London, HH:MM (seconds allowed), with no offset: a weekly time recurs
    across the clocks' changes. OpenAPI's `format: time` needs an offset (RFC 3339), which this
    neither takes nor gives; one sent was silently dropped."""

    default_error_messages = {"invalid": _("Give a time of day, such as 09:00.")}

    def to_internal_value(self, value: Any) -> Any:
        if not isinstance(value, str) or not re.fullmatch(TIME_OF_DAY, value):
            self.fail("invalid")
        return super().to_internal_value(value)


class WeeklyTimeSerializer(serializers.Serializer[WeeklyTime]):
    weekday = serializers.ChoiceField(choices=WeeklyTime.Weekday.choices, help_text="0 is Monday.")
    starts = TimeOfDayField()
    ends = TimeOfDayField()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A PATCH skips the fields it leaves out, down to these; but a weekly time is whole or nothing.
        missing = {
            name: [field.error_messages["required"]]
            for name, field in self.fields.items()
            if name not in attrs
        }
        if missing:
            raise serializers.ValidationError(missing)
        return attrs


def _names(model: type[Word], help_text: str) -> serializers.SlugRelatedField[Word]:
    return serializers.SlugRelatedField(
        slug_field="name",
        many=True,
        queryset=model.objects.filter(is_active=True),
        required=False,
        help_text=help_text,
    )


class ProfileSerializer(serializers.Serializer[Profile]):
    """A member's own profile. Fields of another class are refused with code unknown_profile_fields."""

    member_class = serializers.CharField(source="membership.member_class", read_only=True)
    district = serializers.CharField(source="district_id", read_only=True, allow_null=True)
    display_name = serializers.CharField(max_length=80, required=False, validators=[visible_name])
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    interests = serializers.CharField(max_length=300, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    languages = _names(Language, "Names of languages.")
    offers_peer_support = serializers.BooleanField(required=False)
    lived_experience = _names(LivedExperience, "Names of lived-experience topics.")
    skills = _names(Skill, "Workers: names of skills.")
    gender = serializers.ChoiceField(
        choices=Gender.choices,
        required=False,
        allow_blank=True,
        help_text="Workers: one of the list; self_describe goes with gender_self_described.",
    )
    gender_self_described = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        help_text="Workers: their own words, with gender self_describe.",
    )
    hourly_rate_pence = serializers.IntegerField(required=False, allow_null=True)
    sleep_in_rate_pence = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Workers: a flat rate for a night's sleep-in, within the bounds; null: no sleep-ins.",
    )
    travel_radius_km = serializers.IntegerField(required=False, allow_null=True)
    what_matters = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    support_wanted = _names(Skill, "People getting support: names of skills.")
    worker_preferences = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    max_distance_km = serializers.IntegerField(required=False, allow_null=True)
    visibility = serializers.DictField(
        child=serializers.ChoiceField(choices=Audience.choices),
        required=False,
        help_text="Who sees each private detail: members, team or staff.",
    )
    weekly_times = WeeklyTimeSerializer(many=True, required=False)
