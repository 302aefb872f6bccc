"""The hours of a visit: the person (or someone acting for them) confirms or queries them, those
not answered in time are confirmed, and staff settle a query, as the hours were or changed, with a
reason both sides see. Only confirmed hours reach statements and dividends."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from carecoop.audit import staff_action_record
from carecoop.exceptions import ConflictError, NotAllowedError
from members.models import User
from scheduling import permissions
from scheduling.models import SchedulingPolicy, Visit, VisitEvent
from scheduling.services.expenses import check_expenses_seen, strike_expenses
from scheduling.services.notifications import notify_hours_settled, notify_team
from scheduling.services.rules import clean_text, refuse, visit_lock

# Settled hours may be anything from none (the visit did not happen) to a full day.
SETTLED_MOST_MINUTES = 24 * 60


def _answer_hours(visit: Visit, by: User) -> Visit:
    visit = visit_lock(visit)
    if not permissions.can_answer_hours(by, visit):
        raise refuse(_("Only the person or someone acting for them confirms the hours."), "not_allowed")
    if visit.checked_out_at is None:
        raise ConflictError(_("The visit has not finished."), code="not_delivered")
    if visit.hours != Visit.Hours.PENDING:
        raise ConflictError(_("These hours have already been answered."), code="already_answered")
    deadline = permissions.hours_answer_deadline(visit, SchedulingPolicy.current())
    if deadline is None or timezone.now() > deadline:
        raise ConflictError(_("The time to answer has passed."), code="too_late")
    return visit


@transaction.atomic
def visit_hours_confirm(*, visit: Visit, by: User, expenses_seen: list[int] | None = None) -> Visit:
    """The hours are confirmed, and the visit's expenses with them. `expenses_seen`: the ids of
    the expenses the person was shown; if they changed since, the answer is refused
    (`expenses_changed`), so a confirmation covers exactly what it showed."""
    visit = _answer_hours(visit, by)
    check_expenses_seen(visit, expenses_seen)
    visit.hours = Visit.Hours.CONFIRMED
    visit.hours_answered_at = timezone.now()
    visit.hours_answered_by = by
    visit.save(update_fields=["hours", "hours_answered_at", "hours_answered_by", "updated_at"])
    staff_action_record(
        by=by,
        action="visit.hours_confirm",
        summary=f"Confirmed the hours of visit {visit.pk} of member {visit.receiver.number}",
        member=visit.receiver.user,
    )
    return visit


@transaction.atomic
def visit_hours_query(
    *, visit: Visit, by: User, reason: str, expenses_seen: list[int] | None = None
) -> Visit:
    """The hours (and the expenses with them) are queried, for staff to settle."""
    visit = _answer_hours(visit, by)
    check_expenses_seen(visit, expenses_seen)
    reason = clean_text(reason, 1000, "reason")
    if not reason:
        raise refuse(_("Say what is wrong with the hours."), "reason_required", "reason")
    visit.hours = Visit.Hours.QUERIED
    visit.hours_answered_at = timezone.now()
    visit.hours_answered_by = by
    visit.query_reason = reason
    visit.save(
        update_fields=["hours", "hours_answered_at", "hours_answered_by", "query_reason", "updated_at"]
    )
    notify_team(visit, VisitEvent.HOURS_QUERIED, include_staff=True, workers=False)
    staff_action_record(
        by=by,
        action="visit.hours_query",
        summary=f"Queried the hours of visit {visit.pk} of member {visit.receiver.number}",
        member=visit.receiver.user,
    )
    return visit


@transaction.atomic
def hours_confirm_unanswered(*, now: datetime | None = None) -> int:
    """Hours nobody queried within the window are confirmed, each with a history row saying so
    (pay is worked out from them). Rows another run holds are skipped: safe to run twice."""
    now = now or timezone.now()
    window = timedelta(hours=SchedulingPolicy.current().confirmation_hours)
    visits = list(
        Visit.objects.filter(hours=Visit.Hours.PENDING, checked_out_at__lte=now - window).select_for_update(
            skip_locked=True
        )
    )
    for visit in visits:
        visit.hours, visit.hours_answered_at, visit.updated_at = Visit.Hours.CONFIRMED, now, now
    bulk_update_with_history(
        visits,
        Visit,
        ["hours", "hours_answered_at", "updated_at"],
        batch_size=500,
        default_change_reason="Hours confirmed: not queried in time",
        default_date=now,
    )
    return len(visits)


@transaction.atomic
def visit_hours_settle(
    *, visit: Visit, by: User, minutes: int | None, reason: str, strike: list[int] | None = None
) -> Visit:
    """Staff settle queried hours: as they were (`minutes` None) or changed to `minutes`, with a
    reason both sides are shown and told, and strike the expenses `strike` names (the others are
    kept). The hours are then confirmed, and the money follows."""
    visit = visit_lock(visit)
    if not permissions.may_settle_hours(by):
        raise NotAllowedError(_("Only the co-op's staff settle queried hours."), code="staff_only")
    if visit.hours != Visit.Hours.QUERIED:
        raise ConflictError(_("These hours are not queried: there is nothing to settle."), code="not_queried")
    reason = clean_text(reason, 1000, "reason")
    if not reason:
        raise refuse(
            _("Say how the hours were settled: both sides are shown it."), "reason_required", "reason"
        )
    if minutes is not None and not 0 <= minutes <= SETTLED_MOST_MINUTES:
        raise refuse(_("Settle the hours at between none and 24 hours."), "bad_minutes", "minutes")
    struck = strike_expenses(visit, ids=list(strike or []), by=by)
    fields = ["hours", "hours_settled_at", "hours_settled_by", "hours_settle_reason", "updated_at"]
    if minutes is not None:
        visit.worked_minutes = minutes
        fields.append("worked_minutes")
    visit.hours = Visit.Hours.CONFIRMED
    visit.hours_settled_at, visit.hours_settled_by, visit.hours_settle_reason = timezone.now(), by, reason
    struck_note = f" (expenses struck: {', '.join(str(e.pk) for e in struck)})" if struck else ""
    visit._change_reason = f"Hours settled by {by.email}: {reason}{struck_note}"  # type: ignore[attr-defined]
    visit.save(update_fields=fields)
    notify_hours_settled(visit, struck=struck)
    staff_action_record(
        by=by,
        action="visit.hours_settle",
        summary=f"Settled the queried hours of visit {visit.pk} at {visit.worked_minutes} minutes: "
        f"{reason}{struck_note}",
        member=visit.receiver.user,
    )
    return visit
