"""The governance API: meetings and attendance, motions, ballots and votes, results, proxies.

Every read goes through governance.selectors, which answer 404 to anyone who is not a member or
staff; every write goes through governance.services, whose refusals carry stable codes.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import prefetch_related_objects
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from carecoop.exceptions import ApplicationError, NotFoundError
from governance import selectors, services
from governance.api.serializers import (
    AttendanceEntrySerializer,
    AttendanceInputSerializer,
    AttendanceSerializer,
    BallotCreateInputSerializer,
    BallotListInputSerializer,
    BallotResultSerializer,
    BallotSerializer,
    MeetingCallInputSerializer,
    MeetingListInputSerializer,
    MeetingSerializer,
    MotionListInputSerializer,
    MotionProposeInputSerializer,
    MotionSerializer,
    ProxyAppointInputSerializer,
    ProxySerializer,
    ReceiptListSerializer,
    ReceiptSerializer,
    VoteInputSerializer,
)
from governance.models import Ballot
from members import selectors as member_selectors
from members.models import Membership

T = TypeVar("T")


class IsStaff(permissions.BasePermission):
    message = gettext_lazy("Only the co-op's staff can do this.")
    code = "staff_only"  # the code the services use for the same refusal

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.is_staff)


class StaffPostMixin:
    """Members and staff read; only staff create (checked before the input, so a member is told
    403 rather than what is wrong with a body they may not send)."""

    request: Request

    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.request.method == "POST":
            return [permissions.IsAuthenticated(), IsStaff()]
        return [permissions.IsAuthenticated()]


def _members_only(request: Request) -> None:
    if not selectors.can_take_part(request.user):
        raise NotFoundError(_("Not found."), code="not_found")


def _named(get: Callable[..., T], request: Request, pk: int, field: str) -> T:
    """A meeting, motion, ballot or requisition the body names by id. An id that names nothing the
    caller may see is bad input in that field (400); a caller who may see nothing gets 404."""
    _members_only(request)
    try:
        return get(user=request.user, pk=pk)
    except NotFoundError as error:
        raise ApplicationError(error.message, code="not_found", fields={field: [error.message]}) from error


def _member_numbered(number: int, *, field: str, message: str, code: str) -> Membership:
    try:
        return member_selectors.membership_get_by_number(number=number)
    except Http404:
        raise ApplicationError(message, code=code, fields={field: [message]}) from None


def _valid(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# --- Meetings -----------------------------------------------------------------------------------


class MeetingListCreateApi(StaffPostMixin, GenericAPIView):
    serializer_class = MeetingSerializer

    @extend_schema(
        parameters=[MeetingListInputSerializer],
        responses=MeetingSerializer(many=True),
        summary="General meetings",
        description="Members and staff: meetings to come and meetings held, with their agendas.",
    )
    def get(self, request: Request) -> Response:
        when = _valid(MeetingListInputSerializer, request.query_params).get("when")
        if when == "upcoming":
            meetings = selectors.upcoming_meetings(user=request.user)
        else:
            # Latest first. A count in the query drops the model's ordering: say it again.
            meetings = selectors.meetings_for_user(user=request.user).order_by("-starts_at", "-pk")
            if when == "past":
                meetings = meetings.filter(ends_at__lte=timezone.now())
        page = self.paginate_queryset(meetings)
        return self.get_paginated_response(MeetingSerializer(page, many=True).data)

    @extend_schema(
        request=MeetingCallInputSerializer,
        responses={201: MeetingSerializer},
        summary="Call a general meeting",
        description=(
            "Staff. Every member is sent notice with the agenda. A start before the notice period "
            'allows is refused with code "notice_too_short" and a `starts_at` field error.'
        ),
    )
    def post(self, request: Request) -> Response:
        values = _valid(MeetingCallInputSerializer, request.data)
        requisition_pk = values.pop("requisition")
        requisition = (
            _named(selectors.requisition_get_for_user, request, requisition_pk, "requisition")
            if requisition_pk is not None
            else None
        )
        meeting = services.meeting_call(called_by=request.user, requisition=requisition, **values)
        meeting = selectors.meeting_get_for_user(user=request.user, pk=meeting.pk)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class MeetingDetailApi(APIView):
    @extend_schema(responses=MeetingSerializer, summary="One general meeting")
    def get(self, request: Request, pk: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
        return Response(MeetingSerializer(meeting).data)


class MeetingAttendanceApi(APIView):
    @extend_schema(
        responses=AttendanceSerializer,
        summary="Who is at the meeting, and whether it is quorate",
        description="Staff see the register of those present; a member sees whether they are checked in.",
    )
    def get(self, request: Request, pk: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
        present = selectors.attendance_for_meeting(meeting=meeting)
        me = member_selectors.membership_current_for_user(user=request.user)
        body = {
            "quorum": selectors.meeting_quorum(meeting=meeting),
            "checked_in": present.filter(membership=me).exists() if me is not None else None,
            "register": list(present) if request.user.is_staff else None,
        }
        return Response(AttendanceSerializer(body).data)

    @extend_schema(
        request=AttendanceInputSerializer,
        responses={201: AttendanceEntrySerializer},
        summary="Check in at the meeting, or (staff) mark a member present in the room",
        description=(
            'From half an hour before the start until the end; otherwise code "not_in_session". '
            "Checking in twice keeps the first time."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
        number = _valid(AttendanceInputSerializer, request.data)["member_number"]
        if number is None:
            attendance = services.attendance_check_in(meeting=meeting, user=request.user)
        else:
            staff = IsStaff()
            if not staff.has_permission(request, self):
                self.permission_denied(request, message=str(staff.message), code=staff.code)
            membership = _member_numbered(
                number,
                field="member_number",
                message=_("No member has this number."),
                code="unknown_member",
            )
            attendance = services.attendance_mark(meeting=meeting, membership=membership, user=request.user)
        prefetch_related_objects([attendance], "membership__profile")
        return Response(AttendanceEntrySerializer(attendance).data, status=status.HTTP_201_CREATED)


# --- Motions ------------------------------------------------------------------------------------


def _motion_body(request: Request, pk: int) -> dict[str, Any]:
    motion = selectors.motion_get_for_user(user=request.user, pk=pk)
    return dict(MotionSerializer(motion).data)


class MotionListCreateApi(GenericAPIView):
    serializer_class = MotionSerializer

    @extend_schema(
        parameters=[MotionListInputSerializer],
        responses=MotionSerializer(many=True),
        summary="Motions",
        description="Newest first, each with its current text.",
    )
    def get(self, request: Request) -> Response:
        filters = _valid(MotionListInputSerializer, request.query_params)
        motions = selectors.motions_for_user(user=request.user)
        if "meeting" in filters:
            motions = motions.filter(meeting_id=filters["meeting"])
        page = self.paginate_queryset(motions)
        return self.get_paginated_response(MotionSerializer(page, many=True).data)

    @extend_schema(
        request=MotionProposeInputSerializer,
        responses={201: MotionSerializer},
        summary="Propose a motion",
        description=(
            "A member's motion waits for a seconder. Staff may put one from the board "
            "(`by_board`), which needs none. An amendment (`amends`) gives the whole text as it "
            "would read if carried."
        ),
    )
    def post(self, request: Request) -> Response:
        values = _valid(MotionProposeInputSerializer, request.data)
        meeting = _named(selectors.meeting_get_for_user, request, values.pop("meeting"), "meeting")
        amends_pk = values.pop("amends")
        amends = (
            _named(selectors.motion_get_for_user, request, amends_pk, "amends")
            if amends_pk is not None
            else None
        )
        motion = services.motion_propose(user=request.user, meeting=meeting, amends=amends, **values)
        return Response(_motion_body(request, motion.pk), status=status.HTTP_201_CREATED)


class MotionDetailApi(APIView):
    @extend_schema(responses=MotionSerializer, summary="One motion, with every version of its text")
    def get(self, request: Request, pk: int) -> Response:
        return Response(_motion_body(request, pk))


class MotionSecondApi(APIView):
    @extend_schema(
        request=None,
        responses=MotionSerializer,
        summary="Second a motion",
        description='Anyone but its proposer. A motion already seconded: 409 "not_awaiting_seconder".',
    )
    def post(self, request: Request, pk: int) -> Response:
        motion = selectors.motion_get_for_user(user=request.user, pk=pk)
        services.motion_second(motion=motion, user=request.user)
        return Response(_motion_body(request, pk))


# --- Ballots ------------------------------------------------------------------------------------


def _ballot_context(request: Request, ballots: list[Ballot] | None = None) -> dict[str, Any]:
    """The serializer's context; given the `ballots` of a list, where the user stands on all of
    them is read at once, so the list's queries do not grow with its length."""
    if ballots is not None:
        standings = selectors.voter_standings(ballots=ballots, user=request.user)
        return {"standing": lambda ballot: standings[ballot.pk]}
    return {"standing": lambda ballot: selectors.voter_standing(ballot=ballot, user=request.user)}


def _ballot_body(request: Request, ballot: Ballot) -> dict[str, Any]:
    return dict(BallotSerializer(ballot, context=_ballot_context(request)).data)


class BallotListCreateApi(StaffPostMixin, GenericAPIView):
    serializer_class = BallotSerializer

    @extend_schema(
        parameters=[BallotListInputSerializer],
        responses=BallotSerializer(many=True),
        summary="Ballots",
        description="Latest first. `you` says whether you may vote, whether you have, and whose proxies "
        "you hold on each.",
    )
    def get(self, request: Request) -> Response:
        filters = _valid(BallotListInputSerializer, request.query_params)
        ballots = selectors.ballots_for_user(user=request.user)
        if "meeting" in filters:
            ballots = ballots.filter(meeting_id=filters["meeting"])
        if "status" in filters:
            ballots = ballots.filter(status=filters["status"])
        page = self.paginate_queryset(ballots)
        return self.get_paginated_response(
            BallotSerializer(page, many=True, context=_ballot_context(request, page)).data
        )

    @extend_schema(
        request=BallotCreateInputSerializer,
        responses={201: BallotSerializer},
        summary="Set up a ballot",
        description=(
            "Staff. With `motion`: a ballot on that motion (proposed and seconded). Without: a board "
            "election for `seats` seats of `seat_class`. An online ballot opens at `opens_at`."
        ),
    )
    def post(self, request: Request) -> Response:
        values = _valid(BallotCreateInputSerializer, request.data)
        motion_pk, meeting_pk = values.pop("motion"), values.pop("meeting")
        motion = _named(selectors.motion_get_for_user, request, motion_pk, "motion") if motion_pk else None
        meeting = (
            _named(selectors.meeting_get_for_user, request, meeting_pk, "meeting") if meeting_pk else None
        )
        ballot = services.ballot_create(user=request.user, motion=motion, meeting=meeting, **values)
        ballot = selectors.ballot_get_for_user(user=request.user, pk=ballot.pk)
        return Response(_ballot_body(request, ballot), status=status.HTTP_201_CREATED)


class BallotDetailApi(APIView):
    @extend_schema(responses=BallotSerializer, summary="One ballot, with its candidates and where you stand")
    def get(self, request: Request, pk: int) -> Response:
        ballot = selectors.ballot_get_for_user(user=request.user, pk=pk)
        return Response(_ballot_body(request, ballot))


class BallotVoteApi(APIView):
    @extend_schema(
        request=VoteInputSerializer,
        responses={201: ReceiptSerializer},
        summary="Vote, or change a vote",
        description=(
            "`choice` on a motion, `ranking` in an election; `on_behalf_of` to vote as a member's "
            "proxy. Refusals: 409 already_voted (changes not allowed), ballot_closed, ballot_not_open, "
            "voted_by_proxy, voted_in_person, proxy_over_limit; 403 not_eligible, no_proxy, not_present; "
            "400 receipt_needed (changing a secret vote), invalid_choice, invalid_ranking, "
            "against_instructions."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        ballot = selectors.ballot_get_for_user(user=request.user, pk=pk)
        values = _valid(VoteInputSerializer, request.data)
        number = values.pop("on_behalf_of")
        for_member = (
            _member_numbered(
                number, field="on_behalf_of", message=_("No member has this number."), code="unknown_member"
            )
            if number is not None
            else None
        )
        receipt = services.vote_cast(ballot=ballot, user=request.user, for_member=for_member, **values)
        return Response(ReceiptSerializer({"receipt": receipt}).data, status=status.HTTP_201_CREATED)


class BallotResultsApi(APIView):
    @extend_schema(
        responses=BallotResultSerializer,
        summary="The result of a ballot",
        description='Once the ballot has closed; before, 409 "results_hidden".',
    )
    def get(self, request: Request, pk: int) -> Response:
        ballot = selectors.ballot_get_for_user(user=request.user, pk=pk)
        body = {
            "ballot": ballot.pk,
            "result": selectors.ballot_results(ballot=ballot),
            "declared_at": ballot.declared_at,
            "named_votes": [
                {"name": name, "choice": choice}
                for name, choice in selectors.ballot_named_votes(ballot=ballot)
            ],
        }
        return Response(BallotResultSerializer(body).data)


class BallotReceiptsApi(APIView):
    @extend_schema(
        responses=ReceiptListSerializer,
        summary="The receipts of the counted votes",
        description=(
            'Once the ballot has closed (before, 409 "results_hidden"): the SHA-256 of each counted '
            "vote's receipt. Hash yours as `receipt:` followed by the receipt's letters and digits "
            "(upper case, no dashes) to find it."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        ballot = selectors.ballot_get_for_user(user=request.user, pk=pk)
        return Response(ReceiptListSerializer({"receipts": selectors.ballot_receipts(ballot=ballot)}).data)


# --- Proxies ------------------------------------------------------------------------------------


class ProxyListCreateApi(GenericAPIView):
    serializer_class = ProxySerializer

    @extend_schema(
        responses=ProxySerializer(many=True),
        summary="The proxies you have appointed",
        description="Those still in force, newest first.",
    )
    def get(self, request: Request) -> Response:
        _members_only(request)
        page = self.paginate_queryset(selectors.proxies_given_by(user=request.user))
        return self.get_paginated_response(ProxySerializer(page, many=True).data)

    @extend_schema(
        request=ProxyAppointInputSerializer,
        responses={201: ProxySerializer},
        summary="Appoint a proxy",
        description=(
            "For a `meeting` (every ballot of it) or one `ballot`; to a member (`holder`, their "
            "membership number) or `to_chair`. A new appointment for the same meeting or ballot "
            'replaces the old one. Nobody holds more than the rules allow: 409 "proxy_limit".'
        ),
    )
    def post(self, request: Request) -> Response:
        values = _valid(ProxyAppointInputSerializer, request.data)
        meeting_pk, ballot_pk, number = (
            values.pop("meeting", None),
            values.pop("ballot", None),
            values.pop("holder"),
        )
        meeting = (
            _named(selectors.meeting_get_for_user, request, meeting_pk, "meeting") if meeting_pk else None
        )
        ballot = _named(selectors.ballot_get_for_user, request, ballot_pk, "ballot") if ballot_pk else None
        holder = (
            _member_numbered(
                number,
                field="holder",
                message=_("A proxy must be a current member."),
                code="holder_not_member",
            )
            if number is not None
            else None
        )
        proxy = services.proxy_appoint(
            user=request.user, meeting=meeting, ballot=ballot, holder=holder, **values
        )
        prefetch_related_objects([proxy], "holder__profile")
        return Response(ProxySerializer(proxy).data, status=status.HTTP_201_CREATED)


class ProxyRevokeApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Cancel a proxy you appointed")
    def delete(self, request: Request, pk: int) -> Response:
        _members_only(request)
        proxy = selectors.proxies_given_by(user=request.user).filter(pk=pk).first()
        if proxy is None:
            raise NotFoundError(_("There is no such proxy."), code="not_found")
        services.proxy_revoke(proxy=proxy, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
