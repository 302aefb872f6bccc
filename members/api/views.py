from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import permissions, renderers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from carecoop.exceptions import ApplicationError, ConflictError
from carecoop.http import AuthenticatedRequest
from carecoop.once import idempotent
from carecoop.permissions import IsStaff
from carecoop.spreadsheets import csv_text
from members import profiles, selectors, services
from members.api.serializers import (
    ApplicationInputSerializer,
    ApplicationOutputSerializer,
    AuthTokenInputSerializer,
    AuthTokenOutputSerializer,
    MeOutputSerializer,
    PaymentInputSerializer,
    ProfileSerializer,
    RegisterEntrySerializer,
    RegisterFilterSerializer,
    RejectInputSerializer,
    VettingCheckSerializer,
    WeeklyTimeSerializer,
)
from members.models import Application, GoverningDocument, Membership, Profile, VettingCheck


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
        description="The same rules as the login page: failed attempts count towards its lockout.",
    )
    def post(self, request: Request) -> Response:
        data = AuthTokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issued = services.auth_token_issue(request=request._request, **data.validated_data)
        output = AuthTokenOutputSerializer({"token": issued.token, "expiry": issued.expiry})
        return Response(output.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Revoke the API token in use",
        description="Only for requests authenticated with a token (not a session).",
    )
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, AuthToken):
            raise ApplicationError(
                _("Only a request made with a token can revoke it."), code="not_token_auth"
            )
        services.auth_token_revoke(token=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(responses=MeOutputSerializer, summary="The signed-in user and their membership")
    def get(self, request: AuthenticatedRequest) -> Response:
        membership = selectors.membership_latest_for_user(user=request.user)
        summary = None
        if membership is not None:
            summary = {
                "number": membership.number,
                "member_class": membership.member_class,
                "status": "current" if membership.is_current else "ceased",
            }
        body = {"id": request.user.pk, "email": request.user.email, "membership": summary}
        return Response(MeOutputSerializer(body).data)


# --- Applications -----------------------------------------------------------------------------


class ApplicationListCreateApi(GenericAPIView[Application]):
    serializer_class = ApplicationOutputSerializer

    @extend_schema(
        parameters=[OpenApiParameter("status", str, enum=["submitted", "approved", "rejected", "withdrawn"])],
        responses=ApplicationOutputSerializer(many=True),
        summary="Membership applications",
        description="Staff see every application, oldest first; anyone else sees their own.",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        applications = selectors.application_list_for_user(
            user=request.user, status=request.query_params.get("status", "")
        )
        page = self.paginate_queryset(applications)
        return self.get_paginated_response(ApplicationOutputSerializer(page, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list

    @extend_schema(
        request=ApplicationInputSerializer,
        responses={201: ApplicationOutputSerializer},
        summary="Apply to become a member",
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = ApplicationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        rules = GoverningDocument.objects.filter(
            kind=GoverningDocument.Kind.RULES, version=values.pop("rules_version")
        ).first()
        commitment = GoverningDocument.objects.filter(
            kind=GoverningDocument.Kind.COMMITMENT, version=values.pop("commitment_version")
        ).first()
        if rules is None or commitment is None:
            raise ConflictError(
                _("Agree to the current versions of the rules and the Members' Commitment."),
                code="documents_changed",
            )
        application = services.application_submit(
            user=request.user, rules=rules, commitment=commitment, **values
        )
        return Response(ApplicationOutputSerializer(application).data, status=status.HTTP_201_CREATED)


class ApplicationPaymentApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        request=PaymentInputSerializer,
        responses=ApplicationOutputSerializer,
        summary="Record a share payment",
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        application = selectors.application_get_for_user(user=request.user, pk=pk)
        data = PaymentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_record_payment(
            application=application,
            reference=data.validated_data["reference"],
            paid_on=data.validated_data["paid_on"],
            amount_pence=data.validated_data["amount_pence"],
            by=request.user,
            correction=data.validated_data["correction"],
        )
        return Response(ApplicationOutputSerializer(application).data)


class ApplicationApproveApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(request=None, responses=RegisterEntrySerializer, summary="Approve and admit")
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        application = selectors.application_get_for_user(user=request.user, pk=pk)
        membership = services.application_approve(application=application, by=request.user)
        entry = selectors.membership_get_by_number(number=membership.number)
        return Response(RegisterEntrySerializer(entry).data)


class ApplicationRejectApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        request=RejectInputSerializer, responses=ApplicationOutputSerializer, summary="Do not approve"
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        application = selectors.application_get_for_user(user=request.user, pk=pk)
        data = RejectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application = services.application_reject(
            application=application, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(ApplicationOutputSerializer(application).data)


# --- The register ---------------------------------------------------------------------------------


class RegisterCSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, dict):  # an error: say it plainly
            rows = [["detail", "code"], [data.get("detail", ""), data.get("code", "")]]
        else:
            rows = [selectors.REGISTER_CSV_HEADER, *data]
        return csv_text(rows).encode(self.charset)


REGISTER_ANSWERS = (
    "A page of the register as JSON; as CSV (`format=csv` or `Accept: text/csv`), the whole register "
    "filtered alike, one member a row under a header row, as an attachment."
)


class RegisterApi(GenericAPIView[Membership]):
    permission_classes = [IsStaff]
    serializer_class = RegisterEntrySerializer
    renderer_classes = [renderers.JSONRenderer, RegisterCSVRenderer]

    @extend_schema(
        parameters=[
            RegisterFilterSerializer,
            OpenApiParameter("format", str, enum=["json", "csv"], description="csv: the whole register"),
        ],
        responses={
            200: OpenApiResponse(RegisterEntrySerializer(many=True), description=REGISTER_ANSWERS),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=REGISTER_ANSWERS),
        },
        summary="The register of members",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = RegisterFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        members = selectors.register_list(
            search=filters.validated_data["q"],
            member_class=filters.validated_data["member_class"],
            standing=filters.validated_data["standing"],
        )
        if request.accepted_renderer.format == "csv":
            filename = f"register-of-members-{timezone.localdate().isoformat()}.csv"
            return Response(
                list(selectors.register_csv_rows(members)),
                headers={"Content-Disposition": f'attachment; filename="{filename}"'},
            )
        page = self.paginate_queryset(members)
        return self.get_paginated_response(RegisterEntrySerializer(page, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list


# --- Vetting ------------------------------------------------------------------------------------


class WorkerVettingApi(GenericAPIView[VettingCheck]):
    permission_classes = [IsStaff]
    serializer_class = VettingCheckSerializer

    @extend_schema(responses=VettingCheckSerializer(many=True), summary="A worker's vetting checks")
    def get(self, request: AuthenticatedRequest, number: int) -> Response:
        membership = selectors.membership_get_by_number(number=number)
        # The stubs want a QuerySet; DRF pages any sequence, as this list.
        page = self.paginate_queryset(selectors.vetting_history_for(membership=membership))  # type: ignore[arg-type]
        return self.get_paginated_response(VettingCheckSerializer(page, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list

    @extend_schema(
        request=VettingCheckSerializer,
        responses={201: VettingCheckSerializer},
        summary="Record a verified check",
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, number: int) -> Response:
        membership = selectors.membership_get_by_number(number=number)
        data = VettingCheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.vetting_check_record(membership=membership, by=request.user, **data.validated_data)
        return Response(VettingCheckSerializer(check).data, status=status.HTTP_201_CREATED)


class VettingExpiringApi(GenericAPIView[VettingCheck]):
    permission_classes = [IsStaff]
    serializer_class = VettingCheckSerializer

    @extend_schema(
        responses=VettingCheckSerializer(many=True), summary="Checks expiring within 30 days, or expired"
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        checks = selectors.vetting_expiring(today=timezone.localdate())
        page = self.paginate_queryset(checks)
        return self.get_paginated_response(VettingCheckSerializer(page, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list


# --- Profiles -----------------------------------------------------------------------------------


class ProfileMeApi(APIView):
    def _profile(self, request: AuthenticatedRequest) -> Profile:
        membership = selectors.membership_current_for_user(user=request.user)
        if membership is None:
            raise ApplicationError(_("Profiles are for members."), code="not_a_member")
        created = services.profile_get_or_create(membership=membership)
        return selectors.profile_get_for_membership(membership=membership) or created

    def _output(self, profile: Profile) -> dict[str, Any]:
        data = dict(ProfileSerializer(profile).data)
        data["visibility"] = profiles.visibility_with_defaults(
            profile.membership.member_class, profile.visibility
        )
        data["weekly_times"] = WeeklyTimeSerializer(profile.weekly_times.all(), many=True).data  # type: ignore[arg-type]  # stubs: many=True takes a list
        return data

    @extend_schema(responses=ProfileSerializer, summary="Your profile")
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(self._output(self._profile(request)))

    @extend_schema(request=ProfileSerializer, responses=ProfileSerializer, summary="Change your profile")
    def patch(self, request: AuthenticatedRequest) -> Response:
        profile = self._profile(request)
        data = ProfileSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        visibility = changes.pop("visibility", None)
        times = changes.pop("weekly_times", None)
        services.profile_save(
            profile=profile,
            by=request.user,
            changes=changes,
            visibility=visibility,
            weekly_times=[(t["weekday"], t["starts"], t["ends"]) for t in times]
            if times is not None
            else None,
        )
        return Response(self._output(self._profile(request)))
