"""Reading visits: calendars, one visit as a user may see it, the care log, notifications."""

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import (
    BigIntegerField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.db import MinutesBetween
from carecoop.permissions import is_staff
from carecoop.personal_data import Section, sections
from carecoop.tokens import token_hash
from matching.models import TeamMember
from members import pricing
from members import selectors as member_selectors
from members.models import CircleMember, MemberClass, Membership, Profile, User, WeeklyTime
from scheduling import permissions
from scheduling.bookings import (
    LONDON,
    LONGEST,
    SHORTEST,
    Booking,
    local_datetime,
    occurrence_dates,
    span_for,
    weekly_pattern,
)
from scheduling.models import (
    CalendarFeed,
    EmailChoice,
    LateNotice,
    Notification,
    Series,
    Statement,
    StatementLine,
    Visit,
    VisitExpense,
)

LIVE = [Visit.Status.OFFERED, Visit.Status.ACCEPTED]


def _with_people(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    return visits.select_related("receiver__profile", "worker__profile")


def as_cards(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    """Visits for cards (scheduling/_visit_item.html): a visit's own columns but its texts, and
    the person and the worker with what their faces need. A card list read with every column of
    the visit and both people's profiles took Django longer to build than the database to answer."""
    return visits.select_related("receiver__profile", "worker__profile").only(
        *_VISIT_CARD_FIELDS,
        *member_selectors.face_fields("receiver"),
        *member_selectors.face_fields("worker"),
    )


def booked_for(*, own: Membership | None, places: Iterable[CircleMember]) -> list[int]:
    """The people whose visits a user may book and answer for, from their membership now and
    their active places in circles: themselves if they get support, and those whose circle gives
    them the power to book. For a caller that has read both already."""
    receivers = {place.receiver_id for place in places if place.can_book}
    if own is not None and own.member_class == MemberClass.RECEIVER:
        receivers.add(own.pk)
    return sorted(receivers)


def _places_of(user: User) -> QuerySet[CircleMember]:
    """The user's active places in circles, with the powers that decide whose visits they see
    and book: for callers that have not read them (members.selectors.supporting_for_user)."""
    return CircleMember.objects.filter(supporter=user, status=CircleMember.Status.ACTIVE).only(
        "receiver", "can_view_care", "can_book"
    )


def _booked_for_by(user: User) -> list[int]:
    own = member_selectors.membership_current_for_user(user=user)
    return booked_for(own=own, places=_places_of(user))


def _seen_by(user: User, places: Iterable[CircleMember] | None = None) -> Q:
    """Every visit a user may see: their own as worker, open visits offered to teams they are in,
    the visits of the person they are (or act for with the power to see care or to book), and
    those of people whose rota they hold. A caller that has read the user's active places in
    circles (members.selectors.supporting_for_user) gives them as `places`.

    The people are looked up first, as ids: a filter of plain ids lets PostgreSQL use the indexes
    on (receiver, starts) and (worker, starts), where an OR over subqueries reads every visit."""
    own = member_selectors.membership_current_for_user(user=user)
    if places is None:
        places = _places_of(user)
    receivers = {place.receiver_id for place in places if place.can_view_care or place.can_book}
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
    *,
    user: User,
    start: datetime,
    end: datetime,
    receiver: Membership | None = None,
    places: Iterable[CircleMember] | None = None,
) -> QuerySet[Visit]:
    """The visits a user sees between two moments (offered and accepted, and what was cancelled
    so that nobody wonders where a visit went), in order. `places` as `_seen_by` takes them."""
    visits = Visit.objects.between(start, end).filter(status__in=[*LIVE, Visit.Status.CANCELLED])
    if receiver is not None and is_staff(user):
        # Staff see any person's visits (rule 9); the rest see what _seen_by lets them.
        visits = visits.filter(receiver=receiver)
    else:
        visits = visits.filter(_seen_by(user, places))
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


@dataclass(frozen=True)
class Doorstep:
    """What the worker on their way needs: where, how to get there, whom to call."""

    address: str
    postcode: str
    directions_url: str
    phone: str
    emergency_name: str
    emergency_relationship: str
    emergency_phone: str


def directions_url(*, address: str, postcode: str) -> str:
    """Directions to an address in the phone's maps (Google Maps' documented cross-platform link:
    it opens the maps app on a phone, the website elsewhere). No geocoding: the address as text."""
    place = ", ".join([line.strip() for line in address.splitlines() if line.strip()] + [postcode.strip()])
    return "https://www.google.com/maps/dir/?" + urlencode({"api": "1", "destination": place})


def visit_doorstep(*, visit: Visit) -> Doorstep:
    """The doorstep details of a visit's person. Callers show them only to whom
    `permissions.sees_doorstep` allows."""
    receiver = visit.receiver
    contact = member_selectors.emergency_contact_for(membership=receiver)
    return Doorstep(
        address=receiver.address,
        postcode=receiver.postcode,
        directions_url=directions_url(address=receiver.address, postcode=receiver.postcode),
        phone=member_selectors.phones_for(memberships=[receiver]).get(receiver.pk, ""),
        emergency_name=contact.name if contact else "",
        emergency_relationship=contact.relationship if contact else "",
        emergency_phone=member_selectors.phone_national(contact.phone) if contact else "",
    )


def visit_late_notices(*, visit: Visit) -> QuerySet[LateNotice]:
    return LateNotice.objects.filter(visit=visit).order_by("created_at", "pk")


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
    """For staff's home: visits starting in the next 48 hours that nobody has accepted (offered
    to a worker or open to the team), accepted visits whose start has passed with no check-in (nor
    check-out), and hours queried. Three counts, each of a partial index's few rows (one count of
    every visit with three filters read the whole table)."""
    return {
        "unfilled": Visit.objects.filter(
            status=Visit.Status.OFFERED, starts__gt=now, starts__lte=now + UNFILLED_AHEAD
        ).count(),
        "missed": Visit.objects.filter(
            status=Visit.Status.ACCEPTED,
            starts__lte=now,
            checked_in_at__isnull=True,
            checked_out_at__isnull=True,
        ).count(),
        "queried": Visit.objects.filter(hours=Visit.Hours.QUERIED).count(),
    }


def care_log(*, receiver: Membership) -> QuerySet[Visit]:
    """The person's visit notes, newest first. Ask `permissions.can_see_care` before showing it."""
    return _with_people(Visit.objects.filter(receiver=receiver, checked_out_at__isnull=False)).order_by(
        "-starts", "-pk"
    )


def visits_to_confirm(*, user: User, people: list[int] | None = None) -> QuerySet[Visit]:
    """Delivered visits whose hours wait for this user: the person, or someone with the power to
    book for them (the same people `permissions.can_answer_hours` lets answer). A caller that has
    read the user's membership and circles gives those `people`, as `booked_for` finds them."""
    receiver_ids = _booked_for_by(user) if people is None else people
    return as_cards(
        Visit.objects.filter(
            hours=Visit.Hours.PENDING, checked_out_at__isnull=False, receiver_id__in=receiver_ids
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


# The booking form shows the worker's week for at most this many of the days chosen.
CHECK_DAYS_SHOWN = 7
# ...and says at most this many warnings, then how many more there are.
CHECK_WARNINGS_SHOWN = 8


@dataclass(frozen=True)
class DayPlan:
    """One day chosen in the booking form, as the worker's week stands: the times they say they
    are free that weekday, the times they are already busy (only the times: whose visit it is
    stays private) and the visit being booked, all on the London clock."""

    day: date
    free: list[tuple[time, time]]
    busy: list[tuple[datetime, datetime]]
    asked: tuple[datetime, datetime] | None


@dataclass(frozen=True)
class BookingCheck:
    """What the booking form tells the person before they book: the worker's days, the warnings
    (the service books it all the same, or refuses it), and the cost."""

    worker: Membership | None
    days: list[DayPlan]
    more_days: int
    gives_free_times: bool
    warnings: list[str]
    more_warnings: int
    estimate: Estimate | None
    priced: bool
    sleep_in: bool


def _fits(free: Sequence[WeeklyTime], starts: datetime, ends: datetime) -> bool:
    # As availability_warnings asks it: inside one free time that weekday; an overnight visit
    # needs that day's free time to run to midnight.
    end_time = ends.time() if ends.date() == starts.date() else time(23, 59)
    return any(slot.starts <= starts.time() and slot.ends >= end_time for slot in free)


def booking_check(
    *,
    receiver: Membership,
    worker: Membership | None,
    days: Sequence[date],
    times: tuple[time, time] | None,
    sleep_in: bool = False,
    booking: Booking | None = None,
    share: pricing.Share,
    now: datetime,
) -> BookingCheck:
    """The worker's free and busy times on the days chosen, and the warnings for the times picked
    (in the past, too short or long, outside their free times, over another of their visits, their
    checks not current), read in a fixed number of queries however many days and visits there are.
    `booking` (when the times are known) is priced as booking_estimate prices it."""
    spans = [span_for(day, *times) for day in days] if times else []
    weekly: list[WeeklyTime] = []
    busy: list[Visit] = []
    if worker is not None and days:
        weekly = list(
            WeeklyTime.objects.filter(profile__membership=worker, kind=WeeklyTime.Kind.AVAILABLE).order_by(
                "weekday", "starts"
            )
        )
        first = local_datetime(min(days), time())
        last = local_datetime(max(days) + timedelta(days=2), time())
        busy = list(
            Visit.objects.filter(worker=worker, status__in=LIVE)
            .between(first, last)
            .only("starts", "ends")
            .order_by("starts")
        )
    free_by_day: dict[int, list[WeeklyTime]] = {}
    for slot in weekly:
        free_by_day.setdefault(slot.weekday, []).append(slot)

    plans = []
    for index, day in enumerate(days[:CHECK_DAYS_SHOWN]):
        day_start = local_datetime(day, time())
        day_end = local_datetime(day + timedelta(days=1), time())
        plans.append(
            DayPlan(
                day=day,
                free=[(slot.starts, slot.ends) for slot in free_by_day.get(day.weekday(), [])],
                busy=[
                    (visit.starts.astimezone(LONDON), visit.ends.astimezone(LONDON))
                    for visit in busy
                    if visit.starts < day_end and visit.ends > day_start
                ],
                asked=(spans[index][0], spans[index][1]) if spans else None,
            )
        )

    warnings: list[str] = []
    if spans:
        starts, ends = spans[0]
        length = ends.astimezone(UTC) - starts.astimezone(UTC)
        if length < SHORTEST or length > LONGEST:
            warnings.append(_("A visit lasts from 30 minutes to 12 hours: change the times."))
        if starts <= now:
            warnings.append(_("That time has passed: choose a time in the future."))
    if worker is not None and days and not member_selectors.worker_is_bookable(membership=worker, on=days[0]):
        warnings.append(_("This worker cannot be booked on that day: their checks are not current."))
    many = len(spans) > 1
    busy_starts = [visit.starts for visit in busy]
    for starts, ends in spans:
        if worker is None:
            break
        label = f"{starts:%a %-d %b}: " if many else ""
        if weekly and not _fits(free_by_day.get(starts.weekday(), []), starts, ends):
            warnings.append(label + _("This is outside the times the worker says they are free."))
        # Visits last at most LONGEST: only those starting that long before can reach this one.
        nearby = busy[bisect_left(busy_starts, starts - LONGEST) : bisect_left(busy_starts, ends)]
        if any(visit.ends > starts for visit in nearby):
            warnings.append(label + _("The worker already has a visit then: they cannot accept both."))
    return BookingCheck(
        worker=worker,
        days=plans,
        more_days=max(len(days) - CHECK_DAYS_SHOWN, 0),
        gives_free_times=bool(weekly),
        warnings=warnings[:CHECK_WARNINGS_SHOWN],
        more_warnings=max(len(warnings) - CHECK_WARNINGS_SHOWN, 0),
        estimate=booking_estimate(booking=booking, share=share) if booking is not None else None,
        priced=booking is not None,
        sleep_in=sleep_in,
    )


# --- Today: a member's day at a glance (governance's today page) ----------------------------------

TODAY_LIMIT = 10


@dataclass(frozen=True)
class SeriesOffer:
    """A repeating booking offered to a worker, answered as a whole from the page of its first
    visit still waiting (decision 26)."""

    series: Series
    first_pk: int
    first_starts: datetime
    count: int

    @property
    def pattern(self) -> str:
        series = self.series
        return weekly_pattern(
            weekdays=series.weekdays,
            starts_at=series.starts_at,
            ends_at=series.ends_at,
            every_weeks=series.every_weeks,
        )


@dataclass(frozen=True)
class WorkerDay:
    next_visit: Visit | None
    today: list[Visit]
    tomorrow: list[Visit]
    offers: list[Visit]
    series_offers: list[SeriesOffer]
    open_visits: list[Visit]
    hours_waiting: list[Visit]
    # The people (membership ids) in whose team the worker has a working place (rule 5).
    works_for: frozenset[int] = frozenset()


# A visit's own columns a card shows (scheduling/_visit_item.html, the cards of today's page) and
# the doorstep's rules read (scheduling.permissions.doorstep_actions): when, who, and where it
# stands. Not its money, texts or answers: every column selected is work for Django to compile
# and build, for each card.
_VISIT_CARD_FIELDS = (
    "id",
    "receiver",
    "worker",
    "is_open",
    "series",
    "starts",
    "ends",
    "sleep_in",
    "status",
    "offer_expires_at",
    "checked_in_at",
    "checked_out_at",
    "hours",
)
# What a card of a visit on a worker's today page shows, and what deciding their next visit's
# buttons reads: the notes, reasons and the people's profiles beyond their names stay unread.
# Building every column of a day of visits and their people was most of the page's time.
_CARD_FIELDS = (*_VISIT_CARD_FIELDS, *member_selectors.face_fields("receiver"))


def _card_rows(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    """Visits for a worker's today cards, in time order: `_CARD_FIELDS`, with their person."""
    return visits.select_related("receiver__profile").only(*_CARD_FIELDS).order_by("starts", "pk")


def _cards(visits: QuerySet[Visit], *, limit: int, worker: Membership | None) -> list[Visit]:
    """The first visits in time order, for cards, each with their person and the worker given (the
    member whose day it is, rather than joined again for every visit; None for open visits)."""
    cards = list(_card_rows(visits)[:limit])
    for visit in cards:
        visit.worker = worker
    return cards


def _cards_together(lists: Sequence[tuple[QuerySet[Visit], int]]) -> list[list[Visit]]:
    """The first visits of each queryset in time order, for cards, each with their person (the
    caller gives them their worker), read in one query: each list's rows, tagged with its
    place, joined by UNION ALL and put in order again, since a union promises none. A worker's
    today page reads four such lists; each query of its own cost more for Django to build than
    PostgreSQL took to answer it. SQLite (the quick start's database) cannot limit the parts of
    a union: there, each list is a query of its own."""
    ordered = [(_card_rows(visits), limit) for visits, limit in lists]
    if not connection.features.supports_slicing_ordering_in_compound:
        return [list(visits[:limit]) for visits, limit in ordered]
    tagged = [
        visits.annotate(card_list=Value(place, output_field=IntegerField()))[:limit]
        for place, (visits, limit) in enumerate(ordered)
    ]
    found: list[list[Visit]] = [[] for _ in lists]
    for visit in tagged[0].union(*tagged[1:], all=True).order_by("card_list", "starts", "pk"):
        found[visit.card_list].append(visit)
    return found


def _offers_waiting_for(worker: Membership, now: datetime) -> QuerySet[Visit]:
    return Visit.objects.filter(
        worker=worker, is_open=False, status=Visit.Status.OFFERED, offer_expires_at__gt=now
    )


def worker_day(*, worker: Membership, now: datetime, limit: int = TODAY_LIMIT) -> WorkerDay:
    """What a worker's today page shows, in four queries at most however much there is (three
    when the next visit is today or tomorrow; three more on SQLite, see `_cards_together`): the
    next visit they have accepted and not finished, their accepted visits today and tomorrow,
    the offers waiting for their answer (a repeating booking as one), the open visits of the
    teams they work in, and the visits whose hours wait for the person's answer. Each list
    holds at most `limit`."""
    today = timezone.localdate(now)
    day_start = _local_midnight(today)
    day_after = _local_midnight(today + timedelta(days=2))
    mine = Visit.objects.filter(worker=worker)
    waiting = _offers_waiting_for(worker, now)
    # The people first, as ids: given a list, PostgreSQL reads each one's open visits from the
    # visit_open_to_team index; given a subquery, it guessed few open visits in the town and read
    # them all (1,506 of them for 9, at 10,000 members).
    teams = list(TeamMember.objects.working().filter(member=worker).values_list("receiver_id", flat=True))
    two_days, offers, open_visits, hours_waiting = _cards_together(
        [
            (mine.filter(status=Visit.Status.ACCEPTED).between(day_start, day_after), 2 * limit),
            (waiting.filter(series__isnull=True), limit),
            (
                Visit.objects.filter(
                    is_open=True,
                    worker__isnull=True,
                    status=Visit.Status.OFFERED,
                    offer_expires_at__gt=now,
                    receiver_id__in=teams,
                ),
                limit,
            ),
            (mine.filter(hours=Visit.Hours.PENDING, checked_out_at__isnull=False), limit),
        ]
    )
    for visit in (*two_days, *offers, *hours_waiting):
        visit.worker = worker
    # The next visit is the first of these not yet over nor checked out, if one is: any other
    # accepted visit starts after them, or ended before today began. Asked for only if none is.
    next_visit = next(
        (visit for visit in two_days if visit.ends > now and visit.checked_out_at is None), None
    ) or next(
        iter(
            _cards(
                mine.filter(status=Visit.Status.ACCEPTED, ends__gt=now, checked_out_at__isnull=True),
                limit=1,
                worker=worker,
            )
        ),
        None,
    )
    tomorrow_start = _local_midnight(today + timedelta(days=1))
    in_series = waiting.filter(series=OuterRef("pk"))
    series = list(
        Series.objects.filter(pk__in=waiting.filter(series__isnull=False).values("series"))
        .annotate(
            offered=Subquery(
                in_series.order_by().values("series").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            first_pk=Subquery(in_series.order_by("starts", "pk").values("pk")[:1]),
            first_starts=Subquery(in_series.order_by("starts", "pk").values("starts")[:1]),
        )
        .select_related("receiver__profile")
        .only(*(f.name for f in Series._meta.concrete_fields), *member_selectors.face_fields("receiver"))
        .order_by("first_starts", "pk")[:limit]
    )
    series_offers = [
        SeriesOffer(
            series=row,
            first_pk=row.first_pk,
            first_starts=row.first_starts,
            count=row.offered,
        )
        for row in series
    ]
    return WorkerDay(
        next_visit=next_visit,
        today=[visit for visit in two_days if visit.starts < tomorrow_start][:limit],
        tomorrow=[visit for visit in two_days if visit.starts >= tomorrow_start][:limit],
        offers=offers,
        series_offers=series_offers,
        open_visits=open_visits,
        hours_waiting=hours_waiting,
        works_for=frozenset(teams),
    )


def visits_coming_for(*, receiver_ids: list[int], now: datetime, each: int = 5) -> dict[int, list[Visit]]:
    """For each of these people, their next visits not yet finished (offered, open or accepted),
    soonest first, at most `each` a person: one query however many people and visits. Each visit
    has its worker and what their face needs, not the person (the caller has them)."""
    if not receiver_ids:
        return {}
    coming = (
        # A visit still to end started at most LONGEST ago: said, so the index on a person's visits
        # is read from then on, not from their first visit years back.
        Visit.objects.filter(
            status__in=LIVE, ends__gt=now, starts__gt=now - LONGEST, checked_out_at__isnull=True
        )
        # The caller knows the people; each visit brings its worker, with what a face needs.
        .select_related("worker__profile")
        .only(*_VISIT_CARD_FIELDS, *member_selectors.face_fields("worker"))
    )
    if len(receiver_ids) == 1:
        # One person, as on their own page: their first visits, without ranking them by person
        # (a query in a query, which took Django three times as long to build).
        (pk,) = receiver_ids
        return {pk: list(coming.filter(receiver_id=pk).order_by("starts", "pk")[:each])}
    found: dict[int, list[Visit]] = {pk: [] for pk in receiver_ids}
    for visit in (
        coming.filter(receiver_id__in=receiver_ids)
        .annotate(place=Window(RowNumber(), partition_by=[F("receiver_id")], order_by=[F("starts"), F("pk")]))
        .filter(place__lte=each)
        .order_by("receiver_id", "starts", "pk")
    ):
        found[visit.receiver_id].append(visit)
    return found


def _local_midnight(day: date) -> datetime:
    return local_datetime(day, time.min)


def personal_data_for(*, user: User) -> list[Section]:
    """Visits, their notes and what goes with them, about the user or done by them.

    About a person getting support: every visit to them, with the notes each worker wrote (the
    care log is theirs). About a worker: the visits they were booked for, with their own check-in
    and notes, and nothing of the other visits to the same people."""
    received = Q(receiver__user=user)
    worked = Q(worker__user=user)
    on_their_visits = Q(visit__receiver__user=user) | Q(visit__worker__user=user)
    return sections(
        [
            ("visit_patterns", _("Weekly visit patterns"), Series.objects.filter(received | worked)),
            (
                "visits_received",
                _("Visits to you, with their care-log notes"),
                Visit.objects.filter(received),
            ),
            (
                "visits_worked",
                _("Visits you were booked for as a worker, with your check-in, check-out and notes"),
                Visit.objects.filter(worked),
            ),
            ("expenses", _("Expenses on your visits"), VisitExpense.objects.filter(on_their_visits)),
            ("late_notices", _("Running late"), LateNotice.objects.filter(on_their_visits)),
            ("notifications", _("Your notifications"), Notification.objects.filter(user=user)),
            ("email_choices", _("Your email choices"), EmailChoice.objects.filter(user=user)),
            ("calendar_feeds", _("Your calendar address"), CalendarFeed.objects.filter(user=user)),
            ("statements", _("Your statements"), Statement.objects.filter(member__user=user)),
            (
                "statement_lines",
                _("The lines of your statements"),
                StatementLine.objects.filter(statement__member__user=user),
            ),
        ]
    )
