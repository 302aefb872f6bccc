"""A town-size co-op for measuring pages (`manage.py seed_town`): who is in it, how many, and the
named members a benchmark logs in as. Each app's `town` module seeds its part in bulk, in the
order the apps depend on each other, reading and adding to one `Town`.

Everyone in the town has the same published password, so the town is refused wherever demo
data is (CARECOOP_DEMO_DATA_ALLOWED off).
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime

TOWN_DOMAIN = "town.carecoop.example"
TOWN_PASSWORD = "calder-town-2026"  # noqa: S105  (published, like the demo's: refused in production)

# The members a benchmark logs in as, each with real data on their own pages.
TOWN_PERSONAS = {
    # A worker in many teams, with a year of visits, visits today and offers waiting.
    "worker": f"busy.worker@{TOWN_DOMAIN}",
    # A person getting support, whose team includes the busy worker: visits this month, a care log.
    "person": f"supported.person@{TOWN_DOMAIN}",
    # In that person's circle of support, with the power to book for them.
    "advocate": f"circle.advocate@{TOWN_DOMAIN}",
    "investor": f"community.investor@{TOWN_DOMAIN}",
    # The co-op's secretary: staff, not a member.
    "staff": f"secretary@{TOWN_DOMAIN}",
}

# Shares of the membership by class: half workers, two fifths people getting support, and of
# the rest three in five advocates (each in someone's circle of support) and two in five investors.
WORKER_SHARE = 0.5
RECEIVER_SHARE = 0.4
ADVOCATE_SHARE_OF_REST = 0.6

VISITS_PER_MEMBER = 50  # a year, spread over the past year and the next weeks
WEEKS_AHEAD = 6


@dataclass(frozen=True)
class TownSize:
    members: int
    workers: int
    receivers: int
    advocates: int
    investors: int
    visits: int

    @classmethod
    def of(cls, members: int, *, visits: int | None = None) -> "TownSize":
        workers = round(members * WORKER_SHARE)
        receivers = round(members * RECEIVER_SHARE)
        rest = members - workers - receivers
        advocates = round(rest * ADVOCATE_SHARE_OF_REST)
        return cls(
            members=members,
            workers=workers,
            receivers=receivers,
            advocates=advocates,
            investors=rest - advocates,
            visits=members * VISITS_PER_MEMBER if visits is None else visits,
        )


@dataclass
class Town:
    """What the stages share: the size, one random source (the same seed, the same town), the
    moment it is seeded, and the rows made so far (primary keys, by class, personas first)."""

    size: TownSize
    rng: random.Random
    now: datetime
    today: date
    workers: list[int] = field(default_factory=list)
    receivers: list[int] = field(default_factory=list)
    advocates: list[int] = field(default_factory=list)
    investors: list[int] = field(default_factory=list)
    # Membership by persona key ("worker", "person", "advocate", "investor"); user by any persona key.
    persona_members: dict[str, int] = field(default_factory=dict)
    persona_users: dict[str, int] = field(default_factory=dict)
    staff_user: int = 0
    # The people whose teams the busy worker is in (the person persona first).
    busy_teams: list[int] = field(default_factory=list)
    meetings: list[int] = field(default_factory=list)
    # How many months, up to last month, are closed with every member's statement.
    closed_months: int = 3

    @property
    def everyone(self) -> list[int]:
        return self.workers + self.receivers + self.advocates + self.investors
