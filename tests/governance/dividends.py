"""Dividends as the suites speak of them: the year 1 April 2025 to 31 March 2026, its surplus, the
board's allocation, and the AGM of December 2026 that approves it (the clock stands at NOW)."""

import datetime

from governance import services
from governance.models import DividendAllocation, FinancialYear, Motion
from scheduling.models import Visit
from tests.clock import LONDON, NOW
from tests.factories import VisitFactory
from tests.governance.conftest import board_motion, call_agm, open_motion_ballot

YEAR_STARTS, YEAR_ENDS = datetime.date(2025, 4, 1), datetime.date(2026, 3, 31)


def year_record(staff, *, surplus_pence=10_000_00) -> FinancialYear:
    return services.financial_year_record(
        user=staff, starts=YEAR_STARTS, ends=YEAR_ENDS, surplus_pence=surplus_pence, today=NOW.date()
    )


def allocation_propose(staff, year, **pools) -> DividendAllocation:
    amounts = {
        "reserve_pence": 0,
        "community_pence": 0,
        "workers_pence": 0,
        "receivers_pence": 0,
        "advocates_pence": 0,
        "investors_pence": 0,
    }
    amounts.update(pools)
    amounts["reserve_pence"] += year.surplus_pence - sum(amounts.values())
    return services.allocation_propose(user=staff, year=year, **amounts)


def motion_decided(staff, voters, *, meeting=None, choice="for", declare=True, title="Approve the dividends"):
    """A board motion at an AGM (after the year ended), voted on and counted; declared unless not."""
    meeting = meeting or call_agm(staff)
    motion = board_motion(staff, meeting, title=title)
    ballot = open_motion_ballot(staff, meeting, motion=motion)
    for voter in voters:
        services.vote_cast(ballot=ballot, user=voter.user, choice=choice, now=NOW)
    ballot = services.ballot_close(ballot=ballot, now=ballot.closes_at + datetime.timedelta(seconds=1))
    if declare:
        services.ballot_declare(ballot=ballot, user=staff, now=ballot.closes_at)
    return Motion.objects.get(pk=motion.pk)


def approved_allocation(staff, voters, *, surplus_pence=10_000_00, **pools) -> DividendAllocation:
    year = year_record(staff, surplus_pence=surplus_pence)
    allocation = allocation_propose(staff, year, **pools)
    motion = motion_decided(staff, voters)
    return services.allocation_approve(user=staff, allocation=allocation, motion=motion)


def confirmed_visit(receiver, worker, starts, *, hours=1, **extra) -> Visit:
    values = {
        "status": Visit.Status.ACCEPTED,
        "hours": Visit.Hours.CONFIRMED,
        "rate_pence": 15_00,
        "checked_in_at": starts,
        "checked_out_at": starts + datetime.timedelta(hours=hours),
    }
    values.update(extra)
    return VisitFactory(
        receiver=receiver,
        worker=worker,
        starts=starts,
        ends=starts + datetime.timedelta(hours=hours),
        offer_expires_at=starts - datetime.timedelta(days=1),
        **values,
    )


def in_year(month: int, day: int, hour: int = 10) -> datetime.datetime:
    year = 2025 if month >= 4 else 2026
    return datetime.datetime(year, month, day, hour, tzinfo=LONDON)


def calculate(staff, allocation) -> DividendAllocation:
    """Start the calculation as the page does, and run its task as a worker would (a test that does
    not commit never reaches the task queued after the commit)."""
    from governance import tasks

    tasks.dividends_calculation_start(user=staff, allocation=allocation)
    tasks.dividends_calculate_task(allocation_id=allocation.pk)
    allocation.refresh_from_db()
    return allocation
