"""Visits: booking, offers and acceptance, repeating visits, delivery, hours, reminders.

Two rules hold under any concurrency. A worker never holds two accepted visits that overlap:
PostgreSQL's exclusion constraint refuses the second (the services also check, which is what
holds on the embedded SQLite, where writes are serialised). An open visit goes to one worker:
accepting locks the visit row and finds it already taken.
"""

import calendar as month_calendar
import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from simple_history.utils import bulk_update_with_history

from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from matching import selectors as matching_selectors
from matching.models import TeamMember
from members import geo
from members import selectors as member_selectors
from members.models import MemberClass, Membership, User, WeeklyTime
from scheduling import permissions
from scheduling.models import (
    NOTIFICATION_KINDS,
    CalendarFeed,
    EmailChoice,
    Notification,
    Reminder,
    SchedulingPolicy,
    Series,
    Visit,
    VisitEvent,
)

LONDON = ZoneInfo(settings.TIME_ZONE)
SHORTEST = timedelta(minutes=30)
LONGEST = timedelta(hours=12)
TEXT_MAX = 2000
NOTE_MAX = 5000
TASKS_MAX = 30


@dataclass
class Booked:
    """What a booking made, and what the person should know about it (not refusals)."""

    visits: list[Visit]
    warnings: list[str] = field(default_factory=list)
    series: Series | None = None


# --- Times in Europe/London ----------------------------------------------------------------------


def local_datetime(day: date, at: time) -> datetime:
    """A wall-clock time in London on a day. A time that does not exist (the hour skipped when the
    clocks go forward) becomes the same time an hour later; a time that happens twice (when they go
    back) is the first of the two."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=LONDON)
    settled = aware.astimezone(UTC).astimezone(LONDON)
    return settled if settled.replace(tzinfo=None) != naive else aware


def span_for(day: date, starts_at: time, ends_at: time) -> tuple[datetime, datetime]:
    """A visit's start and end from a day and two wall-clock times; an end at or before the start
    is the next day (an overnight or sleep-in visit)."""
    starts = local_datetime(day, starts_at)
    end_day = day if ends_at > starts_at else day + timedelta(days=1)
    return starts, local_datetime(end_day, ends_at)


# --- Rules -----------------------------------------------------------------------------------------


def _refuse(message: str, code: str, field_name: str | None = None) -> ApplicationError:
    fields = {field_name: [message]} if field_name else None
    if code == "not_allowed":
        return NotAllowedError(message, code=code, fields=fields)
    return ApplicationError(message, code=code, fields=fields)


def _check_span(starts: datetime, ends: datetime) -> None:
    # In UTC: two times in London subtract by the wall clock, an hour out across a clock change.
    length = ends.astimezone(UTC) - starts.astimezone(UTC)
    if length < SHORTEST or length > LONGEST:
        raise _refuse(_("A visit lasts from 30 minutes to 12 hours."), "bad_length", "ends")


def _clean_tasks(tasks: Iterable[Any]) -> list[dict[str, Any]]:
    cleaned = []
    for task in tasks:
        label = str(task.get("label", "") if isinstance(task, dict) else task).strip()
        if label:
            if len(label) > 200:
                raise _refuse(_("Keep each task under 200 characters."), "bad_task", "tasks")
            cleaned.append({"label": label, "done": False})
    if len(cleaned) > TASKS_MAX:
        raise _refuse(_("A visit has at most 30 tasks."), "bad_task", "tasks")
    return cleaned


def _clean_text(text: str, limit: int, field_name: str) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise _refuse(_("Keep this under %(n)s characters.") % {"n": f"{limit:,}"}, "too_long", field_name)
    return text


def _in_team(worker: Membership, receiver: Membership) -> bool:
    return TeamMember.objects.working().filter(receiver=receiver, member=worker).exists()


def _check_worker(worker: Membership, receiver: Membership, starts: datetime) -> None:
    """Rules 3 and 5, asked exactly: in the person's team, and bookable on the visit's day."""
    if worker.member_class != MemberClass.WORKER or not _in_team(worker, receiver):
        raise _refuse(_("Visits are booked with workers in the person's team."), "not_in_team", "worker")
    if not member_selectors.worker_is_bookable(membership=worker, on=timezone.localdate(starts)):
        raise _refuse(
            _("This worker cannot be booked on that day: their checks are not current."),
            "not_bookable",
            "worker",
        )


def _overlaps(worker: Membership, starts: datetime, ends: datetime, *, besides: int | None = None) -> bool:
    visits = Visit.objects.accepted().filter(worker=worker).between(starts, ends)
    if besides is not None:
        visits = visits.exclude(pk=besides)
    return visits.exists()


def _overlap_error() -> ConflictError:
    # Said to the worker, who is the one accepting.
    return ConflictError(
        _("You already have a visit at that time."),
        code="overlap",
        fields={"starts": [_("Overlaps.")]},
    )


def _save_accepted(visit: Visit, update_fields: list[str]) -> None:
    """Save a visit that is (now) accepted: the database refuses an overlap with a worker's other
    accepted visits; the check before it is what holds on SQLite."""
    if visit.worker is None:
        raise _refuse(_("An accepted visit needs its worker."), "no_worker")
    if _overlaps(visit.worker, visit.starts, visit.ends, besides=visit.pk):
        raise _overlap_error()
    try:
        with transaction.atomic():
            visit.save(update_fields=update_fields)
    except IntegrityError as exc:
        if "visit_no_overlap" in str(exc):
            raise _overlap_error() from exc
        raise


def availability_warnings(worker: Membership, starts: datetime, ends: datetime) -> list[str]:
    """A warning, not a refusal, when a visit falls outside the times the worker said they are free."""
    local_start, local_end = starts.astimezone(LONDON), ends.astimezone(LONDON)
    free = WeeklyTime.objects.filter(
        profile__membership=worker, kind=WeeklyTime.Kind.AVAILABLE, weekday=local_start.weekday()
    )
    if not free.exists():
        if WeeklyTime.objects.filter(profile__membership=worker, kind=WeeklyTime.Kind.AVAILABLE).exists():
            return [_("This is outside the times the worker says they are free.")]
        return []
    end_time = local_end.time() if local_end.date() == local_start.date() else time(23, 59)
    if not free.filter(starts__lte=local_start.time(), ends__gte=end_time).exists():
        return [_("This is outside the times the worker says they are free.")]
    return []


def _offer_expiry(starts: datetime, policy: SchedulingPolicy, now: datetime) -> datetime:
    """An offer waits until a set time before the start, but never less than an hour from now."""
    return max(starts - timedelta(hours=policy.offer_expiry_hours), min(now + timedelta(hours=1), starts))


# --- Booking -----------------------------------------------------------------------------------------


@transaction.atomic
def visit_book(
    *,
    by: User,
    receiver: Membership,
    worker: Membership | None,
    starts: datetime,
    ends: datetime,
    sleep_in: bool = False,
    tasks: Iterable[Any] = (),
    notes: str = "",
    notify: bool = True,
) -> Booked:
    """Offer a visit to a worker in the person's team, or (no worker) to the whole team. A
    repeating booking says notify=False and tells the worker once about all its visits."""
    if not permissions.can_book(by, receiver):
        raise _refuse(_("You cannot book visits for this person."), "not_allowed")
    if receiver.member_class != MemberClass.RECEIVER or not member_selectors.membership_can_participate(
        membership=receiver
    ):
        raise _refuse(_("Visits are booked for current members who get support."), "not_a_member")
    if starts.tzinfo is None or ends.tzinfo is None:
        raise _refuse(_("Give times with their time zone."), "bad_time", "starts")
    # Kept in UTC from here: "24 hours before" and the like then mean real hours, not the clock's.
    starts, ends = starts.astimezone(UTC), ends.astimezone(UTC)
    _check_span(starts, ends)
    now = timezone.now()
    if starts <= now:
        raise _refuse(_("Choose a time in the future."), "in_the_past", "starts")
    warnings: list[str] = []
    if worker is not None:
        worker = Membership.objects.select_for_update().get(pk=worker.pk)
        _check_worker(worker, receiver, starts)
        warnings = availability_warnings(worker, starts, ends)
        if (
            _overlaps(worker, starts, ends)
            or Visit.objects.filter(worker=worker, status=Visit.Status.OFFERED).between(starts, ends).exists()
        ):
            warnings.append(_("The worker already has a visit then: they cannot accept both."))
    policy = SchedulingPolicy.current()
    visit = Visit.objects.create(
        receiver=receiver,
        worker=worker,
        is_open=worker is None,
        starts=starts,
        ends=ends,
        sleep_in=sleep_in,
        tasks=_clean_tasks(tasks),
        notes=_clean_text(notes, TEXT_MAX, "notes"),
        booked_by=by,
        offer_expires_at=_offer_expiry(starts, policy, now),
    )
    reminders_plan(visit=visit, policy=policy)
    if notify:
        _notify_offered(visit)
    return Booked(visits=[visit], warnings=warnings)


def _lock(visit: Visit) -> Visit:
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("receiver__user", "worker__user")
        .get(pk=visit.pk)
    )


def _worker_of(user: User) -> Membership | None:
    membership = member_selectors.membership_current_for_user(user=user)
    return membership if membership and membership.member_class == MemberClass.WORKER else None


def _check_waiting(visit: Visit, now: datetime) -> None:
    """An offer is answered only while it waits: not taken (an open visit), not expired."""
    if visit.status != Visit.Status.OFFERED or (visit.is_open and visit.worker_id is not None):
        raise ConflictError(_("This visit is no longer waiting for an answer."), code="not_offered")
    if visit.offer_expires_at <= now:
        raise ConflictError(_("This offer has expired."), code="expired")


@transaction.atomic
def visit_accept(*, visit: Visit, by: User) -> Visit:
    """The worker accepts an offered visit; for an open visit, the first worker in the team to
    accept gets it."""
    visit = _lock(visit)
    now = timezone.now()
    _check_waiting(visit, now)
    worker = _worker_of(by)
    if worker is None or (not visit.is_open and visit.worker_id != worker.pk):
        raise _refuse(_("This visit was offered to someone else."), "not_offered")
    # Lock the worker too: two visits accepted at once for one worker are then taken in turn.
    worker = Membership.objects.select_for_update().get(pk=worker.pk)
    _check_worker(worker, visit.receiver, visit.starts)
    profile = member_selectors.profile_get_for_membership(membership=worker)
    visit.worker = worker
    visit.status = Visit.Status.ACCEPTED
    visit.answered_at = now
    visit.rate_pence = profile.hourly_rate_pence if profile else None
    _save_accepted(visit, ["worker", "status", "answered_at", "rate_pence", "updated_at"])
    reminders_plan(visit=visit)
    _notify_receiver_side(visit, VisitEvent.ACCEPTED)
    return visit


@transaction.atomic
def visit_decline(*, visit: Visit, by: User, reason: str = "") -> Visit:
    visit = _lock(visit)
    worker = _worker_of(by)
    _check_waiting(visit, timezone.now())
    if worker is None or visit.worker_id != worker.pk:
        raise _refuse(_("This visit was offered to someone else."), "not_offered")
    visit.status = Visit.Status.DECLINED
    visit.answered_at = timezone.now()
    visit.decline_reason = _clean_text(reason, 500, "reason")
    visit.save(update_fields=["status", "answered_at", "decline_reason", "updated_at"])
    reminders_plan(visit=visit)
    _notify_receiver_side(visit, VisitEvent.DECLINED)
    return visit


def _is_receiver_side(user: User, visit: Visit) -> bool:
    return permissions.can_book(user, visit.receiver)


_CANCEL_FIELDS = [
    "status",
    "cancelled_at",
    "cancelled_by",
    "cancel_reason",
    "late_cancellation",
    "updated_at",
]


def _mark_cancelled(
    visit: Visit, *, by: User | None, reason: str, now: datetime, policy: SchedulingPolicy, late: bool = True
) -> None:
    """A cancellation's record: who (nobody, when the co-op's rules did it), when, why, and
    whether it came within the late window. Only an accepted visit is cancelled late: an offer
    nobody took up was never counted on."""
    was_accepted = visit.status == Visit.Status.ACCEPTED
    visit.status = Visit.Status.CANCELLED
    visit.cancelled_at = now
    visit.cancelled_by = by
    visit.cancel_reason = reason
    visit.late_cancellation = (
        late and was_accepted and visit.starts - now <= timedelta(hours=policy.late_cancellation_hours)
    )
    visit.save(update_fields=_CANCEL_FIELDS)


@transaction.atomic
def visit_cancel(*, visit: Visit, by: User, reason: str) -> Visit:
    """Either side cancels, with a reason; within the late-cancellation window it is recorded
    as late."""
    visit = _lock(visit)
    is_worker = visit.worker is not None and visit.worker.user_id == by.pk
    receiver_side = _is_receiver_side(by, visit)
    if not (is_worker or receiver_side):
        raise _refuse(_("You cannot cancel this visit."), "not_allowed")
    if is_worker and not receiver_side and visit.status == Visit.Status.OFFERED:
        raise ConflictError(_("Decline the offer instead: you have not accepted it."), code="decline_instead")
    if visit.status not in (Visit.Status.OFFERED, Visit.Status.ACCEPTED) or visit.checked_in_at:
        raise ConflictError(_("This visit can no longer be cancelled."), code="not_cancellable")
    reason = _clean_text(reason, 500, "reason")
    if not reason:
        raise _refuse(_("Say why the visit is cancelled."), "reason_required", "reason")
    policy = SchedulingPolicy.current()
    _mark_cancelled(visit, by=by, reason=reason, now=timezone.now(), policy=policy)
    reminders_plan(visit=visit, policy=policy)
    _notify_cancelled(visit, by)
    return visit


@transaction.atomic
def visit_change(
    *,
    visit: Visit,
    by: User,
    starts: datetime | None = None,
    ends: datetime | None = None,
    tasks: Iterable[Any] | None = None,
    notes: str | None = None,
    sleep_in: bool | None = None,
) -> Booked:
    """Change one visit. A new time goes back to the worker as an offer: they agreed to the old
    one, not to this."""
    visit = _lock(visit)
    if not _is_receiver_side(by, visit):
        raise _refuse(_("You cannot change this visit."), "not_allowed")
    if visit.status not in (Visit.Status.OFFERED, Visit.Status.ACCEPTED) or visit.checked_in_at:
        raise ConflictError(_("This visit can no longer be changed."), code="not_changeable")
    warnings: list[str] = []
    fields = ["updated_at"]
    new_starts, new_ends = starts or visit.starts, ends or visit.ends
    if new_starts.tzinfo is None or new_ends.tzinfo is None:
        raise _refuse(_("Give times with their time zone."), "bad_time", "starts")
    new_starts, new_ends = new_starts.astimezone(UTC), new_ends.astimezone(UTC)
    if (new_starts, new_ends) != (visit.starts, visit.ends):
        _check_span(new_starts, new_ends)
        now = timezone.now()
        if new_starts <= now:
            raise _refuse(_("Choose a time in the future."), "in_the_past", "starts")
        visit.starts, visit.ends = new_starts, new_ends
        visit.offer_expires_at = _offer_expiry(new_starts, SchedulingPolicy.current(), now)
        fields += ["starts", "ends", "offer_expires_at"]
        if visit.worker is not None and not visit.is_open:
            _check_worker(visit.worker, visit.receiver, new_starts)
            warnings = availability_warnings(visit.worker, new_starts, new_ends)
        if visit.status == Visit.Status.ACCEPTED:
            # Whoever took it is asked about the new time, open visit or not: they agreed to the
            # old one, and the others in the team were not asked.
            visit.status = Visit.Status.OFFERED
            visit.answered_at = None
            visit.is_open = False
            fields += ["status", "answered_at", "is_open"]
    if tasks is not None:
        visit.tasks = _clean_tasks(tasks)
        fields.append("tasks")
    if notes is not None:
        visit.notes = _clean_text(notes, TEXT_MAX, "notes")
        fields.append("notes")
    if sleep_in is not None:
        visit.sleep_in = sleep_in
        fields.append("sleep_in")
    visit.save(update_fields=fields)
    reminders_plan(visit=visit)
    if "starts" in fields or "ends" in fields:
        _notify_offered(visit)
    return Booked(visits=[visit], warnings=warnings)


def visits_release_left_team(*, now: datetime | None = None) -> int:
    """A worker who has left a person's team (or was taken out of it) keeps none of their visits
    still to come: each is cancelled, not late, and the person's side and the worker are told, so
    that the visit can be booked again. Run every few minutes; safe to run twice."""
    now = now or timezone.now()
    still_in_team = TeamMember.objects.working().filter(
        receiver=OuterRef("receiver"), member=OuterRef("worker")
    )
    released = 0
    with transaction.atomic():
        visits = list(
            Visit.objects.filter(
                starts__gt=now,
                status__in=[Visit.Status.OFFERED, Visit.Status.ACCEPTED],
                worker__isnull=False,
                checked_in_at__isnull=True,
            )
            .exclude(Exists(still_in_team))
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("receiver__user", "worker__user", "receiver__profile", "worker__profile")
        )
        policy = SchedulingPolicy.current()
        for visit in visits:
            worker = visit.worker
            if worker is None:  # never, by the filter: for the type checker
                continue
            reason = _("%(worker)s is no longer in the team.") % {"worker": worker.shown_name}
            _mark_cancelled(visit, by=None, reason=reason, now=now, policy=policy, late=False)
            reminders_plan(visit=visit, policy=policy)
            _notify_cancelled(visit, by=None)
            released += 1
    return released


@transaction.atomic
def offers_expire(*, now: datetime | None = None) -> int:
    """Offers nobody answered by their time expire, each with a history row. Rows another run
    holds are skipped: running it twice changes nothing."""
    now = now or timezone.now()
    visits = list(
        Visit.objects.filter(status=Visit.Status.OFFERED, offer_expires_at__lte=now).select_for_update(
            skip_locked=True
        )
    )
    for visit in visits:
        visit.status, visit.updated_at = Visit.Status.EXPIRED, now
    bulk_update_with_history(
        visits,
        Visit,
        ["status", "updated_at"],
        batch_size=500,
        default_change_reason="Offer expired unanswered",
        default_date=now,
    )
    return len(visits)


# --- Repeating visits ----------------------------------------------------------------------------------


def _occurrence_dates(series: Series, through: date) -> list[date]:
    rule = rrule.rrule(
        rrule.WEEKLY,
        interval=series.every_weeks,
        byweekday=sorted(series.weekdays),
        dtstart=datetime.combine(series.first_date, time()),
        # dateutil deprecates giving both (a future version refuses): a count ends the rule, and the
        # last date and the horizon cut it below.
        until=None if series.count else datetime.combine(min(series.until or through, through), time()),
        count=series.count,
    )
    last = min(series.until or through, through)
    return [moment.date() for moment in rule if moment.date() <= last]


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
        raise _refuse(_("Choose at least one day."), "bad_days", "weekdays")
    if not 1 <= every_weeks <= 8:
        raise _refuse(_("Repeat every 1 to 8 weeks."), "bad_interval", "every_weeks")
    if until is None and count is None:
        raise _refuse(_("Say when the visits end: a date or a number of visits."), "no_end", "until")
    if until is not None and until < first_date:
        raise _refuse(_("The last date is before the first."), "bad_until", "until")
    if count is not None and not 1 <= count <= 500:
        raise _refuse(_("Book from 1 to 500 visits."), "bad_count", "count")
    _check_span(*span_for(first_date, starts_at, ends_at))
    if not permissions.can_book(by, receiver):
        raise _refuse(_("You cannot book visits for this person."), "not_allowed")
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
        tasks=[task["label"] for task in _clean_tasks(tasks)],
        notes=_clean_text(notes, TEXT_MAX, "notes"),
        booked_by=by,
    )
    booked = _series_book_ahead(series, by=by)
    if not booked.visits:
        raise _refuse(_("No visit falls on those days in the coming weeks."), "no_visits", "first_date")
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
        _notify_series_offered(series, booked.visits)
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
    visit = _lock(visit)
    if visit.series_id is None or visit.series_date is None:
        raise _refuse(_("This visit is not part of a repeating booking."), "not_in_series")
    old = Series.objects.select_for_update().get(pk=visit.series_id)
    if not _is_receiver_side(by, visit):
        raise _refuse(_("You cannot change this visit."), "not_allowed")
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
        _mark_cancelled(visit, by=by, reason=reason, now=now, policy=policy)
        reminders_plan(visit=visit, policy=policy)
    if visits:
        _notify_series_cancelled(series, visits, by)
    return len(visits)


@transaction.atomic
def series_cancel(*, series: Series, by: User, reason: str) -> int:
    """Cancel the series: every visit still to come, and no more booked."""
    series = Series.objects.select_for_update().select_related("receiver").get(pk=series.pk)
    if not permissions.can_book(by, series.receiver):
        raise _refuse(_("You cannot cancel these visits."), "not_allowed")
    reason = _clean_text(reason, 500, "reason")
    if not reason:
        raise _refuse(_("Say why the visits are cancelled."), "reason_required", "reason")
    series.ended_at = timezone.now()
    series.save(update_fields=["ended_at"])
    # By when they start, not by their day in the pattern: a visit moved to a later day is still to
    # come, and one earlier today has happened (or was missed) and keeps its record.
    return _series_cancel_from(series, Q(starts__gt=series.ended_at), by=by, reason=reason)


# --- Delivery --------------------------------------------------------------------------------------


def _own_accepted(visit: Visit, by: User) -> Visit:
    visit = _lock(visit)
    if visit.worker is None or visit.worker.user_id != by.pk:
        raise _refuse(_("Only the visit's worker can do this."), "not_your_visit")
    if visit.status != Visit.Status.ACCEPTED:
        raise ConflictError(_("This visit is not accepted."), code="not_accepted")
    return visit


@transaction.atomic
def visit_check_in(
    *, visit: Visit, by: User, latitude: float | None = None, longitude: float | None = None
) -> Visit:
    """The worker arrives. Where they are, if their browser shares it, is checked against the
    person's postcode: far away is flagged to the team, never refused."""
    visit = _own_accepted(visit, by)
    now = timezone.now()
    if visit.checked_in_at is not None:
        raise ConflictError(_("You have already checked in."), code="already_checked_in")
    if now < visit.starts - timedelta(hours=1) or now > visit.ends:
        raise _refuse(_("Check in from an hour before the visit until its end."), "not_now")
    if visit.worker is None or not _in_team(visit.worker, visit.receiver):
        raise _refuse(_("You are no longer in this person's team."), "not_in_team")
    visit.checked_in_at = now
    fields = ["checked_in_at", "updated_at"]
    if latitude is not None and longitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise _refuse(_("That location is not on Earth."), "bad_location", "latitude")
        visit.check_in_latitude, visit.check_in_longitude = latitude, longitude
        fields += ["check_in_latitude", "check_in_longitude"]
        home = member_selectors.profile_get_for_membership(membership=visit.receiver)
        if home and home.latitude is not None and home.longitude is not None:
            distance = geo.distance_km(
                geo.Point(latitude, longitude), geo.Point(home.latitude, home.longitude)
            )
            visit.check_in_distance_km = round(distance, 1)
            visit.check_in_far = distance > SchedulingPolicy.current().check_in_far_km
            fields += ["check_in_distance_km", VisitEvent.CHECK_IN_FAR]
    visit.save(update_fields=fields)
    reminders_plan(visit=visit)
    if visit.check_in_far:
        _notify_team(visit, VisitEvent.CHECK_IN_FAR, include_staff=False)
    return visit


@transaction.atomic
def visit_task_tick(*, visit: Visit, by: User, index: int, done: bool) -> Visit:
    visit = _own_accepted(visit, by)
    if visit.checked_in_at is None or visit.checked_out_at is not None:
        raise ConflictError(_("Tick tasks while you are at the visit."), code="not_checked_in")
    if not 0 <= index < len(visit.tasks):
        raise _refuse(_("There is no such task."), "bad_task", "index")
    visit.tasks[index]["done"] = bool(done)
    visit.save(update_fields=["tasks", "updated_at"])
    return visit


@transaction.atomic
def visit_note_save(*, visit: Visit, by: User, note: str) -> Visit:
    visit = _own_accepted(visit, by)
    if visit.checked_in_at is None:
        raise ConflictError(_("Check in before writing the visit note."), code="not_checked_in")
    if visit.checked_out_at is not None:
        raise ConflictError(_("The visit note is kept as written at check-out."), code="checked_out")
    visit.visit_note = _clean_text(note, NOTE_MAX, "note")
    visit.save(update_fields=["visit_note", "updated_at"])
    return visit


@transaction.atomic
def visit_check_out(*, visit: Visit, by: User, note: str | None = None) -> Visit:
    """The worker leaves. A visit note is required: it is the person's care log."""
    visit = _own_accepted(visit, by)
    if visit.checked_in_at is None:
        raise ConflictError(_("Check in first."), code="not_checked_in")
    if visit.checked_out_at is not None:
        raise ConflictError(_("You have already checked out."), code="already_checked_out")
    if note is not None:
        visit.visit_note = _clean_text(note, NOTE_MAX, "note")
    if not visit.visit_note:
        raise _refuse(_("Write a visit note before checking out."), "note_required", "note")
    visit.checked_out_at = timezone.now()
    visit.save(update_fields=["checked_out_at", "visit_note", "updated_at"])
    _notify_receiver_side(visit, VisitEvent.DELIVERED)
    return visit


def _answer_hours(visit: Visit, by: User) -> Visit:
    visit = _lock(visit)
    if not permissions.can_answer_hours(by, visit):
        raise _refuse(_("Only the person or someone acting for them confirms the hours."), "not_allowed")
    if visit.checked_out_at is None:
        raise ConflictError(_("The visit has not finished."), code="not_delivered")
    if visit.hours != Visit.Hours.PENDING:
        raise ConflictError(_("These hours have already been answered."), code="already_answered")
    deadline = visit.checked_out_at + timedelta(hours=SchedulingPolicy.current().confirmation_hours)
    if timezone.now() > deadline:
        raise ConflictError(_("The time to answer has passed."), code="too_late")
    return visit


@transaction.atomic
def visit_hours_confirm(*, visit: Visit, by: User) -> Visit:
    visit = _answer_hours(visit, by)
    visit.hours = Visit.Hours.CONFIRMED
    visit.hours_answered_at = timezone.now()
    visit.hours_answered_by = by
    visit.save(update_fields=["hours", "hours_answered_at", "hours_answered_by", "updated_at"])
    return visit


@transaction.atomic
def visit_hours_query(*, visit: Visit, by: User, reason: str) -> Visit:
    visit = _answer_hours(visit, by)
    reason = _clean_text(reason, 1000, "reason")
    if not reason:
        raise _refuse(_("Say what is wrong with the hours."), "reason_required", "reason")
    visit.hours = Visit.Hours.QUERIED
    visit.hours_answered_at = timezone.now()
    visit.hours_answered_by = by
    visit.query_reason = reason
    visit.save(
        update_fields=["hours", "hours_answered_at", "hours_answered_by", "query_reason", "updated_at"]
    )
    _notify_team(visit, VisitEvent.HOURS_QUERIED, include_staff=True, workers=False)
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


# --- Calendar feed ----------------------------------------------------------------------------------


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_renew(*, user: User) -> str:
    """A new secret calendar address; the old one stops working. Returns the secret, shown once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": feed_token_hash(token), "created_at": timezone.now()}
    )
    return token


def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()


# --- Notifications and reminders ---------------------------------------------------------------------


def _when(visit: Visit) -> str:
    return f"{visit.starts.astimezone(LONDON):%A %-d %B, %H:%M}"


class _Audience:
    """Who hears about a person's visits: the person and their circle (with the power to book or
    to see their care), the workers in their team, and staff. Read once for all the visits of a
    batch, however many messages it sends."""

    def __init__(self, visits: Iterable[Visit]) -> None:
        self._receivers = {visit.receiver_id for visit in visits}
        self._circles: dict[int, list[User]] | None = None
        self._workers: dict[int, list[User]] | None = None
        self._staff: list[User] | None = None

    def receiver_side(self, visit: Visit) -> list[User]:
        if self._circles is None:
            self._circles = member_selectors.circle_supporters_for(
                receiver_ids=self._receivers, powers=("can_book", "can_view_care")
            )
        return [visit.receiver.user, *self._circles[visit.receiver_id]]

    def team_workers(self, visit: Visit) -> list[User]:
        if self._workers is None:
            self._workers = matching_selectors.team_workers_for(receiver_ids=self._receivers)
        return list(self._workers[visit.receiver_id])

    def staff(self) -> list[User]:
        if self._staff is None:
            self._staff = list(User.objects.filter(is_staff=True, is_active=True))
        return list(self._staff)


def _receiver_side_users(visit: Visit) -> list[User]:
    return _Audience([visit]).receiver_side(visit)


def _team_workers(visit: Visit) -> list[User]:
    return _Audience([visit]).team_workers(visit)


def _staff() -> list[User]:
    return _Audience([]).staff()


@dataclass
class _Message:
    users: Iterable[User]
    kind: str
    visit: Visit
    title: str
    body: str = ""
    reminder: Reminder | None = None


def _notify_all(messages: list[_Message]) -> None:
    """An in-app notification for each person a message is for, written now, in the caller's
    transaction. Those who did not turn this kind off are owed an email too: the notification
    row says so, and once the transaction commits a task sends what is owed (and the minute's
    sweep sends anything a lost task left behind)."""
    recipients = [
        (message, {user.pk: user for user in message.users if user is not None}) for message in messages
    ]
    everyone = {pk for _message, users in recipients for pk in users}
    muted = set(
        EmailChoice.objects.filter(
            user__in=everyone, kind__in={message.kind for message in messages}
        ).values_list("kind", "user_id")
    )
    created = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=message.kind,
                visit=message.visit,
                reminder=message.reminder,
                title=Truncator(message.title).chars(200),
                body=message.body,
                email_due=bool(user.email) and (message.kind, user.pk) not in muted,
            )
            for message, users in recipients
            for user in users.values()
        ]
    )
    owed = [notification.pk for notification in created if notification.email_due]
    if owed:
        # Robust: a failing broker or mail server never turns a booking already made into an error.
        transaction.on_commit(lambda: _email_soon(owed), robust=True)


def _email_soon(notification_ids: list[int]) -> None:
    from scheduling.tasks import notification_emails_send_task

    notification_emails_send_task.delay(notification_ids=notification_ids)


def _email_text(notification: Notification) -> str:
    # A reminder's body can carry the visit's notes: care data stays in the app, not in email.
    if notification.kind in VisitEvent.values and notification.body:
        return notification.body
    return notification.title


def notification_emails_send(*, notification_ids: Iterable[int] | None = None, batch: int = 200) -> int:
    """Send the emails owed for notifications (these ones, or all), each once, one address per
    email so nobody sees the others'.

    Each batch is claimed with SELECT … FOR UPDATE SKIP LOCKED; the emails leave before the claim
    commits, and the rows are marked sent in the same transaction. A mail server that fails rolls
    the batch back, to be sent on the next try; two senders at once take different rows. Only a
    process that dies after the mail server took an email and before the commit sends it twice."""
    sent = 0
    ids = sorted(set(notification_ids)) if notification_ids is not None else None
    while True:
        with transaction.atomic():
            owed = Notification.objects.filter(email_due=True)
            if ids is not None:
                owed = owed.filter(pk__in=ids)
            claimed = list(
                owed.select_for_update(skip_locked=True, of=("self",))
                .select_related("user")
                .order_by("pk")[:batch]
            )
            if not claimed:
                break
            emails = [
                EmailMessage(
                    f"[{settings.COOP_NAME}] {notification.title}",
                    _email_text(notification),
                    None,
                    [notification.user.email],
                )
                for notification in claimed
            ]
            with get_connection() as mail:
                mail.send_messages(emails)
            Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(
                email_due=False, emailed_at=timezone.now()
            )
            sent += len(claimed)
        if len(claimed) < batch:
            break
    return sent


def _notify(users: Iterable[User], kind: str, visit: Visit, title: str, body: str = "") -> None:
    """An in-app notification for each, and an email unless they chose not to get this kind."""
    _notify_all([_Message(users=users, kind=kind, visit=visit, title=title, body=body)])


def _notify_offered(visit: Visit) -> None:
    who = visit.receiver.shown_name
    if visit.is_open:
        users = _team_workers(visit)
        title = _("An open visit for %(name)s on %(when)s") % {"name": who, "when": _when(visit)}
        body = _("Take it in your visits if you can.")
    elif visit.worker is not None:
        users = [visit.worker.user]
        title = _("%(name)s asks you to visit on %(when)s") % {"name": who, "when": _when(visit)}
        body = _("Accept or decline it in your visits.")
    _notify(users, VisitEvent.OFFERED, visit, title, body)


def _pattern(series: Series) -> str:
    days = ", ".join(str(month_calendar.day_abbr[day]) for day in sorted(series.weekdays))
    every = _("every week") if series.every_weeks == 1 else _("every %(n)s weeks") % {"n": series.every_weeks}
    return f"{days}, {series.starts_at:%H:%M}–{series.ends_at:%H:%M}, {every}"


def _notify_series_offered(series: Series, visits: list[Visit]) -> None:
    """One notice for the visits a repeating booking has just offered, not one each."""
    first = visits[0]
    values = {
        "name": series.receiver.shown_name,
        "n": len(visits),
        "pattern": _pattern(series),
        "when": _when(first),
    }
    if series.worker is None:
        users = _team_workers(first)
        title = _("%(n)s open visits for %(name)s (%(pattern)s), from %(when)s") % values
    else:
        users = [series.worker.user]
        title = _("%(name)s asks you to visit %(n)s times (%(pattern)s), from %(when)s") % values
    _notify(users, VisitEvent.OFFERED, first, title, _("Accept or decline each one in your visits."))


def _notify_series_cancelled(series: Series, visits: list[Visit], by: User) -> None:
    """One notice for the visits of a repeating booking cancelled together."""
    first = visits[0]
    title = _("%(n)s visits for %(name)s (%(pattern)s) from %(when)s are cancelled") % {
        "n": len(visits),
        "name": series.receiver.shown_name,
        "pattern": _pattern(series),
        "when": _when(first),
    }
    users = _receiver_side_users(first)
    if any(visit.worker is None for visit in visits):
        users += _team_workers(first)
    users += [visit.worker.user for visit in visits if visit.worker is not None]
    late = sum(visit.late_cancellation for visit in visits)
    body = first.cancel_reason
    if late:
        body += "\n" + ngettext(
            "%(n)s of them was due within the late-cancellation window.",
            "%(n)s of them were due within the late-cancellation window.",
            late,
        ) % {"n": late}
    _notify([user for user in users if user.pk != by.pk], VisitEvent.CANCELLED, first, title, body)


def _notify_receiver_side(visit: Visit, kind: str) -> None:
    worker = visit.worker.shown_name if visit.worker else _("A worker")
    titles: dict[str, str] = {
        VisitEvent.ACCEPTED: _("%(worker)s will visit on %(when)s"),
        VisitEvent.DECLINED: _("%(worker)s cannot visit on %(when)s"),
        VisitEvent.DELIVERED: _("%(worker)s has finished the visit of %(when)s: please confirm the hours"),
    }
    title = titles[kind] % {"worker": worker, "when": _when(visit)}
    _notify(_receiver_side_users(visit), kind, visit, title)


def _notify_cancelled(visit: Visit, by: User | None) -> None:
    title = _("The visit on %(when)s is cancelled") % {"when": _when(visit)}
    users = _receiver_side_users(visit)
    users += [visit.worker.user] if visit.worker else _team_workers(visit)
    _notify(
        [user for user in users if by is None or user.pk != by.pk],
        VisitEvent.CANCELLED,
        visit,
        title,
        visit.cancel_reason,
    )


def _notify_team(visit: Visit, kind: str, *, include_staff: bool, workers: bool = True) -> None:
    titles: dict[str, str] = {
        VisitEvent.CHECK_IN_FAR: _("A check-in for %(name)s's visit on %(when)s was far from home"),
        VisitEvent.HOURS_QUERIED: _("The hours of %(name)s's visit on %(when)s are queried"),
    }
    title = titles[kind] % {"name": visit.receiver.shown_name, "when": _when(visit)}
    users = _receiver_side_users(visit) + (_team_workers(visit) if workers else [])
    if visit.worker:
        users.append(visit.worker.user)
    if include_staff:
        users += _staff()
    _notify(users, kind, visit, title, visit.query_reason if kind == VisitEvent.HOURS_QUERIED else "")


def _due_times(visit: Visit, policy: SchedulingPolicy) -> dict[str, datetime]:
    """When each reminder about this visit is due, for a visit as it now stands."""
    if visit.status == Visit.Status.ACCEPTED:
        local_start = visit.starts.astimezone(LONDON)
        evening_before = local_datetime(local_start.date() - timedelta(days=1), time(18))
        due: dict[str, datetime] = {
            Reminder.Kind.WORKER_DAY_BEFORE: visit.starts - timedelta(hours=24),
            Reminder.Kind.WORKER_HOUR_BEFORE: visit.starts - timedelta(hours=1),
            Reminder.Kind.RECEIVER_EVENING: evening_before,
        }
        if visit.checked_in_at is None:
            due[Reminder.Kind.MISSED] = visit.starts + timedelta(minutes=policy.missed_after_minutes)
        return due
    if visit.status == Visit.Status.OFFERED and visit.is_open:
        return {Reminder.Kind.OPEN_UNFILLED: visit.starts - timedelta(hours=policy.unfilled_alert_hours)}
    return {}


def reminders_plan(*, visit: Visit, policy: SchedulingPolicy | None = None) -> None:
    """Make the visit's reminder rows match the visit: new ones added, moved ones moved (and sent
    again for the new time), ones no longer wanted deleted. Sent ones for unchanged times stay."""
    policy = policy or SchedulingPolicy.current()
    due = _due_times(visit, policy)
    existing = {reminder.kind: reminder for reminder in Reminder.objects.filter(visit=visit)}
    now = timezone.now()
    for kind, reminder in existing.items():
        if kind not in due and reminder.sent_at is None:
            reminder.delete()
    for kind, due_at in due.items():
        planned = existing.get(kind)
        if planned is None:
            if kind == Reminder.Kind.OPEN_UNFILLED and due_at <= now:
                # Booked inside the alert's window: the team has an hour to take it, then the alert
                # goes (or at once, if the visit starts sooner than that).
                due_at = min(now + timedelta(hours=1), visit.starts)
            # Any other reminder whose moment passed before the visit was booked would only confuse.
            if kind in (Reminder.Kind.MISSED, Reminder.Kind.OPEN_UNFILLED) or due_at > now:
                Reminder.objects.create(visit=visit, kind=kind, due_at=due_at)
        elif planned.due_at != due_at and not (kind == Reminder.Kind.OPEN_UNFILLED and due_at <= now):
            # (An unfilled alert already inside its window stays as planned, sent or not: moving
            # it into the past would only send it again.)
            planned.due_at, planned.sent_at = due_at, None
            planned.save(update_fields=["due_at", "sent_at"])


def _reminder_message(reminder: Reminder, audience: _Audience) -> tuple[list[User], str, str]:
    visit = reminder.visit
    kind = reminder.kind
    who, when = visit.receiver.shown_name, _when(visit)
    worker = visit.worker.shown_name if visit.worker else ""
    if kind in (Reminder.Kind.WORKER_DAY_BEFORE, Reminder.Kind.WORKER_HOUR_BEFORE) and visit.worker:
        title = _("Reminder: your visit to %(name)s on %(when)s") % {"name": who, "when": when}
        return [visit.worker.user], title, visit.notes
    if kind == Reminder.Kind.RECEIVER_EVENING:
        title = _("Tomorrow: %(worker)s visits at %(when)s") % {"worker": worker, "when": when}
        return audience.receiver_side(visit), title, ""
    everyone = audience.team_workers(visit) + audience.receiver_side(visit) + audience.staff()
    if kind == Reminder.Kind.OPEN_UNFILLED:
        title = _("Nobody has taken the open visit for %(name)s on %(when)s") % {"name": who, "when": when}
        return everyone, title, ""
    title = _("%(worker)s has not checked in for %(name)s's visit at %(when)s") % {
        "worker": worker,
        "name": who,
        "when": when,
    }
    return everyone, title, ""


def _still_wanted(reminder: Reminder) -> bool:
    visit = reminder.visit
    if reminder.kind == Reminder.Kind.OPEN_UNFILLED:
        return visit.status == Visit.Status.OFFERED and visit.is_open
    if reminder.kind == Reminder.Kind.MISSED:
        return visit.status == Visit.Status.ACCEPTED and visit.checked_in_at is None
    return visit.status == Visit.Status.ACCEPTED


def reminders_send_due(*, now: datetime | None = None, batch: int = 200) -> int:
    """Send every reminder now due, each exactly once.

    Each batch is claimed with SELECT … FOR UPDATE SKIP LOCKED inside a transaction that also
    writes the in-app notifications and marks the rows sent: two sweeps at once take different
    rows, and a sweep that dies mid-batch rolls back, leaving its rows to the next one. The emails
    are owed by those notifications, and leave through the outbox (notification_emails_send)."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            due = list(
                Reminder.objects.filter(sent_at__isnull=True, due_at__lte=now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related(
                    "visit__receiver__user",
                    "visit__worker__user",
                    "visit__receiver__profile",
                    "visit__worker__profile",
                )
                .order_by("due_at", "pk")[:batch]
            )
            if not due:
                break
            messages = []
            audience = _Audience(reminder.visit for reminder in due)
            for reminder in due:
                if _still_wanted(reminder):
                    users, title, body = _reminder_message(reminder, audience)
                    messages.append(
                        _Message(
                            users=users,
                            kind=reminder.kind,
                            visit=reminder.visit,
                            title=title,
                            body=body,
                            reminder=reminder,
                        )
                    )
            _notify_all(messages)
            Reminder.objects.filter(pk__in=[r.pk for r in due]).update(sent_at=now)
            sent += len(due)
        if len(due) < batch:
            break
    return sent


# --- Choices about notifications ----------------------------------------------------------------------


@transaction.atomic
def email_choices_save(*, user: User, wanted: Iterable[str]) -> None:
    """Which kinds of notification come by email; the rest only appear in the app."""
    wanted_set = set(wanted)
    unknown = wanted_set - {kind for kind, _label in NOTIFICATION_KINDS}
    if unknown:
        raise _refuse(_("There is no such kind of notification."), "bad_kind", "kinds")
    muted = [kind for kind, _label in NOTIFICATION_KINDS if kind not in wanted_set]
    EmailChoice.objects.filter(user=user).exclude(kind__in=muted).delete()
    for kind in muted:
        EmailChoice.objects.get_or_create(user=user, kind=kind)


def notifications_mark_read(*, user: User) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())
