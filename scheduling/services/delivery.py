"""Delivering a visit: check-in, tasks, the visit note, check-out and the hours answered."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from carecoop.exceptions import ConflictError
from members import geo
from members import selectors as member_selectors
from members.models import User
from scheduling import permissions
from scheduling.models import (
    SchedulingPolicy,
    Visit,
    VisitEvent,
)
from scheduling.services.notifications import notify_receiver_side, notify_team, reminders_plan
from scheduling.services.rules import NOTE_MAX, clean_text, refuse, visit_lock


def _own_accepted(visit: Visit, by: User) -> Visit:
    visit = visit_lock(visit)
    if not permissions.is_visit_worker(by, visit):
        raise refuse(_("Only the visit's worker can do this."), "not_your_visit")
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
    opens, closes = permissions.check_in_window(visit)
    if not opens <= now <= closes:
        raise refuse(_("Check in from an hour before the visit until its end."), "not_now")
    if not permissions.works_in_team(visit.worker, visit.receiver):
        raise refuse(_("You are no longer in this person's team."), "not_in_team")
    visit.checked_in_at = now
    fields = ["checked_in_at", "updated_at"]
    if latitude is not None and longitude is not None:
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise refuse(_("That location is not on Earth."), "bad_location", "latitude")
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
        notify_team(visit, VisitEvent.CHECK_IN_FAR, include_staff=False)
    return visit


@transaction.atomic
def visit_task_tick(*, visit: Visit, by: User, index: int, done: bool) -> Visit:
    visit = _own_accepted(visit, by)
    if visit.checked_in_at is None or visit.checked_out_at is not None:
        raise ConflictError(_("Tick tasks while you are at the visit."), code="not_checked_in")
    if not 0 <= index < len(visit.tasks):
        raise refuse(_("There is no such task."), "bad_task", "index")
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
    visit.visit_note = clean_text(note, NOTE_MAX, "note")
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
        visit.visit_note = clean_text(note, NOTE_MAX, "note")
    if not visit.visit_note:
        raise refuse(_("Write a visit note before checking out."), "note_required", "note")
    visit.checked_out_at = timezone.now()
    visit.save(update_fields=["checked_out_at", "visit_note", "updated_at"])
    notify_receiver_side(visit, VisitEvent.DELIVERED)
    return visit


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
