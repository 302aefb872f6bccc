"""The arithmetic of the co-op's meeting and voting rules: thresholds, notice, weighting, instants.

Pure functions, no database: services and selectors both ask them."""

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

from governance import counting
from governance.models import (
    GovernancePolicy,
    Weighting,
)


def lesser_of(*, percent: int, most: int, members: int) -> int:
    """`percent` of `members` (rounded up), or `most`, whichever is fewer; never less than one."""
    return max(1, min(math.ceil(members * percent / 100), most))


def weighting_rule(policy: GovernancePolicy) -> dict[str, Any]:
    """The policy's weighting as stored on a ballot when it opens."""
    if policy.weighting == Weighting.CLASS_CAP:
        return {"mode": Weighting.CLASS_CAP, "caps": {"investor": f"{policy.investor_cap_percent}/100"}}
    if policy.weighting == Weighting.CLASS_SHARES:
        return {
            "mode": Weighting.CLASS_SHARES,
            "shares": {
                "receiver,advocate": f"{policy.share_receivers_percent}/100",
                "worker": f"{policy.share_workers_percent}/100",
                "investor": f"{policy.share_investors_percent}/100",
            },
        }
    return {"mode": Weighting.ONE_MEMBER_ONE_VOTE}


def weighting_from_rule(rule: dict[str, Any]) -> counting.Weighting:
    def key(classes: str) -> counting.ClassesKey:
        names = tuple(classes.split(","))
        return names[0] if len(names) == 1 else names

    if rule.get("mode") == Weighting.CLASS_CAP:
        return counting.ClassCap(caps={key(k): v for k, v in rule["caps"].items()})
    if rule.get("mode") == Weighting.CLASS_SHARES:
        return counting.ClassShares(shares={key(k): v for k, v in rule["shares"].items()})
    return counting.ONE_MEMBER_ONE_VOTE


def instant(moment: datetime) -> datetime:
    # Python compares two times of the same zone by the clock on the wall, so 01:30 BST and
    # 01:10 GMT on the night the clocks go back compare the wrong way round; UTC does not.
    return moment.astimezone(UTC)


def notice_earliest_day(*, today: date, clear_days: int) -> date:
    """The first day a meeting can be held: `clear_days` whole days between the day notice goes
    out and the day of the meeting, neither counted."""
    return today + timedelta(days=clear_days + 1)
