from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from knox.models import AuthToken
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from carecoop.exceptions import ApplicationError
from members import services
from members.api.serializers import (
    AuthTokenInputSerializer,
    AuthTokenOutputSerializer,
    MeOutputSerializer,
)


class AuthTokenApi(APIView):
    """Exchange an email and password for an API token; revoke the token in use."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth_token"

    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # Asking for a token uses no session, so it needs no CSRF token either.
        if request.method == "POST":
            self.authentication_classes = []
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        request=AuthTokenInputSerializer,
        responses={201: AuthTokenOutputSerializer},
        auth=[],
        summary="Get an API token",
    )
    def post(self, request: Request) -> Response:
        data = AuthTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.auth_token_issue(request=request._request, **data.validated_data)
        output = AuthTokenOutputSerializer({"token": issued.token, "expiry": issued.expiry})
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Revoke the API token in use")
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, AuthToken):
            raise ApplicationError(
                _("Only a request made with a token can revoke it."), code="not_token_auth"
            )
        services.auth_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(responses=MeOutputSerializer, summary="The signed-in user")
    def get(self, request: Request) -> Response:
        return Response(MeOutputSerializer(request.user).data)
