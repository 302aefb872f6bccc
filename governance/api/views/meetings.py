"""Meetings and attendance, with the quorum."""

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from carecoop.http import AuthenticatedRequest
from carecoop.once import idempotent
from carecoop.permissions import IsStaff
from governance import selectors, services
from governance.api.serializers import (
    AttendanceEntrySerializer,
    AttendanceInputSerializer,
    AttendanceSerializer,
    MeetingCallInputSerializer,
    MeetingListInputSerializer,
    MeetingSerializer,
)
from governance.api.views.common import StaffPostMixin, member_numbered, named, valid
from governance.models import Meeting
from members import selectors as member_selectors


class MeetingListCreateApi(StaffPostMixin, GenericAPIView[Meeting]):
    serializer_class = MeetingSerializer

    @extend_schema(
        parameters=[MeetingListInputSerializer],
        responses=MeetingSerializer(many=True),
        summary="General meetings",
        description="Members and staff: meetings to come and meetings held, with their agendas.",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        when = valid(MeetingListInputSerializer, request.query_params).get("when")
        if when == "upcoming":
            meetings = selectors.upcoming_meetings(user=request.user)
        else:
            # Latest first. A count in the query drops the model's ordering: say it again.
            meetings = selectors.meetings_for_user(user=request.user).order_by("-starts_at", "-pk")
            if when == "past":
                meetings = meetings.filter(ends_at__lte=timezone.now())
        page = self.paginate_queryset(meetings)
        return self.get_paginated_response(MeetingSerializer(page, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list

    @extend_schema(
        request=MeetingCallInputSerializer,
        responses={201: MeetingSerializer},
        summary="Call a general meeting",
        description=(
            "Staff. Every member is sent notice with the agenda. A start before the notice period "
            'allows is refused with code "notice_too_short" and a `starts_at` field error.'
        ),
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        values = valid(MeetingCallInputSerializer, request.data)
        requisition_pk = values.pop("requisition")
        requisition = (
            named(selectors.requisition_get_for_user, request, requisition_pk, "requisition")
            if requisition_pk is not None
            else None
        )
        meeting = services.meeting_call(called_by=request.user, requisition=requisition, **values)
        meeting = selectors.meeting_get_for_user(user=request.user, pk=meeting.pk)
        return Response(MeetingSerializer(meeting).data, status=status.HTTP_201_CREATED)


class MeetingDetailApi(APIView):
    @extend_schema(responses=MeetingSerializer, summary="One general meeting")
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
        return Response(MeetingSerializer(meeting).data)


class MeetingAttendanceApi(APIView):
    @extend_schema(
        responses=AttendanceSerializer,
        summary="Who is at the meeting, and whether it is quorate",
        description="Staff see the register of those present; a member sees whether they are checked in.",
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
        present = selectors.attendance_for_meeting(meeting=meeting)
        me = member_selectors.membership_current_for_user(user=request.user)
        body: dict[str, object] = {
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
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
        number = valid(AttendanceInputSerializer, request.data)["member_number"]
        if number is None:
            attendance = services.attendance_check_in(meeting=meeting, user=request.user)
        else:
            staff = IsStaff()
            if not staff.has_permission(request, self):
                self.permission_denied(request, message=str(staff.message), code=staff.code)
            membership = member_numbered(
                number,
                field="member_number",
                message=_("No member has this number."),
                code="unknown_member",
            )
            attendance = services.attendance_mark(meeting=meeting, membership=membership, user=request.user)
        prefetch_related_objects([attendance], "membership__profile")
        return Response(AttendanceEntrySerializer(attendance).data, status=status.HTTP_201_CREATED)
