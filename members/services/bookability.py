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
    return _kept_dates(membership=membership, day=today or timezone.localdate())[0]


def _kept_dates(*, membership: Membership, day: date) -> tuple[date | None, date | None]:
    """`bookable_until`, and `checks_current_until`: the last day the "checks up to date" badge
    holds (selectors.checks_up_to_date), bookable and none of the latest checks run out. Both
    from one read of the latest checks; a check already run out makes the second a past day."""
    if not selectors.worker_is_bookable(membership=membership, on=day):
        return None, None
    latest = selectors.vetting_latest_for(membership=membership)
    required = [
        c.expires_on
        for c in latest
        if c.kind in selectors.REQUIRED_FOR_BOOKING and c.is_current_on(day) and c.expires_on is not None
    ]
    bookable_until = min(required) if required else date.max
    return bookable_until, min([bookable_until, *(c.expires_on for c in latest if c.expires_on)])


def worker_bookable_refresh(*, membership: Membership) -> Membership:
    until, checks_until = _kept_dates(membership=membership, day=timezone.localdate())
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
