"""The demo co-op's dividends (part of governance's seed_demo): its first financial year, from
1 April 2025 to 31 March 2026, with the hours its workers gave confirmed; a surplus of £18,400;
the board's allocation, approved by a motion carried at the co-op's first AGM in the summer; the
dividends calculated and each member's statement issued (not yet paid); and 3% interest on the
investors' shares."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from carecoop.models import Email
from governance import services
from governance.models import DividendAllocation, FinancialYear, Meeting, Motion
from members.models import MemberClass, Membership, User
from scheduling.bookings import LONDON
from scheduling.models import Visit

YEAR_STARTS, YEAR_ENDS = date(2025, 4, 1), date(2026, 3, 31)
FIRST_AGM_TITLE = "First Annual General Meeting"


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def seed(secretary: User) -> None:
    today = timezone.localdate()
    held_on = max(YEAR_ENDS + timedelta(days=80), today - timedelta(days=150))
    if held_on >= today - timedelta(days=1) or FinancialYear.objects.filter(starts=YEAR_STARTS).exists():
        return  # the year's AGM has not been held yet on this clock, or the demo has it already
    _hours_of_the_year()
    year = services.financial_year_record(
        user=secretary, starts=YEAR_STARTS, ends=YEAR_ENDS, surplus_pence=18_400_00, today=held_on
    )
    allocation = services.allocation_propose(
        user=secretary,
        year=year,
        reserve_pence=6_000_00,
        community_pence=1_400_00,
        workers_pence=6_500_00,
        receivers_pence=4_000_00,
        advocates_pence=500_00,
        investors_pence=0,
    )
    # Recorded and proposed before the AGM was called, as it happened.
    FinancialYear.objects.filter(pk=year.pk).update(recorded_at=_at(held_on - timedelta(days=45), 11))
    DividendAllocation.objects.filter(pk=allocation.pk).update(
        proposed_at=_at(held_on - timedelta(days=40), 15)
    )
    motion = _first_agm(secretary, held_on)
    allocation = services.allocation_approve(
        user=secretary, allocation=allocation, motion=motion, now=_at(held_on, 20)
    )
    services.allocation_calculation_start(
        user=secretary, allocation=allocation, now=_at(held_on + timedelta(days=3), 10)
    )
    services.dividends_calculate(allocation_id=allocation.pk)
    services.interest_declare(user=secretary, year=year, rate_percent=Decimal(3), today=held_on)
    # Their statements went out in the summer: not again today.
    Email.objects.filter(
        kind__in=["governance.dividend_statement", "governance.interest_statement"], status=Email.Status.OWED
    ).update(status=Email.Status.SENT, sent_at=_at(held_on + timedelta(days=3), 11))
    Email.objects.filter(about__startswith="governance.meeting_notice:", status=Email.Status.OWED).filter(
        about__in=[f"governance.meeting_notice:{m.pk}" for m in Meeting.objects.filter(title=FIRST_AGM_TITLE)]
    ).update(status=Email.Status.SENT, sent_at=_at(held_on - timedelta(days=30), 9))


def _hours_of_the_year() -> None:
    """Each worker's weekly visits to one person, from when both were members, all confirmed
    (history: written as the services would have recorded it at the time)."""
    members = Membership.objects.current().filter(date_admitted__lte=YEAR_ENDS).order_by("number")
    workers = [m for m in members if m.member_class == MemberClass.WORKER]
    # Ruth's care log tells the scheduling demo's story of the last week: her year is left out.
    receivers = [
        m for m in members if m.member_class == MemberClass.RECEIVER and m.legal_name != "Ruth Sutcliffe"
    ]
    if not workers or not receivers:
        return
    visits = []
    for n, worker in enumerate(workers):
        receiver = receivers[n % len(receivers)]
        first = max(YEAR_STARTS, worker.date_admitted, receiver.date_admitted)
        length = timedelta(minutes=60 + 30 * (n % 3))
        day = first + timedelta(days=n % 7)
        while day <= YEAR_ENDS:
            starts = _at(day, 9 + n % 6)
            ends = starts + length
            visits.append(
                Visit(
                    receiver=receiver,
                    worker=worker,
                    starts=starts,
                    ends=ends,
                    status=Visit.Status.ACCEPTED,
                    rate_pence=15_00,
                    booked_by=receiver.user,
                    created_at=starts - timedelta(days=7),
                    offer_expires_at=starts - timedelta(hours=12),
                    answered_at=starts - timedelta(days=6),
                    checked_in_at=starts,
                    checked_out_at=ends,
                    visit_note="All well.",
                    hours=Visit.Hours.CONFIRMED,
                    hours_answered_at=ends + timedelta(hours=3),
                    hours_answered_by=receiver.user,
                )
            )
            day += timedelta(days=7 if n % 2 else 14)
    Visit.objects.bulk_create(visits, batch_size=1000)


def _first_agm(secretary: User, held_on: date) -> Motion:
    held = _at(held_on, 18, 30)
    called = held - timedelta(days=30)
    meeting = services.meeting_call(
        called_by=secretary,
        kind=Meeting.Kind.AGM,
        title=FIRST_AGM_TITLE,
        format=Meeting.Format.IN_PERSON,
        starts_at=held,
        ends_at=held + timedelta(hours=2),
        place="Halifax Central Library, Square Road, Halifax HX1 1QG",
        agenda="1. Welcome\n2. The first year's surplus and dividends\n3. Any other business",
        now=called,
    )
    motion = services.motion_propose(
        user=secretary,
        meeting=meeting,
        title="Share the first year's surplus",
        text=(
            "That the surplus of £18,400 for the year to 31 March 2026 is shared as the board proposes: "
            "£6,000 to the reserve, £1,400 to the community fund, £6,500 to the workers by the hours they "
            "worked, £4,000 to the people getting support by the hours they received, and £500 to the "
            "advocates equally."
        ),
        by_board=True,
        now=called,
    )
    opens = called + timedelta(days=1)
    ballot = services.ballot_create(
        user=secretary, title=motion.title, motion=motion, opens_at=opens, closes_at=held
    )
    services.ballot_open(ballot=ballot, user=secretary, now=opens)
    voters = Membership.objects.current().filter(date_admitted__lte=opens.date()).select_related("user")
    for i, voter in enumerate(voters):
        choice = "against" if i % 5 == 4 else "for"
        services.vote_cast(ballot=ballot, user=voter.user, choice=choice, now=opens + timedelta(hours=i + 1))
    services.ballot_close(ballot=ballot, now=held)
    services.ballot_declare(ballot=ballot, user=secretary, now=held + timedelta(minutes=40))
    motion.refresh_from_db()
    return motion
