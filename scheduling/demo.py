"""The demo co-op's visits (see the seed_demo command): Ruth has Megan twice a week, on Tuesday
and Thursday mornings, and an open visit on Saturday offered to her team."""

from datetime import time, timedelta

from django.db import transaction
from django.utils import timezone

from members.models import Membership
from scheduling import services
from scheduling.models import Series, Visit


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
        for visit in booked.visits:
            services.visit_accept(visit=visit, by=megan.user)
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
