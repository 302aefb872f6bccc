from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from carecoop.exceptions import ApplicationError
from carecoop.http import AuthenticatedRequest
from carecoop.once import idempotent
from matching import permissions, selectors, services
from matching.api.serializers import (
    DeclineInputSerializer,
    IntroductionInputSerializer,
    IntroductionSerializer,
    SuggestionSerializer,
    TeamRoleSerializer,
    TeamSerializer,
    WorkerSearchInputSerializer,
    WorkerSerializer,
)
from matching.models import Introduction
from matching.selectors import Suggestion, TimeWanted, WorkerCriteria
from members import geo, pricing
from members import selectors as member_selectors
from members.models import MemberClass, Membership, Policy, Profile, User


def _receiver_for(request: AuthenticatedRequest, number: int | str | None) -> Membership:
    """The person getting support the caller acts for (see selectors.receiver_acted_for)."""
    receiver = selectors.receiver_acted_for(
        user=request.user, number=number, allowed=permissions.manages_team
    )
    if receiver is None:
        raise ApplicationError(_("Say which person getting support this is for."), code="receiver_required")
    return receiver


class WorkerSearchApi(GenericAPIView[Profile]):
    serializer_class = WorkerSerializer

    @extend_schema(
        parameters=[WorkerSearchInputSerializer],
        responses=WorkerSerializer(many=True),
        summary="Find workers",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        if (
            member_selectors.membership_current_for_user(user=request.user) is None
            and not request.user.is_staff
        ):
            raise ApplicationError(_("Finding workers is for members."), code="not_a_member")
        data = WorkerSearchInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        near = None
        if values.get("near"):
            near = geo.geocoder().locate(values["near"])
            if near is None:
                raise ApplicationError(
                    _("We do not know where that postcode is."),
                    code="unknown_postcode",
                    fields={"near": [_("Unknown postcode.")]},
                )
        available = [TimeWanted(*values["available"])] if values.get("available") else []
        criteria = WorkerCriteria(
            skills=values.get("skills", []),
            language=values.get("language"),
            near=near,
            within_km=values.get("within_km"),
            available=available,
            max_rate_pence=pricing.highest_rate_within(values["max_rate"], Policy.current())
            if values.get("max_rate")
            else None,
            gender=values.get("gender", ""),
            peer_support=values["peer_support"],
            sort=values["sort"],
        )
        profiles = selectors.worker_search(criteria=criteria, on=timezone.localdate())
        page = self.paginate_queryset(profiles)
        return self.get_paginated_response(WorkerSerializer(page, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list


# The stubs bind GenericAPIView to models; DRF pages and serializes any object, as these suggestions.
class SuggestionsApi(GenericAPIView[Suggestion]):  # type: ignore[type-var]
    serializer_class = SuggestionSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("receiver", int, description="Membership number, when acting for someone")
        ],
        responses=SuggestionSerializer(many=True),
        summary="Workers suggested for a person, best first, with reasons",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        receiver = _receiver_for(request, request.query_params.get("receiver"))
        profile = member_selectors.profile_whereabouts_for(membership=receiver)
        ranked = selectors.suggestions_for(receiver=profile, on=timezone.localdate()) if profile else []
        page = self.paginate_queryset(ranked)  # type: ignore[arg-type]  # a list: see the class
        return self.get_paginated_response(SuggestionSerializer(page, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list


class IntroductionCreateApi(APIView):
    @extend_schema(
        request=IntroductionInputSerializer, responses={201: IntroductionSerializer}, summary="Ask to meet"
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = IntroductionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        other = get_object_or_404(Membership.objects.current(), number=values["to"])
        own = member_selectors.membership_current_for_user(user=request.user)
        if values["kind"] == Introduction.Kind.PEER or other.member_class == MemberClass.WORKER:
            receiver = _receiver_for(request, values.get("receiver"))
            supporter, from_receiver = other, True
        else:
            if own is None:
                raise ApplicationError(_("Introductions are between members."), code="not_a_member")
            receiver, supporter, from_receiver = other, own, False
        introduction = services.introduction_send(
            by=request.user,
            receiver=receiver,
            supporter=supporter,
            from_receiver=from_receiver,
            message=values["message"],
            kind=values["kind"],
        )
        return Response(IntroductionSerializer(introduction).data, status=status.HTTP_201_CREATED)


class IntroductionAnswerApi(APIView):
    action = ""

    @extend_schema(request=DeclineInputSerializer, responses=IntroductionSerializer)
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        introduction = selectors.introduction_get_for_user(user=request.user, pk=pk)
        if self.action == "accept":
            services.introduction_accept(introduction=introduction, by=request.user)
        elif self.action == "decline":
            data = DeclineInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.introduction_decline(
                introduction=introduction, by=request.user, reason=data.validated_data["reason"]
            )
        else:
            services.introduction_withdraw(introduction=introduction, by=request.user)
        introduction.refresh_from_db()
        return Response(IntroductionSerializer(introduction).data)


def _team_of(request: AuthenticatedRequest, number: int) -> Membership:
    """The person whose team this is, if the caller may see or manage it; else no such team.

    A function, not a base view: each team view offers only its own methods (one that inherited
    the team's GET offered it on paths that could not answer it)."""
    receiver = get_object_or_404(
        Membership.objects.current(), number=number, member_class=MemberClass.RECEIVER
    )
    if not (
        permissions.manages_team(request.user, receiver) or permissions.sees_team(request.user, receiver)
    ):
        raise Http404
    return receiver


class TeamApi(APIView):
    @extend_schema(responses=TeamSerializer, summary="A person's team and its roles")
    def get(self, request: AuthenticatedRequest, number: int) -> Response:
        receiver = _team_of(request, number)
        body = {
            "receiver_number": receiver.number,
            "members": selectors.team_for(receiver=receiver),
            "roles": selectors.team_roles_for(receiver=receiver),
        }
        return Response(TeamSerializer(body).data)


class TeamRoleCreateApi(APIView):
    @extend_schema(
        request=TeamRoleSerializer, responses={201: TeamRoleSerializer}, summary="Give a role in the team"
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, number: int) -> Response:
        receiver = _team_of(request, number)
        data = TeamRoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        holder = get_object_or_404(User, pk=data.validated_data["holder_id"])
        role = services.team_role_give(
            receiver=receiver,
            holder=holder,
            name=data.validated_data["name"],
            review_on=data.validated_data["review_on"],
            by=request.user,
        )
        return Response(TeamRoleSerializer(role).data, status=status.HTTP_201_CREATED)


class TeamMemberEndApi(APIView):
    @extend_schema(
        request=DeclineInputSerializer, responses={204: None}, summary="Remove someone from the team"
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, number: int, member_id: int) -> Response:
        receiver = _team_of(request, number)
        place = next((m for m in selectors.team_for(receiver=receiver) if m.pk == member_id), None)
        if place is None:
            raise Http404
        data = DeclineInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.team_member_end(member=place, by=request.user, reason=data.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)
