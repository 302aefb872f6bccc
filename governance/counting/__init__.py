"""Counting votes: weighted motions and single transferable vote (STV) elections.

Pure functions over plain data, with no models and no database, so that the services can feed them
whatever they load and the rules can be tested on published worked examples. Every figure that
decides a result is exact (`Fraction` for motions, integers in units of 0.00001 of a vote for STV);
`Decimal` appears only at the edges, for display. Never float: a motion that passes by one vote in
ten thousand must not fail on a rounding error.

Why the rules are what they are is written down in docs/decisions/0015-counting-votes.md.
"""

from governance.counting.common import (
    MEMBER_CLASSES,
    CountingError,
)
from governance.counting.motions import (
    ONE_MEMBER_ONE_VOTE,
    Choice,
    ClassCap,
    ClassCount,
    ClassesKey,
    ClassShares,
    Majority,
    MotionResult,
    OneMemberOneVote,
    Weighting,
    motion_tally,
    motion_votes_count,
)
from governance.counting.stv import (
    SCALE,
    RankedBallot,
    StageAction,
    StvResult,
    StvStage,
    TieBreaker,
    stv_benchmark_ballots,
    stv_count,
    stv_lot,
    stv_ranking_validate,
)

__all__ = [
    "MEMBER_CLASSES",
    "ONE_MEMBER_ONE_VOTE",
    "SCALE",
    "Choice",
    "ClassCap",
    "ClassCount",
    "ClassShares",
    "ClassesKey",
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
