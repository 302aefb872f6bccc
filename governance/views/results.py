"""Results once a ballot closes: figures and a chart, the CSV, and the receipts list."""

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from carecoop.exceptions import ConflictError
from carecoop.http import AuthenticatedHttpRequest
from carecoop.spreadsheets import csv_response
from governance import selectors
from governance.forms.ballots import ReceiptCheckForm
from governance.receipts import receipt_hash
from governance.results import ElectionOutcome, MotionOutcome, figure, result_rows, secrecy_note
from governance.views.common import ballot_or_404, runs
from members import selectors as member_selectors


def _width(part: Decimal | int, whole: Decimal | int) -> str:
    """A bar's length, in percent of `whole`, kept within 0 and 100."""
    share = Decimal(part) / Decimal(whole) * 100 if whole else Decimal(0)
    return f"{max(Decimal(0), min(share, Decimal(100))):.1f}"


def _motion_chart(motion: MotionOutcome) -> dict[str, Any]:
    return {
        "bars": [
            {
                "label": _("For"),
                "percent": motion.percent_for,
                "width": _width(motion.percent_for or 0, 100),
                "kind": "for",
            },
            {
                "label": _("Against"),
                "percent": motion.percent_against,
                "width": _width(motion.percent_against or 0, 100),
                "kind": "against",
            },
        ],
        "threshold_width": _width(motion.threshold, 100),
    }


def _election_chart(election: ElectionOutcome) -> dict[str, Any]:
    first = election.stages[0].totals if election.stages else {}
    scale = max([*first.values(), election.quota, Decimal(1)])
    return {
        "bars": [
            {
                "label": candidate.name,
                "value": figure(first.get(candidate.id, 0)),
                "width": _width(first.get(candidate.id, 0), scale),
                "kind": "elected" if candidate.elected else "other",
            }
            for candidate in election.candidates
        ],
        "quota_width": _width(election.quota, scale),
    }


@login_required
def ballot_results(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ballot = ballot_or_404(request, pk)
    me = member_selectors.membership_current_for_user(user=request.user)
    try:
        result = selectors.ballot_result(ballot=ballot)
    except ConflictError:
        return render(request, "governance/ballot_results.html", {"ballot": ballot, "result": None})
    chart = (
        _motion_chart(result.motion)
        if result.motion is not None
        else _election_chart(result.election)
        if result.election is not None
        else {}
    )
    context = {
        "ballot": ballot,
        "result": result,
        "chart": chart,
        "runs": runs(request, ballot, me),
        "secrecy_note": secrecy_note(result.motion) if result.motion is not None else "",
    }
    return render(request, "governance/ballot_results.html", context)


@login_required
def ballot_results_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ballot = ballot_or_404(request, pk)
    try:
        result = selectors.ballot_result(ballot=ballot)
    except ConflictError as error:
        raise Http404 from error
    return csv_response(filename=f"ballot-{ballot.pk}-results.csv", rows=result_rows(result))


@login_required
def ballot_receipts(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ballot = ballot_or_404(request, pk)
    try:
        hashes = selectors.ballot_receipts(ballot=ballot)
    except ConflictError:
        return render(request, "governance/ballot_receipts.html", {"ballot": ballot, "hashes": None})
    form = ReceiptCheckForm(request.POST or None)
    checked: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        receipt = form.cleaned_data["receipt"]
        checked = {
            "hash": receipt_hash(receipt),
            "counted": selectors.receipt_is_counted(ballot=ballot, receipt=receipt),
        }
    context = {"ballot": ballot, "hashes": hashes, "form": form, "checked": checked}
    return render(request, "governance/ballot_receipts.html", context)
