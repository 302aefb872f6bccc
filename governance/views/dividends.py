"""Dividends and interest in the browser: staff's pages for a year's surplus, the allocation, its
calculation (with a progress bar the page polls) and payment; a member's own statements."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carecoop.exceptions import ApplicationError, NotFoundError
from carecoop.http import AuthenticatedHttpRequest
from carecoop.once import submitted_once
from carecoop.permissions import staff_required
from carecoop.spreadsheets import csv_response
from governance import services, tasks
from governance.forms.dividends import AllocationForm, ApprovalForm, FinancialYearForm, InterestForm
from governance.models import CLASS_POOLS, DividendAllocation, FinancialYear
from governance.selectors import dividends as selectors
from governance.views.common import form_error
from members.models import MemberClass

CLASS_NAMES = dict(MemberClass.choices)


def _year_or_404(pk: int) -> FinancialYear:
    year = selectors.financial_years().filter(pk=pk).first()
    if year is None:
        raise Http404
    return year


def _allocation_or_404(pk: int) -> DividendAllocation:
    try:
        return selectors.allocation_get(pk=pk)
    except NotFoundError as error:
        raise Http404 from error


@staff_required
@submitted_once
def staff_dividends(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every financial year with its allocations and interest, and a form to record the next."""
    form = FinancialYearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            year = services.financial_year_record(
                user=request.user,
                starts=form.cleaned_data["starts"],
                ends=form.cleaned_data["ends"],
                surplus_pence=form.fields["surplus"].pence(form.cleaned_data["surplus"]),  # type: ignore[attr-defined]
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The year's surplus is recorded."))
            return redirect("staff_dividend_year", year.pk)
    years = list(selectors.financial_years().prefetch_related("allocations"))
    return render(
        request,
        "governance/dividends/staff_years.html",
        {"form": form, "years": years},
        status=400 if form.errors else 200,
    )


@staff_required
@submitted_once
def staff_dividend_year(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    year = _year_or_404(pk)
    form = AllocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            allocation = services.allocation_propose(user=request.user, year=year, **form.pence())
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The allocation is proposed: put it to the AGM as a motion."))
            return redirect("staff_dividend_allocation", allocation.pk)
    interest_form = InterestForm()
    allocations = list(selectors.allocations_for_year(year=year))
    return render(
        request,
        "governance/dividends/staff_year.html",
        {
            "year": year,
            "form": form,
            "interest_form": interest_form,
            "allocations": allocations,
            "approved": any(allocation.motion_id for allocation in allocations),
            "interest": getattr(year, "interest", None),
        },
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def staff_interest_declare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    year = _year_or_404(pk)
    form = InterestForm(request.POST)
    if form.is_valid():
        try:
            services.interest_declare(
                user=request.user, year=year, rate_percent=form.cleaned_data["rate_percent"]
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Interest is declared and each investor's statement issued."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("staff_dividend_year", year.pk)


@staff_required
@require_POST
def staff_interest_pay(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    declaration = _interest_or_404(pk)
    try:
        services.interest_pay(user=request.user, declaration=declaration)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The interest is marked paid."))
    return redirect("staff_dividend_year", declaration.year_id)


def _interest_or_404(pk: int) -> Any:
    try:
        return selectors.interest_get(pk=pk)
    except NotFoundError as error:
        raise Http404 from error


@staff_required
def staff_interest_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    declaration = _interest_or_404(pk)
    return csv_response(
        filename=f"interest-{declaration.year.starts:%Y}.csv",
        rows=selectors.interest_payment_rows(declaration=declaration),
    )


def _class_rows(allocation: DividendAllocation) -> list[dict[str, Any]]:
    totals = selectors.dividend_totals(allocation=allocation)
    return [
        {
            "name": CLASS_NAMES[member_class],
            "pool": allocation.pool_for(member_class),
            "measure": allocation.get_measure_display_for(member_class),
            "members": totals.get(member_class, {}).get("members", 0),
            "paid": totals.get(member_class, {}).get("pence", 0),
        }
        for member_class, _field in CLASS_POOLS
    ]


@staff_required
def staff_dividend_allocation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    allocation = _allocation_or_404(pk)
    approval = None
    if allocation.motion_id is None:
        approval = ApprovalForm(motions=selectors.motions_that_may_approve(allocation=allocation))
    return render(
        request,
        "governance/dividends/staff_allocation.html",
        {
            "allocation": allocation,
            "classes": _class_rows(allocation),
            "approval": approval,
            "refusal": services.approval_refusal(allocation),
            "progress": progress(allocation),
        },
    )


@staff_required
@require_POST
def staff_dividend_allocation_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    allocation = _allocation_or_404(pk)
    try:
        if action == "approve":
            form = ApprovalForm(
                request.POST, motions=selectors.motions_that_may_approve(allocation=allocation)
            )
            if not form.is_valid():
                raise ApplicationError(
                    _("Choose the AGM motion that approved this allocation."), code="invalid"
                )
            services.allocation_approve(
                user=request.user, allocation=allocation, motion=form.cleaned_data["motion"]
            )
            done = _("The AGM's approval is recorded.")
        elif action == "calculate":
            tasks.dividends_calculation_start(user=request.user, allocation=allocation)
            done = _("The calculation has started.")
        elif action == "pay":
            services.allocation_pay(user=request.user, allocation=allocation)
            done = _("The dividends are marked paid.")
        else:
            raise Http404
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return redirect("staff_dividend_allocation", allocation.pk)


@staff_required
def staff_dividend_progress(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    """The calculation's progress, read by the allocation page every second or so."""
    allocation = _allocation_or_404(pk)
    return JsonResponse(progress(allocation))


def progress(allocation: DividendAllocation) -> dict[str, Any]:
    done, total = allocation.progress_done, allocation.progress_total
    if allocation.status in (DividendAllocation.Status.CALCULATED, DividendAllocation.Status.PAID):
        message = _("Done: %(n)s statements issued.") % {"n": f"{total:,}"}
    elif allocation.status == DividendAllocation.Status.CALCULATING and allocation.shared_at is None:
        message = _("Working out each member's dividend…")
    elif allocation.status == DividendAllocation.Status.CALCULATING:
        message = _("Issuing statements: %(done)s of %(total)s.") % {
            "done": f"{done:,}",
            "total": f"{total:,}",
        }
    else:
        message = _("Not started.")
    return {
        "status": allocation.status,
        "done": done,
        "total": total,
        "percent": allocation.percent_done,
        "finished": allocation.status
        in (DividendAllocation.Status.CALCULATED, DividendAllocation.Status.PAID),
        "message": message,
    }


@staff_required
def staff_dividend_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    allocation = _allocation_or_404(pk)
    if allocation.status not in (DividendAllocation.Status.CALCULATED, DividendAllocation.Status.PAID):
        raise Http404
    return csv_response(
        filename=f"dividends-{allocation.year.starts:%Y}.csv",
        rows=selectors.dividend_payment_rows(allocation=allocation),
    )


@login_required
def dividends_mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A member's own dividend and interest statements, newest first."""
    dividends = [
        (dividend, selectors.dividend_statement(dividend))
        for dividend in selectors.dividends_for_user(user=request.user)[:50]
    ]
    interest = list(selectors.interest_for_user(user=request.user)[:50])
    return render(request, "governance/dividends/mine.html", {"dividends": dividends, "interest": interest})
