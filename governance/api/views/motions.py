"""Motions with their versions; seconding."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from carecoop.http import AuthenticatedRequest
from carecoop.once import idempotent
from governance import selectors, services
from governance.api.serializers import (
    MotionListInputSerializer,
    MotionProposeInputSerializer,
    MotionSerializer,
)
from governance.api.views.common import named, valid
from governance.models import Motion


def _motion_body(request: Request, pk: int) -> dict[str, Any]:
    motion = selectors.motion_get_for_user(user=request.user, pk=pk)
    return dict(MotionSerializer(motion).data)


class MotionListCreateApi(GenericAPIView[Motion]):
    serializer_class = MotionSerializer

    @extend_schema(
        parameters=[MotionListInputSerializer],
        responses=MotionSerializer(many=True),
        summary="Motions",
        description="Newest first, each with its current text.",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = valid(MotionListInputSerializer, request.query_params)
        motions = selectors.motions_for_user(user=request.user)
        if "meeting" in filters:
            motions = motions.filter(meeting_id=filters["meeting"])
        page = self.paginate_queryset(motions)
        return self.get_paginated_response(MotionSerializer(page, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list

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
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        values = valid(MotionProposeInputSerializer, request.data)
        meeting = named(selectors.meeting_get_for_user, request, values.pop("meeting"), "meeting")
        amends_pk = values.pop("amends")
        amends = (
            named(selectors.motion_get_for_user, request, amends_pk, "amends")
            if amends_pk is not None
            else None
        )
        motion = services.motion_propose(user=request.user, meeting=meeting, amends=amends, **values)
        return Response(_motion_body(request, motion.pk), status=status.HTTP_201_CREATED)


class MotionDetailApi(APIView):
    @extend_schema(responses=MotionSerializer, summary="One motion, with every version of its text")
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        return Response(_motion_body(request, pk))


class MotionSecondApi(APIView):
    @extend_schema(
        request=None,
        responses=MotionSerializer,
        summary="Second a motion",
        description='Anyone but its proposer. A motion already seconded: 409 "not_awaiting_seconder".',
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        motion = selectors.motion_get_for_user(user=request.user, pk=pk)
        services.motion_second(motion=motion, user=request.user)
        return Response(_motion_body(request, pk))
