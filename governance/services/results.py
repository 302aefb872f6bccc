"""Counting a closed ballot into the figures the results page, the CSV and the API show."""

from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from governance import counting
from governance.models import (
    Ballot,
    Eligibility,
    Majority,
    Participation,
    Vote,
)
from governance.rules import weighting_from_rule


def ballot_count(*, ballot: Ballot) -> dict[str, Any]:
    """Count a ballot from its votes: the figures the results page, the API and the CSV show."""
    eligible = dict(
        Eligibility.objects.filter(ballot=ballot)
        .values_list("member_class")
        .annotate(n=Count("pk"))
        .values_list("member_class", "n")
    )
    voted = Participation.objects.filter(ballot=ballot).count()
    eligible_total = sum(eligible.values())
    base: dict[str, Any] = {
        "eligible": eligible_total,
        "voted": voted,
        "turnout_percent": _percent(voted, eligible_total),
        "eligible_by_class": eligible,
    }
    if ballot.kind == Ballot.Kind.MOTION:
        return base | _motion_result(ballot)
    return base | _election_result(ballot)


def _percent(part: int, whole: int) -> str:
    return f"{(100 * part / whole):.1f}" if whole else "0.0"


def _motion_result(ballot: Ballot) -> dict[str, Any]:
    rows = (
        Vote.objects.filter(ballot=ballot)
        .values_list("member_class", "choice")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[str, dict[str, int]] = {}
    for member_class, choice, n in rows:
        counts.setdefault(member_class, {})[choice] = n
    class_counts = [
        counting.ClassCount(
            member_class=c,
            votes_for=counts.get(c, {}).get("for", 0),
            votes_against=counts.get(c, {}).get("against", 0),
            abstentions=counts.get(c, {}).get("abstain", 0),
        )
        for c in counting.MEMBER_CLASSES
    ]
    result = counting.motion_tally(
        class_counts,
        weighting=weighting_from_rule(ballot.weighting),
        majority=ballot.majority or Majority.ORDINARY,
    )
    weighted_cast = result.weighted_for + result.weighted_against
    return {
        "kind": "motion",
        "majority": str(result.majority),
        "threshold": str(result.threshold),
        "weighting": ballot.weighting,
        "by_class": [
            {
                "member_class": count.member_class,
                "for": count.votes_for,
                "against": count.votes_against,
                "abstain": count.abstentions,
                "weight": f"{float(result.weights[count.member_class]):.4f}",
            }
            for count in result.counts
        ],
        "for": result.votes_for,
        "against": result.votes_against,
        "abstain": result.abstentions,
        "weighted_for": str(result.weighted_for),
        "weighted_against": str(result.weighted_against),
        "percent_for": str(result.percent_for) if result.percent_for is not None else None,
        "percent_against": (
            str((100 * result.weighted_against / weighted_cast).quantize(Decimal("0.01")))
            if weighted_cast
            else None
        ),
        "passed": result.passed,
    }


def _stage_description(stage: counting.StvStage, names: dict[str, str]) -> str:
    name = names.get(stage.candidate or "", "")
    if stage.action == counting.StageAction.SURPLUS:
        return _("Surplus of %(name)s transferred") % {"name": name}
    if stage.action == counting.StageAction.EXCLUSION:
        return _("%(name)s excluded") % {"name": name}
    return _("First preferences")


def _election_result(ballot: Ballot) -> dict[str, Any]:
    candidates = list(
        ballot.candidates.filter(withdrawn_at__isnull=True).select_related("membership__profile")
    )
    names = {str(c.pk): c.membership.shown_name for c in candidates}
    rankings = Vote.objects.filter(ballot=ballot).values_list("ranking").annotate(n=Count("pk")).order_by()
    ballots = [
        counting.RankedBallot(ranking=tuple(str(c) for c in ranking), count=n) for ranking, n in rankings
    ]
    result = counting.stv_count(list(names), ballots, ballot.seats, seed=f"ballot-{ballot.pk}")
    return {
        "kind": "election",
        "seats": ballot.seats,
        "candidates": [{"id": int(pk), "name": name} for pk, name in names.items()],
        "quota": result.quota,
        "valid": result.valid_ballots,
        "blank": result.blank_ballots,
        "elected": [int(pk) for pk in result.elected],
        "lots_drawn": result.lots_drawn,
        "stages": [
            {
                "number": stage.number,
                "description": _stage_description(stage, names),
                "totals": {pk: str(total) for pk, total in stage.totals.items()},
                "non_transferable": str(stage.non_transferable),
                "elected": list(stage.elected),
                "note": stage.note,
            }
            for stage in result.stages
        ],
    }
