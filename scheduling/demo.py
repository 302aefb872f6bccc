"""The demo co-op's visits (see the seed_demo command): Ruth has Megan twice a week, on Tuesday
and Thursday mornings, and an open visit on Saturday offered to her team. She has had Megan on
Tuesdays and Thursdays for the two months before this one: the earlier is closed, so its
statements are final; the last is open, for the secretary to close from the finance page. Three of Megan's visits
have already happened: one a week ago, its hours confirmed; one four days ago, whose hours Ruth
queried, waiting in the secretary's queue; and one yesterday, its hours (and Megan's mileage to
the chemist) waiting for Ruth. Their notes start Ruth's care log. Megan does sleep-ins at £65 a
night: Ruth has one booked with her on Friday night, and has asked her for a lift to the hospital
next Wednesday afternoon: an offer waiting on Megan's day."""

from datetime import time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from members import pricing
from members.models import Membership, Policy
from scheduling import services
from scheduling.models import ClosedMonth, Series, Visit, VisitExpense
from scheduling.statements import month_bounds, previous_month, this_month

HOSPITAL = "A lift to the hospital and back."


def _member(name: str) -> Membership:
    return Membership.objects.current().get(legal_name=name)


@transaction.atomic
def seed() -> list[object]:
    """Adds visits; returns no logins (the members' demo lists them)."""
    ruth, megan = _member("Ruth Sutcliffe"), _member("Megan Holt")
    if not Series.objects.filter(receiver=ruth).exists():
        booked = services.series_create(
            by=ruth.user,
            receiver=ruth,
            worker=megan,
            weekdays=[1, 3],
            starts_at=time(9),
            ends_at=time(10, 30),
            first_date=timezone.localdate() + timedelta(days=1),
            count=16,
            tasks=["Breakfast", "Morning tablets", "A walk round the garden"],
            notes="The key safe code is in your team messages. Ruth likes her tea strong.",
        )
        # Megan answers the whole weekly booking at once: Ruth hears once, not once per visit.
        if booked.series is not None:
            services.series_answer(series=booked.series, by=megan.user, accept=True)
    if not Visit.objects.filter(receiver=ruth, checked_out_at__isnull=False).exists():
        _past_visits(ruth, megan)
    if not Visit.objects.filter(receiver=ruth, sleep_in=True).exists():
        friday = timezone.localdate() + timedelta(days=(4 - timezone.localdate().weekday()) % 7 or 7)
        starts, ends = services.span_for(friday, time(22), time(7))
        night = services.visit_book(
            by=ruth.user,
            receiver=ruth,
            worker=megan,
            starts=starts,
            ends=ends,
            sleep_in=True,
            notes="Ruth's son is away this weekend. The spare room is made up.",
        ).visits[0]
        services.visit_accept(visit=night, by=megan.user)
    if not ClosedMonth.objects.exists():
        _months_gone(ruth, megan)
    if not Visit.objects.filter(receiver=ruth, notes__startswith=HOSPITAL).exists():
        wednesday = timezone.localdate() + timedelta(days=(2 - timezone.localdate().weekday()) % 7 or 7)
        starts, ends = services.span_for(wednesday, time(13), time(15, 30))
        services.visit_book(
            by=ruth.user,
            receiver=ruth,
            worker=megan,
            starts=starts,
            ends=ends,
            tasks=["Drive Ruth to Calderdale Royal Hospital", "Wait with her and drive her home"],
            notes=HOSPITAL + " Her appointment is at 14:00 in the eye clinic.",
        )
    if not Visit.objects.filter(receiver=ruth, is_open=True).exists():
        saturday = timezone.localdate() + timedelta(days=(5 - timezone.localdate().weekday()) % 7 or 7)
        starts, ends = services.span_for(saturday, time(14), time(16))
        services.visit_book(
            by=ruth.user,
            receiver=ruth,
            worker=None,
            starts=starts,
            ends=ends,
            tasks=["Shopping at the Co-op"],
        )
    return []


PAST_NOTES = [
    "Ruth had porridge and took her morning tablets with her tea. We walked round the garden "
    "twice; her knee was stiff at first. She asked for more milk on the shopping list.",
    "Ruth was bright this morning. Breakfast and tablets as usual; we sorted the post together and "
    "rang the surgery about her repeat prescription.",
    "Ruth was tired after a poor night, so we sat and did the crossword instead of the walk. "
    "Tablets taken with breakfast. She would like the hairdresser booked for next week.",
]


def _past_visits(ruth: Membership, megan: Membership) -> None:
    """What has happened is history: written as the services would have recorded it at the time
    (they refuse to book anything in the past)."""
    today = timezone.localdate()
    rate = megan.profile.hourly_rate_pence
    answers = {7: Visit.Hours.CONFIRMED, 4: Visit.Hours.QUERIED, 1: Visit.Hours.PENDING}
    for days_ago, note in ((7, PAST_NOTES[0]), (4, PAST_NOTES[1]), (1, PAST_NOTES[2])):
        hours = answers[days_ago]
        answered = hours != Visit.Hours.PENDING
        starts, ends = services.span_for(today - timedelta(days=days_ago), time(9), time(10, 30))
        visit = Visit.objects.create(
            receiver=ruth,
            worker=megan,
            starts=starts,
            ends=ends,
            status=Visit.Status.ACCEPTED,
            rate_pence=rate,
            booked_by=ruth.user,
            created_at=starts - timedelta(days=7),
            offer_expires_at=starts - timedelta(hours=12),
            answered_at=starts - timedelta(days=6),
            tasks=[{"label": label, "done": True} for label in ("Breakfast", "Morning tablets")],
            checked_in_at=starts - timedelta(minutes=4),
            checked_out_at=ends + timedelta(minutes=2),
            visit_note=note,
            hours=hours,
            hours_answered_at=ends + timedelta(hours=3) if answered else None,
            hours_answered_by=ruth.user if answered else None,
            query_reason="I think Megan had to go at ten: the visit was booked until half past."
            if hours == Visit.Hours.QUERIED
            else "",
        )
        if hours == Visit.Hours.PENDING:
            miles = Decimal("6.4")
            VisitExpense.objects.create(
                visit=visit,
                kind=VisitExpense.Kind.MILEAGE,
                miles=miles,
                amount_pence=pricing.mileage(miles, Policy.current().mileage_pence_per_mile),
                note="To the chemist in Hebden Bridge for Ruth's prescription, and back.",
                added_by=megan.user,
                created_at=ends + timedelta(minutes=10),
            )


def _months_gone(ruth: Membership, megan: Membership) -> None:
    """Tuesday and Thursday mornings through the two months before this one, confirmed; the
    earlier month closed by the secretary."""
    from django.contrib.auth import get_user_model

    from scheduling.services import month_close

    last = previous_month(this_month())
    earlier = previous_month(last)
    first, _ = month_bounds(earlier)
    _, end = month_bounds(last)
    day = timezone.localtime(first).date()
    # The last week's visits are the care log's (above), written apart.
    last_day = min(timezone.localtime(end).date(), timezone.localdate() - timedelta(days=8))
    while day < last_day:
        if day.weekday() in (1, 3) and day >= megan.date_admitted and day >= ruth.date_admitted:
            starts, ends = services.span_for(day, time(9), time(10, 30))
            Visit.objects.create(
                receiver=ruth,
                worker=megan,
                starts=starts,
                ends=ends,
                status=Visit.Status.ACCEPTED,
                rate_pence=megan.profile.hourly_rate_pence,
                booked_by=ruth.user,
                created_at=starts - timedelta(days=14),
                offer_expires_at=starts - timedelta(hours=12),
                answered_at=starts - timedelta(days=13),
                tasks=[{"label": label, "done": True} for label in ("Breakfast", "Morning tablets")],
                checked_in_at=starts - timedelta(minutes=3),
                checked_out_at=ends,
                visit_note=PAST_NOTES[day.toordinal() % len(PAST_NOTES)],
                hours=Visit.Hours.CONFIRMED,
                hours_answered_at=ends + timedelta(hours=5),
                hours_answered_by=ruth.user,
            )
        day += timedelta(days=1)
    secretary = get_user_model().objects.filter(is_staff=True).order_by("pk").first()
    if secretary is not None:
        month_close(month=earlier, by=secretary)
