"""The co-op in a general meeting: the secretary calls it, Margaret, Tom, Priya and others vote,
Ian is an investor. Monday 23 November 2026, 10:00 in Halifax."""

import datetime

import pytest

from governance import services
from governance.models import Ballot
from tests.clock import LONDON, NOW


def at(day: int, hour: int, minute: int = 0, month: int = 12, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def call_agm(staff, *, starts=None, now=NOW, **extra):
    starts = starts or at(12, 14)
    values = {
        "kind": "agm",
        "title": "Annual General Meeting 2026",
        "format": "hybrid",
        "starts_at": starts,
        "ends_at": starts + datetime.timedelta(hours=2),
        "place": "Hebden Bridge Town Hall, St George's Street",
        "online_link": "https://meet.example.org/calder-agm",
        "agenda": "1. Minutes of the last AGM\n2. Accounts\n3. Board elections",
    }
    values.update(extra)
    return services.meeting_call(called_by=staff, now=now, **values)


@pytest.fixture
def agm(staff, now):
    return call_agm(staff)


def board_motion(staff, meeting, *, title="Adopt the accounts", majority="ordinary"):
    return services.motion_propose(
        user=staff,
        meeting=meeting,
        title=title,
        text="That the accounts for 2025-26 be adopted.",
        majority=majority,
        by_board=True,
        now=NOW,
    )


def open_motion_ballot(staff, meeting, *, secret=True, changes_allowed=True, motion=None, closes=None):
    motion = motion or board_motion(staff, meeting)
    ballot = services.ballot_create(
        user=staff,
        title=motion.title,
        motion=motion,
        opens_at=NOW,
        closes_at=closes or at(12, 16),
        secret=secret,
        changes_allowed=changes_allowed,
    )
    return services.ballot_open(ballot=ballot, user=staff, now=NOW)


@pytest.fixture
def motion_ballot(staff, agm, margaret, tom, priya, ian) -> Ballot:
    return open_motion_ballot(staff, agm)


def open_at_meeting_ballot(staff, meeting, *, title="Thank the volunteers"):
    """A motion voted in the room at the meeting, from 14:00 to 15:00 on 12 December, opened by
    staff (the meeting must be quorate by then)."""
    motion = board_motion(staff, meeting, title=title)
    ballot = services.ballot_create(
        user=staff,
        title=motion.title,
        motion=motion,
        opens_at=at(12, 14),
        closes_at=at(12, 15),
        method="at_meeting",
    )
    return services.ballot_open(ballot=ballot, user=staff)
