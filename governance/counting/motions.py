"""Weighted motion tallies: one member one vote, a class cap, or fixed class shares, in exact fractions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from governance.counting.common import MEMBER_CLASSES, CountingError


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
