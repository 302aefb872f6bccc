"""The page every member lands on reads the same rows at 300 members as at 3,000: the ballots
waiting for their vote, and the votes they owe as someone's proxy, are found from the member
and the proxies they hold, not by going through every voter of every open ballot.

Measured as the rows PostgreSQL's plans read (EXPLAIN ANALYZE), which does not depend on the
machine's load as a time would; the statistics are fresh, so the planner chooses as in
production."""

import itertools

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance import services
from governance.models import Eligibility, Participation, Proxy
from members.benchmarking import members_seed_in_bulk
from tests.governance.conftest import open_motion_ballot
from tests.plans import analyze, rows_read_by_reads

pytestmark = pytest.mark.usefixtures("now")

_batch = itertools.count()


def _more_voters(ballots, count: int, staff) -> None:
    """`count` more members on the ballots' lists of voters: a third of them voted, half gave a
    proxy for the meeting to another of them (so the proxies are many, as at a contested AGM, and
    reading them all would show)."""
    members = members_seed_in_bulk(
        workers=count // 2,
        receivers=count - count // 2,
        email_domain=f"grow{next(_batch)}.example",
        admitted_days_ago=400,
        checked_days_ago=100,
    )
    for ballot in ballots:
        Eligibility.objects.bulk_create(
            [Eligibility(ballot=ballot, membership=m, member_class=m.member_class) for m in members],
            batch_size=2000,
        )
        Participation.objects.bulk_create(
            [
                Participation(
                    ballot=ballot, membership=m, cast_by=staff, change_key_hash=f"{ballot.pk}-{m.pk}"
                )
                for m in members[::3]
            ],
            batch_size=2000,
        )
    Proxy.objects.bulk_create(
        [
            Proxy(appointer=appointer, holder=holder, meeting=ballots[0].meeting)
            for appointer, holder in zip(members[1::2], members[0::2], strict=False)
        ],
        batch_size=2000,
    )


def _reads_of_landing(client, user) -> dict[str, int]:
    client.force_login(user)
    analyze()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("today"))
    assert response.status_code == 200
    assert "2 ballots are waiting for your vote" in response.content.decode()
    return rows_read_by_reads(queries.captured_queries)


def test_the_landing_page_reads_as_many_rows_at_3000_members_as_at_300(client, staff, agm, margaret, tom):
    first = open_motion_ballot(staff, agm)
    second = open_motion_ballot(staff, agm)
    services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    ballots = [first, second]
    _more_voters(ballots, 300, staff)
    small = _reads_of_landing(client, tom.user)

    _more_voters(ballots, 2700, staff)
    large = _reads_of_landing(client, tom.user)

    # The same queries (their SQL does not depend on the data), each reading no more rows.
    assert small.keys() == large.keys()
    grown = {sql: (small[sql], large[sql]) for sql in small if large[sql] > small[sql] + 10}
    assert not grown, grown


def _daily_visits(receiver, worker, days: range, *, ahead: bool) -> None:
    """An accepted visit at 7:00 on each of these days: days ago, delivered and its hours
    confirmed (a worker's history), or days ahead (their diary)."""
    from datetime import timedelta

    from django.utils import timezone

    from scheduling.models import Visit

    first = timezone.now().replace(hour=7, minute=0, second=0, microsecond=0)
    visits = []
    for day in days:
        starts = first + timedelta(days=day if ahead else -day)
        delivered = (
            {}
            if ahead
            else {
                "checked_in_at": starts,
                "checked_out_at": starts + timedelta(minutes=60),
                "hours": Visit.Hours.CONFIRMED,
            }
        )
        visits.append(
            Visit(
                receiver=receiver,
                worker=worker,
                booked_by=receiver.user,
                starts=starts,
                ends=starts + timedelta(minutes=60),
                status=Visit.Status.ACCEPTED,
                offer_expires_at=min(starts, first) - timedelta(days=1),
                rate_pence=15_00,
                **delivered,
            )
        )
    Visit.objects.bulk_create(visits, batch_size=2000)


def _reads_of_workers_day(client) -> dict[str, int]:
    """The rows read by each query of the worker's landing page, every part of it asked for (none
    taken from the cache)."""
    cache.clear()
    analyze()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("today"))
    assert response.status_code == 200
    assert "Your next visit" in response.content.decode()
    return rows_read_by_reads(queries.captured_queries)


def test_a_workers_landing_page_reads_as_many_rows_after_years_of_visits_as_after_a_month(
    client, ruth, megan
):
    """Their day, the next visit and the hours waiting are read from the visits still to come
    or still waiting, not from every visit the worker has made."""
    _daily_visits(ruth, megan, range(2, 32), ahead=False)
    client.force_login(megan.user)
    small = _reads_of_workers_day(client)
    _daily_visits(ruth, megan, range(32, 1100), ahead=False)
    large = _reads_of_workers_day(client)

    assert small.keys() == large.keys()
    grown = {sql: (small[sql], large[sql]) for sql in small if large[sql] > small[sql] + 10}
    assert not grown, grown


def _more_members(count: int) -> None:
    members_seed_in_bulk(
        workers=count // 2,
        receivers=count - count // 2,
        email_domain=f"town{next(_batch)}.example",
        admitted_days_ago=400,
        checked_days_ago=100,
    )


def test_a_workers_landing_page_reads_as_many_rows_with_a_year_booked_in_a_town_of_3000(client, ruth, megan):
    """Their today and tomorrow are read from the visits of those two days, not from every visit
    before them or still to come; nor is the membership read whole to name the people visited.
    (With a year done and a year booked, PostgreSQL took `ends > today` for most of the year and
    joined the visits to every member: 5 ms at 10,000 members.)"""
    _daily_visits(ruth, megan, range(2, 32), ahead=False)
    _daily_visits(ruth, megan, range(1, 15), ahead=True)
    _more_members(300)
    client.force_login(megan.user)
    small = _reads_of_workers_day(client)
    _daily_visits(ruth, megan, range(32, 400), ahead=False)
    _daily_visits(ruth, megan, range(15, 400), ahead=True)
    _more_members(2700)
    large = _reads_of_workers_day(client)

    assert small.keys() == large.keys()
    grown = {sql: (small[sql], large[sql]) for sql in small if large[sql] > small[sql] + 10}
    assert not grown, grown
