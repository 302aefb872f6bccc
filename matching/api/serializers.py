from datetime import time
from typing import Protocol

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from carecoop.validators import visible_name
from matching.models import Introduction, TeamMember, TeamRole
from matching.selectors import SEARCHABLE_GENDERS, Suggestion
from members import pricing, profiles
from members.models import Gender, Language, Policy, Profile, Skill


class WorkerSearchInputSerializer(serializers.Serializer[None]):
    skills = serializers.CharField(required=False, max_length=1000, help_text="Skill names, comma-separated.")
    language = serializers.SlugRelatedField(
        slug_field="name", queryset=Language.objects.filter(is_active=True), required=False
    )
    near = serializers.CharField(required=False, max_length=10, help_text="A postcode or postcode district.")
    within_km = serializers.IntegerField(required=False, min_value=1, max_value=100)
    available = serializers.RegexField(
        r"^[0-6]T\d{2}:\d{2}-\d{2}:\d{2}$",
        required=False,
        max_length=20,
        help_text="Day (0 is Monday) and times, such as 1T09:00-11:00.",
    )
    max_rate = serializers.IntegerField(
        required=False, min_value=1, help_text="What the person pays an hour, at most, in pence."
    )
    gender = serializers.ChoiceField(
        choices=[(value, label) for value, label in Gender.choices if value in SEARCHABLE_GENDERS],
        required=False,
        help_text="woman, man or non_binary: workers who show that gender to members.",
    )
    peer_support = serializers.BooleanField(required=False, default=False)
    sort = serializers.ChoiceField(choices=["distance", "rate", "name"], required=False, default="distance")

    def validate_available(self, value: str) -> tuple[int, time, time]:
        day, span = value.split("T")
        try:
            starts, ends = (time.fromisoformat(part) for part in span.split("-"))
        except ValueError as exc:
            raise serializers.ValidationError("Give real times, such as 1T09:00-11:00.") from exc
        if starts >= ends:
            raise serializers.ValidationError("The end must be after the start.")
        return int(day), starts, ends

    def validate_skills(self, value: str) -> list[Skill]:
        names = [name.strip() for name in value.split(",") if name.strip()]
        skills = list(Skill.objects.filter(name__in=names, is_active=True))
        unknown = set(names) - {skill.name for skill in skills}
        if unknown:
            raise serializers.ValidationError(f"Unknown skills: {', '.join(sorted(unknown))}")
        return skills


class WithSkillNames(Protocol):
    """A profile from selectors.worker_search, which annotates each with its skills' names."""

    skill_names: list[str]


class WorkerSerializer(serializers.Serializer[Profile]):
    member_number = serializers.IntegerField(source="membership.number")
    display_name = serializers.CharField()
    checks_current = serializers.BooleanField(help_text="The worker's vetting checks are all up to date.")
    skills = serializers.SerializerMethodField()
    hourly_rate_pence = serializers.IntegerField(allow_null=True, help_text="The worker's own rate.")
    person_pays_hourly_pence = serializers.SerializerMethodField()
    sleep_in_rate_pence = serializers.IntegerField(
        allow_null=True, help_text="The worker's own flat rate for a night's sleep-in; null: no sleep-ins."
    )
    person_pays_night_pence = serializers.SerializerMethodField()
    travel_radius_km = serializers.IntegerField(allow_null=True)
    district = serializers.SerializerMethodField()
    distance_km = serializers.FloatField(allow_null=True, required=False, default=None)
    offers_peer_support = serializers.BooleanField()

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_person_pays_hourly_pence(self, profile: Profile) -> int | None:
        """What the person pays for an hour with this worker: their rate plus the co-op's share.
        The figure to compare workers by."""
        if profile.hourly_rate_pence is None:
            return None
        if "share" not in self.context:
            self.context["share"] = Policy.current()
        return pricing.hourly(profile.hourly_rate_pence, self.context["share"]).person_pays

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_person_pays_night_pence(self, profile: Profile) -> int | None:
        """What the person pays for a night's sleep-in with this worker (a flat rate, plus the
        co-op's share)."""
        if profile.sleep_in_rate_pence is None:
            return None
        if "share" not in self.context:
            self.context["share"] = Policy.current()
        return pricing.night(profile.sleep_in_rate_pence, self.context["share"]).person_pays

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_skills(self, profile: WithSkillNames) -> list[str]:
        return list(profile.skill_names)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_district(self, profile: Profile) -> str | None:
        """The worker's area, only if they show it to members."""
        shown = profiles.visible_fields(profile.membership.member_class, profile.visibility, "member")
        return profile.district_id if "area" in shown else None


class SuggestionSerializer(serializers.Serializer[Suggestion]):
    worker = WorkerSerializer(source="profile")
    score = serializers.IntegerField(min_value=0, max_value=100)
    reasons = serializers.ListField(child=serializers.CharField(), help_text="What fits, in plain words.")
    misfits = serializers.ListField(
        child=serializers.CharField(),
        help_text="What does not fit, as short names (a skill, languages, a time of the week).",
    )


class IntroductionInputSerializer(serializers.Serializer[None]):
    to = serializers.IntegerField(help_text="The membership number of the member to meet.")
    message = serializers.CharField(max_length=500)
    kind = serializers.ChoiceField(choices=Introduction.Kind.choices, default=Introduction.Kind.CARE)
    receiver = serializers.IntegerField(
        required=False, help_text="When acting for a person getting support: their membership number."
    )


class IntroductionSerializer(serializers.Serializer[Introduction]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Introduction.Kind.choices)
    receiver = serializers.IntegerField(source="receiver.number")
    supporter = serializers.IntegerField(source="supporter.number")
    from_receiver = serializers.BooleanField()
    message = serializers.CharField()
    status = serializers.ChoiceField(choices=Introduction.Status.choices)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    decline_reason = serializers.CharField()


class DeclineInputSerializer(serializers.Serializer[None]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class TeamMemberSerializer(serializers.Serializer[TeamMember]):
    id = serializers.IntegerField()
    member_number = serializers.IntegerField(source="member.number")
    name = serializers.CharField(source="member.legal_name")
    email = serializers.EmailField(source="member.user.email")
    role = serializers.ChoiceField(choices=TeamMember.Role.choices)
    status = serializers.ChoiceField(choices=TeamMember.Status.choices)
    joined_on = serializers.DateField()
    trial_ends_on = serializers.DateField()


class TeamRoleSerializer(serializers.Serializer[TeamRole]):
    id = serializers.IntegerField(read_only=True)
    holder = serializers.EmailField(source="holder.email", read_only=True)
    holder_id = serializers.IntegerField(write_only=True)
    name = serializers.CharField(max_length=80, validators=[visible_name])
    review_on = serializers.DateField()


class TeamSerializer(serializers.Serializer[dict[str, object]]):
    receiver_number = serializers.IntegerField()
    members = TeamMemberSerializer(many=True)
    roles = TeamRoleSerializer(many=True)
