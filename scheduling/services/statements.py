"""Closing a month: every member's statement for it is kept as it stands, and from then on never
changes (decision 22). Months close in order, once each, and only when they are over."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError, ConflictError
from members.models import Policy, User
from scheduling import statements
from scheduling.models import ClosedMonth, SchedulingPolicy, Statement, StatementLine


@transaction.atomic
def month_close(*, month: date, by: User) -> ClosedMonth:
    """Close a month: write each member's statement (both sides) with its lines. A visit whose
    hours are still waiting is not on it; once confirmed, it goes on the next statement as an
    adjustment. Two staff closing at once: the database lets one close the month."""
    if month.day != 1:
        raise ApplicationError(_("A month is named by its first day."), code="invalid_month")
    _start, end = statements.month_bounds(month)
    if end > timezone.now():
        raise ConflictError(_("A month can be closed only once it is over."), code="month_not_over")
    # One closing at a time: before the first, any month over may be closed, and two staff
    # closing two months at once would leave a gap between them that could never close.
    SchedulingPolicy.objects.select_for_update().filter(pk=SchedulingPolicy.current().pk).get()
    if ClosedMonth.objects.filter(month=month).exists():
        raise ConflictError(_("That month is already closed."), code="already_closed")
    due = statements.first_open_month()
    if due is not None and month != due:
        raise ConflictError(
            _("Months close in order: %(month)s is next.") % {"month": f"{due:%B %Y}"}, code="not_next_month"
        )
    share = Policy.current()
    # The lines are worked out before the month is marked closed (the adjustments belong to the
    # first open month, which this still is); a visit confirmed meanwhile is simply not on them
    # and goes on the next statement.
    lines = statements.open_lines_both_sides(month=month, share=share, with_late=due is not None)
    try:
        with transaction.atomic():
            closed = ClosedMonth.objects.create(month=month, closed_by=by)
    except IntegrityError:
        raise ConflictError(_("That month is already closed."), code="already_closed") from None
    staff_action_record(
        by=by, action="statements.month_close", summary=f"Closed {month:%B %Y} and wrote its statements"
    )
    for side, by_member in lines.items():
        kept = Statement.objects.bulk_create(
            [
                Statement(
                    member_id=member_id,
                    month=closed,
                    side=side,
                    visits=len(member_lines),
                    minutes=sum(line.minutes for line in member_lines),
                    amount_pence=sum(line.amount_pence for line in member_lines),
                    coop_pence=sum(line.coop_pence for line in member_lines),
                    expenses_pence=sum(line.expenses_pence for line in member_lines),
                    total_pence=sum(line.total_pence for line in member_lines),
                )
                for member_id, member_lines in by_member.items()
            ],
            batch_size=2000,
        )
        StatementLine.objects.bulk_create(
            [
                StatementLine(
                    statement=statement,
                    side=side,
                    visit_id=line.visit_id,
                    late=line.late,
                    starts=line.starts,
                    other=line.other[:200],
                    minutes=line.minutes,
                    amount_pence=line.amount_pence,
                    coop_pence=line.coop_pence,
                    expenses_pence=line.expenses_pence,
                )
                for statement in kept
                for line in by_member[statement.member_id]
            ],
            batch_size=5000,
        )
    return closed
