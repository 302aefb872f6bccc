"""Proxies: appointing, listing and revoking."""

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from carecoop.exceptions import NotFoundError
from carecoop.http import AuthenticatedRequest
from carecoop.once import idempotent
from governance import selectors, services
from governance.api.serializers import (
    ProxyAppointInputSerializer,
    ProxySerializer,
)
from governance.api.views.common import member_numbered, members_only, named, valid
from governance.models import Proxy


class ProxyListCreateApi(GenericAPIView[Proxy]):
    serializer_class = ProxySerializer

    @extend_schema(
        responses=ProxySerializer(many=True),
        summary="The proxies you have appointed",
        description="Those still in force, newest first.",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        members_only(request)
        page = self.paginate_queryset(selectors.proxies_given_by(user=request.user))
        return self.get_paginated_response(ProxySerializer(page, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list

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
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        values = valid(ProxyAppointInputSerializer, request.data)
        meeting_pk, ballot_pk, number = (
            values.pop("meeting", None),
            values.pop("ballot", None),
            values.pop("holder"),
        )
        meeting = (
            named(selectors.meeting_get_for_user, request, meeting_pk, "meeting") if meeting_pk else None
        )
        ballot = named(selectors.ballot_get_for_user, request, ballot_pk, "ballot") if ballot_pk else None
        holder = (
            member_numbered(
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
    def delete(self, request: AuthenticatedRequest, pk: int) -> Response:
        members_only(request)
        proxy = selectors.proxies_given_by(user=request.user).filter(pk=pk).first()
        if proxy is None:
            raise NotFoundError(_("There is no such proxy."), code="not_found")
        services.proxy_revoke(proxy=proxy, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
