"""Dividends and interest: a member's own statements; staff's surplus, allocation, approval,
calculation (start it, read its progress) and payment. Staff-only actions answer 403 to anyone
else (decision 18); a statement one may not see, 404."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from carecoop.exceptions import ApplicationError
from carecoop.http import AuthenticatedRequest
from carecoop.once import idempotent
from carecoop.permissions import IsStaff
from governance import services, tasks
from governance.api.dividend_serializers import (
    AllocationInputSerializer,
    AllocationSerializer,
    ApprovalInputSerializer,
    DividendStatementSerializer,
    FinancialYearInputSerializer,
    FinancialYearSerializer,
    InterestStatementSerializer,
    ProgressSerializer,
)
from governance.api.views.common import valid
from governance.models import Dividend, DividendAllocation, FinancialYear, Motion, ShareInterest
from governance.selectors import dividends as selectors

STAFF = [permissions.IsAuthenticated, IsStaff]


class DividendListApi(GenericAPIView[Dividend]):
    serializer_class = DividendStatementSerializer

    @extend_schema(
        responses=DividendStatementSerializer(many=True),
        summary="Your dividend statements",
        description="Every dividend you have been sent a statement for, newest year first.",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(selectors.dividends_for_user(user=request.user))
        return self.get_paginated_response(DividendStatementSerializer(page, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list


class DividendDetailApi(APIView):
    @extend_schema(responses=DividendStatementSerializer, summary="One of your dividend statements")
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        dividend = selectors.dividend_get_for_user(user=request.user, pk=pk)
        return Response(DividendStatementSerializer(dividend).data)


class InterestListApi(GenericAPIView[ShareInterest]):
    serializer_class = InterestStatementSerializer

    @extend_schema(
        responses=InterestStatementSerializer(many=True),
        summary="Your interest statements",
        description="Interest on your share capital, year by year, newest first.",
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(selectors.interest_for_user(user=request.user))
        return self.get_paginated_response(InterestStatementSerializer(page, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list


class FinancialYearListCreateApi(GenericAPIView[FinancialYear]):
    permission_classes = STAFF
    serializer_class = FinancialYearSerializer

    @extend_schema(responses=FinancialYearSerializer(many=True), summary="Financial years and their surplus")
    def get(self, request: AuthenticatedRequest) -> Response:
        page = self.paginate_queryset(selectors.financial_years())
        return self.get_paginated_response(FinancialYearSerializer(page, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list

    @extend_schema(
        request=FinancialYearInputSerializer,
        responses={201: FinancialYearSerializer},
        summary="Record a year's surplus",
        description=(
            'Staff. Refused: "year_not_over" (it has not ended), "ends_before_start", "year_too_long", '
            '409 "year_overlaps".'
        ),
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        values = valid(FinancialYearInputSerializer, request.data)
        year = services.financial_year_record(user=request.user, **values)
        return Response(FinancialYearSerializer(year).data, status=status.HTTP_201_CREATED)


def _allocation(pk: int) -> DividendAllocation:
    return selectors.allocation_get(pk=pk)


class AllocationCreateApi(APIView):
    permission_classes = STAFF

    @extend_schema(
        request=AllocationInputSerializer,
        responses={201: AllocationSerializer},
        summary="Propose an allocation of a year's surplus",
        description=(
            'Staff, for the board. The six amounts add up to the surplus, to the penny ("does_not_add_up"); '
            'a class the dividend rules give nothing gets no pool ("class_not_sharing").'
        ),
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        values = valid(AllocationInputSerializer, request.data)
        year = selectors.financial_years().filter(pk=values.pop("year")).first()
        if year is None:
            message = _("There is no such financial year.")
            raise ApplicationError(message, code="not_found", fields={"year": [message]})
        allocation = services.allocation_propose(user=request.user, year=year, **values)
        return Response(AllocationSerializer(_allocation(allocation.pk)).data, status=status.HTTP_201_CREATED)


class AllocationDetailApi(APIView):
    permission_classes = STAFF

    @extend_schema(responses=AllocationSerializer, summary="One allocation, with its calculation's progress")
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        return Response(AllocationSerializer(_allocation(pk)).data)


class AllocationApprovalApi(APIView):
    permission_classes = STAFF

    @extend_schema(
        request=ApprovalInputSerializer,
        responses=AllocationSerializer,
        summary="Record the AGM motion that approved an allocation",
        description=(
            "The motion must be carried at an AGM held after the year ended, its result declared: else 400 "
            '"not_approved". 409 "already_approved" for a second.'
        ),
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        allocation = _allocation(pk)
        values = valid(ApprovalInputSerializer, request.data)
        motion = Motion.objects.filter(pk=values["motion"]).first()
        if motion is None:
            message = _("There is no such motion.")
            raise ApplicationError(message, code="not_found", fields={"motion": [message]})
        services.allocation_approve(user=request.user, allocation=allocation, motion=motion)
        return Response(AllocationSerializer(_allocation(pk)).data)


class AllocationCalculationApi(APIView):
    permission_classes = STAFF

    @extend_schema(responses=ProgressSerializer, summary="The calculation's progress")
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        return Response(ProgressSerializer(_allocation(pk)).data)

    @extend_schema(
        request=None,
        responses={202: ProgressSerializer},
        summary="Start the calculation",
        description=(
            "Runs in the background; read its progress with GET. Refused without the AGM's approval "
            '("not_approved"), and once calculated (409 "already_calculated"). Starting it again while it '
            "runs carries on where it stopped: nobody is paid twice."
        ),
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        allocation = tasks.dividends_calculation_start(user=request.user, allocation=_allocation(pk))
        return Response(ProgressSerializer(_allocation(allocation.pk)).data, status=status.HTTP_202_ACCEPTED)


class AllocationPaymentApi(APIView):
    permission_classes = STAFF

    @extend_schema(
        request=None,
        responses=AllocationSerializer,
        summary="Mark an allocation's dividends paid",
        description=(
            'Refused without a passed AGM motion approving it ("not_approved"), before it is calculated '
            '(409 "not_calculated"), and a second time (409 "already_paid").'
        ),
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        services.allocation_pay(user=request.user, allocation=_allocation(pk))
        return Response(AllocationSerializer(_allocation(pk)).data)
