"""The API's door onto monthly statements and the finance figures (decision 22)."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from carecoop.http import AuthenticatedRequest
from carecoop.once import idempotent
from carecoop.permissions import IsStaff
from members import selectors as member_selectors
from members.models import Membership
from scheduling import services, statements
from scheduling.statements import Line, MonthFigures, MonthStatement


class StatementLineSerializer(serializers.Serializer[Line]):
    visit = serializers.IntegerField(source="visit_id")
    starts = serializers.DateTimeField()
    other = serializers.CharField(help_text="The worker, on a person's statement; the person, on a worker's.")
    minutes = serializers.IntegerField()
    amount_pence = serializers.IntegerField(help_text="Charged to the person, or earned by the worker.")
    coop_pence = serializers.IntegerField(help_text="What the co-op kept of the visit.")
    expenses_pence = serializers.IntegerField()
    total_pence = serializers.IntegerField()
    adjustment = serializers.BooleanField(
        source="late", help_text="A visit of an earlier, closed month whose hours were confirmed since."
    )


class StatementSerializer(serializers.Serializer[MonthStatement]):
    member = serializers.IntegerField(source="member.number")
    name = serializers.CharField(source="member.legal_name")
    side = serializers.ChoiceField(choices=statements.Side.choices)
    month = serializers.SerializerMethodField()
    closed = serializers.BooleanField(help_text="Final: the office closed the month.")
    closed_at = serializers.DateTimeField(allow_null=True)
    visits = serializers.IntegerField()
    minutes = serializers.IntegerField()
    amount_pence = serializers.IntegerField()
    coop_pence = serializers.IntegerField()
    expenses_pence = serializers.IntegerField()
    total_pence = serializers.IntegerField(help_text="To pay (a person), or to be paid (a worker).")
    lines = StatementLineSerializer(many=True)

    def get_month(self, statement: MonthStatement) -> str:
        return f"{statement.month:%Y-%m}"


class MonthFiguresSerializer(serializers.Serializer[MonthFigures]):
    month = serializers.SerializerMethodField()
    closed = serializers.BooleanField()
    visits = serializers.IntegerField()
    minutes = serializers.IntegerField(help_text="Hours delivered, in minutes.")
    charged_pence = serializers.IntegerField()
    paid_pence = serializers.IntegerField(help_text="Earned by workers.")
    coop_pence = serializers.IntegerField(help_text="Kept by the co-op.")
    expenses_pence = serializers.IntegerField()

    def get_month(self, figures: MonthFigures) -> str:
        return f"{figures.month:%Y-%m}"


class StatementInputSerializer(serializers.Serializer[None]):
    member = serializers.IntegerField(
        required=False, min_value=1, help_text="Whose statement, if not your own: a person you act for."
    )


class StatementApi(APIView):
    @extend_schema(
        parameters=[StatementInputSerializer],
        responses={200: StatementSerializer, 404: OpenApiResponse(description="No such statement for you.")},
        summary="A monthly statement",
        description=(
            "Your statement for the month (a person's charges, or a worker's earnings), or, with "
            "`member`, that of a person whose circle gives you the power to book. Open months are "
            "worked out from confirmed hours so far; closed ones are final."
        ),
    )
    def get(self, request: AuthenticatedRequest, year: int, month: int) -> Response:
        asked = StatementInputSerializer(data=request.query_params)
        asked.is_valid(raise_exception=True)
        number = asked.validated_data.get("member")
        member: Membership | None
        if number is None:
            member = member_selectors.membership_current_for_user(user=request.user)
        else:
            member = Membership.objects.filter(number=number).first()
        shown = statements.statement_get_for_user(user=request.user, member=member, year=year, month=month)
        return Response(StatementSerializer(shown).data)


class FinanceMonthApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(responses=MonthFiguresSerializer, summary="A month's figures (staff)")
    def get(self, request: Request, year: int, month: int) -> Response:
        figures = statements.finance_months(through=statements.month_named(year, month), count=1)[0]
        return Response(MonthFiguresSerializer(figures).data)


class FinanceMonthCloseApi(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        request=None,
        responses={
            201: MonthFiguresSerializer,
            409: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="month_not_over, already_closed, or not_next_month (months close in order).",
            ),
        },
        summary="Close a month (staff)",
        description="Every member's statement for the month becomes final; later confirmations and "
        "corrections go on the next statement.",
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, year: int, month: int) -> Response:
        wanted = statements.month_named(year, month)
        services.month_close(month=wanted, by=request.user)
        figures = statements.finance_months(through=wanted, count=1)[0]
        body: dict[str, Any] = dict(MonthFiguresSerializer(figures).data)
        return Response(body, status=status.HTTP_201_CREATED)
