"""Reads for meetings, motions and ballots, scoped to what the user may see.

Meetings, motions and ballots are the co-op's business: every member (and staff) may read them.
Results and the receipts list stay hidden until a ballot closes (rule 7 and the issue's "results
stay hidden until close"), from staff as much as anyone.
"""

from governance.selectors.access import (
    can_take_part,
)
from governance.selectors.ballots import (
    BallotListing,
    ballot_get_for_user,
    ballot_papers,
    ballot_receipts,
    ballot_result,
    ballots_awaiting_vote,
    ballots_for_user,
    ballots_listing,
    receipt_is_counted,
)
from governance.selectors.meetings import (
    Quorum,
    RuleChange,
    attendance_for_meeting,
    governance_policy_changes,
    meeting_get_for_user,
    meeting_quorum,
    meetings_for_user,
    members_found_for_meeting,
    quorum_is_met,
    quorum_needed,
    quorum_present,
    requisition_get_for_user,
    requisition_signatures_needed,
    requisitions_for_user,
    upcoming_meetings,
)
from governance.selectors.motions import (
    motion_current_version,
    motion_get_for_user,
    motions_for_meeting,
    motions_for_user,
)
from governance.selectors.proxies import (
    proxies_given_by,
    proxies_held_by,
    proxies_usable_on_ballot,
    proxy_applying_for,
)
from governance.selectors.standing import (
    VoterStanding,
    voter_standing,
    voter_standings,
)

__all__ = [
    "BallotListing",
    "Quorum",
    "RuleChange",
    "VoterStanding",
    "attendance_for_meeting",
    "ballot_get_for_user",
    "ballot_papers",
    "ballot_receipts",
    "ballot_result",
    "ballots_awaiting_vote",
    "ballots_for_user",
    "ballots_listing",
    "can_take_part",
    "governance_policy_changes",
    "meeting_get_for_user",
    "meeting_quorum",
    "meetings_for_user",
    "members_found_for_meeting",
    "motion_current_version",
    "motion_get_for_user",
    "motions_for_meeting",
    "motions_for_user",
    "proxies_given_by",
    "proxies_held_by",
    "proxies_usable_on_ballot",
    "proxy_applying_for",
    "quorum_is_met",
    "quorum_needed",
    "quorum_present",
    "receipt_is_counted",
    "requisition_get_for_user",
    "requisition_signatures_needed",
    "requisitions_for_user",
    "upcoming_meetings",
    "voter_standing",
    "voter_standings",
]
