"""Reading visits: calendars, one visit as a user may see it, the care log, notifications."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import BigIntegerField, Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from carecoop.db import MinutesBetween
from carecoop.permissions import is_staff
from carecoop.tokens import token_hash
from matching.models import TeamMember
from members import pricing
from members import selectors as member_selectors
from members.models import CircleMember, MemberClass, Membership, Profile, User
from scheduling import permissions
from scheduling.bookings import Booking, occurrence_dates, span_for
from scheduling.models import CalendarFeed, Notification, Series, Visit, VisitExpense

LIVE = [Visit.Status.OFFERED, Visit.Status.ACCEPTED]


def _with_people(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    return visits.select_related("receiver__profile", "worker__profile")


def _booked_for_by(user: User) -> list[int]:
    """The people whose visits this user may book and answer for: themselves, and those whose
    circle gives them the power to book."""
    own = member_selectors.membership_current_for_user(user=user)
    receivers = set(
        CircleMember.objects.filter(
            supporter=user, status=CircleMember.Status.ACTIVE, can_book=True
        ).values_list("receiver_id", flat=True)
    )
    if own is not None and own.member_class == MemberClass.RECEIVER:
        receivers.add(own.pk)
    return sorted(receivers)


def _seen_by(user: User) -> Q:
    """Every visit a user may see: their own as worker, open visits offered to teams they are in,
    the visits of the person they are (or act for with the power to see care or to book), and
    those of people whose rota they hold.

    The people are looked up first, as ids: a filter of plain ids lets PostgreSQL use the indexes
    on (receiver, starts) and (worker, starts), where an OR over subqueries reads every visit."""
    own = member_selectors.membership_current_for_user(user=user)
    receivers = set(
        CircleMember.objects.filter(supporter=user, status=CircleMember.Status.ACTIVE)
        .filter(Q(can_view_care=True) | Q(can_book=True))
        .values_list("receiver_id", flat=True)
    )
    # A rota role counts only while its holder is still in the team (or the circle, above): the
    # role may have outlived their place.
    receivers.update(
        TeamMember.objects.filter(
            member__user=user,
            receiver_id__in=user.team_roles.filter(
                ended_at__isnull=True, name__iexact=permissions.ROTA_HOLDER
            ).values("receiver_id"),
        )
        .active()
        .values_list("receiver_id", flat=True)
    )
    seen = Q(pk__in=[])
    if own is not None:
        receivers.add(own.pk)
        if own.member_class == MemberClass.WORKER:
            teams = list(
                TeamMember.objects.working().filter(member=own).values_list("receiver_id", flat=True)
            )
            seen |= Q(worker=own) | Q(is_open=True, status=Visit.Status.OFFERED, receiver_id__in=teams)
    if receivers:
        seen |= Q(receiver_id__in=sorted(receivers))
    return seen


def calendar_for_user(
    *, user: User, start: datetime, end: datetime, receiver: Membership | None = None
) -> QuerySet[Visit]:
    """The visits a user sees between two moments (offered and accepted, and what was cancelled
    so that nobody wonders where a visit went), in order."""
    visits = Visit.objects.between(start, end).filter(status__in=[*LIVE, Visit.Status.CANCELLED])
    if receiver is not None and is_staff(user):
        # Staff see any person's visits (rule 9); the rest see what _seen_by lets them.
        visits = visits.filter(receiver=receiver)
    else:
        visits = visits.filter(_seen_by(user))
        if receiver is not None:
            visits = visits.filter(receiver=receiver)
    return _with_people(visits).order_by("starts", "pk")


def visits_for_worker(*, worker: Membership, start: datetime, end: datetime) -> QuerySet[Visit]:
    """A worker's own visits (offered and accepted) in a span: the four weeks ahead, say."""
    return _with_people(Visit.objects.between(start, end).filter(worker=worker, status__in=LIVE)).order_by(
        "starts", "pk"
    )


def series_get_for_user(*, user: User | AnonymousUser, pk: int) -> Series:
    """A repeating booking, if the user may see it (as they would its visits); 404 otherwise."""
    if not user.is_authenticated:
        raise Http404
    series = Series.objects.filter(pk=pk).select_related("receiver__user", "worker__user").first()
    if series is None:
        raise Http404
    if (
        (series.worker is not None and series.worker.user_id == user.pk)
        or permissions.can_see_care(user, series.receiver)
        or permissions.can_book(user, series.receiver)
        or Visit.objects.filter(series=series, worker__user=user).exists()
    ):
        return series
    raise Http404


def visit_get_for_user(*, user: User | AnonymousUser, pk: int) -> Visit:
    """One visit, if the user may see it; 404 otherwise: what one may not see, one cannot learn
    exists."""
    if not user.is_authenticated:
        raise Http404
    visit = _with_people(Visit.objects.filter(pk=pk)).select_related("receiver__user", "worker__user").first()
    if visit is None:
        raise Http404
    # Rule 9: the person, their circle (with the power), their team and staff; and the worker.
    if (visit.worker is not None and visit.worker.user_id == user.pk) or (
        permissions.can_see_care(user, visit.receiver) or permissions.can_book(user, visit.receiver)
    ):
        return visit
    raise Http404


def visit_expenses(*, visit: Visit) -> QuerySet[VisitExpense]:
    """A visit's expenses, in the order they were added (struck ones too, marked). Whoever may
    see the visit (`visit_get_for_user`) may see them: the person, their circle, the team, staff
    and the worker."""
    return VisitExpense.objects.filter(visit=visit).order_by("created_at", "pk")


def visit_expense_get_for_user(*, user: User | AnonymousUser, visit_pk: int, pk: int) -> VisitExpense:
    """One expense of a visit the user may see; 404 otherwise."""
    visit = visit_get_for_user(user=user, pk=visit_pk)
    expense = VisitExpense.objects.filter(visit=visit, pk=pk).first()
    if expense is None:
        raise Http404
    expense.visit = visit
    return expense


def visits_hours_queried() -> QuerySet[Visit]:
    """Visits whose hours are queried, oldest query first: staff's queue to settle."""
    return (
        _with_people(Visit.objects.filter(hours=Visit.Hours.QUERIED))
        .select_related("hours_answered_by")
        .order_by("hours_answered_at", "pk")
    )


UNFILLED_AHEAD = timedelta(hours=48)


def visits_unfilled_counts(*, now: datetime) -> dict[str, int]:
    """For staff's home, in one query: visits starting in the next 48 hours that nobody has
    accepted (offered to a worker or open to the team), and accepted visits whose start has
    passed with no check-in (nor check-out)."""
    return Visit.objects.aggregate(
        unfilled=Count(
            "pk",
            filter=Q(status=Visit.Status.OFFERED, starts__gt=now, starts__lte=now + UNFILLED_AHEAD),
        ),
        missed=Count(
            "pk",
            filter=Q(
                status=Visit.Status.ACCEPTED,
                starts__lte=now,
                checked_in_at__isnull=True,
                checked_out_at__isnull=True,
            ),
        ),
        queried=Count("pk", filter=Q(hours=Visit.Hours.QUERIED)),
    )


def care_log(*, receiver: Membership) -> QuerySet[Visit]:
    """The person's visit notes, newest first. Ask `permissions.can_see_care` before showing it."""
    return _with_people(Visit.objects.filter(receiver=receiver, checked_out_at__isnull=False)).order_by(
        "-starts", "-pk"
    )


def visits_to_confirm(*, user: User) -> QuerySet[Visit]:
    """Delivered visits whose hours wait for this user: the person, or someone with the power to
    book for them (the same people `permissions.can_answer_hours` lets answer)."""
    return _with_people(
        Visit.objects.filter(
            hours=Visit.Hours.PENDING, checked_out_at__isnull=False, receiver_id__in=_booked_for_by(user)
        ).exclude(worker__user=user)
    ).order_by("starts")


def series_visits_to_come(*, series_id: int) -> int:
    """How many of a repeating booking's visits are still to come (what cancelling it cancels)."""
    return Visit.objects.filter(
        series_id=series_id, status__in=LIVE, starts__gt=timezone.now(), checked_in_at__isnull=True
    ).count()


def series_offered_to(*, series_id: int, user: User) -> int:
    """How many of a repeating booking's visits wait for this worker's answer (what answering the
    whole booking answers)."""
    return Visit.objects.filter(
        series_id=series_id,
        worker__user=user,
        is_open=False,
        status=Visit.Status.OFFERED,
        offer_expires_at__gt=timezone.now(),
    ).count()


def notifications_for(*, user: User, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(user=user).select_related("visit")[:limit])


def notifications_unread_count(*, user: User) -> int:
    """How many of the user's notifications are unread: one query on the partial index of the unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def feed_user(*, token: str) -> User | None:
    """The user whose private calendar address carries this token, while they are active."""
    feed = CalendarFeed.objects.select_related("user").filter(token_hash=token_hash(token)).first()
    return feed.user if feed and feed.user.is_active else None


# --- What a booking will cost ------------------------------------------------------------------------

# A repeating booking runs at most 500 visits (the service's limit): ten years is well past it.
_ESTIMATE_REACH = timedelta(days=3653)


@dataclass(frozen=True)
class Estimate:
    """What a booking will cost, before it is made: its number of visits, and the whole booking at
    the lowest and the highest rate it may be taken at (the same, when a worker is named; an open
    visit costs what the rate of whoever in the team takes it makes it)."""

    visits: int
    cheapest: pricing.Cost
    dearest: pricing.Cost

    @property
    def one_rate(self) -> bool:
        return self.cheapest == self.dearest


def booking_estimate(*, booking: Booking, share: pricing.Share) -> Estimate | None:
    """The cost of every visit the booking would make, each worked out by members.pricing as the
    visit will be (a sleep-in at the night's rate) and added up; None when no rate is known yet
    (nobody in the team has one, or for a sleep-in no sleep-in rate)."""
    repeat = booking.repeat
    if repeat is None:
        spans = [(booking.starts, booking.ends)]
    else:
        days = occurrence_dates(
            weekdays=repeat.weekdays,
            first_date=repeat.first_date,
            every_weeks=repeat.every_weeks,
            until=repeat.until,
            count=repeat.count,
            through=repeat.first_date + _ESTIMATE_REACH,
        )
        spans = [span_for(day, repeat.starts_at, repeat.ends_at) for day in days]
    # Real minutes: two London times subtract by the wall clock, so the night the clocks change
    # would be an hour out; in UTC it is not (the visit stores UTC and is priced so).
    minutes = [
        int((ends.astimezone(UTC) - starts.astimezone(UTC)).total_seconds() // 60) for starts, ends in spans
    ]
    workers = (
        [booking.worker]
        if booking.worker is not None
        else [place.member for place in TeamMember.objects.working().filter(receiver=booking.receiver)]
    )
    # A sleep-in is priced at the night's flat rate, whatever its length (decision 25).
    rate_field = "sleep_in_rate_pence" if booking.sleep_in else "hourly_rate_pence"
    rates = sorted(
        {
            rate
            for rate in Profile.objects.filter(membership__in=workers).values_list(rate_field, flat=True)
            if rate is not None
        }
    )
    if not rates or not minutes:
        return None

    def one(rate: int, minutes: int) -> pricing.Cost:
        if booking.sleep_in:
            return pricing.night(rate, share)
        return pricing.cost_of(rate_pence=rate, minutes=minutes, share=share)

    def whole(rate: int) -> pricing.Cost:
        costs = [one(rate, m) for m in minutes]
        return pricing.Cost(
            worker_gets=sum(c.worker_gets for c in costs), person_pays=sum(c.person_pays for c in costs)
        )

    return Estimate(visits=len(minutes), cheapest=whole(rates[0]), dearest=whole(rates[-1]))


def _confirmed_minutes_by(member: str, *, start: datetime, end: datetime) -> dict[int, int]:
    # Decision 20: only confirmed hours count; each visit counts its worked minutes if they were
    # counted otherwise, else its booked length. Added up by the database, one row per member.
    rows = (
        Visit.objects.filter(
            status=Visit.Status.ACCEPTED,
            hours=Visit.Hours.CONFIRMED,
            starts__gte=start,
            starts__lt=end,
            **{f"{member}__isnull": False},
        )
        .order_by()
        .values(member)
        .annotate(
            minutes=Sum(
                Coalesce("worked_minutes", MinutesBetween("starts", "ends"), output_field=BigIntegerField())
            )
        )
        .values_list(member, "minutes")
    )
    return {int(pk): int(minutes or 0) for pk, minutes in rows}


def confirmed_minutes_by_worker(*, start: datetime, end: datetime) -> dict[int, int]:
    """Each worker's (membership id) confirmed minutes worked on visits starting from `start`
    up to (not including) `end`. One query, whatever the number of visits."""
    return _confirmed_minutes_by("worker", start=start, end=end)


def confirmed_minutes_by_receiver(*, start: datetime, end: datetime) -> dict[int, int]:
    """Each person's (membership id) confirmed minutes of support received on visits starting
    from `start` up to (not including) `end`. One query."""
    return _confirmed_minutes_by("receiver", start=start, end=end)
