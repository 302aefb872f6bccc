"""Delivering a visit: check-in, tasks, the visit note and check-out."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.exceptions import ConflictError
from members import geo
from members import selectors as member_selectors
from members.models import User
from scheduling import permissions
from scheduling.models import (
    LateNotice,
    SchedulingPolicy,
    Visit,
    VisitEvent,
)
from scheduling.services.notifications import (
    notify_receiver_side,
    notify_running_late,
    notify_team,
    reminders_plan,
)
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


LATE_NOTE_MAX = 300


@transaction.atomic
def visit_running_late(*, visit: Visit, by: User, minutes: int, note: str = "") -> LateNotice:
    """The worker on their way tells the person (and their circle) and the rest of the team they
    will be late, and by about how much. Once per visit for each lateness; not once they are in."""
    visit = _own_accepted(visit, by)
    if visit.checked_in_at is not None:
        raise ConflictError(_("You are already checked in: you are not late."), code="already_checked_in")
    opens, closes = permissions.running_late_window(visit)
    if not opens <= timezone.now() <= closes:
        raise refuse(_("Say you are running late from two hours before the visit."), "not_now", "minutes")
    if minutes not in LateNotice.Minutes.values:
        raise refuse(_("Choose how late you will be."), "bad_minutes", "minutes")
    note = clean_text(note, LATE_NOTE_MAX, "note")
    if LateNotice.objects.filter(visit=visit, minutes=minutes).exists():
        raise ConflictError(
            _("You have already said you are running this late; they know."), code="already_told"
        )
    notice = LateNotice.objects.create(visit=visit, minutes=minutes, note=note, sent_by=by)
    notify_running_late(visit, notice)
    return notice


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
def visit_check_out(*, visit: Visit, by: User, note: str | None = None, shorter: bool = False) -> Visit:
    """The worker leaves. A visit note is required: it is the person's care log.

    Leaving well before the end (the policy's minutes), the worker confirms the shorter time
    (`shorter`), and the hours count from the start (or a later check-in) to now: the person pays
    for, and the worker is paid for, what happened."""
    visit = _own_accepted(visit, by)
    if visit.checked_in_at is None:
        raise ConflictError(_("Check in first."), code="not_checked_in")
    if visit.checked_out_at is not None:
        raise ConflictError(_("You have already checked out."), code="already_checked_out")
    if note is not None:
        visit.visit_note = clean_text(note, NOTE_MAX, "note")
    if not visit.visit_note:
        raise refuse(_("Write a visit note before checking out."), "note_required", "note")
    now = timezone.now()
    fields = ["checked_out_at", "visit_note", "updated_at"]
    early = permissions.early_by(visit, now=now, policy=SchedulingPolicy.current())
    if early is not None:
        if not shorter:
            message = _(
                "You are leaving %(minutes)s minutes early: tick the box to confirm the shorter time."
            ) % {"minutes": early}
            raise ConflictError(message, code="early_check_out", fields={"shorter": [message]})
        visit.worked_minutes = permissions.minutes_worked(visit, until=now)
        fields.append("worked_minutes")
    visit.checked_out_at = now
    visit.save(update_fields=fields)
    notify_receiver_side(visit, VisitEvent.DELIVERED)
    return visit
