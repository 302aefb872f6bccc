"""Ballots: listing and setting up, voting, results and receipts once closed."""

from typing import Any

from django.utils.translation import gettext as _
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
    BallotCreateInputSerializer,
    BallotListInputSerializer,
    BallotResultSerializer,
    BallotSerializer,
    ReceiptListSerializer,
    ReceiptSerializer,
    VoteInputSerializer,
)
from governance.api.views.common import StaffPostMixin, member_numbered, named, valid
from governance.models import Ballot
from governance.results import result_as_dict


def _ballot_context(request: Request, ballots: list[Ballot] | None = None) -> dict[str, Any]:
    """The serializer's context; given the `ballots` of a list, where the user stands on all of
    them is read at once, so the list's queries do not grow with its length."""
    if ballots is not None:
        standings = selectors.voter_standings(ballots=ballots, user=request.user)
        return {"standing": lambda ballot: standings[ballot.pk]}
    return {"standing": lambda ballot: selectors.voter_standing(ballot=ballot, user=request.user)}


def _ballot_body(request: Request, ballot: Ballot) -> dict[str, Any]:
    return dict(BallotSerializer(ballot, context=_ballot_context(request)).data)


class BallotListCreateApi(StaffPostMixin, GenericAPIView[Ballot]):
    serializer_class = BallotSerializer

    @extend_schema(
        parameters=[BallotListInputSerializer],
        responses=BallotSerializer(many=True),
        summary="Ballots",
        description="Latest first. `you` says whether you may vote, whether you have, and whose proxies "
        "you hold on each.",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = valid(BallotListInputSerializer, request.query_params)
        ballots = selectors.ballots_for_user(user=request.user)
        if "meeting" in filters:
            ballots = ballots.filter(meeting_id=filters["meeting"])
        if "status" in filters:
            ballots = ballots.filter(status=filters["status"])
        page = self.paginate_queryset(ballots)
        return self.get_paginated_response(
            BallotSerializer(page, many=True, context=_ballot_context(request, page)).data  # type: ignore[arg-type]  # stubs: many=True takes a list
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
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        values = valid(BallotCreateInputSerializer, request.data)
        motion_pk, meeting_pk = values.pop("motion"), values.pop("meeting")
        motion = named(selectors.motion_get_for_user, request, motion_pk, "motion") if motion_pk else None
        meeting = (
            named(selectors.meeting_get_for_user, request, meeting_pk, "meeting") if meeting_pk else None
        )
        ballot = services.ballot_create(user=request.user, motion=motion, meeting=meeting, **values)
        ballot = selectors.ballot_get_for_user(user=request.user, pk=ballot.pk)
        return Response(_ballot_body(request, ballot), status=status.HTTP_201_CREATED)


class BallotDetailApi(APIView):
    @extend_schema(responses=BallotSerializer, summary="One ballot, with its candidates and where you stand")
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
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
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        ballot = selectors.ballot_get_for_user(user=request.user, pk=pk)
        values = valid(VoteInputSerializer, request.data)
        number = values.pop("on_behalf_of")
        for_member = (
            member_numbered(
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
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        ballot = selectors.ballot_get_for_user(user=request.user, pk=pk)
        result = selectors.ballot_result(ballot=ballot)
        body = {
            "ballot": ballot.pk,
            "result": result_as_dict(result),
            "declared_at": result.declared_at,
            "named_votes": result.named_votes,
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
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        ballot = selectors.ballot_get_for_user(user=request.user, pk=pk)
        return Response(ReceiptListSerializer({"receipts": selectors.ballot_receipts(ballot=ballot)}).data)
