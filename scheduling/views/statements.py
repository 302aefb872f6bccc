"""Monthly statements (a member's own, or a person's for someone acting for them) and staff's
finance page: the month's figures, closing it, the pay run and the invoices (decision 22)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carecoop.exceptions import ApplicationError
from carecoop.http import AuthenticatedHttpRequest
from carecoop.money import pounds_figure
from carecoop.permissions import staff_required
from carecoop.spreadsheets import csv_response
from members import selectors as member_selectors
from members.models import CircleMember, Membership
from scheduling import services, statements
from scheduling.statements import MonthStatement, Side


def _statement(request: AuthenticatedHttpRequest, number: int, year: int, month: int) -> MonthStatement:
    member = Membership.objects.select_related("profile").filter(number=number).first()
    return statements.statement_get_for_user(user=request.user, member=member, year=year, month=month)


@login_required
def statements_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Where "Statements" leads: straight to this month's, for a member with only their own; else
    a choice between their own and those of the people they act for."""
    own = member_selectors.membership_current_for_user(user=request.user)
    mine = own if own is not None and statements.side_of(own) is not None else None
    people = [
        place.receiver
        for place in CircleMember.objects.filter(
            supporter=request.user, status=CircleMember.Status.ACTIVE, can_book=True
        ).select_related("receiver__profile")
    ]
    month = statements.this_month()
    if mine is not None and not people:
        return redirect("statement", number=mine.number, year=month.year, month=month.month)
    return render(
        request, "scheduling/statements_index.html", {"mine": mine, "people": people, "month": month}
    )


@login_required
def statement(request: AuthenticatedHttpRequest, number: int, year: int, month: int) -> HttpResponse:
    shown = _statement(request, number, year, month)
    months = statements.statement_months(member=shown.member)
    index = months.index(shown.month)
    context = {
        "statement": shown,
        "is_own": shown.member.user_id == request.user.pk,
        "newer": months[index - 1] if index > 0 else None,
        "older": months[index + 1] if index + 1 < len(months) else None,
        "this_month": shown.month == statements.this_month(),
    }
    return render(request, "scheduling/statement.html", context)


def _filename(shown: MonthStatement, extension: str) -> str:
    return f"statement-{shown.member.number}-{shown.month:%Y-%m}.{extension}"


@login_required
def statement_csv(request: AuthenticatedHttpRequest, number: int, year: int, month: int) -> HttpResponse:
    shown = _statement(request, number, year, month)
    other = _("Worker") if shown.is_person else _("Person visited")
    amount = _("Charged") if shown.is_person else _("Earned")
    rows: list[list[object]] = [
        [
            _("Visit"),
            _("Starts"),
            other,
            _("Minutes"),
            amount,
            _("Kept by the co-op"),
            _("Expenses"),
            _("Total"),
        ]
    ]
    for line in shown.lines:
        rows.append(
            [
                line.visit_id,
                f"{statements.local(line.starts):%Y-%m-%d %H:%M}"
                + (f" ({_('adjustment')})" if line.late else ""),
                line.other,
                line.minutes,
                pounds_figure(line.amount_pence),
                pounds_figure(line.coop_pence),
                pounds_figure(line.expenses_pence),
                pounds_figure(line.total_pence),
            ]
        )
    rows.append(
        [
            _("Total"),
            "",
            "",
            shown.minutes,
            pounds_figure(shown.amount_pence),
            pounds_figure(shown.coop_pence),
            pounds_figure(shown.expenses_pence),
            pounds_figure(shown.total_pence),
        ]
    )
    return csv_response(filename=_filename(shown, "csv"), rows=rows)


@login_required
def statement_pdf(request: AuthenticatedHttpRequest, number: int, year: int, month: int) -> HttpResponse:
    """The statement as a tagged PDF (PDF/UA), from its own print template: a screen reader reads
    it as it reads the page."""
    from weasyprint import HTML  # Pango is loaded on first use, not with every page.

    shown = _statement(request, number, year, month)
    html = render_to_string("scheduling/statement_pdf.html", {"statement": shown}, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(pdf_variant="pdf/ua-1")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(shown, "pdf")}"'
    return response


# --- Staff: the finance page -----------------------------------------------------------------------


def _asked_month(value: str | None) -> date:
    """`?month=2026-11`, or this month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return statements.month_named(year, month)
    except (ValueError, Http404):
        return statements.this_month()


@staff_required
def finance(request: AuthenticatedHttpRequest) -> HttpResponse:
    month = _asked_month(request.GET.get("month"))
    figures = statements.finance_months(through=month)
    shown = figures[-1]
    due = statements.first_open_month()
    context = {
        "month": month,
        "figures": figures,
        "shown": shown,
        "chart": statements.chart(figures),
        "can_close": not shown.closed and (due is None or due == month) and statements.is_over(month),
        "next_to_close": due,
        "waiting": statements.hours_waiting(month) if not shown.closed else 0,
        "newer": statements.next_month(month) if month < statements.this_month() else None,
        "older": statements.previous_month(month),
    }
    return render(request, "scheduling/finance.html", context)


@staff_required
@require_POST
def finance_close(request: AuthenticatedHttpRequest, year: int, month: int) -> HttpResponse:
    wanted = statements.month_named(year, month)
    try:
        services.month_close(month=wanted, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(month)s is closed: its statements are final.") % {"month": f"{wanted:%B %Y}"}
        )
    return redirect(f"{reverse('staff_finance')}?month={wanted:%Y-%m}")


def _month_csv(month: date, side: str) -> HttpResponse:
    is_person = side == Side.PERSON
    rows: list[list[object]] = [
        [
            _("Membership number"),
            _("Name"),
            _("Visits"),
            _("Minutes"),
            _("Charged") if is_person else _("Earned"),
            _("Kept by the co-op"),
            _("Expenses"),
            _("To pay") if is_person else _("To be paid"),
            _("Month closed"),
        ]
    ]
    for shown in statements.month_statements(month=month, side=side):
        rows.append(
            [
                shown.member.number,
                shown.member.legal_name,
                shown.visits,
                shown.minutes,
                pounds_figure(shown.amount_pence),
                pounds_figure(shown.coop_pence),
                pounds_figure(shown.expenses_pence),
                pounds_figure(shown.total_pence),
                _("yes") if shown.closed else _("no, still open"),
            ]
        )
    name = "invoices" if is_person else "pay-run"
    return csv_response(filename=f"{name}-{month:%Y-%m}.csv", rows=rows)


@staff_required
def finance_pay_run(request: AuthenticatedHttpRequest, year: int, month: int) -> HttpResponse:
    """What each worker is owed for the month: their earnings and expenses, from the kept
    statements once the month is closed."""
    return _month_csv(statements.month_named(year, month), Side.WORKER)


@staff_required
def finance_invoices(request: AuthenticatedHttpRequest, year: int, month: int) -> HttpResponse:
    """What each person getting support owes for the month."""
    return _month_csv(statements.month_named(year, month), Side.PERSON)
