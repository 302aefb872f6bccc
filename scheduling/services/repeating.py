"""Repeating visits: a series booked ahead over a horizon that a daily task extends."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError, ConflictError
from members.models import Membership, User
from scheduling import permissions
from scheduling.bookings import occurrence_dates, span_for
from scheduling.models import (
    SchedulingPolicy,
    Series,
    Visit,
)
from scheduling.services.booking import mark_cancelled, visit_book
from scheduling.services.notifications import (
    notify_series_answered,
    notify_series_cancelled,
    notify_series_offered,
    reminders_plan,
)
from scheduling.services.rules import (
    TEXT_MAX,
    Booked,
    check_sleep_in,
    check_span,
    check_worker,
    clean_tasks,
    clean_text,
    refuse,
    save_accepted,
    visit_lock,
    worker_of,
)


def _occurrence_dates(series: Series, through: date) -> list[date]:
    return occurrence_dates(
        weekdays=series.weekdays,
        first_date=series.first_date,
        every_weeks=series.every_weeks,
        until=series.until,
        count=series.count,
        through=through,
    )


@transaction.atomic
def series_create(
    *,
    by: User,
    receiver: Membership,
    worker: Membership | None,
    weekdays: Iterable[int],
    starts_at: time,
    ends_at: time,
    first_date: date,
    every_weeks: int = 1,
    until: date | None = None,
    count: int | None = None,
    sleep_in: bool = False,
    tasks: Iterable[Any] = (),
    notes: str = "",
) -> Booked:
    """A weekly pattern (days, times, every so many weeks, until a date or for a number of
    visits). Its visits are booked over the coming weeks; a daily task books further ahead."""
    days = sorted({int(day) for day in weekdays})
    if not days or any(day < 0 or day > 6 for day in days):
        raise refuse(_("Choose at least one day."), "bad_days", "weekdays")
    if not 1 <= every_weeks <= 8:
        raise refuse(_("Repeat every 1 to 8 weeks."), "bad_interval", "every_weeks")
    if until is None and count is None:
        raise refuse(_("Say when the visits end: a date or a number of visits."), "no_end", "until")
    if until is not None and until < first_date:
        raise refuse(_("The last date is before the first."), "bad_until", "until")
    if count is not None and not 1 <= count <= 500:
        raise refuse(_("Book from 1 to 500 visits."), "bad_count", "count")
    check_span(*span_for(first_date, starts_at, ends_at))
    if not permissions.can_book(by, receiver):
        raise refuse(_("You cannot book visits for this person."), "not_allowed")
    if sleep_in:
        check_sleep_in(worker, receiver)
    series = Series.objects.create(
        receiver=receiver,
        worker=worker,
        weekdays=days,
        starts_at=starts_at,
        ends_at=ends_at,
        every_weeks=every_weeks,
        first_date=first_date,
        until=until,
        count=count,
        sleep_in=sleep_in,
        tasks=[task["label"] for task in clean_tasks(tasks)],
        notes=clean_text(notes, TEXT_MAX, "notes"),
        booked_by=by,
    )
    booked = _series_book_ahead(series, by=by)
    if not booked.visits:
        raise refuse(_("No visit falls on those days in the coming weeks."), "no_visits", "first_date")
    return booked


def _horizon(policy: SchedulingPolicy, today: date) -> date:
    return today + timedelta(weeks=policy.horizon_weeks)


def _series_book_ahead(series: Series, *, by: User, today: date | None = None) -> Booked:
    """Book the series' visits still to come up to the horizon. Safe to run twice: one visit per
    series and date (a unique constraint), and what exists is skipped (a visit moved or cancelled
    still stands for its day). A date refused before (the worker's checks had lapsed, say) is
    tried again, until its time has passed. The worker, or the team, hears once about them all."""
    policy = SchedulingPolicy.current()
    today = today or timezone.localdate()
    through = _horizon(policy, today)
    done = set(Visit.objects.filter(series=series).values_list("series_date", flat=True))
    booked = Booked(visits=[], series=series)
    now = timezone.now()
    for day in _occurrence_dates(series, through):
        if day in done or day < today:
            continue
        starts, ends = span_for(day, series.starts_at, series.ends_at)
        if starts <= now:
            continue
        try:
            result = visit_book(
                by=by,
                receiver=series.receiver,
                worker=series.worker,
                starts=starts,
                ends=ends,
                sleep_in=series.sleep_in,
                tasks=series.tasks,
                notes=series.notes,
                notify=False,
            )
        except ApplicationError as error:
            booked.warnings.append(f"{day:%d %b}: {error.message}")
            continue
        visit = result.visits[0]
        visit.series, visit.series_date = series, day
        visit.save(update_fields=["series", "series_date"])
        booked.visits.append(visit)
        booked.warnings.extend(f"{day:%d %b}: {warning}" for warning in result.warnings)
    series.booked_through = through
    series.save(update_fields=["booked_through"])
    if booked.visits:
        notify_series_offered(series, booked.visits)
    return booked


def series_book_ahead_all(*, today: date | None = None) -> int:
    """The daily task: every running series books visits up to the horizon, and tries again the
    dates it was refused. Each series is done in its own transaction, locked, so two runs at once
    do not book a date twice."""
    today = today or timezone.localdate()
    count = 0
    for pk in (
        Series.objects.filter(ended_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gte=today))
        .values_list("pk", flat=True)
    ):
        with transaction.atomic():
            series = Series.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if series is None or series.ended_at is not None:
                continue
            count += len(_series_book_ahead(series, by=series.booked_by, today=today).visits)
    return count


@transaction.atomic
def series_change_from(
    *,
    visit: Visit,
    by: User,
    starts_at: time | None = None,
    ends_at: time | None = None,
    weekdays: Iterable[int] | None = None,
    tasks: Iterable[Any] | None = None,
    notes: str | None = None,
) -> Booked:
    """Change this visit and the following ones: the series ends before this visit, and a new
    series with the changes takes over from it."""
    visit = visit_lock(visit)
    if visit.series_id is None or visit.series_date is None:
        raise refuse(_("This visit is not part of a repeating booking."), "not_in_series")
    old = Series.objects.select_for_update().get(pk=visit.series_id)
    if not permissions.can_book(by, visit.receiver):
        raise refuse(_("You cannot change this visit."), "not_allowed")
    if old.ended_at is not None:
        raise ConflictError(_("These repeating visits have ended or been cancelled."), code="series_ended")
    if visit.status not in (Visit.Status.OFFERED, Visit.Status.ACCEPTED) or visit.checked_in_at:
        raise ConflictError(_("This visit can no longer be changed."), code="not_changeable")
    remaining = None
    if old.count is not None:
        # Counted by the pattern, not by the visits booked: a day that had passed when the pattern
        # was booked is still one of its number.
        earlier = sum(1 for day in _occurrence_dates(old, visit.series_date) if day < visit.series_date)
        remaining = max(old.count - earlier, 1)
    original_until = old.until
    _series_cancel_from(
        old, Q(series_date__gte=visit.series_date), by=by, reason=_("Changed: replaced by a new pattern.")
    )
    old.until = visit.series_date - timedelta(days=1)
    old.count = None
    old.ended_at = timezone.now()
    old.save(update_fields=["until", "count", "ended_at"])
    staff_action_record(
        by=by,
        action="series.change",
        summary=f"Changed repeating visits {old.pk} of member {visit.receiver.number} from visit {visit.pk}",
        member=visit.receiver.user,
    )
    return series_create(
        by=by,
        receiver=old.receiver,
        worker=old.worker,
        weekdays=old.weekdays if weekdays is None else weekdays,
        starts_at=starts_at or old.starts_at,
        ends_at=ends_at or old.ends_at,
        first_date=visit.series_date,
        every_weeks=old.every_weeks,
        until=original_until,
        count=remaining,
        sleep_in=old.sleep_in,
        tasks=old.tasks if tasks is None else tasks,
        notes=old.notes if notes is None else notes,
    )


def _series_cancel_from(series: Series, which: Q, *, by: User, reason: str) -> int:
    """Cancel the series' visits still to come that `which` picks, each recorded as a cancellation
    (late within the window), and tell everyone concerned once."""
    policy = SchedulingPolicy.current()
    now = timezone.now()
    visits = list(
        Visit.objects.filter(
            which,
            series=series,
            status__in=[Visit.Status.OFFERED, Visit.Status.ACCEPTED],
            checked_in_at__isnull=True,
        )
        .select_for_update(of=("self",))
        .select_related("receiver__user", "worker__user")
        .order_by("starts")
    )
    for visit in visits:
        mark_cancelled(visit, by=by, reason=reason, now=now, policy=policy)
        reminders_plan(visit=visit, policy=policy)
    if visits:
        notify_series_cancelled(series, visits, by)
    return len(visits)


@transaction.atomic
def series_cancel(*, series: Series, by: User, reason: str) -> int:
    """Cancel the series: every visit still to come, and no more booked."""
    series = Series.objects.select_for_update().select_related("receiver").get(pk=series.pk)
    if not permissions.can_book(by, series.receiver):
        raise refuse(_("You cannot cancel these visits."), "not_allowed")
    reason = clean_text(reason, 500, "reason")
    if not reason:
        raise refuse(_("Say why the visits are cancelled."), "reason_required", "reason")
    series.ended_at = timezone.now()
    series.save(update_fields=["ended_at"])
    staff_action_record(
        by=by,
        action="series.cancel",
        summary=f"Cancelled repeating visits {series.pk} of member {series.receiver.number}",
        member=series.receiver.user,
    )
    # By when they start, not by their day in the pattern: a visit moved to a later day is still to
    # come, and one earlier today has happened (or was missed) and keeps its record.
    return _series_cancel_from(series, Q(starts__gt=series.ended_at), by=by, reason=reason)


@dataclass
class SeriesAnswer:
    """What one answer to a whole repeating booking did: the visits answered now, and (when
    accepting) those left offered with why (a clash with the worker's other visits, say)."""

    accepted: bool
    answered: list[Visit] = field(default_factory=list)
    left: list[tuple[Visit, str]] = field(default_factory=list)


@transaction.atomic
def series_answer(*, series: Series, by: User, accept: bool, reason: str = "") -> SeriesAnswer:
    """The worker accepts (or declines) every visit of a repeating booking still offered to them,
    in one step. A visit that clashes with one they already have stays offered and is listed; the
    rest are accepted, each in its own savepoint so one clash does not undo the others. The
    person's side hears once about the whole answer. Answering again changes nothing and tells
    nobody again."""
    worker = worker_of(by)
    if worker is None:
        raise refuse(_("This booking was offered to someone else."), "not_allowed")
    reason = clean_text(reason, 500, "reason")
    now = timezone.now()
    # The visits first, in time order, then the worker: the order accepting one visit takes
    # them in, so two answers (of the series, or of one of its visits) wait in turn. A visit
    # answered meanwhile no longer matches once its lock is granted, and is skipped.
    visits = list(
        Visit.objects.select_for_update(of=("self",))
        .filter(
            series=series,
            worker=worker,
            is_open=False,
            status=Visit.Status.OFFERED,
            offer_expires_at__gt=now,
        )
        .select_related("receiver__user", "worker__user")
        .order_by("starts")
    )
    if not visits:
        # Theirs (the pattern's worker, or one of its visits offered to them once): answered already.
        if series.worker_id != worker.pk and not Visit.objects.filter(series=series, worker=worker).exists():
            raise refuse(_("This booking was offered to someone else."), "not_allowed")
        raise ConflictError(
            _("No visit of this booking is waiting for your answer."), code="nothing_to_answer"
        )
    worker = Membership.objects.select_for_update().get(pk=worker.pk)
    answer = SeriesAnswer(accepted=accept)
    for visit in visits:
        visit.answered_at = now
        if accept:
            try:
                check_worker(worker, visit.receiver, visit.starts)
                visit.status = Visit.Status.ACCEPTED
                save_accepted(visit, ["status", "answered_at", "updated_at"])
            except ApplicationError as error:
                visit.status, visit.answered_at = Visit.Status.OFFERED, None
                answer.left.append((visit, error.message))
                continue
        else:
            visit.status = Visit.Status.DECLINED
            visit.decline_reason = reason
            visit.save(update_fields=["status", "answered_at", "decline_reason", "updated_at"])
        reminders_plan(visit=visit)
        answer.answered.append(visit)
    if answer.answered:
        notify_series_answered(series, answer.answered, [visit for visit, _why in answer.left], accept=accept)
    return answer
