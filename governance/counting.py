"""Counting votes: weighted motions and single transferable vote (STV) elections.

Pure functions over plain data, with no models and no database, so that the services can feed them
whatever they load and the rules can be tested on published worked examples. Every figure that
decides a result is exact (`Fraction` for motions, integers in units of 0.00001 of a vote for STV);
`Decimal` appears only at the edges, for display. Never float: a motion that passes by one vote in
ten thousand must not fail on a rounding error.

Why the rules are what they are is written down in docs/decisions/0015-counting-votes.md.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import NamedTuple

from carecoop.exceptions import ApplicationError

# The member classes, as stored in members.models.MemberClass (a test keeps the two in step; this
# module may not import Django models).
MEMBER_CLASSES: tuple[str, ...] = ("receiver", "advocate", "worker", "investor")


class CountingError(ApplicationError):
    """A vote or ballot that cannot be counted: the message says which and why."""


# --- Motions ----------------------------------------------------------------------------------


class Choice(StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"


class Majority(StrEnum):
    """The co-op's rules: an ordinary resolution needs more than half of the votes cast, a special
    one at least three quarters. Abstentions are not votes cast."""

    ORDINARY = "ordinary"
    SPECIAL = "special"


# (fraction of votes cast, whether reaching it exactly is enough)
_MAJORITY_RULES: dict[Majority, tuple[Fraction, bool]] = {
    Majority.ORDINARY: (Fraction(1, 2), False),
    Majority.SPECIAL: (Fraction(3, 4), True),
}


@dataclass(frozen=True)
class ClassCount:
    """The raw votes of one member class on one motion."""

    member_class: str
    votes_for: int = 0
    votes_against: int = 0
    abstentions: int = 0

    @property
    def votes_cast(self) -> int:
        return self.votes_for + self.votes_against


ClassesKey = str | tuple[str, ...]


def _groups_of(
    rule: Mapping[ClassesKey, Fraction | Decimal | int | str], what: str
) -> tuple[tuple[frozenset[str], Fraction], ...]:
    """Turn {"worker": "1/2", ("receiver", "advocate"): "1/2"} into exact, checked groups."""
    groups: list[tuple[frozenset[str], Fraction]] = []
    seen: set[str] = set()
    for key, value in rule.items():
        if isinstance(value, float):
            raise ValueError(
                f"{what}: give {key!r} as a Fraction, Decimal or string like '1/10', not a float."
            )
        classes = frozenset((key,) if isinstance(key, str) else key)
        unknown = classes - set(MEMBER_CLASSES)
        if not classes or unknown:
            raise ValueError(f"{what}: unknown member class in {key!r}.")
        if classes & seen:
            raise ValueError(f"{what}: a member class appears in two groups ({key!r}).")
        seen |= classes
        groups.append((classes, Fraction(value)))
    return tuple(groups)


@dataclass(frozen=True)
class OneMemberOneVote:
    """No weighting: every vote cast counts once."""


@dataclass(frozen=True)
class ClassCap:
    """No class (or group of classes) holds more than its cap of the total weight of votes cast.

    A capped class whose raw share of votes cast is over its cap has its votes scaled down so that it
    holds exactly the cap; a class under its cap, and every uncapped class, counts one vote each.
    """

    caps: Mapping[ClassesKey, Fraction | Decimal | int | str] = field(
        default_factory=lambda: {"investor": Fraction(1, 10)}
    )
    groups: tuple[tuple[frozenset[str], Fraction], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        groups = _groups_of(self.caps, "ClassCap")
        if any(not 0 < cap < 1 for _, cap in groups):
            raise ValueError("ClassCap: each cap must be more than 0 and less than 1.")
        object.__setattr__(self, "groups", groups)


@dataclass(frozen=True)
class ClassShares:
    """Each group of classes holds exactly its agreed share of the total weight of votes cast.

    The groups must name every member class once, and the shares must add up to exactly 1, so that
    no class's votes are silently worth nothing: a class meant to carry no weight is given 0.
    """

    shares: Mapping[ClassesKey, Fraction | Decimal | int | str]
    groups: tuple[tuple[frozenset[str], Fraction], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        groups = _groups_of(self.shares, "ClassShares")
        if any(share < 0 for _, share in groups) or sum(share for _, share in groups) != 1:
            raise ValueError("ClassShares: shares must not be negative and must add up to exactly 1.")
        named = set().union(*(classes for classes, _ in groups))
        if named != set(MEMBER_CLASSES):
            missing = ", ".join(c for c in MEMBER_CLASSES if c not in named)
            raise ValueError(f"ClassShares: every member class needs a share (missing: {missing}).")
        object.__setattr__(self, "groups", groups)


Weighting = OneMemberOneVote | ClassCap | ClassShares
ONE_MEMBER_ONE_VOTE = OneMemberOneVote()


@dataclass(frozen=True)
class MotionResult:
    """The outcome of a motion, with what a results page shows.

    `weights` is the exact weight of one vote of each class. `weighted_for` and `weighted_against`
    are rounded to 4 places and `percent_for` is cut (never rounded up) to 2 places, for display
    only: `passed` was decided on exact values, so 50.00% may show beside a motion that passed
    with 50.004%. `percent_for` is None when no votes were cast.
    """

    counts: tuple[ClassCount, ...]
    votes_for: int
    votes_against: int
    abstentions: int
    weights: Mapping[str, Fraction]
    weighted_for: Decimal
    weighted_against: Decimal
    percent_for: Decimal | None
    majority: Majority
    threshold: Decimal
    passed: bool

    @property
    def votes_cast(self) -> int:
        return self.votes_for + self.votes_against


def motion_votes_count(votes: Iterable[tuple[str, str]]) -> tuple[ClassCount, ...]:
    """Count (member class, choice) pairs into one ClassCount per member class.

    Counter does the counting in C, so 10,000 votes take a few milliseconds; only the distinct pairs
    (at most twelve) are checked.
    """
    tally = Counter(votes)
    known_choices = {str(choice) for choice in Choice}
    for member_class, choice in tally:
        if member_class not in MEMBER_CLASSES:
            raise CountingError(f"“{member_class}” is not a member class.", code="unknown_class")
        if choice not in known_choices:
            raise CountingError(
                f"“{choice}” is not a choice: a vote is for, against or abstain.", code="unknown_choice"
            )
    return tuple(
        ClassCount(
            member_class=c,
            votes_for=tally[(c, Choice.FOR)],
            votes_against=tally[(c, Choice.AGAINST)],
            abstentions=tally[(c, Choice.ABSTAIN)],
        )
        for c in MEMBER_CLASSES
    )


def _counts_by_class(counts: Iterable[ClassCount]) -> dict[str, ClassCount]:
    by_class = {c: ClassCount(member_class=c) for c in MEMBER_CLASSES}
    given: set[str] = set()
    for count in counts:
        if count.member_class not in by_class:
            raise CountingError(f"“{count.member_class}” is not a member class.", code="unknown_class")
        if count.member_class in given:
            raise CountingError(f"The {count.member_class} votes were given twice.", code="duplicate_class")
        if min(count.votes_for, count.votes_against, count.abstentions) < 0:
            raise CountingError("A count of votes cannot be negative.", code="negative_count")
        given.add(count.member_class)
        by_class[count.member_class] = count
    return by_class


def _cap_weights(cast: Mapping[str, int], rule: ClassCap) -> dict[str, Fraction]:
    """Scale down the groups over their caps.

    Scaling one group down lowers the total, which can push another capped group over its own cap,
    so groups join the scaled set until none is left over its cap. Each scaled group g then holds
    cap_g of the total S, and the unscaled votes O hold the rest: S = O / (1 - sum of scaled caps).
    """
    weights = {c: Fraction(1) for c in MEMBER_CLASSES}
    group_cast = {classes: sum(cast[c] for c in classes) for classes, _ in rule.groups}
    caps = dict(rule.groups)
    total = sum(cast.values())
    scaled: set[frozenset[str]] = set()
    while True:
        unscaled = total - sum(group_cast[g] for g in scaled)
        if unscaled == 0:
            break
        weight_total = unscaled / (1 - sum((caps[g] for g in scaled), Fraction(0)))
        over = {g for g in caps if g not in scaled and group_cast[g] > caps[g] * weight_total}
        if not over:
            break
        scaled |= over
    if not scaled:
        return weights
    if unscaled == 0:
        # Only capped groups voted, and all of them are over their caps: no scaling can hold them all
        # at their caps, so they share the votes cast in proportion to their caps.
        cap_sum = sum((caps[g] for g in scaled), Fraction(0))
        for g in scaled:
            for c in g:
                weights[c] = caps[g] / cap_sum * total / group_cast[g]
        return weights
    for g in scaled:
        for c in g:
            weights[c] = caps[g] * weight_total / group_cast[g]
    return weights


def _share_weights(cast: Mapping[str, int], rule: ClassShares) -> dict[str, Fraction]:
    """Give each group exactly its share of the votes cast (kept on the scale of the raw total).

    A group that cast no votes can hold no weight, so the shares of the groups that did vote are
    renormalised to add up to 1.
    """
    weights = {c: Fraction(0) for c in MEMBER_CLASSES}
    total = sum(cast.values())
    voting = [(g, share, sum(cast[c] for c in g)) for g, share in rule.groups]
    voting = [(g, share, n) for g, share, n in voting if n > 0]
    share_sum = sum(share for _, share, _ in voting)
    if share_sum == 0:
        return weights
    for g, share, n in voting:
        for c in g:
            weights[c] = share / share_sum * total / n
    return weights


def motion_tally(
    counts: Iterable[ClassCount],
    *,
    weighting: Weighting = ONE_MEMBER_ONE_VOTE,
    majority: Majority | str = Majority.ORDINARY,
) -> MotionResult:
    """Decide a motion from the votes of each member class.

    Weights are worked out over votes cast (for and against); abstentions are reported as cast and
    carry no weight, because they are not votes cast. A class missing from `counts` cast no votes.
    """
    majority = Majority(majority)
    by_class = _counts_by_class(counts)
    cast = {c: by_class[c].votes_cast for c in MEMBER_CLASSES}
    if isinstance(weighting, ClassCap):
        weights = _cap_weights(cast, weighting)
    elif isinstance(weighting, ClassShares):
        weights = _share_weights(cast, weighting)
    else:
        weights = {c: Fraction(1) for c in MEMBER_CLASSES}

    weighted_for = sum((by_class[c].votes_for * weights[c] for c in MEMBER_CLASSES), Fraction(0))
    weighted_against = sum((by_class[c].votes_against * weights[c] for c in MEMBER_CLASSES), Fraction(0))
    weighted_cast = weighted_for + weighted_against
    needed, inclusive = _MAJORITY_RULES[majority]
    if weighted_cast == 0:
        passed = False
        percent_for = None
    else:
        share_for = weighted_for / weighted_cast
        passed = share_for >= needed if inclusive else share_for > needed
        percent_for = _to_decimal(share_for * 100, places=2, half_up=False)

    counted = tuple(by_class[c] for c in MEMBER_CLASSES)
    return MotionResult(
        counts=counted,
        votes_for=sum(c.votes_for for c in counted),
        votes_against=sum(c.votes_against for c in counted),
        abstentions=sum(c.abstentions for c in counted),
        weights=weights,
        weighted_for=_to_decimal(weighted_for, places=4),
        weighted_against=_to_decimal(weighted_against, places=4),
        percent_for=percent_for,
        majority=majority,
        threshold=Decimal(needed.numerator * 100) / needed.denominator,
        passed=passed,
    )


def _to_decimal(value: Fraction, *, places: int, half_up: bool = True) -> Decimal:
    # Whole-number arithmetic, so that no digit is lost however long the fraction. The values shown
    # are never negative; half_up=False cuts the remainder off instead of rounding it.
    units, remainder = divmod(value.numerator * 10**places, value.denominator)
    if half_up and 2 * remainder >= value.denominator:
        units += 1
    return Decimal(units).scaleb(-places)


# --- Single transferable vote ----------------------------------------------------------------

# The Scottish rules work to five decimal places, any remainder ignored (rule 48(3)): values are
# kept as whole numbers of hundred-thousandths of a vote, so every sum is exact.
SCALE = 100_000

TieBreaker = Callable[[tuple[str, ...]], str]
"""Draws the lot among tied candidates (given in the order of `candidates`): returns the one to
exclude, or the one whose surplus goes first."""


@dataclass(frozen=True)
class RankedBallot:
    """A ranking (first preference first, possibly partial) and how many voters gave exactly it."""

    ranking: tuple[str, ...]
    count: int = 1


class StageAction(StrEnum):
    FIRST_PREFERENCES = "first_preferences"
    SURPLUS = "surplus"
    EXCLUSION = "exclusion"


@dataclass(frozen=True)
class StvStage:
    """One stage of the count, as a results table shows it.

    `totals` are each candidate's votes at the end of the stage: a candidate whose surplus has been
    transferred keeps the quota, an excluded one keeps nothing. `non_transferable` (papers with no
    next available preference) and `lost_to_rounding` (what truncating transfer values to five
    places left behind) are running totals, so that at every stage the totals and these two add up
    to the number of valid ballots.
    """

    number: int
    action: StageAction
    candidate: str | None
    totals: Mapping[str, Decimal]
    non_transferable: Decimal
    lost_to_rounding: Decimal
    elected: tuple[str, ...]
    note: str = ""
    drawn_by_lot: bool = False

    @property
    def description(self) -> str:
        if self.action == StageAction.SURPLUS:
            return f"Surplus of {self.candidate} transferred"
        if self.action == StageAction.EXCLUSION:
            return f"{self.candidate} excluded"
        return "First preferences"


@dataclass(frozen=True)
class StvResult:
    candidates: tuple[str, ...]
    seats: int
    valid_ballots: int
    blank_ballots: int
    quota: int
    elected: tuple[str, ...]
    stages: tuple[StvStage, ...]

    @property
    def lots_drawn(self) -> bool:
        return any(stage.drawn_by_lot for stage in self.stages)


def stv_ranking_validate(ranking: Sequence[str], candidates: Collection[str]) -> tuple[str, ...]:
    """Return the ranking as a tuple, or refuse one that names someone who is not standing or the
    same candidate twice: such a paper cannot be counted as the voter meant it. An empty ranking is
    valid (a blank ballot); the count sets it aside."""
    if isinstance(ranking, str):
        raise CountingError("A ranking is a list of candidates, not one name.", code="invalid_ranking")
    seen: set[str] = set()
    for candidate in ranking:
        if candidate not in candidates:
            raise CountingError(f"“{candidate}” is not standing in this election.", code="unknown_candidate")
        if candidate in seen:
            raise CountingError(f"“{candidate}” is ranked more than once.", code="repeated_candidate")
        seen.add(candidate)
    return tuple(ranking)


def stv_lot(seed: int | str | bytes) -> TieBreaker:
    """A reproducible lot: the same seed draws the same way, so anyone can check a result."""
    rng = random.Random(seed)  # noqa: S311 - a lot must be reproducible, not secret

    def draw(tied: tuple[str, ...]) -> str:
        return rng.choice(tied)

    return draw


def _group(ballots: Iterable[Sequence[str] | RankedBallot]) -> Counter[tuple[str, ...]]:
    grouped: Counter[tuple[str, ...]] = Counter()
    for ballot in ballots:
        if isinstance(ballot, RankedBallot):
            if ballot.count < 0:
                raise CountingError(
                    "A ballot cannot be counted a negative number of times.", code="invalid_count"
                )
            grouped[tuple(ballot.ranking)] += ballot.count
        elif isinstance(ballot, str):
            raise CountingError("A ranking is a list of candidates, not one name.", code="invalid_ranking")
        else:
            grouped[tuple(ballot)] += 1
    return grouped


def _seed_from(candidates: Sequence[str], grouped: Mapping[tuple[str, ...], int]) -> bytes:
    # With no seed given, the lot is seeded by the ballots themselves: reproducible by anyone who
    # has them, and not known to anyone before the votes are in.
    digest = hashlib.sha256()
    digest.update(repr(tuple(candidates)).encode())
    for ranking, count in sorted(grouped.items()):
        digest.update(repr((ranking, count)).encode())
    return digest.digest()


def _to_votes(units: int) -> Decimal:
    return Decimal(units).scaleb(-5)


class _Chosen(NamedTuple):
    """The candidate whose surplus is transferred or who is excluded, and how a tie was settled."""

    candidate: int
    note: str = ""
    by_lot: bool = False


class _Count:
    """The state of one Scottish STV count. Ballots are grouped: a parcel is [ranking index, position
    of the candidate now holding it, value of each paper, number of papers], and each candidate holds
    only their own parcels, so a stage touches only the papers it transfers."""

    CONTINUING, ELECTED, EXCLUDED = 0, 1, 2

    def __init__(
        self,
        candidates: tuple[str, ...],
        rankings: list[tuple[int, ...]],
        counts: list[int],
        seats: int,
        tie_breaker: TieBreaker,
    ) -> None:
        self.names = candidates
        self.rankings = rankings
        self.seats = seats
        self.tie_breaker = tie_breaker
        n = len(candidates)
        self.state = [self.CONTINUING] * n
        self.totals = [0] * n
        self.parcels: list[list[list[int]]] = [[] for _ in range(n)]
        self.valid = sum(counts)
        # Rule 46: the quota is the valid ballots divided by one more than the seats, decimals
        # ignored, plus one.
        self.quota = self.valid // (seats + 1) + 1
        self.elected: list[int] = []
        self.pending: list[int] = []  # deemed elected, surplus not yet transferred
        self.non_transferable = 0
        self.lost_to_rounding = 0
        self.history: list[list[int]] = []
        self.stages: list[StvStage] = []
        # Rule 45: first preferences, one vote per paper.
        for index, (ranking, count) in enumerate(zip(rankings, counts, strict=True)):
            first = ranking[0]
            self.parcels[first].append([index, 0, SCALE, count])
            self.totals[first] += SCALE * count

    def continuing(self) -> list[int]:
        return [c for c, s in enumerate(self.state) if s == self.CONTINUING]

    def seats_left(self) -> int:
        return self.seats - len(self.elected)

    def run(self) -> None:
        self.finish_stage(StageAction.FIRST_PREFERENCES, None)
        while self.seats_left() > 0 and self.continuing():
            if self.pending:
                # Rule 49: the largest surplus first; equal surpluses by the earlier stages, then lot.
                top = max(self.totals[c] for c in self.pending)
                tied = [c for c in self.pending if self.totals[c] == top]
                tie = self.break_tie(tied, highest=True)
                self.pending.remove(tie.candidate)
                self.transfer_surplus(tie.candidate)
                self.finish_stage(StageAction.SURPLUS, tie)
            else:
                # Rules 50 and 51: exclude the lowest; equal lowest by the earlier stages, then lot.
                continuing = self.continuing()
                low = min(self.totals[c] for c in continuing)
                tied = [c for c in continuing if self.totals[c] == low]
                tie = self.break_tie(tied, highest=False)
                self.exclude(tie.candidate)
                self.finish_stage(StageAction.EXCLUSION, tie)

    def finish_stage(self, action: StageAction, chosen: _Chosen | None) -> None:
        # Rule 47: a candidate who reaches the quota is deemed elected. Several at once are listed
        # by their votes, then in the order the candidates were given.
        reached = [c for c in self.continuing() if self.totals[c] >= self.quota * SCALE]
        reached.sort(key=lambda c: -self.totals[c])
        newly = reached[: max(self.seats_left(), 0)]
        for c in newly:
            self.state[c] = self.ELECTED
            self.elected.append(c)
            if self.totals[c] > self.quota * SCALE:
                self.pending.append(c)
        # Rule 52: when the continuing candidates are no more than the vacancies left, they are all
        # deemed elected, and no further transfer is made.
        rest = self.continuing()
        if 0 < len(rest) <= self.seats_left():
            rest.sort(key=lambda c: -self.totals[c])
            for c in rest:
                self.state[c] = self.ELECTED
                self.elected.append(c)
            newly += rest
        self.history.append(list(self.totals))
        self.stages.append(
            StvStage(
                number=len(self.stages) + 1,
                action=action,
                candidate=None if chosen is None else self.names[chosen.candidate],
                totals={name: _to_votes(total) for name, total in zip(self.names, self.totals, strict=True)},
                non_transferable=_to_votes(self.non_transferable),
                lost_to_rounding=_to_votes(self.lost_to_rounding),
                elected=tuple(self.names[c] for c in newly),
                note="" if chosen is None else chosen.note,
                drawn_by_lot=chosen is not None and chosen.by_lot,
            )
        )

    def break_tie(self, tied: list[int], *, highest: bool) -> _Chosen:
        """Rules 49(2), 51(2): look back to the most recent earlier stage at which the tied
        candidates had unequal votes, and take the highest (surplus) or lowest (exclusion) there.

        Where that stage still leaves two or more level, we keep looking further back among just
        those: the rules do not say, and this never picks someone who was ahead of the others at a
        later stage. When they were level at every stage, the lot decides (rules 49(3), 51(2)(b)).
        """
        if len(tied) == 1:
            return _Chosen(tied[0])
        names = ", ".join(self.names[c] for c in tied)
        # history[-1] is the stage just ended, where they are level; look at the ones before it.
        for stage_index in range(len(self.history) - 2, -1, -1):
            totals = self.history[stage_index]
            values = [totals[c] for c in tied]
            if len(set(values)) == 1:
                continue
            extreme = max(values) if highest else min(values)
            tied = [c for c in tied if totals[c] == extreme]
            if len(tied) == 1:
                return _Chosen(
                    tied[0], f"Tie between {names} decided by the votes at stage {stage_index + 1}."
                )
        chosen_name = self.tie_breaker(tuple(self.names[c] for c in tied))
        if chosen_name not in {self.names[c] for c in tied}:
            raise ValueError(f"The tie-breaker chose {chosen_name!r}, who is not among the tied candidates.")
        return _Chosen(
            self.names.index(chosen_name), f"Tie between {names} decided by lot: {chosen_name}.", True
        )

    def next_preference(self, ranking: tuple[int, ...], position: int) -> tuple[int, int] | None:
        state = self.state
        for next_position in range(position + 1, len(ranking)):
            candidate = ranking[next_position]
            if state[candidate] == self.CONTINUING:
                return candidate, next_position
        return None

    def transfer_surplus(self, candidate: int) -> None:
        """Rule 48, the Weighted Inclusive Gregory Method: every paper the candidate holds passes on,
        each at (surplus × its value ÷ the candidate's votes), truncated to five places."""
        total = self.totals[candidate]
        surplus = total - self.quota * SCALE
        passed_on = 0
        for index, position, value, count in self.parcels[candidate]:
            new_value = surplus * value // total
            if new_value == 0:
                continue  # worth nothing now, and ever after
            passed_on += new_value * count
            destination = self.next_preference(self.rankings[index], position)
            if destination is None:
                self.non_transferable += new_value * count
            else:
                target, target_position = destination
                self.parcels[target].append([index, target_position, new_value, count])
                self.totals[target] += new_value * count
        # Truncating each paper's value leaves a little of the surplus behind; it is shown, not lost.
        self.lost_to_rounding += surplus - passed_on
        self.parcels[candidate] = []
        self.totals[candidate] = self.quota * SCALE

    def exclude(self, candidate: int) -> None:
        """Rule 50: every paper passes on at the value it had when the candidate received it."""
        self.state[candidate] = self.EXCLUDED
        for index, position, value, count in self.parcels[candidate]:
            destination = self.next_preference(self.rankings[index], position)
            if destination is None:
                self.non_transferable += value * count
            else:
                target, target_position = destination
                self.parcels[target].append([index, target_position, value, count])
                self.totals[target] += value * count
        self.parcels[candidate] = []
        self.totals[candidate] = 0


def stv_count(
    candidates: Sequence[str],
    ballots: Iterable[Sequence[str] | RankedBallot],
    seats: int,
    *,
    tie_breaker: TieBreaker | None = None,
    seed: int | str | bytes | None = None,
) -> StvResult:
    """Count an election by the Scottish STV rules (The Scottish Local Government Elections Order
    2007, schedule 1, rules 45 to 52).

    `ballots` are rankings (candidate ids, first preference first, possibly partial), or
    RankedBallot for identical rankings given once with a count. Every ranking is checked with
    stv_ranking_validate; empty ones are blank ballots, set aside and not valid votes. Ties that the
    earlier stages do not settle are decided by `tie_breaker`, or else by a lot seeded with `seed`,
    or else seeded with the ballots, so the same ballots always give the same result.
    """
    names = tuple(candidates)
    if len(set(names)) != len(names):
        raise ValueError("Each candidate must be given once.")
    if seats < 1:
        raise ValueError("An election fills at least one seat.")
    grouped = _group(ballots)
    index_of = {name: i for i, name in enumerate(names)}
    blank = grouped.pop((), 0)
    rankings: list[tuple[int, ...]] = []
    counts: list[int] = []
    for ranking, count in grouped.items():
        stv_ranking_validate(ranking, index_of)
        if count:
            rankings.append(tuple(index_of[name] for name in ranking))
            counts.append(count)
    if tie_breaker is None:
        tie_breaker = stv_lot(seed if seed is not None else _seed_from(names, grouped))

    state = _Count(names, rankings, counts, seats, tie_breaker)
    state.run()
    return StvResult(
        candidates=names,
        seats=seats,
        valid_ballots=state.valid,
        blank_ballots=blank,
        quota=state.quota,
        elected=tuple(names[c] for c in state.elected),
        stages=tuple(state.stages),
    )


def stv_benchmark_ballots(n: int, candidates: Sequence[str], seed: int) -> list[tuple[str, ...]]:
    """Rankings that look like a real election, for timing the count: candidates differ in
    popularity, voters fall into three factions that favour different candidates, and most rank
    only a few (between one and all). The same seed gives the same ballots."""
    rng = random.Random(seed)  # noqa: S311 - test data, not a secret
    names = list(candidates)
    factions = [[rng.lognormvariate(0, 1) for _ in names] for _ in range(3)]
    ballots: list[tuple[str, ...]] = []
    for _ in range(n):
        weights = rng.choice(factions)
        # Weighted sampling without replacement (Efraimidis and Spirakis): sort by u ** (1 / w).
        keys = sorted(
            ((rng.random() ** (1 / w), name) for w, name in zip(weights, names, strict=True)), reverse=True
        )
        length = min(len(names), max(1, round(rng.gammavariate(2, 2))))
        ballots.append(tuple(name for _, name in keys[:length]))
    return ballots


__all__ = [
    "MEMBER_CLASSES",
    "ONE_MEMBER_ONE_VOTE",
    "SCALE",
    "Choice",
    "ClassCap",
    "ClassCount",
    "ClassShares",
    "CountingError",
    "Majority",
    "MotionResult",
    "OneMemberOneVote",
    "RankedBallot",
    "StageAction",
    "StvResult",
    "StvStage",
    "TieBreaker",
    "Weighting",
    "motion_tally",
    "motion_votes_count",
    "stv_benchmark_ballots",
    "stv_count",
    "stv_lot",
    "stv_ranking_validate",
]
