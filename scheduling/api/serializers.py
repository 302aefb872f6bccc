import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from members.models import Membership, Policy, User
from scheduling import permissions, selectors, services
from scheduling.models import LateNotice, SchedulingPolicy, Visit, VisitExpense

# The longest span one calendar request may ask for: about three months.
LONGEST_SPAN = timedelta(days=93)
DEFAULT_SPAN = timedelta(weeks=4)
FIRST_YEAR, LAST_YEAR = 1900, 2999


class LondonDateTimeField(serializers.DateTimeField):
    """An ISO datetime; one without an offset is a wall-clock time in Europe/London (a time the
    clocks skip becomes the same time an hour later, as everywhere else in scheduling)."""

    def enforce_timezone(self, value: datetime) -> datetime:
        # Years far from now overflow in time-zone and reminder arithmetic: refuse them here.
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            self.fail("overflow")
        if timezone.is_naive(value):
            return services.local_datetime(value.date(), value.time())
        return super().enforce_timezone(value)


# --- Input ---------------------------------------------------------------------------------------


# A "+" in an offset that was not escaped in a query string arrives as a space.
_PLUS_LOST = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


@extend_schema_field(OpenApiTypes.STR)
class MomentField(serializers.Field[datetime, str, str, None]):
    """A date or an ISO datetime, for a calendar span. A date alone is the start of that day in
    London; as the end of a span it is the end of that day, so `to=2026-11-30` includes the 30th."""

    default_error_messages = {"invalid": _("Give a date (2026-11-30) or a date and time (2026-11-30T09:00).")}

    def __init__(self, *, end_of_day: bool = False, **kwargs: Any) -> None:
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> datetime:
        text = str(data).strip()
        try:
            day = date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.fail("invalid")
            return services.local_datetime(day + timedelta(days=1) if self.end_of_day else day, time())
        try:
            moment = datetime.fromisoformat(_PLUS_LOST.sub(r"\1+\2", text))
        except ValueError:
            self.fail("invalid")
        if not FIRST_YEAR <= moment.year <= LAST_YEAR:
            self.fail("invalid")
        if timezone.is_naive(moment):
            return services.local_datetime(moment.date(), moment.time())
        # In UTC: the database keeps no offset, and refuses one of more than 15 hours.
        return moment.astimezone(UTC)

    def to_representation(self, value: datetime) -> str:
        return value.isoformat()


class VisitListInputSerializer(serializers.Serializer[None]):
    # `from` is a Python keyword: the field is declared under another name and renamed below.
    from_ = MomentField(required=False, help_text="From (a date or datetime). Default: now.")
    to = MomentField(
        required=False, end_of_day=True, help_text="Until (a date or datetime). Default: four weeks on."
    )
    worker = serializers.IntegerField(
        required=False, help_text="Only this worker's visits (membership number)."
    )
    receiver = serializers.IntegerField(
        required=False, help_text="Only this person's visits (membership number)."
    )

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.pop("from", None) or timezone.now()
        end = attrs.get("to") or start + DEFAULT_SPAN
        if end <= start:
            raise serializers.ValidationError({"to": [_("The end must be after the start.")]})
        if end - start > LONGEST_SPAN:
            raise serializers.ValidationError({"to": [_("Ask for at most 93 days at a time.")]})
        attrs["start"], attrs["end"] = start, end
        return attrs


class RepeatInputSerializer(serializers.Serializer[None]):
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        min_length=1,
        max_length=7,
        help_text="0 is Monday.",
    )
    every_weeks = serializers.IntegerField(min_value=1, max_value=8, default=1)
    until = serializers.DateField(required=False, allow_null=True, default=None)
    count = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=500
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["until"] is None and attrs["count"] is None:
            raise serializers.ValidationError(
                {"until": [_("Say when the visits end: a date or a number of visits.")]}
            )
        return attrs


class VisitBookInputSerializer(serializers.Serializer[None]):
    receiver = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The person's membership number. Default: yourself.",
    )
    worker = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The worker's membership number; none: an open visit, offered to the whole team.",
    )
    starts = LondonDateTimeField(help_text="Without an offset: a time in Europe/London.")
    ends = LondonDateTimeField(help_text="Without an offset: a time in Europe/London.")
    sleep_in = serializers.BooleanField(required=False, default=False)
    tasks = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, default=list, max_length=30
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    repeat = RepeatInputSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text="Repeat weekly: the first visit is on the day of `starts`, each at the same times.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["ends"] <= attrs["starts"]:
            raise serializers.ValidationError({"ends": [_("The end must be after the start.")]})
        return attrs


class VisitChangeInputSerializer(serializers.Serializer[None]):
    starts = LondonDateTimeField(required=False)
    ends = LondonDateTimeField(required=False)
    sleep_in = serializers.BooleanField(required=False)
    tasks = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=30)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    weekdays = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        required=False,
        min_length=1,
        max_length=7,
        help_text='Only with scope "following": new days for the repeating visits (0 is Monday).',
    )
    scope = serializers.ChoiceField(
        choices=[("this", "this visit"), ("following", "this visit and the following ones")],
        default="this",
        help_text='"following": change this and the later visits of its repeating booking, at the '
        "local times of the new start and end.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        starts, ends = attrs.get("starts"), attrs.get("ends")
        if starts is not None and ends is not None and ends <= starts:
            raise serializers.ValidationError({"ends": [_("The end must be after the start.")]})
        if attrs["scope"] == "following" and "sleep_in" in attrs:
            raise serializers.ValidationError({"sleep_in": [_("Change a sleep-in one visit at a time.")]})
        if attrs["scope"] == "this" and "weekdays" in attrs:
            raise serializers.ValidationError({"weekdays": [_('Change the days with scope "following".')]})
        return attrs


class ReasonInputSerializer(serializers.Serializer[None]):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class CancelInputSerializer(ReasonInputSerializer):
    scope = serializers.ChoiceField(
        choices=[("visit", "this visit"), ("series", "every visit still to come in its repeating booking")],
        default="visit",
    )


class CheckInInputSerializer(serializers.Serializer[None]):
    latitude = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=-90, max_value=90
    )
    longitude = serializers.FloatField(
        required=False, allow_null=True, default=None, min_value=-180, max_value=180
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs["latitude"] is None) != (attrs["longitude"] is None):
            raise serializers.ValidationError(
                {"longitude": [_("Give both latitude and longitude, or neither.")]}
            )
        return attrs


class CheckOutInputSerializer(serializers.Serializer[None]):
    note = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        max_length=5000,
        help_text="The visit note; left out: the note saved during the visit.",
    )
    shorter = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Leaving early (409 early_check_out without it): the hours count to now.",
    )


class RunningLateInputSerializer(serializers.Serializer[None]):
    minutes = serializers.ChoiceField(
        choices=LateNotice.Minutes.choices, help_text="About how late: 10, 20, or 30 (30 or more)."
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class HoursSettleInputSerializer(serializers.Serializer[None]):
    minutes = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=24 * 60,
        help_text="The minutes that count; left out or null: the hours as they were.",
    )
    reason = serializers.CharField(
        allow_blank=True, max_length=1000, help_text="How they were settled: both sides are shown it."
    )
    strike = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        max_length=50,
        help_text="Ids of the visit's expenses to strike (neither paid nor charged), for the same reason.",
    )


def _expenses_seen() -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        default=None,
        max_length=50,
        help_text=(
            "The ids of the visit's expenses you were shown. If given and they changed since (one "
            "was added or removed), the answer is refused with 409 expenses_changed."
        ),
    )


class HoursConfirmInputSerializer(serializers.Serializer[None]):
    expenses = _expenses_seen()


class HoursQueryInputSerializer(ReasonInputSerializer):
    expenses = _expenses_seen()


class ExpenseInputSerializer(serializers.Serializer[None]):
    """Mileage (`miles`) or another expense (`amount_pence`), with a note the person reads."""

    kind = serializers.ChoiceField(choices=VisitExpense.Kind.choices)
    miles = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.1"),
        max_value=services.MILES_MOST,
        required=False,
        allow_null=True,
        default=None,
        help_text="Mileage: the miles (to one decimal place), paid at the co-op's rate a mile.",
    )
    amount_pence = serializers.IntegerField(
        min_value=1,
        max_value=services.AMOUNT_MOST_PENCE,
        required=False,
        allow_null=True,
        default=None,
        help_text="Another expense: the amount in pence.",
    )
    note = serializers.CharField(max_length=300, help_text="What it was for: the person reads it.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["kind"] == VisitExpense.Kind.MILEAGE and attrs.get("miles") is None:
            raise serializers.ValidationError({"miles": [_("Give the miles.")]})
        if attrs["kind"] == VisitExpense.Kind.OTHER and attrs.get("amount_pence") is None:
            raise serializers.ValidationError({"amount_pence": [_("Give the amount.")]})
        return attrs


class NoteInputSerializer(serializers.Serializer[None]):
    note = serializers.CharField(allow_blank=True, max_length=5000)


class TaskTickInputSerializer(serializers.Serializer[None]):
    done = serializers.BooleanField()


# --- Output --------------------------------------------------------------------------------------


class MemberNameSerializer(serializers.Serializer[Membership]):
    number = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, membership: Membership) -> str:
        return membership.shown_name


class VisitCostSerializer(serializers.Serializer[dict[str, int]]):
    person_pays = serializers.IntegerField(help_text="Pence.")
    worker_gets = serializers.IntegerField(help_text="Pence.")
    coop_keeps = serializers.IntegerField(help_text="Pence.")


class VisitTaskSerializer(serializers.Serializer[dict[str, object]]):
    # DRF's metaclass takes declared fields off the class: this does not replace Field.label.
    label = serializers.CharField()  # type: ignore[assignment]
    done = serializers.BooleanField()


class VisitSerializer(serializers.Serializer[Visit]):
    """A visit as its reader may see it. Give the context `user` and `policy` (fetched once per
    request); `visit_note` appears only for those who may see the person's care."""

    id = serializers.IntegerField()
    receiver = MemberNameSerializer()
    worker = MemberNameSerializer(allow_null=True)
    is_open = serializers.BooleanField()
    starts = serializers.DateTimeField()
    ends = serializers.DateTimeField()
    sleep_in = serializers.BooleanField()
    status = serializers.ChoiceField(choices=Visit.Status.choices)
    tasks = VisitTaskSerializer(many=True)
    notes = serializers.CharField()
    series = serializers.IntegerField(source="series_id", allow_null=True)
    checked_in_at = serializers.DateTimeField(allow_null=True)
    checked_out_at = serializers.DateTimeField(allow_null=True)
    check_in_far = serializers.BooleanField()
    hours = serializers.ChoiceField(choices=Visit.Hours.choices)
    booked_minutes = serializers.IntegerField(source="duration_minutes", help_text="The length booked.")
    counted_minutes = serializers.IntegerField(
        help_text="The minutes the money follows: the booked length, unless counted otherwise."
    )
    hours_settle_reason = serializers.CharField(help_text="When staff settled queried hours: how, and why.")
    late_cancellation = serializers.BooleanField()
    cost = serializers.SerializerMethodField()
    visit_note = serializers.CharField(
        required=False, help_text="Only for those who may see the person's care, and the worker."
    )

    @extend_schema_field(VisitCostSerializer(allow_null=True))
    def get_cost(self, visit: Visit) -> dict[str, int] | None:
        """For the visit's worker and the person's side (who pay); not for others in the team,
        whose colleague's rate is theirs to tell."""
        if not self._sees_cost(visit):
            return None
        cost = visit.cost(self._share())
        if cost is None:
            return None
        return {
            "person_pays": cost.person_pays,
            "worker_gets": cost.worker_gets,
            "coop_keeps": cost.coop_keeps,
        }

    def _share(self) -> Policy:
        """The co-op's share of each visit, read once per request, not once per visit."""
        if "share" not in self.context:
            self.context["share"] = Policy.current()
        share: Policy = self.context["share"]
        return share

    def _policy(self) -> SchedulingPolicy:
        if "policy" not in self.context:
            self.context["policy"] = SchedulingPolicy.current()
        policy: SchedulingPolicy = self.context["policy"]
        return policy

    def _sees_cost(self, visit: Visit) -> bool:
        user: User = self.context["user"]
        if visit.worker is not None and visit.worker.user_id == user.pk:
            return True
        known: dict[int, bool] = self.context.setdefault("sees_cost", {})
        if visit.receiver_id not in known:
            known[visit.receiver_id] = permissions.can_book(user, visit.receiver)
        return known[visit.receiver_id]

    def _sees_care(self, visit: Visit) -> bool:
        user: User = self.context["user"]
        if visit.worker is not None and visit.worker.user_id == user.pk:
            return True
        if visit.receiver.user_id == user.pk:
            return True
        # One answer per person in a list, not one query per visit.
        known: dict[int, bool] = self.context.setdefault("sees_care", {})
        if visit.receiver_id not in known:
            known[visit.receiver_id] = permissions.can_see_care(user, visit.receiver)
        return known[visit.receiver_id]

    def to_representation(self, instance: Visit) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if not self._sees_care(instance):
            data.pop("visit_note", None)
        return data


class ExpenseSerializer(serializers.Serializer[VisitExpense]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=VisitExpense.Kind.choices)
    miles = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    amount_pence = serializers.IntegerField(help_text="Paid to the worker and charged to the person in full.")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()
    struck = serializers.BooleanField(
        source="is_struck", help_text="Struck by staff settling a query: neither paid nor charged."
    )


class EmergencyContactSerializer(serializers.Serializer[dict[str, str]]):
    name = serializers.CharField()
    relationship = serializers.CharField()
    phone = serializers.CharField(help_text="As dialled in the UK.")


class DoorstepSerializer(serializers.Serializer[dict[str, object]]):
    address = serializers.CharField()
    postcode = serializers.CharField()
    directions_url = serializers.URLField(help_text="Directions to the address in maps.")
    phone = serializers.CharField(help_text="The person's phone; empty when they gave none.")
    emergency_contact = EmergencyContactSerializer(allow_null=True)


class LateNoticeSerializer(serializers.Serializer[LateNotice]):
    minutes = serializers.IntegerField(help_text="About how late: 10, 20, or 30 (30 or more).")
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class VisitDetailSerializer(VisitSerializer):
    """One visit, with its expenses and what the reader may do with it now (the visit page offers
    the same)."""

    actions = serializers.SerializerMethodField()
    expenses = serializers.SerializerMethodField()
    expenses_pence = serializers.SerializerMethodField()
    doorstep = serializers.SerializerMethodField()
    late_notices = serializers.SerializerMethodField()

    @extend_schema_field(DoorstepSerializer(allow_null=True))
    def get_doorstep(self, visit: Visit) -> dict[str, object] | None:
        """The person's address (with directions), phone and emergency contact: only for the
        visit's own worker, on an accepted visit, from 24 hours before the start until check-out;
        null for everyone else and at any other time."""
        if not permissions.sees_doorstep(self.context["user"], visit, now=timezone.now()):
            return None
        door = selectors.visit_doorstep(visit=visit)
        contact = (
            {
                "name": door.emergency_name,
                "relationship": door.emergency_relationship,
                "phone": door.emergency_phone,
            }
            if door.emergency_name
            else None
        )
        return {
            "address": door.address,
            "postcode": door.postcode,
            "directions_url": door.directions_url,
            "phone": door.phone,
            "emergency_contact": contact,
        }

    @extend_schema_field(LateNoticeSerializer(many=True))
    def get_late_notices(self, visit: Visit) -> list[dict[str, Any]]:
        """What the worker said on the way: running late, and by about how much."""
        notices = list(selectors.visit_late_notices(visit=visit))
        return list(LateNoticeSerializer(notices, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list

    @extend_schema_field(ExpenseSerializer(many=True))
    def get_expenses(self, visit: Visit) -> list[dict[str, Any]]:
        """Mileage and other expenses the worker added, confirmed or queried with the hours: for
        those who see the visit's cost (empty for the rest of the team)."""
        if not self._sees_cost(visit):
            return []
        return list(ExpenseSerializer(list(visit.expenses.all()), many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_expenses_pence(self, visit: Visit) -> int | None:
        """The expenses not struck, added up (pence): paid to the worker and charged to the
        person in full, with no co-op share. Null for those who do not see the visit's cost."""
        if not self._sees_cost(visit):
            return None
        return sum(expense.amount_pence for expense in visit.expenses.all() if not expense.is_struck)

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(
                choices=[
                    "accept",
                    "decline",
                    "cancel",
                    "change",
                    "check_in",
                    "deliver",
                    "answer_hours",
                    "settle_hours",
                    "add_expenses",
                    "answer_series",
                    "running_late",
                ]
            )
        )
    )
    def get_actions(self, visit: Visit) -> list[str]:
        """The next actions open to you: "deliver" covers ticking tasks, the note and checking
        out; "answer_hours" confirming or querying them (and the expenses with them);
        "add_expenses" adding or removing the expenses you had on the visit; "running_late"
        telling the person and the team you are on your way but late."""
        user: User = self.context["user"]
        return permissions.visit_actions(user, visit, now=timezone.now(), policy=self._policy()).names()


class BookedSerializer(serializers.Serializer[dict[str, object]]):
    visits = VisitSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())
    series = serializers.IntegerField(allow_null=True, help_text="The repeating booking, if one was made.")


class SeriesLeftSerializer(serializers.Serializer[dict[str, object]]):
    visit = VisitSerializer()
    reason = serializers.CharField(help_text="Why it is still waiting: a clash with a visit you have, say.")


class SeriesAnswerSerializer(serializers.Serializer[dict[str, object]]):
    series = serializers.IntegerField()
    accepted = serializers.BooleanField(help_text="True: the visits were accepted; false: declined.")
    answered = VisitSerializer(many=True, help_text="The visits answered now.")
    left = SeriesLeftSerializer(many=True, help_text="The visits still waiting, each with why.")


class CalendarFeedSerializer(serializers.Serializer[dict[str, str]]):
    url = serializers.URLField(help_text="The private address; anyone who has it sees your visits' times.")
