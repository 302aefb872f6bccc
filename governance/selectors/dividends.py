"""Reads for dividends and interest: each year's measures (added up by the database), a member's
own statements, and staff's lists and payment files."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, When
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carecoop.exceptions import NotFoundError
from carecoop.money import pounds, pounds_figure
from governance.models import (
    CeasedMembers,
    Dividend,
    DividendAllocation,
    FinancialYear,
    InterestDeclaration,
    Measure,
    Motion,
    ShareInterest,
)
from members.models import MemberClass, Membership, ShareTransaction, User
from scheduling import selectors as scheduling_selectors
from scheduling.bookings import LONDON


def year_bounds(year: FinancialYear) -> tuple[datetime, datetime]:
    """The year as moments: from midnight in London on its first day to midnight in London after
    its last (a visit at 00:30 BST on 1 April belongs to the new year, not the old)."""
    start = datetime.combine(year.starts, time(0), tzinfo=LONDON)
    end = datetime.combine(year.ends + timedelta(days=1), time(0), tzinfo=LONDON)
    return start, end


def members_sharing(*, year: FinancialYear, member_class: str, ceased_members: str) -> QuerySet[Membership]:
    """The members of a class who share in a year's dividend: admitted by its last day, and either
    still members at its end or (if the rules include them) ceased during it."""
    members = Membership.objects.filter(member_class=member_class, date_admitted__lte=year.ends)
    if ceased_members == CeasedMembers.INCLUDED:
        return members.filter(Q(date_ceased__isnull=True) | Q(date_ceased__gte=year.starts))
    return members.filter(Q(date_ceased__isnull=True) | Q(date_ceased__gt=year.ends))


def _signed_amount() -> Sum:
    return Sum(
        Case(
            When(kind=ShareTransaction.Kind.WITHDRAWAL, then=-F("amount_pence")),
            default=F("amount_pence"),
            output_field=IntegerField(),
        )
    )


def capital_at(*, day: date, memberships: QuerySet[Membership]) -> dict[int, int]:
    """Each member's share capital (pence) at the end of `day`: one GROUP BY query."""
    rows = (
        ShareTransaction.objects.filter(membership__in=memberships, date__lte=day)
        .order_by()
        .values("membership")
        .annotate(pence=_signed_amount())
        .values_list("membership", "pence")
    )
    return {int(pk): max(int(pence or 0), 0) for pk, pence in rows}


def allocation_measures(*, allocation: DividendAllocation) -> dict[str, dict[int, int]]:
    """What each class's pool is shared by, member (membership id) by member: confirmed minutes
    worked or received, capital held at the year's end, or 1 each. Four or five queries, each
    grouped in the database, however many visits and members there are."""
    year = allocation.year
    start, end = year_bounds(year)
    measures: dict[str, dict[int, int]] = {}
    for member_class in MemberClass.values:
        measure = allocation.measure_for(member_class)
        if measure == Measure.NONE or allocation.pool_for(member_class) == 0:
            measures[member_class] = {}
            continue
        sharing = members_sharing(
            year=year, member_class=member_class, ceased_members=allocation.ceased_members
        )
        if measure in (Measure.HOURS_WORKED, Measure.HOURS_RECEIVED):
            by_member = (
                scheduling_selectors.confirmed_minutes_by_worker(start=start, end=end)
                if measure == Measure.HOURS_WORKED
                else scheduling_selectors.confirmed_minutes_by_receiver(start=start, end=end)
            )
            ids = set(sharing.values_list("pk", flat=True))
            measures[member_class] = {pk: minutes for pk, minutes in by_member.items() if pk in ids}
        elif measure == Measure.SHARES:
            measures[member_class] = capital_at(day=year.ends, memberships=sharing)
        else:
            measures[member_class] = dict.fromkeys(sharing.values_list("pk", flat=True), 1)
    return measures


# --- Staff ------------------------------------------------------------------------------------------


def financial_years() -> QuerySet[FinancialYear]:
    return FinancialYear.objects.select_related("recorded_by", "interest").order_by("-starts")


def allocations_for_year(*, year: FinancialYear) -> QuerySet[DividendAllocation]:
    return DividendAllocation.objects.filter(year=year).select_related("motion__meeting")


def allocation_get(*, pk: int) -> DividendAllocation:
    allocation = (
        DividendAllocation.objects.select_related("year", "motion__meeting", "proposed_by", "paid_by")
        .filter(pk=pk)
        .first()
    )
    if allocation is None:
        raise NotFoundError(_("There is no such allocation."), code="not_found")
    return allocation


def motions_that_may_approve(*, allocation: DividendAllocation) -> QuerySet[Motion]:
    """The carried motions of AGMs held after the year ended, not yet approving an allocation."""
    return (
        Motion.objects.filter(
            meeting__kind="agm",
            meeting__starts_at__date__gt=allocation.year.ends,
            status=Motion.Status.CARRIED,
            amends__isnull=True,
            dividend_allocation__isnull=True,
        )
        .select_related("meeting")
        .order_by("-meeting__starts_at", "pk")
    )


def dividends_of_allocation(*, allocation: DividendAllocation) -> QuerySet[Dividend]:
    return (
        Dividend.objects.filter(allocation=allocation)
        .select_related("membership")
        .order_by("member_class", "membership__number")
    )


def dividend_totals(*, allocation: DividendAllocation) -> dict[str, dict[str, int]]:
    """Per class: members paid and pence paid (one query)."""
    rows = (
        Dividend.objects.filter(allocation=allocation)
        .order_by()
        .values("member_class")
        .annotate(pence=Sum("amount_pence"), members=Count("pk"))
    )
    return {
        row["member_class"]: {"pence": int(row["pence"] or 0), "members": int(row["members"])} for row in rows
    }


PAYMENT_HEADER = ["membership number", "name", "class", "measure", "amount (£)", "reference"]


def dividend_payment_rows(*, allocation: DividendAllocation) -> list[list[str]]:
    rows = [PAYMENT_HEADER]
    for dividend in dividends_of_allocation(allocation=allocation).filter(amount_pence__gt=0).iterator():
        rows.append(
            [
                str(dividend.membership.number),
                dividend.membership.legal_name,
                dividend.member_class,
                dividend.measure,
                pounds_figure(dividend.amount_pence),
                f"DIV{allocation.year.starts:%Y}-{dividend.membership.number}",
            ]
        )
    return rows


def interest_payment_rows(*, declaration: InterestDeclaration) -> list[list[str]]:
    rows = [["membership number", "name", "average capital (£)", "rate (%)", "amount (£)", "reference"]]
    payments = (
        ShareInterest.objects.filter(declaration=declaration, amount_pence__gt=0)
        .select_related("membership")
        .order_by("membership__number")
    )
    for payment in payments.iterator():
        rows.append(
            [
                str(payment.membership.number),
                payment.membership.legal_name,
                pounds_figure(payment.average_capital_pence),
                str(declaration.rate_percent),
                pounds_figure(payment.amount_pence),
                f"INT{declaration.year.starts:%Y}-{payment.membership.number}",
            ]
        )
    return rows


def interest_get(*, pk: int) -> InterestDeclaration:
    declaration = InterestDeclaration.objects.select_related("year").filter(pk=pk).first()
    if declaration is None:
        raise NotFoundError(_("There is no such interest declaration."), code="not_found")
    return declaration


# --- A member's own ---------------------------------------------------------------------------------


def dividends_for_user(*, user: User | AnonymousUser) -> QuerySet[Dividend]:
    """The dividends whose statements a user has been sent (any membership of theirs)."""
    if not user.is_authenticated:
        return Dividend.objects.none()
    return (
        Dividend.objects.filter(membership__user=user, stated_at__isnull=False)
        .select_related("allocation__year", "membership")
        .order_by("-allocation__year__starts", "-pk")
    )


def dividend_get_for_user(*, user: User | AnonymousUser, pk: int) -> Dividend:
    dividend = dividends_for_user(user=user).filter(pk=pk).first()
    if dividend is None:
        raise NotFoundError(_("There is no such dividend statement."), code="not_found")
    return dividend


def interest_for_user(*, user: User | AnonymousUser) -> QuerySet[ShareInterest]:
    if not user.is_authenticated:
        return ShareInterest.objects.none()
    return (
        ShareInterest.objects.filter(membership__user=user)
        .select_related("declaration__year", "membership")
        .order_by("-declaration__year__starts", "-pk")
    )


def interest_get_for_user(*, user: User | AnonymousUser, pk: int) -> ShareInterest:
    payment = interest_for_user(user=user).filter(pk=pk).first()
    if payment is None:
        raise NotFoundError(_("There is no such interest statement."), code="not_found")
    return payment


# --- What a statement says ------------------------------------------------------------------------


def hours(minutes: int) -> str:
    """Minutes as hours people read: 90 → "1.5", 2,532,000 → "42,200" (to the tenth, half up)."""
    value = (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"


@dataclass(frozen=True)
class Statement:
    amount: str
    reason: str


def dividend_statement(dividend: Dividend) -> Statement:
    """“Your dividend is £X: you worked N of the M hours worked this year”, in the class's words."""
    values = {
        "n": hours(dividend.quantity),
        "m": hours(dividend.class_quantity),
        "pool": pounds(dividend.class_pool_pence),
        "count": dividend.class_quantity,
        "capital": pounds(dividend.quantity),
        "whole": pounds(dividend.class_quantity),
    }
    if dividend.measure == Measure.HOURS_WORKED:
        reason = _(
            "you worked %(n)s of the %(m)s hours the co-op's workers worked this year, and the "
            "workers' share of the surplus was %(pool)s."
        )
    elif dividend.measure == Measure.HOURS_RECEIVED:
        reason = _(
            "you received %(n)s of the %(m)s hours of support the co-op gave this year, and the "
            "share of the surplus for people getting support was %(pool)s."
        )
    elif dividend.measure == Measure.SHARES:
        reason = _(
            "you held %(capital)s of the %(whole)s of investors' share capital at the year's end, "
            "and the investors' share of the surplus was %(pool)s."
        )
    else:
        reason = ngettext(
            "the %(pool)s share of your class of members was shared equally by %(count)s member.",
            "the %(pool)s share of your class of members was shared equally by %(count)s members.",
            dividend.class_quantity,
        )
    return Statement(amount=pounds(dividend.amount_pence), reason=reason % values)
