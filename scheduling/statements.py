"""Monthly statements: what each person getting support was charged and each worker earned, by
the month their visits started in (London time), from confirmed hours only (decision 20).

A month is open until staff close it (decision 22). An open month's statement is worked out from
the visits as they stand; closing keeps every member's statement as it was (scheduling.Statement),
and a closed one never changes. A visit confirmed after its month closed is posted once, to the
first open month's statement, as an adjustment; the database refuses to post a visit twice on
the same side.

Reads only: closing is scheduling.services.statements."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Exists, OuterRef, Q, Sum, Value
from django.http import Http404
from django.utils import timezone

from members import pricing
from members.models import MemberClass, Membership, Policy, User
from scheduling import permissions
from scheduling.bookings import LONDON, local_datetime
from scheduling.models import ClosedMonth, Statement, StatementLine, StatementSide, Visit, VisitQuerySet

Side = StatementSide


@dataclass(frozen=True)
class Line:
    """A visit on a statement, in pence: `amount` is what the person was charged (person's side)
    or what the worker earned (worker's side); `coop` what the co-op kept of the visit."""

    visit_id: int
    starts: datetime
    other: str
    minutes: int
    amount_pence: int
    coop_pence: int
    expenses_pence: int = 0
    late: bool = False

    @property
    def total_pence(self) -> int:
        return self.amount_pence + self.expenses_pence


@dataclass(frozen=True)
class MonthStatement:
    """One member's statement for one month: its lines, and its totals added up from them."""

    member: Membership
    side: str
    month: date
    lines: tuple[Line, ...] = ()
    closed_at: datetime | None = None
    stored: Statement | None = field(default=None, compare=False)

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def visit_lines(self) -> list[Line]:
        return [line for line in self.lines if not line.late]

    @property
    def adjustments(self) -> list[Line]:
        return [line for line in self.lines if line.late]

    @property
    def visits(self) -> int:
        return len(self.lines)

    @property
    def minutes(self) -> int:
        return sum(line.minutes for line in self.lines)

    @property
    def amount_pence(self) -> int:
        return sum(line.amount_pence for line in self.lines)

    @property
    def coop_pence(self) -> int:
        return sum(line.coop_pence for line in self.lines)

    @property
    def expenses_pence(self) -> int:
        return sum(line.expenses_pence for line in self.lines)

    @property
    def total_pence(self) -> int:
        return self.amount_pence + self.expenses_pence

    @property
    def is_person(self) -> bool:
        return self.side == Side.PERSON


# --- Months -----------------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def this_month() -> date:
    return month_start(timezone.localtime(timezone.now(), LONDON).date())


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The instants a month starts and ends at in London (a visit's month is its start's)."""
    return local_datetime(month, time()), local_datetime(next_month(month), time())


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment, LONDON)


def is_over(month: date) -> bool:
    return month_bounds(month)[1] <= timezone.now()


def last_closed_month() -> ClosedMonth | None:
    return ClosedMonth.objects.order_by("-month").first()


def first_open_month() -> date | None:
    """The month after the last closed one: the next statement, where adjustments go. None
    before any month has closed."""
    last = last_closed_month()
    return next_month(last.month) if last else None


def side_of(member: Membership) -> str | None:
    """The statement a member has: a person getting support pays, a worker is paid; members of
    the other classes have none."""
    return {MemberClass.RECEIVER: Side.PERSON, MemberClass.WORKER: Side.WORKER}.get(
        MemberClass(member.member_class)
    )


# --- Working out an open month --------------------------------------------------------------------


def confirmed_visits() -> VisitQuerySet:
    """Visits whose money counts: accepted, delivered and with their hours confirmed (by the
    person, by nobody querying them in time, or settled by staff)."""
    return Visit.objects.filter(status=Visit.Status.ACCEPTED, hours=Visit.Hours.CONFIRMED)


def _member_field(side: str) -> str:
    return "receiver" if side == Side.PERSON else "worker"


def _line(visit: Visit, side: str, share: pricing.Share, *, late: bool) -> Line:
    cost = visit.cost(share) or pricing.Cost(worker_gets=0, person_pays=0)
    other = visit.worker if side == Side.PERSON else visit.receiver
    return Line(
        visit_id=visit.pk,
        starts=visit.starts,
        other=other.shown_name if other is not None else "",
        minutes=visit.counted_minutes,
        amount_pence=cost.person_pays if side == Side.PERSON else cost.worker_gets,
        coop_pence=cost.coop_keeps,
        expenses_pence=getattr(visit, "expenses_pence", 0) or 0,
        late=late,
    )


def hours_waiting(month: date) -> int:
    """Visits of the month delivered or due whose hours are not confirmed yet (waiting for the
    person's answer, or queried): closing now leaves them to the next statement."""
    start, end = month_bounds(month)
    return (
        Visit.objects.filter(status=Visit.Status.ACCEPTED, starts__gte=start, starts__lt=end)
        .exclude(hours=Visit.Hours.CONFIRMED)
        .count()
    )


def _month_visits(month: date, side: str, members: Iterable[int] | None) -> VisitQuerySet:
    start, end = month_bounds(month)
    visits = confirmed_visits().filter(starts__gte=start, starts__lt=end)
    if members is not None:
        visits = visits.filter(**{f"{_member_field(side)}_id__in": list(members)})
    return visits


def first_closed_month() -> date | None:
    """When statements began: months before the first closed are never closed (their
    statements stay as worked out), and hold no adjustments."""
    return ClosedMonth.objects.order_by("month").values_list("month", flat=True).first()


def _late_visits(month: date, side: str, members: Iterable[int] | None) -> VisitQuerySet:
    """Visits of months already closed, confirmed since, and not yet on any statement of this
    side: they go on the first open month's statement."""
    began = first_closed_month()
    if began is None:
        return Visit.objects.none()
    posted = StatementLine.objects.filter(visit=OuterRef("pk"), side=side)
    visits = (
        confirmed_visits()
        .filter(starts__gte=month_bounds(began)[0], starts__lt=month_bounds(month)[0])
        .filter(~Exists(posted))
    )
    if members is not None:
        visits = visits.filter(**{f"{_member_field(side)}_id__in": list(members)})
    return visits


def open_lines(
    *,
    month: date,
    side: str,
    members: Iterable[int] | None = None,
    share: pricing.Share | None = None,
) -> dict[int, list[Line]]:
    """Each member's lines for an open month, by member id: the month's confirmed visits and,
    on the first open month, the adjustments. Each visit is priced
    by members.pricing."""
    share = share or Policy.current()
    wanted = list(members) if members is not None else None
    by_member: dict[int, list[Line]] = defaultdict(list)
    queries = [(_month_visits(month, side, wanted), False)]
    if month == first_open_month():
        queries.append((_late_visits(month, side, wanted), True))
    counterpart = "worker__profile" if side == Side.PERSON else "receiver__profile"
    for visits, late in queries:
        for visit in visits.with_expenses_total().select_related(counterpart).order_by("starts", "pk"):
            member_id = visit.receiver_id if side == Side.PERSON else visit.worker_id
            if member_id is not None:
                by_member[member_id].append(_line(visit, side, share, late=late))
    for lines in by_member.values():
        lines.sort(key=lambda line: (line.late, line.starts))
    return by_member


def open_lines_both_sides(
    *, month: date, share: pricing.Share, with_late: bool
) -> dict[str, dict[int, list[Line]]]:
    """Every member's lines for an open month, both sides, from one read of the month's visits
    and one of the adjustments: a visit confirmed while a month closes is on both sides'
    statements, or on neither (and then on the next), never on one alone."""
    by_side: dict[str, dict[int, list[Line]]] = {side: defaultdict(list) for side in Side.values}
    start, end = month_bounds(month)
    reads: list[VisitQuerySet] = [
        confirmed_visits()
        .filter(starts__gte=start, starts__lt=end)
        .annotate(posted_person=Value(False), posted_worker=Value(False))
    ]
    began = first_closed_month()
    if with_late and began is not None:
        reads.append(
            confirmed_visits()
            .filter(starts__gte=month_bounds(began)[0], starts__lt=start)
            .annotate(
                posted_person=Exists(StatementLine.objects.filter(visit=OuterRef("pk"), side=Side.PERSON)),
                posted_worker=Exists(StatementLine.objects.filter(visit=OuterRef("pk"), side=Side.WORKER)),
            )
            .filter(Q(posted_person=False) | Q(posted_worker=False))
        )
    for index, visits in enumerate(reads):
        late = index > 0
        for visit in (
            visits.with_expenses_total()
            .select_related("worker__profile", "receiver__profile")
            .order_by("starts", "pk")
        ):
            if not visit.posted_person:  # type: ignore[attr-defined]  # annotated above
                by_side[Side.PERSON][visit.receiver_id].append(_line(visit, Side.PERSON, share, late=late))
            if visit.worker_id is not None and not visit.posted_worker:  # type: ignore[attr-defined]
                by_side[Side.WORKER][visit.worker_id].append(_line(visit, Side.WORKER, share, late=late))
    return by_side


# --- One member's statement ------------------------------------------------------------------------


def _stored(statement: Statement) -> MonthStatement:
    lines = tuple(
        Line(
            visit_id=line.visit_id,
            starts=line.starts,
            other=line.other,
            minutes=line.minutes,
            amount_pence=line.amount_pence,
            coop_pence=line.coop_pence,
            expenses_pence=line.expenses_pence,
            late=line.late,
        )
        for line in statement.lines.all()
    )
    return MonthStatement(
        member=statement.member,
        side=statement.side,
        month=statement.month.month,
        lines=lines,
        closed_at=statement.month.closed_at,
        stored=statement,
    )


def statement_for(*, member: Membership, month: date) -> MonthStatement | None:
    """A member's statement for a month: as kept, if the month is closed (an empty one if they
    had nothing that month); as it stands, if open. None for a member with no statements."""
    side = side_of(member)
    if side is None:
        return None
    closed = ClosedMonth.objects.filter(month=month).first()
    if closed is not None:
        stored = (
            Statement.objects.filter(member=member, month=closed, side=side)
            .select_related("month")
            .prefetch_related("lines")
            .first()
        )
        if stored is not None:
            return _stored(stored)
        return MonthStatement(member=member, side=side, month=month, closed_at=closed.closed_at)
    lines = open_lines(month=month, side=side, members=[member.pk]).get(member.pk, [])
    return MonthStatement(member=member, side=side, month=month, lines=tuple(lines))


def statement_get_for_user(
    *, user: User | AnonymousUser, member: Membership | None, year: int, month: int
) -> MonthStatement:
    """The statement a user asked for, or 404: for a member they may not read, a member with no
    statements, or a month outside the member's membership (what one may not see, one cannot
    learn exists). The pages and the API both ask here."""
    if member is None or not permissions.sees_statement(user, member):
        raise Http404
    wanted = month_named(year, month)
    if wanted not in statement_months(member=member):
        raise Http404
    shown = statement_for(member=member, month=wanted)
    if shown is None:
        raise Http404
    return shown


def month_named(year: int, month: int) -> date:
    """The month a URL names, or 404 for one that is not a month."""
    if not 1 <= month <= 12 or not 2000 <= year <= 2999:
        raise Http404
    return date(year, month, 1)


def statement_months(*, member: Membership) -> list[date]:
    """The months a member can look back on: from the month they joined to this one."""
    months: list[date] = []
    month = this_month()
    first = month_start(member.date_admitted)
    while month >= first and len(months) < 120:
        months.append(month)
        month = previous_month(month)
    return months


# --- The whole co-op, by month ------------------------------------------------------------------


@dataclass(frozen=True)
class MonthFigures:
    """A month for the finance page: hours delivered, what people were charged (and their
    expenses), what workers were paid, what the co-op kept."""

    month: date
    closed: bool
    visits: int
    minutes: int
    charged_pence: int
    paid_pence: int
    coop_pence: int
    expenses_pence: int


def _closed_figures(closed: ClosedMonth) -> MonthFigures:
    sums = {
        row["side"]: row
        for row in Statement.objects.filter(month=closed)
        .values("side")
        .annotate(
            visits_sum=Sum("visits"),
            minutes_sum=Sum("minutes"),
            amount_sum=Sum("amount_pence"),
            coop_sum=Sum("coop_pence"),
            expenses_sum=Sum("expenses_pence"),
        )
    }
    none = {"visits_sum": 0, "minutes_sum": 0, "amount_sum": 0, "coop_sum": 0, "expenses_sum": 0}
    worker, person = sums.get(Side.WORKER, none), sums.get(Side.PERSON, none)
    return MonthFigures(
        month=closed.month,
        closed=True,
        visits=worker["visits_sum"],
        minutes=worker["minutes_sum"],
        charged_pence=person["amount_sum"],
        paid_pence=worker["amount_sum"],
        coop_pence=worker["coop_sum"],
        expenses_pence=worker["expenses_sum"],
    )


def _open_figures(months: list[date], share: pricing.Share) -> dict[date, MonthFigures]:
    """The open months' figures from their visits (and, on the first open month, the
    adjustments of each side)."""
    sums = {
        month: dict.fromkeys(("visits", "minutes", "charged", "paid", "coop", "expenses"), 0)
        for month in months
    }
    if months:
        if connection.vendor == "postgresql":
            _sum_in_the_database(sums, share)
        else:
            _sum_visit_by_visit(sums, share)
        due = first_open_month()
        if due in sums:
            for side in Side.values:
                for visit in _late_visits(due, side, None).only(*_PRICED).with_expenses_total():
                    _add(sums[due], visit, share, side)
    return {
        month: MonthFigures(
            month=month,
            closed=False,
            visits=figures["visits"],
            minutes=figures["minutes"],
            charged_pence=figures["charged"],
            paid_pence=figures["paid"],
            coop_pence=figures["coop"],
            expenses_pence=figures["expenses"],
        )
        for month, figures in sums.items()
    }


def _spans(months: Iterable[date]) -> Q:
    spans = Q()
    for month in months:
        start, end = month_bounds(month)
        spans |= Q(starts__gte=start, starts__lt=end)
    return spans


def _sum_visit_by_visit(sums: dict[date, dict[str, int]], share: pricing.Share) -> None:
    for visit in confirmed_visits().filter(_spans(sums)).only(*_PRICED).with_expenses_total():
        month = month_start(local(visit.starts).date())
        if month in sums:
            _add(sums[month], visit, share, Side.WORKER)
            _add(sums[month], visit, share, Side.PERSON)


# members.pricing's rule, visit by visit, summed by PostgreSQL: the rate for the minutes that
# count (a sleep-in: its night's rate, or nothing if settled to no time; Visit.cost), less the
# deduction and plus the addition, each rounded half up to the penny (numeric
# arithmetic is exact, and ROUND on numeric rounds halves away from zero, which for amounts that
# are never negative is half up). A property test holds it to members.pricing's answer. A town's
# year of visits is hundreds of thousands: summed here, not priced one by one in Python.
_MONTH_SUMS_SQL = """
SELECT (date_trunc('month', v.starts AT TIME ZONE %(zone)s))::date AS month,
       count(*),
       sum(m.minutes),
       sum(CASE WHEN m.night AND m.minutes = 0 THEN 0
                WHEN m.night THEN round(v.sleep_in_rate_pence::numeric * (100 - %(deduction)s::numeric) / 100)
                ELSE coalesce(round(v.rate_pence::numeric * m.minutes
                                    * (100 - %(deduction)s::numeric) / 6000), 0)
           END),
       sum(CASE WHEN m.night AND m.minutes = 0 THEN 0
                WHEN m.night THEN round(v.sleep_in_rate_pence::numeric * (100 + %(addition)s::numeric) / 100)
                ELSE coalesce(round(v.rate_pence::numeric * m.minutes
                                    * (100 + %(addition)s::numeric) / 6000), 0)
           END),
       sum(coalesce((SELECT sum(e.amount_pence) FROM scheduling_visitexpense e
                     WHERE e.visit_id = v.id AND e.struck_at IS NULL), 0))
FROM scheduling_visit v
CROSS JOIN LATERAL (
    SELECT coalesce(v.worked_minutes, floor(extract(epoch FROM v.ends - v.starts) / 60))::bigint AS minutes,
           (v.sleep_in AND v.sleep_in_rate_pence IS NOT NULL) AS night
) m
WHERE v.status = 'accepted' AND v.hours = 'confirmed' AND ({spans})
GROUP BY 1
"""


def _sum_in_the_database(sums: dict[date, dict[str, int]], share: pricing.Share) -> None:
    spans: list[str] = []
    params: dict[str, Any] = {
        "zone": str(LONDON),
        "deduction": share.coop_deduction_percent,
        "addition": share.coop_addition_percent,
    }
    for index, month in enumerate(sums):
        start, end = month_bounds(month)
        spans.append(f"(v.starts >= %(start{index})s AND v.starts < %(end{index})s)")
        params[f"start{index}"], params[f"end{index}"] = start, end
    with connection.cursor() as cursor:
        cursor.execute(_MONTH_SUMS_SQL.format(spans=" OR ".join(spans)), params)
        for month, visits, minutes, paid, charged, expenses in cursor.fetchall():
            if month in sums:
                figures = sums[month]
                figures["visits"] += visits
                figures["minutes"] += int(minutes)
                figures["paid"] += int(paid)
                figures["charged"] += int(charged)
                figures["coop"] += int(charged) - int(paid)
                figures["expenses"] += int(expenses)


# What pricing a visit reads, and no more: a month of a town's visits is tens of thousands.
_PRICED = (
    "starts",
    "ends",
    "rate_pence",
    "sleep_in",
    "sleep_in_rate_pence",
    "worked_minutes",
    "receiver_id",
    "worker_id",
)


def _add(figures: dict[str, int], visit: Visit, share: pricing.Share, side: str) -> None:
    cost = visit.cost(share) or pricing.Cost(worker_gets=0, person_pays=0)
    if side == Side.PERSON:
        figures["charged"] += cost.person_pays
        return
    figures["visits"] += 1
    figures["minutes"] += visit.counted_minutes
    figures["paid"] += cost.worker_gets
    figures["coop"] += cost.coop_keeps
    figures["expenses"] += getattr(visit, "expenses_pence", 0) or 0


def finance_months(*, through: date, count: int = 12) -> list[MonthFigures]:
    """The co-op's figures for `count` months up to `through`, oldest first: a closed month's
    from its kept statements (a sum in the database), an open month's worked out from its visits."""
    months = [through]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    months.reverse()
    closed = {c.month: c for c in ClosedMonth.objects.filter(month__in=months)}
    opened = _open_figures([month for month in months if month not in closed], Policy.current())
    return [_closed_figures(closed[month]) if month in closed else opened[month] for month in months]


def month_statements(*, month: date, side: str) -> list[MonthStatement]:
    """Every member's statement of one side for a month, by membership number: the pay run
    (workers) or the invoices (people getting support)."""
    closed = ClosedMonth.objects.filter(month=month).first()
    if closed is not None:
        stored = (
            Statement.objects.filter(month=closed, side=side)
            .select_related("month", "member")
            .prefetch_related("lines")
            .order_by("member__number")
        )
        return [_stored(statement) for statement in stored]
    lines = open_lines(month=month, side=side)
    members = Membership.objects.in_bulk(list(lines))
    return sorted(
        (
            MonthStatement(member=members[pk], side=side, month=month, lines=tuple(member_lines))
            for pk, member_lines in lines.items()
        ),
        key=lambda statement: statement.member.number,
    )


@dataclass(frozen=True)
class Bar:
    """One month in the finance chart: what people were charged, as a bar of what went to the
    workers with what the co-op kept on top (the two make the whole)."""

    figures: MonthFigures
    x: int
    paid_height: int
    kept_height: int

    @property
    def kept_y(self) -> int:
        return CHART_HEIGHT - self.paid_height - self.kept_height

    @property
    def paid_y(self) -> int:
        return CHART_HEIGHT - self.paid_height


CHART_HEIGHT = 160
CHART_STEP = 40


def chart(figures: list[MonthFigures]) -> list[Bar]:
    tallest = max((f.paid_pence + f.coop_pence for f in figures), default=0) or 1
    return [
        Bar(
            figures=f,
            x=index * CHART_STEP + 8,
            paid_height=round(f.paid_pence * CHART_HEIGHT / tallest),
            kept_height=round(f.coop_pence * CHART_HEIGHT / tallest),
        )
        for index, f in enumerate(figures)
    ]
