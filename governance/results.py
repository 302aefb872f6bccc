"""A closed ballot's result, typed: read once from the count kept at close, and shown from this
one shape on the results page, in the CSV and through the API.

Pure: no database. The selector `ballot_result` reads the ballot and its named votes and hands
them here; `result_rows` is the CSV (and the figures anyone can check line by line). A secret
ballot's figures by class are shown only as far as they keep every vote secret (governance.secrecy):
the count kept on the ballot stays whole, and decided the result."""

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from governance.secrecy import FEWEST_VOTERS, rows_shown
from members.models import MemberClass

CLASS_NAMES = dict(MemberClass.choices)


@dataclass(frozen=True)
class ClassFigures:
    """How one class of members voted on a motion, and what one of its votes weighed; on a
    secret ballot, perhaps several classes added up (their weight then withheld, None)."""

    member_classes: tuple[str, ...]
    eligible: int
    votes_for: int
    votes_against: int
    abstentions: int
    weight: Decimal | None

    @property
    def member_class(self) -> str:
        return "+".join(self.member_classes)

    @property
    def name(self) -> str:
        names = [str(CLASS_NAMES.get(c, c)) for c in self.member_classes]
        if len(names) == 1:
            return names[0]
        return _("Together: %(classes)s") % {"classes": "; ".join(names)}

    @property
    def took_part(self) -> bool:
        return bool(self.eligible or self.votes_for or self.votes_against or self.abstentions)


@dataclass(frozen=True)
class MotionOutcome:
    majority: str
    threshold: Decimal  # percent of the weighted votes cast for and against
    weighting: dict[str, Any]
    by_class: list[ClassFigures]
    votes_for: int
    votes_against: int
    abstentions: int
    weighted_for: Decimal | None  # None, with the weights and percentages: withheld (decision 40)
    weighted_against: Decimal | None
    percent_for: Decimal | None
    percent_against: Decimal | None
    passed: bool
    classes_merged: bool = False
    weights_withheld: bool = False

    @property
    def weighted(self) -> bool:
        """Whether weighting changed anything: a vote cast by some class weighs other than one."""
        return self.weights_withheld or any(
            c.weight != 1 for c in self.by_class if c.votes_for or c.votes_against
        )


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    elected: bool
    elected_at_stage: int | None


@dataclass(frozen=True)
class Stage:
    number: int
    description: str
    totals: dict[int, Decimal]  # candidate id → votes
    non_transferable: Decimal
    elected: list[int]
    note: str


@dataclass(frozen=True)
class ElectionOutcome:
    seats: int
    candidates: list[Candidate]
    quota: Decimal
    valid: int
    blank: int
    elected: list[int]
    lots_drawn: bool
    stages: list[Stage]

    @property
    def elected_names(self) -> list[str]:
        names = {c.id: c.name for c in self.candidates}
        return [names.get(pk, "?") for pk in self.elected]


@dataclass(frozen=True)
class NamedVote:
    """On a ballot that is not secret: who voted, and how (a choice, or a ranking of names)."""

    name: str
    choice: str
    ranking: list[str]

    @property
    def shown(self) -> str:
        return self.choice or ", ".join(self.ranking)


@dataclass(frozen=True)
class BallotResult:
    ballot_id: int
    title: str
    kind: str  # "motion" or "election"
    secret: bool
    closed_at: datetime | None
    declared_at: datetime | None
    eligible: int
    voted: int
    turnout_percent: Decimal
    eligible_by_class: dict[str, int]
    motion: MotionOutcome | None
    election: ElectionOutcome | None
    named_votes: list[NamedVote]


def _decimal(value: Any, default: str = "0") -> Decimal:
    return Decimal(str(value if value not in (None, "") else default))


def _motion(stored: dict[str, Any], *, secret: bool) -> MotionOutcome:
    eligible = stored.get("eligible_by_class", {})
    by_class = [
        ClassFigures(
            member_classes=(row["member_class"],),
            eligible=int(eligible.get(row["member_class"], 0)),
            votes_for=row["for"],
            votes_against=row["against"],
            abstentions=row["abstain"],
            weight=_decimal(row["weight"], "1"),
        )
        for row in stored["by_class"]
    ]
    outcome = MotionOutcome(
        majority=stored["majority"],
        threshold=_decimal(stored["threshold"]),
        weighting=stored.get("weighting") or {},
        by_class=by_class,
        votes_for=stored["for"],
        votes_against=stored["against"],
        abstentions=stored["abstain"],
        weighted_for=_decimal(stored["weighted_for"]),
        weighted_against=_decimal(stored["weighted_against"]),
        percent_for=_decimal(stored["percent_for"]) if stored.get("percent_for") is not None else None,
        percent_against=(
            _decimal(stored["percent_against"]) if stored.get("percent_against") is not None else None
        ),
        passed=bool(stored["passed"]),
    )
    return _kept_secret(outcome) if secret else outcome


def _added_up(classes: list[ClassFigures]) -> ClassFigures:
    weights = {c.weight for c in classes if c.votes_for or c.votes_against}
    return ClassFigures(
        member_classes=tuple(c for figures in classes for c in figures.member_classes),
        eligible=sum(c.eligible for c in classes),
        votes_for=sum(c.votes_for for c in classes),
        votes_against=sum(c.votes_against for c in classes),
        abstentions=sum(c.abstentions for c in classes),
        weight=classes[0].weight if len(classes) == 1 else next(iter(weights)) if len(weights) == 1 else None,
    )


def _kept_secret(outcome: MotionOutcome) -> MotionOutcome:
    """A secret ballot's figures as shown (decision 40): a class that would give a vote away is
    added up with others, and the weights withheld where they would tell its figures. The result
    (passed or not) was decided on the true figures and stands."""
    took_part = {c.member_class: c for c in outcome.by_class if c.took_part}
    shown = rows_shown(list(took_part.values()))
    if not shown.classes_merged and len(shown.rows) == len(took_part):
        return outcome
    rows = [_added_up([took_part[c] for c in row]) for row in shown.rows]
    if shown.weights_shown:
        return replace(outcome, by_class=rows, classes_merged=True)
    return replace(
        outcome,
        by_class=[replace(row, weight=None) for row in rows],
        weighted_for=None,
        weighted_against=None,
        percent_for=None,
        percent_against=None,
        classes_merged=True,
        weights_withheld=True,
    )


def _election(stored: dict[str, Any]) -> ElectionOutcome:
    elected = [int(pk) for pk in stored["elected"]]
    stages = [
        Stage(
            number=stage["number"],
            description=stage["description"],
            totals={int(pk): _decimal(total) for pk, total in stage["totals"].items()},
            non_transferable=_decimal(stage["non_transferable"]),
            elected=[int(pk) for pk in stage["elected"]],
            note=stage.get("note", ""),
        )
        for stage in stored["stages"]
    ]
    elected_at: dict[int, int] = {}
    for stage in stages:
        for pk in stage.elected:
            elected_at.setdefault(pk, stage.number)
    return ElectionOutcome(
        seats=stored["seats"],
        candidates=[
            Candidate(
                id=c["id"],
                name=c["name"],
                elected=c["id"] in elected,
                elected_at_stage=elected_at.get(c["id"]),
            )
            for c in stored["candidates"]
        ],
        quota=_decimal(stored["quota"]),
        valid=stored["valid"],
        blank=stored["blank"],
        elected=elected,
        lots_drawn=bool(stored["lots_drawn"]),
        stages=stages,
    )


def result_read(
    stored: dict[str, Any],
    *,
    ballot_id: int,
    title: str,
    secret: bool,
    closed_at: datetime | None,
    declared_at: datetime | None,
    named_votes: list[NamedVote],
) -> BallotResult:
    """The count kept on the ballot when it closed (governance.services.results), typed."""
    kind = stored.get("kind", "motion")
    return BallotResult(
        ballot_id=ballot_id,
        title=title,
        kind=kind,
        secret=secret,
        closed_at=closed_at,
        declared_at=declared_at,
        eligible=stored["eligible"],
        voted=stored["voted"],
        turnout_percent=_decimal(stored["turnout_percent"]),
        eligible_by_class={k: int(v) for k, v in stored.get("eligible_by_class", {}).items()},
        motion=_motion(stored, secret=secret) if kind == "motion" else None,
        election=_election(stored) if kind == "election" else None,
        named_votes=named_votes,
    )


def figure(value: Decimal | int) -> str:
    """A figure as people read it: 12.50000 → "12.5", 3.00000 → "3", 1200 → "1,200"."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{number.to_integral_value():,}"
    return f"{number.normalize():,f}"


def secrecy_note(motion: MotionOutcome) -> str:
    """What a secret ballot's figures leave out, and why, in the words the page uses."""
    note = _(
        "To keep the ballot secret, a class whose figures would show how a member voted (fewer than "
        "%(fewest)s voted in it, or all or all but one chose alike) is added up with others."
    ) % {"fewest": FEWEST_VOTERS}
    if motion.weights_withheld:
        note += " " + _(
            "The weights and weighted figures are not shown, as they would tell that class's figures; "
            "the result was decided on every vote, weighted as the rules say."
        )
    return note


def _shown(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _weight(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _when(moment: datetime | None, otherwise: str = "") -> str:
    return timezone.localtime(moment).isoformat() if moment else otherwise


def result_rows(result: BallotResult) -> list[list[str]]:
    """The result as rows of a spreadsheet: the CSV download, every figure the page shows."""
    rows: list[list[str]] = [
        ["ballot", result.title],
        ["closed", _when(result.closed_at)],
        ["declared", _when(result.declared_at, "not yet")],
        ["secret", "yes" if result.secret else "no"],
        ["eligible", str(result.eligible)],
        ["voted", str(result.voted)],
        ["turnout_percent", str(result.turnout_percent)],
        [],
    ]
    if result.motion is not None:
        motion = result.motion
        rows.append(["member_class", "class", "eligible", "for", "against", "abstain", "weight_of_one_vote"])
        for c in motion.by_class:
            rows.append(
                [
                    c.member_class,
                    c.name,
                    str(c.eligible),
                    str(c.votes_for),
                    str(c.votes_against),
                    str(c.abstentions),
                    _weight(c.weight),
                ]
            )
        totals = [result.eligible, motion.votes_for, motion.votes_against, motion.abstentions]
        rows.append(["all", _("All members"), *[str(n) for n in totals], ""])
        if motion.classes_merged:
            rows.append(["kept_secret", secrecy_note(motion)])
        rows += [
            [],
            ["weighted_for", _shown(motion.weighted_for)],
            ["weighted_against", _shown(motion.weighted_against)],
            ["percent_for", _shown(motion.percent_for)],
            ["percent_against", _shown(motion.percent_against)],
            ["majority", motion.majority],
            ["threshold_percent", str(motion.threshold)],
            ["result", "passed" if motion.passed else "not passed"],
        ]
    if result.election is not None:
        election = result.election
        rows += [
            ["seats", str(election.seats)],
            ["quota", str(election.quota)],
            ["valid_ballots", str(election.valid)],
            ["blank_ballots", str(election.blank)],
            ["elected", *election.elected_names],
            ["lots_drawn", "yes" if election.lots_drawn else "no"],
            [],
            ["candidate", *[f"stage {s.number}: {s.description}" for s in election.stages]],
        ]
        for candidate in election.candidates:
            rows.append([candidate.name, *[str(s.totals.get(candidate.id, 0)) for s in election.stages]])
        rows.append(["non-transferable", *[str(s.non_transferable) for s in election.stages]])
    if result.named_votes:
        rows += [[], ["voter", "choice" if result.kind == "motion" else "ranking"]]
        rows += [[vote.name, vote.shown] for vote in result.named_votes]
    return rows


def result_as_dict(result: BallotResult) -> dict[str, Any]:
    """The result as the API gives it: the figures kept at close, in their stored names."""
    body: dict[str, Any] = {
        "kind": result.kind,
        "eligible": result.eligible,
        "voted": result.voted,
        "turnout_percent": str(result.turnout_percent),
        "eligible_by_class": result.eligible_by_class,
    }
    if result.motion is not None:
        motion = result.motion
        body |= {
            "majority": motion.majority,
            "threshold": str(motion.threshold),
            "weighting": motion.weighting,
            "by_class": [
                {
                    "member_class": c.member_class,
                    "for": c.votes_for,
                    "against": c.votes_against,
                    "abstain": c.abstentions,
                    "member_classes": list(c.member_classes),
                    "weight": _weight(c.weight) or None,
                }
                for c in motion.by_class
            ],
            "for": motion.votes_for,
            "against": motion.votes_against,
            "abstain": motion.abstentions,
            "weighted_for": _shown(motion.weighted_for) or None,
            "weighted_against": _shown(motion.weighted_against) or None,
            "percent_for": _shown(motion.percent_for) or None,
            "percent_against": _shown(motion.percent_against) or None,
            "classes_merged": motion.classes_merged,
            "weights_withheld": motion.weights_withheld,
            "passed": motion.passed,
        }
    if result.election is not None:
        election = result.election
        body |= {
            "seats": election.seats,
            "candidates": [{"id": c.id, "name": c.name} for c in election.candidates],
            "quota": str(election.quota),
            "valid": election.valid,
            "blank": election.blank,
            "elected": election.elected,
            "lots_drawn": election.lots_drawn,
            "stages": [
                {
                    "number": s.number,
                    "description": s.description,
                    "totals": {str(pk): str(total) for pk, total in s.totals.items()},
                    "non_transferable": str(s.non_transferable),
                    "elected": [str(pk) for pk in s.elected],  # as counted and kept
                    "note": s.note,
                }
                for s in election.stages
            ],
        }
    return body
