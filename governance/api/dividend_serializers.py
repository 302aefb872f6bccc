"""The API's shapes for dividends and interest: a member's own statements, and staff's surplus,
allocation and calculation. Amounts are whole pence (integers), with the same in pounds as text."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from carecoop.money import pounds
from governance.models import Dividend, DividendAllocation, FinancialYear, ShareInterest
from governance.selectors import dividends as selectors

LARGEST_PENCE = 10**13
LARGEST_ID = 2**31 - 1


def _pence(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=LARGEST_PENCE, help_text=help_text)


# --- Input ---------------------------------------------------------------------------------------


class FinancialYearInputSerializer(serializers.Serializer[None]):
    starts = serializers.DateField(help_text="The year's first day.")
    ends = serializers.DateField(help_text="The year's last day (over before today).")
    surplus_pence = _pence("The surplus its accounts show, in pence.")


class AllocationInputSerializer(serializers.Serializer[None]):
    year = serializers.IntegerField(min_value=1, max_value=LARGEST_ID, help_text="The financial year's id.")
    reserve_pence = _pence("To the reserve.")
    community_pence = _pence("To the community fund.")
    workers_pence = _pence("The workers' pool, shared by confirmed hours worked.")
    receivers_pence = _pence("The pool of people getting support, shared by confirmed hours received.")
    advocates_pence = _pence("The advocates' pool, shared as the dividend rules say.")
    investors_pence = _pence("The investors' pool, shared as the dividend rules say.")


class ApprovalInputSerializer(serializers.Serializer[None]):
    motion = serializers.IntegerField(
        min_value=1, max_value=LARGEST_ID, help_text="The AGM motion, carried and declared, that approved it."
    )


# --- Output --------------------------------------------------------------------------------------


class FinancialYearSerializer(serializers.Serializer[FinancialYear]):
    id = serializers.IntegerField()
    starts = serializers.DateField()
    ends = serializers.DateField()
    surplus_pence = serializers.IntegerField()
    recorded_at = serializers.DateTimeField()


class ProgressSerializer(serializers.Serializer[DividendAllocation]):
    status = serializers.ChoiceField(choices=DividendAllocation.Status.choices)
    done = serializers.IntegerField(source="progress_done", help_text="Statements issued so far.")
    total = serializers.IntegerField(
        source="progress_total", help_text="Dividends to state (0 until worked out)."
    )
    percent = serializers.IntegerField(source="percent_done")
    started_at = serializers.DateTimeField(source="calculation_started_at", allow_null=True)
    calculated_at = serializers.DateTimeField(allow_null=True)


class AllocationSerializer(serializers.Serializer[DividendAllocation]):
    id = serializers.IntegerField()
    year = FinancialYearSerializer()
    reserve_pence = serializers.IntegerField()
    community_pence = serializers.IntegerField()
    workers_pence = serializers.IntegerField()
    receivers_pence = serializers.IntegerField()
    advocates_pence = serializers.IntegerField()
    investors_pence = serializers.IntegerField()
    advocates_measure = serializers.CharField()
    investors_measure = serializers.CharField()
    ceased_members = serializers.CharField()
    motion = serializers.IntegerField(source="motion_id", allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    leftover_pence = serializers.IntegerField(
        allow_null=True, help_text="The pennies the rounding left, to the reserve (once worked out)."
    )
    paid_at = serializers.DateTimeField(allow_null=True)
    progress = serializers.SerializerMethodField()

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, allocation: DividendAllocation) -> dict[str, Any]:
        return dict(ProgressSerializer(allocation).data)


class DividendStatementSerializer(serializers.Serializer[Dividend]):
    id = serializers.IntegerField()
    year_starts = serializers.DateField(source="allocation.year.starts")
    year_ends = serializers.DateField(source="allocation.year.ends")
    member_class = serializers.CharField()
    measure = serializers.CharField(help_text="hours_worked, hours_received, shares or equal.")
    quantity = serializers.IntegerField(
        help_text="Your part of the measure: minutes, pence of capital, or 1."
    )
    class_quantity = serializers.IntegerField(help_text="The whole class's.")
    class_pool_pence = serializers.IntegerField()
    amount_pence = serializers.IntegerField()
    statement = serializers.SerializerMethodField()
    paid_at = serializers.DateTimeField(source="allocation.paid_at", allow_null=True)

    @extend_schema_field(serializers.CharField(help_text="The statement, in words."))
    def get_statement(self, dividend: Dividend) -> str:
        statement = selectors.dividend_statement(dividend)
        return f"Your dividend is {statement.amount}: {statement.reason}"


class InterestStatementSerializer(serializers.Serializer[ShareInterest]):
    id = serializers.IntegerField()
    year_starts = serializers.DateField(source="declaration.year.starts")
    year_ends = serializers.DateField(source="declaration.year.ends")
    rate_percent = serializers.DecimalField(source="declaration.rate_percent", max_digits=5, decimal_places=2)
    average_capital_pence = serializers.IntegerField()
    amount_pence = serializers.IntegerField()
    amount = serializers.SerializerMethodField()
    paid_at = serializers.DateTimeField(source="declaration.paid_at", allow_null=True)

    @extend_schema_field(serializers.CharField())
    def get_amount(self, payment: ShareInterest) -> str:
        return pounds(payment.amount_pence)
