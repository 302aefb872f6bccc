"""Booking a visit, offering it, accepting or declining, changing and cancelling it."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from carecoop.audit import staff_action_record
from carecoop.exceptions import ConflictError
from matching.models import TeamMember
from members import selectors as member_selectors
from members.models import MemberClass, Membership, User
from scheduling import permissions
from scheduling.models import (
    SchedulingPolicy,
    Visit,
    VisitEvent,
)
from scheduling.services.notifications import (
    notify_cancelled,
    notify_offered,
    notify_receiver_side,
    reminders_plan,
)
from scheduling.services.rules import (
    TEXT_MAX,
    Booked,
    availability_warnings,
    check_sleep_in,
    check_span,
    check_worker,
    clean_tasks,
    clean_text,
    no_sleep_in_rate,
    offer_expiry,
    overlaps,
    rates_of,
    refuse,
    save_accepted,
    visit_lock,
    worker_of,
)


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
        raise refuse(_("You cannot book visits for this person."), "not_allowed")
    if receiver.member_class != MemberClass.RECEIVER or not member_selectors.membership_can_participate(
        membership=receiver
    ):
        raise refuse(_("Visits are booked for current members who get support."), "not_a_member")
    if starts.tzinfo is None or ends.tzinfo is None:
        raise refuse(_("Give times with their time zone."), "bad_time", "starts")
    # Kept in UTC from here: "24 hours before" and the like then mean real hours, not the clock's.
    starts, ends = starts.astimezone(UTC), ends.astimezone(UTC)
    check_span(starts, ends)
    now = timezone.now()
    if starts <= now:
        raise refuse(_("Choose a time in the future."), "in_the_past", "starts")
    warnings: list[str] = []
    if worker is not None:
        worker = Membership.objects.select_for_update().get(pk=worker.pk)
        check_worker(worker, receiver, starts)
    if sleep_in:
        check_sleep_in(worker, receiver)
    if worker is not None:
        warnings = availability_warnings(worker, starts, ends)
        if (
            overlaps(worker, starts, ends)
            or Visit.objects.filter(worker=worker, status=Visit.Status.OFFERED).between(starts, ends).exists()
        ):
            warnings.append(_("The worker already has a visit then: they cannot accept both."))
    policy = SchedulingPolicy.current()
    rates = rates_of(worker)
    if sleep_in and worker is not None and rates.night is None:
        raise no_sleep_in_rate()  # cleared since the check above: the rate kept is the one read here
    visit = Visit.objects.create(
        receiver=receiver,
        worker=worker,
        # The rate it is booked at, kept: a rate changed later applies to visits booked after it.
        # An open visit takes the rate of the worker who takes it. A sleep-in keeps the night's.
        rate_pence=rates.hourly,
        sleep_in_rate_pence=rates.night if sleep_in else None,
        is_open=worker is None,
        starts=starts,
        ends=ends,
        sleep_in=sleep_in,
        tasks=clean_tasks(tasks),
        notes=clean_text(notes, TEXT_MAX, "notes"),
        booked_by=by,
        offer_expires_at=offer_expiry(starts, policy, now),
    )
    reminders_plan(visit=visit, policy=policy)
    if notify:
        notify_offered(visit)
    return Booked(visits=[visit], warnings=warnings)


def _check_waiting(visit: Visit, now: datetime) -> None:
    if permissions.offer_waiting(visit, now):
        return
    if visit.status == Visit.Status.OFFERED and visit.offer_expires_at <= now:
        raise ConflictError(_("This offer has expired."), code="expired")
    raise ConflictError(_("This visit is no longer waiting for an answer."), code="not_offered")


@transaction.atomic
def visit_accept(*, visit: Visit, by: User) -> Visit:
    """The worker accepts an offered visit; for an open visit, the first worker in the team to
    accept gets it."""
    visit = visit_lock(visit)
    now = timezone.now()
    _check_waiting(visit, now)
    worker = worker_of(by)
    if worker is None or (not visit.is_open and not permissions.is_visit_worker(by, visit)):
        raise refuse(_("This visit was offered to someone else."), "not_offered")
    # Lock the worker too: two visits accepted at once for one worker are then taken in turn.
    worker = Membership.objects.select_for_update().get(pk=worker.pk)
    check_worker(worker, visit.receiver, visit.starts)
    visit.worker = worker
    visit.status = Visit.Status.ACCEPTED
    visit.answered_at = now
    if visit.is_open:
        rates = rates_of(worker)
        if visit.sleep_in and rates.night is None:
            raise no_sleep_in_rate()
        visit.rate_pence = rates.hourly
        visit.sleep_in_rate_pence = rates.night if visit.sleep_in else None
    save_accepted(
        visit, ["worker", "status", "answered_at", "rate_pence", "sleep_in_rate_pence", "updated_at"]
    )
    reminders_plan(visit=visit)
    notify_receiver_side(visit, VisitEvent.ACCEPTED)
    return visit


@transaction.atomic
def visit_decline(*, visit: Visit, by: User, reason: str = "") -> Visit:
    visit = visit_lock(visit)
    _check_waiting(visit, timezone.now())
    if visit.is_open or not permissions.is_visit_worker(by, visit):
        raise refuse(_("This visit was offered to someone else."), "not_offered")
    visit.status = Visit.Status.DECLINED
    visit.answered_at = timezone.now()
    visit.decline_reason = clean_text(reason, 500, "reason")
    visit.save(update_fields=["status", "answered_at", "decline_reason", "updated_at"])
    reminders_plan(visit=visit)
    notify_receiver_side(visit, VisitEvent.DECLINED)
    return visit


_CANCEL_FIELDS = [
    "status",
    "cancelled_at",
    "cancelled_by",
    "cancel_reason",
    "late_cancellation",
    "updated_at",
]


def mark_cancelled(
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
    visit = visit_lock(visit)
    is_worker = permissions.is_visit_worker(by, visit)
    receiver_side = permissions.can_book(by, visit.receiver)
    if not permissions.may_cancel(by, visit, receiver_side=receiver_side):
        if not (is_worker or receiver_side):
            raise refuse(_("You cannot cancel this visit."), "not_allowed")
        if permissions.is_live(visit) and not receiver_side:
            raise ConflictError(
                _("Decline the offer instead: you have not accepted it."), code="decline_instead"
            )
        raise ConflictError(_("This visit can no longer be cancelled."), code="not_cancellable")
    reason = clean_text(reason, 500, "reason")
    if not reason:
        raise refuse(_("Say why the visit is cancelled."), "reason_required", "reason")
    policy = SchedulingPolicy.current()
    mark_cancelled(visit, by=by, reason=reason, now=timezone.now(), policy=policy)
    reminders_plan(visit=visit, policy=policy)
    notify_cancelled(visit, by)
    staff_action_record(
        by=by,
        action="visit.cancel",
        summary=f"Cancelled visit {visit.pk} of member {visit.receiver.number}",
        member=visit.receiver.user,
    )
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
    visit = visit_lock(visit)
    if not permissions.can_book(by, visit.receiver):
        raise refuse(_("You cannot change this visit."), "not_allowed")
    if not permissions.is_live(visit):
        raise ConflictError(_("This visit can no longer be changed."), code="not_changeable")
    warnings: list[str] = []
    fields = ["updated_at"]
    new_starts, new_ends = starts or visit.starts, ends or visit.ends
    if new_starts.tzinfo is None or new_ends.tzinfo is None:
        raise refuse(_("Give times with their time zone."), "bad_time", "starts")
    new_starts, new_ends = new_starts.astimezone(UTC), new_ends.astimezone(UTC)
    if (new_starts, new_ends) != (visit.starts, visit.ends):
        check_span(new_starts, new_ends)
        now = timezone.now()
        if new_starts <= now:
            raise refuse(_("Choose a time in the future."), "in_the_past", "starts")
        visit.starts, visit.ends = new_starts, new_ends
        visit.offer_expires_at = offer_expiry(new_starts, SchedulingPolicy.current(), now)
        fields += ["starts", "ends", "offer_expires_at"]
        if visit.worker is not None and not visit.is_open:
            check_worker(visit.worker, visit.receiver, new_starts)
            warnings = availability_warnings(visit.worker, new_starts, new_ends)
        if visit.status == Visit.Status.ACCEPTED:
            # Whoever took it is asked about the new time, open visit or not: they agreed to the
            # old one, and the others in the team were not asked.
            visit.status = Visit.Status.OFFERED
            visit.answered_at = None
            visit.is_open = False
            fields += ["status", "answered_at", "is_open"]
    if tasks is not None:
        visit.tasks = clean_tasks(tasks)
        fields.append("tasks")
    if notes is not None:
        visit.notes = clean_text(notes, TEXT_MAX, "notes")
        fields.append("notes")
    if sleep_in is not None and sleep_in != visit.sleep_in:
        # Made a sleep-in: paid the night at the worker's sleep-in rate now (the visit changes,
        # as a new booking would); made an hourly visit: the hourly rate it was booked at.
        if sleep_in:
            check_sleep_in(visit.worker, visit.receiver)
        visit.sleep_in = sleep_in
        visit.sleep_in_rate_pence = rates_of(visit.worker).night if sleep_in and visit.worker else None
        if sleep_in and visit.worker is not None and visit.sleep_in_rate_pence is None:
            raise no_sleep_in_rate()
        fields += ["sleep_in", "sleep_in_rate_pence"]
    visit.save(update_fields=fields)
    reminders_plan(visit=visit)
    if "starts" in fields or "ends" in fields:
        notify_offered(visit)
    staff_action_record(
        by=by,
        action="visit.change",
        summary=f"Changed visit {visit.pk} of member {visit.receiver.number}",
        member=visit.receiver.user,
    )
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
            mark_cancelled(visit, by=None, reason=reason, now=now, policy=policy, late=False)
            reminders_plan(visit=visit, policy=policy)
            notify_cancelled(visit, by=None)
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
