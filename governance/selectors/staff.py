"""Staff's home: each kind of work waiting, counted by the selectors of the app that owns it."""

from dataclasses import dataclass
from datetime import datetime

from governance.selectors.meetings import requisitions_waiting_count
from members import selectors as member_selectors
from members.models import DataRequest
from scheduling import selectors as scheduling_selectors

VETTING_WITHIN_DAYS = 30


@dataclass(frozen=True)
class WorkWaiting:
    applications: int
    payments_to_record: int
    vetting_expiring: int
    visits_unfilled: int
    check_ins_missed: int
    hours_queried: int
    requisitions: int
    data_requests: int


def staff_work_waiting(*, now: datetime) -> WorkWaiting:
    """A constant handful of counting queries however much data there is."""
    applications = member_selectors.applications_waiting_counts()
    visits = scheduling_selectors.visits_unfilled_counts(now=now)
    return WorkWaiting(
        applications=applications["waiting"],
        payments_to_record=applications["unpaid"],
        vetting_expiring=member_selectors.vetting_expiring(
            today=now.date(), within_days=VETTING_WITHIN_DAYS
        ).count(),
        visits_unfilled=visits["unfilled"],
        check_ins_missed=visits["missed"],
        hours_queried=visits["queried"],
        requisitions=requisitions_waiting_count(),
        data_requests=DataRequest.objects.filter(status=DataRequest.Status.OPEN).count(),
    )
