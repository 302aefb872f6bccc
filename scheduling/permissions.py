"""Who may book a person's visits, who may see their care, and what each may do with a visit now."""

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from carecoop.permissions import is_staff
from matching import selectors as matching_selectors
from matching.models import TeamMember, TeamRole
from members import permissions as member_permissions
from members import selectors as member_selectors
from members.models import MemberClass, Membership, Profile, User
from scheduling.models import SchedulingPolicy, Visit

CHECK_IN_OPENS_BEFORE = timedelta(hours=1)
# The worker sees the person's address, phone and emergency contact from this long before the
# start (the day before, with their reminder, to plan the journey) until they check out; never
# earlier, never after, never another worker (decision 29).
DOORSTEP_OPENS_BEFORE = timedelta(hours=24)
# ...and at the latest until this long after the booked end, so a visit nobody checked in to, or
# out of, does not keep the person's details open to the worker for ever.
DOORSTEP_CLOSES_AFTER = timedelta(hours=3)
# "Running late" is said on the way: from this long before the start until check-in (or the end).
RUNNING_LATE_OPENS_BEFORE = timedelta(hours=2)

# The team role ("hat") that lets a team member book the person's visits.
ROTA_HOLDER = "rota holder"


def holds_rota(user: User | AnonymousUser, receiver: Membership) -> bool:
    """Holds the rota role, and is still where the role may be held: in the team, or in the
    circle of support. A role outlives neither (nobody has to remember to end it)."""
    if not user.is_authenticated:
        return False
    if not TeamRole.objects.filter(
        receiver=receiver, holder=user, ended_at__isnull=True, name__iexact=ROTA_HOLDER
    ).exists():
        return False
    return matching_selectors.in_team(user=user, receiver=receiver) or member_permissions.can_act_for(
        user, receiver, "can_view_care"
    )


def can_answer_hours(user: User | AnonymousUser, visit: Visit) -> bool:
    """Confirms or queries the hours that pay is worked out from: the person, someone in their
    circle with the power to book, or staff; never the worker who did the visit (a rota holder
    among the workers included)."""
    if not user.is_authenticated or (visit.worker is not None and visit.worker.user_id == user.pk):
        return False
    return member_permissions.can_act_for(user, visit.receiver, "can_book")


def can_book(user: User | AnonymousUser, receiver: Membership) -> bool:
    """The person, staff, someone in their circle with the power to book, or the team's rota
    holder."""
    if not user.is_authenticated:
        return False
    return member_permissions.can_act_for(user, receiver, "can_book") or holds_rota(user, receiver)


def can_see_care(user: User | AnonymousUser, receiver: Membership) -> bool:
    """Rule 9: the person, their circle of support (with the power to see care), their team, and
    staff; nobody else."""
    if not user.is_authenticated:
        return False
    return member_permissions.can_act_for(user, receiver, "can_view_care") or matching_selectors.in_team(
        user=user, receiver=receiver
    )


@dataclass(frozen=True)
class Among:
    """can_book and can_see_care answered for many people at once, as sets of membership ids."""

    book: frozenset[int]
    care: frozenset[int]


def booking_and_care_among(user: User | AnonymousUser, receivers: Iterable[Membership]) -> Among:
    """can_book and can_see_care for every person in a list of visits, in three queries however
    many people there are (the same rules: the person and staff; the circle, by its powers; the
    team sees care; a rota holder still in the team or the circle books)."""
    people = {receiver.pk: receiver for receiver in receivers}
    if not user.is_authenticated or not people:
        return Among(book=frozenset(), care=frozenset())
    own = {pk for pk, receiver in people.items() if member_permissions.can_manage_circle(user, receiver)}
    if own == set(people):
        return Among(book=frozenset(own), care=frozenset(own))
    places = member_selectors.circle_places_among(user=user, receiver_ids=people)
    circle_book = {place.receiver_id for place in places if place.can_book}
    circle_care = {place.receiver_id for place in places if place.can_view_care}
    in_team = matching_selectors.in_teams_among(user=user, receiver_ids=people)
    rota = set(
        TeamRole.objects.filter(
            receiver_id__in=list(people), holder=user, ended_at__isnull=True, name__iexact=ROTA_HOLDER
        ).values_list("receiver_id", flat=True)
    )
    care = own | circle_care | in_team
    return Among(book=frozenset(own | circle_book | (rota & care)), care=frozenset(care))


def can_book_or_see_care(user: User, receiver: Membership) -> bool:
    """May open the person's visits at all: to book them, or to see their care."""
    return can_book(user, receiver) or can_see_care(user, receiver)


# --- A visit's next actions ----------------------------------------------------------------------
# The services ask these, condition by condition, before they act (each refusal with its own
# code); `visit_actions` asks them all at once, so the visit page and the API offer exactly what
# the services will do, and never a button the service then refuses.


def is_visit_worker(user: User | AnonymousUser, visit: Visit) -> bool:
    return bool(user.is_authenticated and visit.worker is not None and visit.worker.user_id == user.pk)


def offer_waiting(visit: Visit, now: datetime) -> bool:
    """An offer is answered only while it waits: not taken (an open visit), not expired."""
    taken = visit.is_open and visit.worker_id is not None
    return visit.status == Visit.Status.OFFERED and not taken and visit.offer_expires_at > now


def is_live(visit: Visit) -> bool:
    """Offered or accepted, and not begun: it can still be changed or cancelled."""
    return visit.status in (Visit.Status.OFFERED, Visit.Status.ACCEPTED) and visit.checked_in_at is None


def offered_to(user: User | AnonymousUser, visit: Visit) -> bool:
    """The worker it was offered to, or for an open visit anyone working in the person's team."""
    if not user.is_authenticated:
        return False
    if not visit.is_open:
        return is_visit_worker(user, visit)
    return TeamMember.objects.working().filter(receiver=visit.receiver, member__user=user).exists()


def works_in_team(worker: Membership | None, receiver: Membership) -> bool:
    """Rule 5: a worker with a working place in the person's team."""
    return (
        worker is not None and TeamMember.objects.working().filter(receiver=receiver, member=worker).exists()
    )


def does_sleep_ins(worker: Membership | None) -> bool:
    """Has a sleep-in rate: only such a worker is booked for a sleep-in, or takes an open one."""
    return (
        worker is not None
        and Profile.objects.filter(membership=worker, sleep_in_rate_pence__isnull=False).exists()
    )


def may_take(user: User | AnonymousUser, visit: Visit) -> bool:
    """Offered to them (see `offered_to`), and a worker who may be booked that day (rule 3), with
    a sleep-in rate if it is an open sleep-in (a named worker had one when it was booked): what
    accepting asks, besides the offer still waiting."""
    if not offered_to(user, visit):
        return False
    worker = visit.worker if not visit.is_open else member_selectors.membership_current_for_user(user=user)
    return (
        worker is not None
        and worker.member_class == MemberClass.WORKER
        and member_selectors.worker_is_bookable(membership=worker, on=timezone.localdate(visit.starts))
        and (not (visit.is_open and visit.sleep_in) or does_sleep_ins(worker))
    )


def may_cancel(user: User | AnonymousUser, visit: Visit, *, receiver_side: bool | None = None) -> bool:
    """The person's side while it is live; the worker once they have accepted (an offer they
    decline instead)."""
    if receiver_side is None:
        receiver_side = can_book(user, visit.receiver)
    worker_may = is_visit_worker(user, visit) and visit.status == Visit.Status.ACCEPTED
    return is_live(visit) and (receiver_side or worker_may)


def check_in_window(visit: Visit) -> tuple[datetime, datetime]:
    """A worker checks in from an hour before the visit until its end."""
    return visit.starts - CHECK_IN_OPENS_BEFORE, visit.ends


def early_by(visit: Visit, *, now: datetime, policy: SchedulingPolicy) -> int | None:
    """Whole minutes a check-out now would come before the visit's end, when that is the policy's
    minutes or more (the worker then confirms the shorter time); None otherwise."""
    minutes = int((visit.ends - now).total_seconds() // 60)
    return minutes if minutes >= policy.early_check_out_minutes else None


def minutes_worked(visit: Visit, *, until: datetime) -> int:
    """From the start, or a later check-in, until `until`: the time a visit cut short counts."""
    began = max(visit.starts, visit.checked_in_at or visit.starts)
    return max(0, int((until - began).total_seconds() // 60))


def sees_doorstep(user: User | AnonymousUser, visit: Visit, *, now: datetime) -> bool:
    """The address with directions, the phone and the emergency contact: for the visit's own
    worker, on an accepted visit, from `DOORSTEP_OPENS_BEFORE` the start until check-out, or
    `DOORSTEP_CLOSES_AFTER` the booked end if nobody checks out."""
    return (
        is_visit_worker(user, visit)
        and visit.status == Visit.Status.ACCEPTED
        and visit.checked_out_at is None
        and visit.starts - DOORSTEP_OPENS_BEFORE <= now <= visit.ends + DOORSTEP_CLOSES_AFTER
    )


def running_late_window(visit: Visit) -> tuple[datetime, datetime]:
    return visit.starts - RUNNING_LATE_OPENS_BEFORE, visit.ends


def may_say_running_late(user: User | AnonymousUser, visit: Visit, *, now: datetime) -> bool:
    """The visit's worker, on an accepted visit not yet checked in, around its start."""
    opens, closes = running_late_window(visit)
    return (
        is_visit_worker(user, visit)
        and visit.status == Visit.Status.ACCEPTED
        and visit.checked_in_at is None
        and opens <= now <= closes
    )


@dataclass(frozen=True)
class CheckOutWarning:
    """What a check-out now would mean, for the worker to confirm first: leaving early (the
    time that then counts, against the time booked) and tasks not ticked."""

    early_minutes: int | None
    booked_minutes: int
    counted_minutes: int
    unticked: list[str]

    def __bool__(self) -> bool:
        return self.early_minutes is not None or bool(self.unticked)


def check_out_warning(visit: Visit, *, now: datetime, policy: SchedulingPolicy) -> CheckOutWarning:
    early = early_by(visit, now=now, policy=policy)
    return CheckOutWarning(
        early_minutes=early,
        booked_minutes=visit.duration_minutes,
        counted_minutes=minutes_worked(visit, until=now) if early is not None else visit.duration_minutes,
        unticked=[str(task.get("label", "")) for task in visit.tasks if not task.get("done")],
    )


def may_settle_hours(user: User | AnonymousUser) -> bool:
    """Queried hours are settled by staff, who hear both sides."""
    return is_staff(user)


def hours_answer_deadline(visit: Visit, policy: SchedulingPolicy) -> datetime | None:
    if visit.checked_out_at is None:
        return None
    return visit.checked_out_at + timedelta(hours=policy.confirmation_hours)


def expenses_open(visit: Visit, *, now: datetime, policy: SchedulingPolicy) -> bool:
    """Expenses may be added or removed after the visit, while its hours wait for the person's
    answer and there is still time to give it: then the answer covers them. Once the hours are
    confirmed or queried they are frozen."""
    deadline = hours_answer_deadline(visit, policy)
    return visit.hours == Visit.Hours.PENDING and deadline is not None and now <= deadline


def may_add_expenses(
    user: User | AnonymousUser, visit: Visit, *, now: datetime, policy: SchedulingPolicy
) -> bool:
    """The worker who did the visit, while its expenses are open."""
    return is_visit_worker(user, visit) and expenses_open(visit, now=now, policy=policy)


@dataclass(frozen=True)
class VisitActions:
    """What this user may do with this visit now, and what they may see of it."""

    is_worker: bool
    receiver_side: bool
    sees_care: bool
    accept: bool
    decline: bool
    cancel: bool
    change: bool
    check_in: bool  # accepted and not checked in; `check_in_opens` says if it is too early yet
    check_in_opens: datetime | None
    deliver: bool  # checked in, not out: tick tasks, write the note, check out
    answer_hours: bool  # expenses confirmed or queried with them
    settle_hours: bool  # staff, on queried hours (striking expenses if need be)
    add_expenses: bool  # the worker, after the visit, while the hours wait for an answer
    answer_series: bool  # the worker offered a visit of a repeating booking: answer all its visits at once
    running_late: bool  # the worker, on the way: tell the person and the team

    def names(self) -> list[str]:
        """The actions offered, by name, for the API."""
        offered = (
            "accept",
            "decline",
            "cancel",
            "change",
            "check_in",
            "deliver",
            "answer_hours",
            "settle_hours",
            "add_expenses",
            "answer_series",
            "running_late",
        )
        return [name for name in offered if getattr(self, name)]


@dataclass(frozen=True)
class DoorstepActions:
    """What the worker can do at the door: a part of `VisitActions`, all a worker's today page
    offers for their next visit, read without the person's side's permissions."""

    check_in: bool  # accepted and not checked in; `check_in_opens` says if it is too early yet
    check_in_opens: datetime | None
    deliver: bool  # checked in, not out: tick tasks, write the note, check out


def doorstep_actions(
    user: User | AnonymousUser, visit: Visit, *, now: datetime, works_for: Collection[int] | None = None
) -> DoorstepActions:
    """`works_for`, from a caller who has read them: the people (membership ids) in whose team
    the visit's worker has a working place (rule 5)."""
    is_worker = is_visit_worker(user, visit)
    accepted = visit.status == Visit.Status.ACCEPTED
    check_in = (
        is_worker
        and accepted
        and visit.checked_in_at is None
        and (
            visit.receiver_id in works_for
            if works_for is not None
            else works_in_team(visit.worker, visit.receiver)
        )
    )
    opens, closes = check_in_window(visit)
    return DoorstepActions(
        check_in=check_in and now <= closes,
        check_in_opens=opens if check_in and now < opens else None,
        deliver=is_worker and accepted and visit.checked_in_at is not None and visit.checked_out_at is None,
    )


def visit_actions(
    user: User | AnonymousUser, visit: Visit, *, now: datetime, policy: SchedulingPolicy
) -> VisitActions:
    is_worker = is_visit_worker(user, visit)
    receiver_side = can_book(user, visit.receiver)
    doorstep = doorstep_actions(user, visit, now=now)
    deadline = hours_answer_deadline(visit, policy)
    return VisitActions(
        is_worker=is_worker,
        receiver_side=receiver_side,
        sees_care=is_worker or can_see_care(user, visit.receiver),
        accept=offer_waiting(visit, now) and may_take(user, visit),
        decline=offer_waiting(visit, now) and is_worker and not visit.is_open,
        cancel=may_cancel(user, visit, receiver_side=receiver_side),
        change=is_live(visit) and receiver_side,
        check_in=doorstep.check_in,
        check_in_opens=doorstep.check_in_opens,
        deliver=doorstep.deliver,
        answer_hours=visit.hours == Visit.Hours.PENDING
        and deadline is not None
        and now <= deadline
        and can_answer_hours(user, visit),
        settle_hours=visit.hours == Visit.Hours.QUERIED and may_settle_hours(user),
        add_expenses=is_worker and expenses_open(visit, now=now, policy=policy),
        answer_series=offer_waiting(visit, now)
        and is_worker
        and not visit.is_open
        and visit.series_id is not None,
        running_late=may_say_running_late(user, visit, now=now),
    )


def sees_visit_money(user: User | AnonymousUser, visit: Visit) -> bool:
    """Sees what a visit costs and its expenses: its worker, and the person's side who book and
    pay (the person, their circle with the power to book, the rota holder, staff); not the rest of
    the team, nor a circle member who only sees care."""
    if not user.is_authenticated:
        return False
    if visit.worker is not None and visit.worker.user_id == user.pk:
        return True
    return can_book(user, visit.receiver)


def sees_statement(user: User | AnonymousUser, member: Membership) -> bool:
    """Reads a member's monthly statements: the member, staff, or someone in a person's circle
    with the power to book for them (who already sees what each visit will cost)."""
    if not user.is_authenticated:
        return False
    if user.pk == member.user_id or is_staff(user):
        return True
    return member.member_class == MemberClass.RECEIVER and member_permissions.can_act_for(
        user, member, "can_book"
    )
