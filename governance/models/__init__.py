"""General meetings, motions, ballots, votes and proxies; dividends and interest on shares.

The rules that must hold whatever the code does are constraints here: one vote per member per
ballot (rule 6), one proxy per member per meeting or ballot, nobody seconding their own motion.
A secret ballot's `Vote` rows carry no voter, no time and no ordered key (rule 7): who voted is
kept in `Participation`, apart from what was chosen. See docs/decisions/0016-meetings-and-ballots.md.
"""

from governance.models.ballots import (
    Ballot,
    Candidate,
    Eligibility,
)
from governance.models.dividends import (
    CLASS_POOLS,
    CeasedMembers,
    Dividend,
    DividendAllocation,
    DividendPolicy,
    FinancialYear,
    InterestDeclaration,
    Measure,
    ShareInterest,
)
from governance.models.meetings import (
    Attendance,
    Meeting,
    MeetingDocument,
    MeetingNotice,
    Minutes,
    Requisition,
    RequisitionSignature,
)
from governance.models.motions import (
    Majority,
    Motion,
    MotionVersion,
)
from governance.models.policy import (
    CHECK_IN_OPENS_BEFORE,
    SEAT_CLASS_MEMBERS,
    GovernancePolicy,
    SeatClass,
    Weighting,
)
from governance.models.proxies import (
    Proxy,
    ProxyQuerySet,
)
from governance.models.votes import (
    Participation,
    Vote,
    VotingChanges,
    _vote_key,
)

__all__ = [
    "CHECK_IN_OPENS_BEFORE",
    "CLASS_POOLS",
    "SEAT_CLASS_MEMBERS",
    "Attendance",
    "Ballot",
    "Candidate",
    "CeasedMembers",
    "Dividend",
    "DividendAllocation",
    "DividendPolicy",
    "Eligibility",
    "FinancialYear",
    "GovernancePolicy",
    "InterestDeclaration",
    "Majority",
    "Measure",
    "Meeting",
    "MeetingDocument",
    "MeetingNotice",
    "Minutes",
    "Motion",
    "MotionVersion",
    "Participation",
    "Proxy",
    "ProxyQuerySet",
    "Requisition",
    "RequisitionSignature",
    "SeatClass",
    "ShareInterest",
    "Vote",
    "VotingChanges",
    "Weighting",
    "_vote_key",
]
