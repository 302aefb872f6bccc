"""Scottish STV for board elections, in integer units of 0.00001 of a vote, with lots drawn from a seed."""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from governance.counting.common import CountingError

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
