from datetime import datetime
from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.models import (
    Attendance,
    Ballot,
    Candidate,
    Majority,
    Meeting,
    Minutes,
    Motion,
    MotionVersion,
    Proxy,
    SeatClass,
)
from governance.selectors import Quorum, VoterStanding
from members.models import Membership

FIRST_YEAR, LAST_YEAR = 1900, 2999
# Ids and membership numbers are PostgreSQL integers: anything larger names nothing.
LARGEST_ID = 2**31 - 1


class LondonDateTimeField(serializers.DateTimeField):
    """An ISO datetime; one without an offset is a wall-clock time in Europe/London."""

    def enforce_timezone(self, value: datetime) -> datetime:
        # Years far from now overflow in time-zone and notice arithmetic: refuse them here.
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            self.fail("overflow")
        return super().enforce_timezone(value)


def _id_field(help_text: str, **kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=LARGEST_ID, help_text=help_text, **kwargs)


# --- Input ---------------------------------------------------------------------------------------


class MeetingListInputSerializer(serializers.Serializer[None]):
    when = serializers.ChoiceField(
        choices=[("upcoming", "not yet ended, soonest first"), ("past", "ended, latest first")],
        required=False,
        help_text="Left out: every meeting, latest first.",
    )


class MeetingCallInputSerializer(serializers.Serializer[None]):
    class Meta:
        # In the schema, the request form of Meeting: its choice sets then share one name.
        ref_name = "Meeting"

    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    title = serializers.CharField(max_length=200)
    format = serializers.ChoiceField(choices=Meeting.Format.choices)
    starts_at = LondonDateTimeField(help_text="Without an offset: a time in Europe/London.")
    ends_at = LondonDateTimeField(help_text="Without an offset: a time in Europe/London.")
    agenda = serializers.CharField(max_length=10_000)
    place = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    online_link = serializers.URLField(required=False, allow_blank=True, default="", max_length=200)
    requisition = _id_field(
        "The requisition this meeting answers, if any.", required=False, allow_null=True, default=None
    )


class AttendanceInputSerializer(serializers.Serializer[None]):
    member_number = serializers.IntegerField(
        min_value=1,
        max_value=LARGEST_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="Staff: the member to mark present in the room. Left out: check yourself in.",
    )


class MotionListInputSerializer(serializers.Serializer[None]):
    meeting = _id_field("Only the motions of this meeting.", required=False)


class MotionProposeInputSerializer(serializers.Serializer[None]):
    meeting = _id_field("The meeting the motion is put to.")
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=10_000)
    majority = serializers.ChoiceField(choices=Majority.choices, default=Majority.ORDINARY)
    by_board = serializers.BooleanField(
        default=False, help_text="Staff: a motion from the board, which needs no seconder."
    )
    amends = _id_field(
        "The motion this one amends; give its whole text as it would read if carried.",
        required=False,
        allow_null=True,
        default=None,
    )


class BallotListInputSerializer(serializers.Serializer[None]):
    meeting = _id_field("Only the ballots of this meeting.", required=False)
    status = serializers.ChoiceField(choices=Ballot.Status.choices, required=False)


class BallotCreateInputSerializer(serializers.Serializer[None]):
    title = serializers.CharField(max_length=200)
    opens_at = LondonDateTimeField(help_text="Without an offset: a time in Europe/London.")
    closes_at = LondonDateTimeField(help_text="Without an offset: a time in Europe/London.")
    motion = _id_field(
        "A ballot on this motion (proposed and seconded). Left out: a board election.",
        required=False,
        allow_null=True,
        default=None,
    )
    meeting = _id_field(
        "The meeting an election is held at, if any (a motion's ballot is at the motion's meeting).",
        required=False,
        allow_null=True,
        default=None,
    )
    seat_class = serializers.ChoiceField(
        choices=SeatClass.choices, required=False, allow_blank=True, default="", help_text="Elections."
    )
    seats = serializers.IntegerField(
        min_value=0, max_value=100, required=False, default=0, help_text="Elections: seats to fill."
    )
    method = serializers.ChoiceField(choices=Ballot.Method.choices, default=Ballot.Method.ONLINE)
    secret = serializers.BooleanField(default=True)
    changes_allowed = serializers.BooleanField(default=True)


class VoteInputSerializer(serializers.Serializer[None]):
    # Plain text, not a choice field: the service refuses anything else with code invalid_choice.
    choice = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=20,
        help_text='A motion: "for", "against" or "abstain".',
    )
    ranking = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        max_length=200,
        help_text="An election: candidate ids, first preference first.",
    )
    on_behalf_of = serializers.IntegerField(
        min_value=1,
        max_value=LARGEST_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="Vote as the proxy of the member with this number.",
    )
    receipt = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=64,
        help_text="To change a vote on a secret ballot: the receipt given for it.",
    )


class ProxyAppointInputSerializer(serializers.Serializer[None]):
    meeting = _id_field("A proxy for every ballot of this meeting.", required=False, allow_null=True)
    ballot = _id_field("A proxy for this ballot alone.", required=False, allow_null=True)
    holder = serializers.IntegerField(
        min_value=1,
        max_value=LARGEST_ID,
        required=False,
        allow_null=True,
        default=None,
        help_text="The membership number of the member who will vote for you.",
    )
    to_chair = serializers.BooleanField(default=False, help_text="The chair of the meeting votes for you.")
    instruction = serializers.ChoiceField(
        choices=Proxy.Instruction.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="On one motion's ballot: how the proxy must vote. Blank: as they think best.",
    )
    instructions_text = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


# --- Output --------------------------------------------------------------------------------------


class GovernanceMemberSerializer(serializers.Serializer[Membership]):
    number = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, membership: Membership) -> str:
        return membership.shown_name


class MeetingMinutesSerializer(serializers.Serializer[Minutes]):
    text = serializers.CharField()
    updated_at = serializers.DateTimeField()
    approved = serializers.SerializerMethodField()

    def get_approved(self, minutes: Minutes) -> bool:
        """Approved at a later meeting, and from then on fixed."""
        return minutes.approved_at_meeting_id is not None


class MeetingSerializer(serializers.Serializer[Meeting]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Meeting.Kind.choices)
    title = serializers.CharField()
    format = serializers.ChoiceField(choices=Meeting.Format.choices)
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    place = serializers.CharField()
    online_link = serializers.CharField()
    agenda = serializers.CharField()
    chair = GovernanceMemberSerializer(allow_null=True)
    requisition = serializers.IntegerField(source="requisition_id", allow_null=True)
    called_at = serializers.DateTimeField()
    ballot_count = serializers.IntegerField()
    minutes = serializers.SerializerMethodField()

    @extend_schema_field(MeetingMinutesSerializer(allow_null=True))
    def get_minutes(self, meeting: Meeting) -> dict[str, Any] | None:
        """The minutes once written (a draft until a later meeting approves them), else null."""
        minutes = getattr(meeting, "minutes", None)
        return dict(MeetingMinutesSerializer(minutes).data) if minutes is not None else None


class QuorumSerializer(serializers.Serializer[Quorum]):
    members = serializers.IntegerField(help_text="Members who may take part today.")
    needed = serializers.IntegerField()
    present = serializers.IntegerField()
    by_proxy = serializers.IntegerField(help_text="Absent, but represented by a proxy who is present.")
    counts_proxies = serializers.BooleanField(help_text="Whether the rules count those by proxy.")
    counted = serializers.IntegerField()
    met = serializers.BooleanField()


class AttendanceEntrySerializer(serializers.Serializer[Attendance]):
    member = GovernanceMemberSerializer(source="membership")
    how = serializers.ChoiceField(choices=Attendance.How.choices)
    present_at = serializers.DateTimeField()


class AttendanceSerializer(serializers.Serializer[dict[str, object]]):
    quorum = QuorumSerializer()
    checked_in = serializers.BooleanField(
        allow_null=True, help_text="Whether you are checked in (null for staff who are not members)."
    )
    register = AttendanceEntrySerializer(
        many=True, allow_null=True, help_text="Staff only: who is present (null for members)."
    )


class MotionVersionSerializer(serializers.Serializer[MotionVersion]):
    number = serializers.IntegerField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()
    note = serializers.CharField()


class MotionSerializer(serializers.Serializer[Motion]):
    id = serializers.IntegerField()
    meeting = serializers.IntegerField(source="meeting_id")
    title = serializers.CharField()
    majority = serializers.ChoiceField(choices=Majority.choices)
    status = serializers.ChoiceField(choices=Motion.Status.choices)
    by_board = serializers.BooleanField()
    proposer = GovernanceMemberSerializer(allow_null=True)
    seconder = GovernanceMemberSerializer(allow_null=True)
    amends = serializers.IntegerField(source="amends_id", allow_null=True)
    created_at = serializers.DateTimeField()
    text = serializers.SerializerMethodField()
    versions = MotionVersionSerializer(many=True, help_text="Every version of the text, first first.")

    def get_text(self, motion: Motion) -> str:
        """The current text: the latest version (the versions are prefetched in order)."""
        versions: list[MotionVersion] = list(motion.versions.all())
        return versions[-1].text if versions else ""


class CandidateSerializer(serializers.Serializer[Candidate]):
    id = serializers.IntegerField()
    member = GovernanceMemberSerializer(source="membership")
    statement = serializers.CharField()


class VoterStandingSerializer(serializers.Serializer[VoterStanding]):
    eligible = serializers.BooleanField(help_text="You may vote (fixed when the ballot opened).")
    voted = serializers.BooleanField(help_text="A vote has been recorded for you.")
    voted_by_proxy = serializers.BooleanField()
    proxies_for = GovernanceMemberSerializer(many=True, help_text="The members whose proxy you hold on it.")


class BallotSerializer(serializers.Serializer[Ballot]):
    """A ballot; `you` needs the context `standing`, a function from ballot to VoterStanding."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Ballot.Kind.choices)
    method = serializers.ChoiceField(choices=Ballot.Method.choices)
    secret = serializers.BooleanField()
    changes_allowed = serializers.BooleanField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    status = serializers.ChoiceField(choices=Ballot.Status.choices)
    meeting = serializers.IntegerField(source="meeting_id", allow_null=True)
    motion = serializers.IntegerField(source="motion_id", allow_null=True)
    seat_class = serializers.CharField(help_text="Elections: whose seats are filled.")
    seats = serializers.IntegerField()
    eligible_count = serializers.IntegerField(help_text="Members who may vote, once it has opened.")
    declared_at = serializers.DateTimeField(allow_null=True)
    candidates = serializers.SerializerMethodField()
    you = serializers.SerializerMethodField()

    @extend_schema_field(CandidateSerializer(many=True))
    def get_candidates(self, ballot: Ballot) -> list[dict[str, Any]]:
        """Elections: the candidates standing, with their statements."""
        standing: list[Candidate] = getattr(ballot, "standing", [])
        return list(CandidateSerializer(standing, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list

    @extend_schema_field(VoterStandingSerializer)
    def get_you(self, ballot: Ballot) -> dict[str, Any]:
        standing: VoterStanding = self.context["standing"](ballot)
        return dict(VoterStandingSerializer(standing).data)


class ReceiptSerializer(serializers.Serializer[dict[str, str]]):
    receipt = serializers.CharField(
        help_text="Keep it: it shows your vote on the receipts list, and changes a secret vote."
    )


class NamedVoteSerializer(serializers.Serializer[dict[str, str]]):
    name = serializers.CharField()
    choice = serializers.CharField(help_text='A motion: "for", "against" or "abstain"; empty in an election.')
    ranking = serializers.ListField(
        child=serializers.CharField(), help_text="An election: the candidates' names, first preference first."
    )


class BallotResultSerializer(serializers.Serializer[dict[str, object]]):
    ballot = serializers.IntegerField()
    result = serializers.DictField(
        help_text=(
            "The count made when the ballot closed. Every result has eligible, voted, turnout_percent "
            'and eligible_by_class. A motion (kind "motion") adds for, against, abstain, the weighted '
            'figures, by_class and passed; an election (kind "election") adds seats, candidates, quota, '
            "elected (candidate ids) and the stages of the count. On a secret ballot, a class whose "
            "figures would show how a member voted is added up with others: a by_class row names its "
            "member_classes, and classes_merged says so; where the weights would tell a hidden class's "
            "figures, weights_withheld is true and every weight, weighted figure and percentage is null "
            "(passed still counts every vote)."
        )
    )
    declared_at = serializers.DateTimeField(allow_null=True, help_text="When the chair declared it.")
    named_votes = NamedVoteSerializer(many=True, help_text="A ballot that is not secret: who voted how.")


class ReceiptListSerializer(serializers.Serializer[dict[str, list[str]]]):
    receipts = serializers.ListField(
        child=serializers.CharField(),
        help_text="SHA-256 (hex) of every counted vote's receipt, sorted: find yours to see it was counted.",
    )


class ProxySerializer(serializers.Serializer[Proxy]):
    id = serializers.IntegerField()
    meeting = serializers.IntegerField(source="meeting_id", allow_null=True)
    ballot = serializers.IntegerField(source="ballot_id", allow_null=True)
    holder = GovernanceMemberSerializer(allow_null=True)
    to_chair = serializers.BooleanField()
    instruction = serializers.ChoiceField(choices=Proxy.Instruction.choices, allow_blank=True)
    instructions_text = serializers.CharField()
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)
