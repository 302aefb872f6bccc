"""The kept dates search reads (decision 12), refreshed with every change to the records:
`bookable_until`, and `checks_current_until` for the "checks up to date" badge."""

from datetime import date

from django.utils import timezone

from carecoop import request_memo
from members import selectors
from members.models import (
    MemberClass,
    Membership,
)


def worker_bookable_until(*, membership: Membership, today: date | None = None) -> date | None:
    """The last day this worker can be booked on what is recorded now, or None if not today.

    Checks are never issued in the future, so from today on a worker stays bookable until the
    first of their required checks expires (or their membership ends)."""
    day = today or timezone.localdate()
    if not selectors.worker_is_bookable(membership=membership, on=day):
        return None
    checks = [
        c
        for c in selectors.vetting_latest_for(membership=membership)
        if c.kind in selectors.REQUIRED_FOR_BOOKING
    ]
    ends = [c.expires_on for c in checks if c.is_current_on(day) and c.expires_on is not None]
    return min(ends) if ends else date.max


def worker_checks_current_until(*, membership: Membership, bookable_until: date | None) -> date | None:
    """The last day the worker's "checks up to date" badge holds on what is recorded now
    (selectors.checks_up_to_date): bookable, and none of their latest checks run out. Checks are
    never issued in the future, so that is the first expiry among them, or `bookable_until` if
    sooner; a check already run out makes it a day in the past."""
    if bookable_until is None:
        return None
    ends = [c.expires_on for c in selectors.vetting_latest_for(membership=membership) if c.expires_on]
    return min([bookable_until, *ends])


def worker_bookable_refresh(*, membership: Membership) -> Membership:
    until = worker_bookable_until(membership=membership)
    checks_until = worker_checks_current_until(membership=membership, bookable_until=until)
    if (membership.bookable_until, membership.checks_current_until) != (until, checks_until):
        Membership.objects.filter(pk=membership.pk).update(
            bookable_until=until, checks_current_until=checks_until
        )
        request_memo.forget()  # this request reads the changed membership from here on
        membership.bookable_until = until
        membership.checks_current_until = checks_until
    return membership


def workers_bookable_refresh_all() -> int:
    """Recompute every worker's kept dates (the daily task): a guard against any drift."""
    changed = 0
    for membership in Membership.objects.filter(member_class=MemberClass.WORKER):
        before = (membership.bookable_until, membership.checks_current_until)
        refreshed = worker_bookable_refresh(membership=membership)
        if (refreshed.bookable_until, refreshed.checks_current_until) != before:
            changed += 1
    return changed
