"""Results once a ballot closes: figures and a chart, the CSV, and the receipts list."""

import csv
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.exceptions import ConflictError
from carecoop.http import AuthenticatedHttpRequest
from governance import selectors
from governance.forms.ballots import ReceiptCheckForm
from governance.models import Ballot
from governance.receipts import receipt_hash
from governance.views.common import ballot_or_404, runs
from members import selectors as member_selectors
from members.models import MemberClass

CLASS_NAMES = dict(MemberClass.choices)


def _figure(value: Any) -> str:
    """A stored figure ("12.50000") as people read it ("12.5")."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value) if value is not None else "–"
    if number == number.to_integral_value():
        return f"{number.to_integral_value():,}"
    return f"{number.normalize():,f}"


def _width(part: Any, whole: Any) -> str:
    try:
        share = (
            Decimal(str(part)) / Decimal(str(whole)) * 100 if whole and Decimal(str(whole)) else Decimal(0)
        )
    except (InvalidOperation, ValueError):
        share = Decimal(0)
    return f"{max(Decimal(0), min(share, Decimal(100))):.1f}"


def _motion_figures(result: dict[str, Any]) -> dict[str, Any]:
    eligible = result.get("eligible_by_class", {})
    classes = [
        {
            "name": CLASS_NAMES.get(row["member_class"], row["member_class"]),
            "eligible": eligible.get(row["member_class"], 0),
            "for": row["for"],
            "against": row["against"],
            "abstain": row["abstain"],
            "weight": _figure(row["weight"]),
        }
        for row in result["by_class"]
        if eligible.get(row["member_class"]) or row["for"] or row["against"] or row["abstain"]
    ]
    bars = [
        {
            "label": _("For"),
            "percent": result["percent_for"],
            "width": _width(result["percent_for"] or 0, 100),
            "kind": "for",
        },
        {
            "label": _("Against"),
            "percent": result["percent_against"],
            "width": _width(result["percent_against"] or 0, 100),
            "kind": "against",
        },
    ]
    return {
        "classes": classes,
        "bars": bars,
        "threshold": _figure(result["threshold"]),
        "threshold_width": _width(result["threshold"], 100),
        "weighted_for": _figure(result["weighted_for"]),
        "weighted_against": _figure(result["weighted_against"]),
        # Whether weighting changed anything: a vote cast by some class weighs other than 1.
        "weighted": any(
            _decimal(row["weight"]) != 1 for row in result["by_class"] if row["for"] or row["against"]
        ),
    }


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(1)


def _election_figures(result: dict[str, Any]) -> dict[str, Any]:
    elected = set(result["elected"])
    stages = result["stages"]
    elected_at: dict[int, int] = {}
    for stage in stages:
        for pk in stage["elected"]:
            elected_at.setdefault(int(pk), stage["number"])
    rows = [
        {
            "name": candidate["name"],
            "elected": candidate["id"] in elected,
            "elected_at": elected_at.get(candidate["id"]),
            "totals": [_figure(stage["totals"].get(str(candidate["id"]), 0)) for stage in stages],
        }
        for candidate in result["candidates"]
    ]
    last = stages[-1]["totals"] if stages else {}
    first = stages[0]["totals"] if stages else {}
    scale = max([Decimal(str(v)) for v in first.values()] + [Decimal(result["quota"]), Decimal(1)])
    bars = [
        {
            "label": candidate["name"],
            "value": _figure(first.get(str(candidate["id"]), 0)),
            "width": _width(first.get(str(candidate["id"]), 0), scale),
            "kind": "elected" if candidate["id"] in elected else "other",
        }
        for candidate in result["candidates"]
    ]
    names = {c["id"]: c["name"] for c in result["candidates"]}
    return {
        "rows": rows,
        "stages": stages,
        "non_transferable": [_figure(stage["non_transferable"]) for stage in stages],
        "elected_names": [names.get(pk, "?") for pk in result["elected"]],
        "bars": bars,
        "quota_width": _width(result["quota"], scale),
        "last": last,
    }


@login_required
def ballot_results(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ballot = ballot_or_404(request, pk)
    me = member_selectors.membership_current_for_user(user=request.user)
    try:
        result = selectors.ballot_results(ballot=ballot)
    except ConflictError:
        return render(request, "governance/ballot_results.html", {"ballot": ballot, "result": None})
    figures = _motion_figures(result) if result.get("kind") == "motion" else _election_figures(result)
    context = {
        "ballot": ballot,
        "result": result,
        "figures": figures,
        "named_votes": selectors.ballot_votes_named(ballot=ballot),
        "runs": runs(request, ballot, me),
    }
    return render(request, "governance/ballot_results.html", context)


def _cell(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula (a name like "=HYPERLINK(...)")."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@login_required
def ballot_results_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ballot = ballot_or_404(request, pk)
    try:
        result = selectors.ballot_results(ballot=ballot)
    except ConflictError as error:
        raise Http404 from error
    rows: list[list[Any]] = [
        ["ballot", ballot.title],
        ["closed", timezone.localtime(ballot.closed_at).isoformat() if ballot.closed_at else ""],
        ["declared", timezone.localtime(ballot.declared_at).isoformat() if ballot.declared_at else "not yet"],
        ["secret", "yes" if ballot.secret else "no"],
        ["eligible", result["eligible"]],
        ["voted", result["voted"]],
        ["turnout_percent", result["turnout_percent"]],
        [],
    ]
    if result.get("kind") == "motion":
        rows.append(["member_class", "class", "eligible", "for", "against", "abstain", "weight_of_one_vote"])
        eligible = result.get("eligible_by_class", {})
        for row in result["by_class"]:
            member_class = row["member_class"]
            rows.append(
                [
                    member_class,
                    CLASS_NAMES.get(member_class, member_class),
                    eligible.get(member_class, 0),
                    row["for"],
                    row["against"],
                    row["abstain"],
                    row["weight"],
                ]
            )
        totals = [result["eligible"], result["for"], result["against"], result["abstain"]]
        rows.append(["all", _("All members"), *totals, ""])
        rows += [
            [],
            ["weighted_for", result["weighted_for"]],
            ["weighted_against", result["weighted_against"]],
            ["percent_for", result["percent_for"] or ""],
            ["percent_against", result["percent_against"] or ""],
            ["majority", result["majority"]],
            ["threshold_percent", result["threshold"]],
            ["result", "passed" if result["passed"] else "not passed"],
        ]
    else:
        names = {c["id"]: c["name"] for c in result["candidates"]}
        rows += [
            ["seats", result["seats"]],
            ["quota", result["quota"]],
            ["valid_ballots", result["valid"]],
            ["blank_ballots", result["blank"]],
            ["elected", *[names.get(pk, "") for pk in result["elected"]]],
            ["lots_drawn", "yes" if result["lots_drawn"] else "no"],
            [],
            ["candidate", *[f"stage {s['number']}: {s['description']}" for s in result["stages"]]],
        ]
        for candidate in result["candidates"]:
            rows.append(
                [candidate["name"], *[s["totals"].get(str(candidate["id"]), "0") for s in result["stages"]]]
            )
        rows.append(["non-transferable", *[s["non_transferable"] for s in result["stages"]]])
    named = selectors.ballot_votes_named(ballot=ballot)
    if named:
        rows += [[], ["voter", "choice" if ballot.kind == Ballot.Kind.MOTION else "ranking"]]
        rows += [[name, choice or ranking] for name, choice, ranking in named]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ballot-{ballot.pk}-results.csv"'
    csv.writer(response).writerows([[_cell(cell) for cell in row] for row in rows])
    return response


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
