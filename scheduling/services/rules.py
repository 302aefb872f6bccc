"""The rules every visit service shares: times in Europe/London, spans, texts, team and overlap checks."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from matching.models import TeamMember
from members import selectors as member_selectors
from members.models import MemberClass, Membership, Profile, User, WeeklyTime
from scheduling import permissions
from scheduling.bookings import LONDON, LONGEST, SHORTEST
from scheduling.models import (
    SchedulingPolicy,
    Series,
    Visit,
)

TEXT_MAX = 2000


NOTE_MAX = 5000


TASKS_MAX = 30


@dataclass
class Booked:
    """What a booking made, and what the person should know about it (not refusals)."""

    visits: list[Visit]
    warnings: list[str] = field(default_factory=list)
    series: Series | None = None


def refuse(message: str, code: str, field_name: str | None = None) -> ApplicationError:
    fields = {field_name: [message]} if field_name else None
    if code == "not_allowed":
        return NotAllowedError(message, code=code, fields=fields)
    return ApplicationError(message, code=code, fields=fields)


def check_span(starts: datetime, ends: datetime) -> None:
    # In UTC: two times in London subtract by the wall clock, an hour out across a clock change.
    length = ends.astimezone(UTC) - starts.astimezone(UTC)
    if length < SHORTEST or length > LONGEST:
        raise refuse(_("A visit lasts from 30 minutes to 12 hours."), "bad_length", "ends")


def clean_tasks(tasks: Iterable[Any]) -> list[dict[str, Any]]:
    cleaned = []
    for task in tasks:
        label = str(task.get("label", "") if isinstance(task, dict) else task).strip()
        if label:
            if len(label) > 200:
                raise refuse(_("Keep each task under 200 characters."), "bad_task", "tasks")
            cleaned.append({"label": label, "done": False})
    if len(cleaned) > TASKS_MAX:
        raise refuse(_("A visit has at most 30 tasks."), "bad_task", "tasks")
    return cleaned


def clean_text(text: str, limit: int, field_name: str) -> str:
    text = (text or "").strip()
    if "\x00" in text:
        # PostgreSQL text cannot hold one: the driver raised and the page answered 500.
        message = _("This text has characters that cannot be kept (a null character).")
        raise refuse(message, "null_character", field_name)
    if len(text) > limit:
        raise refuse(_("Keep this under %(n)s characters.") % {"n": f"{limit:,}"}, "too_long", field_name)
    return text


def check_worker(worker: Membership, receiver: Membership, starts: datetime) -> None:
    """Rules 3 and 5, asked exactly: in the person's team, and bookable on the visit's day."""
    if worker.member_class != MemberClass.WORKER or not permissions.works_in_team(worker, receiver):
        raise refuse(_("Visits are booked with workers in the person's team."), "not_in_team", "worker")
    if not member_selectors.worker_is_bookable(membership=worker, on=timezone.localdate(starts)):
        raise refuse(
            _("This worker cannot be booked on that day: their checks are not current."),
            "not_bookable",
            "worker",
        )


@dataclass(frozen=True)
class Rates:
    """A worker's rates now: an hour, and a night's sleep-in (None: they do not do sleep-ins)."""

    hourly: int | None
    night: int | None


def rates_of(worker: Membership | None) -> Rates:
    row = (
        Profile.objects.filter(membership=worker)
        .values_list("hourly_rate_pence", "sleep_in_rate_pence")
        .first()
        if worker is not None
        else None
    )
    return Rates(*row) if row else Rates(None, None)


def no_sleep_in_rate(field_name: str = "worker") -> ApplicationError:
    return refuse(
        _("This worker does not do sleep-ins: they have no sleep-in rate. Choose another worker."),
        "no_sleep_in_rate",
        field_name,
    )


def check_sleep_in(worker: Membership | None, receiver: Membership) -> None:
    """A sleep-in is booked with a worker who has a sleep-in rate; an open one, in a team where
    someone has (else nobody could take it)."""
    if worker is not None:
        if not permissions.does_sleep_ins(worker):
            raise no_sleep_in_rate()
        return
    team = TeamMember.objects.working().filter(receiver=receiver).values("member_id")
    if not Profile.objects.filter(membership_id__in=team, sleep_in_rate_pence__isnull=False).exists():
        raise refuse(
            _("Nobody in the team does sleep-ins yet: none of them has a sleep-in rate."),
            "no_sleep_in_rate",
            "sleep_in",
        )


def overlaps(worker: Membership, starts: datetime, ends: datetime, *, besides: int | None = None) -> bool:
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


def save_accepted(visit: Visit, update_fields: list[str]) -> None:
    """Save a visit that is (now) accepted: the database refuses an overlap with a worker's other
    accepted visits; the check before it is what holds on SQLite."""
    if visit.worker is None:
        raise refuse(_("An accepted visit needs its worker."), "no_worker")
    if overlaps(visit.worker, visit.starts, visit.ends, besides=visit.pk):
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


def offer_expiry(starts: datetime, policy: SchedulingPolicy, now: datetime) -> datetime:
    """An offer waits until a set time before the start, but never less than an hour from now."""
    return max(starts - timedelta(hours=policy.offer_expiry_hours), min(now + timedelta(hours=1), starts))


def visit_lock(visit: Visit) -> Visit:
    return (
        Visit.objects.select_for_update(of=("self",))
        .select_related("receiver__user", "worker__user")
        .get(pk=visit.pk)
    )


def worker_of(user: User) -> Membership | None:
    membership = member_selectors.membership_current_for_user(user=user)
    return membership if membership and membership.member_class == MemberClass.WORKER else None
