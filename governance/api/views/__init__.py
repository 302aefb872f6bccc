"""The governance API: meetings and attendance, motions, ballots and votes, results, proxies.

Every read goes through governance.selectors, which answer 404 to anyone who is not a member or
staff; every write goes through governance.services, whose refusals carry stable codes.
"""

from governance.api.views.ballots import (
    BallotDetailApi,
    BallotListCreateApi,
    BallotReceiptsApi,
    BallotResultsApi,
    BallotVoteApi,
)
from governance.api.views.meetings import (
    MeetingAttendanceApi,
    MeetingDetailApi,
    MeetingListCreateApi,
)
from governance.api.views.motions import (
    MotionDetailApi,
    MotionListCreateApi,
    MotionSecondApi,
)
from governance.api.views.proxies import (
    ProxyListCreateApi,
    ProxyRevokeApi,
)

__all__ = [
    "BallotDetailApi",
    "BallotListCreateApi",
    "BallotReceiptsApi",
    "BallotResultsApi",
    "BallotVoteApi",
    "MeetingAttendanceApi",
    "MeetingDetailApi",
    "MeetingListCreateApi",
    "MotionDetailApi",
    "MotionListCreateApi",
    "MotionSecondApi",
    "ProxyListCreateApi",
    "ProxyRevokeApi",
]
