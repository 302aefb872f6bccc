"""Every page and every API list asks the database the same number of questions however much it
shows (issue 17). A town is built with two of each thing the pages list (people, workers,
visits, notes, notifications, introductions, circle invitations, checks, applications,
meetings, motions, amendments, ballots, votes, candidates, proxies, signatures, dividends),
each page is asked for by the member it is for (a person getting support, a worker, an
advocate, an investor, staff), then the town grows to twenty of each and each page is asked for
again: the count must be the same at both sizes and within the page's cap, and a page that
lists things must show more of them.

The town is built once for the module, in a transaction rolled back at the end, with the clock
at the suites' Monday (tests/clock.py); each row of the table is then a test of its own. Every
page is asked for once first, so that what a process looks up once and keeps is not counted."""

import datetime
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from governance import services as governance
from governance.models import (
    Ballot,
    DividendAllocation,
    GovernancePolicy,
    InterestDeclaration,
    Meeting,
    Motion,
    Requisition,
)
from matching.models import Introduction, NoticeboardPost
from members import services as member_services
from members.models import Application, CircleMember, LivedExperience, Membership, Skill, User
from scheduling.models import Notification, Visit
from scheduling.services import calendar_feed_renew
from tests.clock import LONDON, NOW
from tests.factories import (
    ApplicationFactory,
    GoverningDocumentFactory,
    MembershipFactory,
    UserFactory,
    VisitFactory,
    add_worker,
    in_circle,
    in_team,
    record_right_to_work,
    ruth_at_home,
)
from tests.governance.dividends import allocation_propose, calculate, confirmed_visit, motion_decided
from tests.matching.conftest import nearby_worker
from tests.second_factor import log_in_with_second_factor

# Marked so that the test database is made; the town itself is built by the module's fixture.
pytestmark = pytest.mark.django_db

SMALL, LARGE = 2, 20


def _at(day: int, hour: float, month: int = 11) -> datetime.datetime:
    whole = int(hour)
    return datetime.datetime(2026, month, day, whole, int((hour - whole) * 60), tzinfo=LONDON)


def _later(start: datetime.datetime, hours: float) -> datetime.datetime:
    return start + datetime.timedelta(hours=hours)


@dataclass
class Town:
    """The cast (as in tests/conftest.py) and what grows around them."""

    staff: User
    ruth: Membership
    megan: Membership
    asha: Membership
    priya: Membership
    ian: Membership
    agm: Meeting
    requisition: Requisition
    receivers: list[Membership] = field(default_factory=list)
    workers: list[Membership] = field(default_factory=list)
    election: Ballot | None = None
    election_closed: Ballot | None = None
    motion_closed: Ballot | None = None
    motion: Motion | None = None  # a member's, at the AGM, that the others amend
    feed: str = ""  # the secret of Megan's calendar address
    delivered: Visit | None = None  # Ruth's latest, its hours waiting
    upcoming: Visit | None = None  # Ruth's latest with Megan, accepted
    allocations: list[DividendAllocation] = field(default_factory=list)
    nearby: Membership | None = None  # the latest worker in no team
    application: Application | None = None  # the latest waiting

    def interest(self) -> InterestDeclaration:
        return InterestDeclaration.objects.get(year_id=self.allocations[-1].year_id)

    @property
    def people(self) -> dict[str, User]:
        return {
            "receiver": self.ruth.user,
            "worker": self.megan.user,
            "advocate": self.priya.user,
            "investor": self.ian.user,
            "staff": self.staff,
        }


def _cast() -> Town:
    GoverningDocumentFactory(kind="rules", version=1)
    GoverningDocumentFactory(kind="commitment", version=1)
    staff = UserFactory(email="secretary@example.org", is_staff=True)
    ruth = ruth_at_home()
    megan = add_worker(staff, "Megan Holt", "megan@example.org", team_of=ruth, night=60_00)
    asha = add_worker(staff, "Asha Patel", "asha@example.org", team_of=ruth)
    priya = MembershipFactory(
        member_class="advocate", legal_name="Priya Shah", user__email="priya@example.org"
    )
    in_circle(ruth, priya.user, manages_team=True)
    ian = MembershipFactory(
        member_class="investor",
        legal_name="Ian Crossley",
        user__email="ian@example.org",
        shares=500,
        date_admitted=datetime.date(2022, 4, 1),
    )
    agm = governance.meeting_call(
        called_by=staff,
        kind="agm",
        title="Annual General Meeting 2026",
        format="in_person",
        starts_at=_at(12, 14, month=12),
        ends_at=_at(12, 16, month=12),
        place="Hebden Bridge Town Hall",
        agenda="1. Accounts",
        now=NOW,
    )
    # Every member must sign, so the requisition keeps collecting signatures as the town grows.
    GovernancePolicy.objects.update_or_create(pk=1, defaults={"requisition_percent": 100})
    requisition = governance.requisition_open(user=ian.user, purpose="To discuss the rates")
    motion = governance.motion_propose(
        user=ian.user, meeting=agm, title="Rates", text="That the co-op reviews its rates.", now=NOW
    )
    governance.motion_second(motion=motion, user=priya.user)
    return Town(
        staff=staff,
        ruth=ruth,
        megan=megan,
        asha=asha,
        priya=priya,
        ian=ian,
        agm=agm,
        requisition=requisition,
        motion=motion,
        feed=calendar_feed_renew(user=megan.user),
    )


def _motion(town: Town, title: str) -> Motion:
    return governance.motion_propose(
        user=town.staff, meeting=town.agm, title=title, text=f"That {title.lower()}.", by_board=True, now=NOW
    )


def _motion_ballot(town: Town, title: str) -> Ballot:
    ballot = governance.ballot_create(
        user=town.staff,
        title=title,
        motion=_motion(town, title),
        opens_at=NOW,
        closes_at=_at(12, 16, month=12),
        secret=False,
    )
    return governance.ballot_open(ballot=ballot, user=town.staff, now=NOW)


def _close(ballot: Ballot) -> Ballot:
    return governance.ballot_close(ballot=ballot, now=ballot.closes_at + datetime.timedelta(seconds=1))


def _grow_one(town: Town, i: int) -> None:
    """The i-th of each thing the pages list."""
    ruth, megan, asha = town.ruth, town.megan, town.asha
    # People: someone else getting support (in Megan's care, Priya acting for them, listed for
    # workers to find, offering peer support), a friend invited into Ruth's circle, a worker in
    # Ruth's team whose right to work runs out soon, a reference for Megan, and a worker nearby
    # who is in no team (found and suggested).
    receiver = MembershipFactory(member_class="receiver", legal_name=f"Person {i}")
    member_services.data_request_make(user=receiver.user, kind="erasure")
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=receiver),
        by=receiver.user,
        changes={"display_name": f"Person {i}", "postcode": "HX7 8AH"},
        weekly_times=[(2, datetime.time(9), datetime.time(11))],
    )
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=receiver),
        by=receiver.user,
        changes={"offers_peer_support": True, "lived_experience": list(LivedExperience.objects.all()[:2])},
        visibility={"display_name": "members", "lived_experience": "members"},
    )
    in_team(receiver, megan)
    in_circle(receiver, town.priya.user, manages_team=True)
    CircleMember.objects.create(
        receiver=ruth,
        email=f"friend{i}@example.org",
        name=f"Friend {i}",
        token_hash=f"friend-{i}",
        invited_by=ruth.user,
        expires_at=NOW + datetime.timedelta(days=14),
    )
    worker = add_worker(town.staff, f"Worker {i}", f"worker{i}@example.org", team_of=ruth)
    record_right_to_work(worker, town.staff, expires_on=NOW.date() + datetime.timedelta(days=20))
    member_services.vetting_check_record(
        membership=megan,
        by=town.staff,
        kind="reference",
        issued_on=NOW.date() - datetime.timedelta(days=400 + i),
        referee_name=f"Referee {i}",
        referee_relationship="Former manager",
        satisfactory=True,
    )
    # An investor, members since before the years of dividends and interest.
    MembershipFactory(
        member_class="investor",
        shares=100 + i,
        date_admitted=datetime.date(2022, 4, 1),
        legal_name=f"Investor {i}",
    )
    town.nearby = nearby_worker(town.staff, f"Nearby {i}", "HX6 2AA")
    town.receivers.append(receiver)
    town.workers.append(worker)

    # Visits this week: Megan's with Ruth and with the other person, and the other person's
    # open visit among them; next week, an offer to Asha and Ruth's open visit. Earlier this
    # month: hours delivered with notes (confirmed, waiting to be confirmed, queried), and the
    # new worker's with the other person (a line each on the pay run and the invoices). Each
    # offer is in four people's notifications; the new worker asks to meet Ruth; a post on her
    # noticeboard.
    upcoming = _later(_at(24, 8), 3 * i)
    town.upcoming = VisitFactory(
        receiver=ruth,
        worker=megan,
        starts=upcoming,
        ends=_later(upcoming, 1),
        status="accepted",
        rate_pence=15_00,
    )
    theirs = _later(upcoming, 1.5)
    VisitFactory(
        receiver=receiver,
        worker=megan,
        starts=theirs,
        ends=_later(theirs, 1),
        status="accepted",
        rate_pence=15_00,
    )
    VisitFactory(
        receiver=receiver, worker=None, is_open=True, starts=_later(theirs, 1.25), ends=_later(theirs, 1.75)
    )
    offer = _later(_at(30, 8), 2 * i)
    offered = VisitFactory(receiver=ruth, worker=asha, starts=offer, ends=_later(offer, 1), rate_pence=15_00)
    opening = _later(_at(27, 8), 2 * i)
    VisitFactory(receiver=ruth, worker=None, is_open=True, starts=opening, ends=_later(opening, 1))
    done = _later(_at(2, 8), 3 * i)
    VisitFactory(
        receiver=ruth,
        worker=megan,
        starts=done,
        ends=_later(done, 1),
        status="accepted",
        rate_pence=15_00,
        checked_in_at=done,
        checked_out_at=_later(done, 1),
        visit_note=f"Note {i}: all well.",
        hours=Visit.Hours.CONFIRMED,
        hours_answered_at=_later(done, 2),
        hours_answered_by=ruth.user,
    )
    confirmed_visit(receiver, worker, _later(_at(3, 8), 3 * i))
    waiting = _later(_at(21, 8), -3 * i)
    town.delivered = VisitFactory(
        receiver=ruth,
        worker=megan,
        starts=waiting,
        ends=_later(waiting, 1),
        status="accepted",
        rate_pence=15_00,
        checked_in_at=waiting,
        checked_out_at=_later(waiting, 1),
        visit_note=f"Note {i}: a walk by the river.",
    )
    queried = _later(_at(20, 8), -3 * i)
    VisitFactory(
        receiver=ruth,
        worker=asha,
        starts=queried,
        ends=_later(queried, 1),
        status="accepted",
        rate_pence=15_00,
        checked_in_at=queried,
        checked_out_at=_later(queried, 1),
        hours=Visit.Hours.QUERIED,
        hours_answered_at=_later(queried, 2),
        hours_answered_by=ruth.user,
        query_reason="She left early.",
    )
    for user in (ruth.user, megan.user, asha.user, town.priya.user):
        Notification.objects.create(
            user=user, kind="visit_offered", visit=offered, title=f"Visit {i} offered", body="On Monday."
        )
    Introduction.objects.create(
        receiver=ruth,
        supporter=worker,
        from_receiver=False,
        sent_by=worker.user,
        message="Hello",
        expires_at=NOW + datetime.timedelta(days=7),
    )
    NoticeboardPost.objects.create(receiver=ruth, author=megan.user, body=f"Post {i}")

    # Membership: an application waiting for staff.
    town.application = ApplicationFactory(legal_name=f"Applicant {i}")

    # Governance: a meeting; a ballot on a board motion, which Ruth gives a proxy for and the
    # other person votes on; a signature on the requisition; an amendment to the AGM's motion.
    governance.meeting_call(
        called_by=town.staff,
        kind="general",
        title=f"General meeting {i}",
        format="online",
        starts_at=_at(14 + i % 10, 18, month=12),
        ends_at=_at(14 + i % 10, 20, month=12),
        online_link="https://meet.example.org/calder",
        agenda="1. Any other business",
        now=NOW,
    )
    ballot = _motion_ballot(town, f"Motion {i}")
    governance.vote_cast(ballot=ballot, user=receiver.user, choice="for", now=NOW)
    governance.proxy_appoint(user=ruth.user, holder=receiver, ballot=ballot, now=NOW)
    governance.requisition_sign(requisition=town.requisition, user=receiver.user)
    governance.motion_propose(
        user=receiver.user,
        meeting=town.agm,
        title=f"Amendment {i}",
        text=f"That the co-op reviews its rates every {i + 2} years.",
        amends=town.motion,
        now=NOW,
    )


def _election(town: Town, title: str) -> Ballot:
    ballot = governance.ballot_create(
        user=town.staff,
        title=title,
        meeting=town.agm,
        seat_class="receivers",
        seats=1,
        opens_at=NOW,
        closes_at=_at(12, 16, month=12),
    )
    candidates = [
        governance.candidate_stand(ballot=ballot, user=person.user, statement=f"I am {person.legal_name}.")
        for person in town.receivers
    ]
    ballot = governance.ballot_open(ballot=ballot, user=town.staff, now=NOW)
    for n, voter in enumerate(town.receivers):
        ranking = [candidates[(n + k) % len(candidates)].pk for k in range(len(candidates))]
        governance.vote_cast(ballot=ballot, user=voter.user, ranking=ranking, now=NOW)
    return ballot


def _grow(town: Town, size: int) -> None:
    """Grow the town to `size` of each thing, then add what is measured whole at each size: an
    election for a seat of the people getting support with every one of them but Ruth standing
    and voting (one open, one counted), a motion they all voted on (counted), and a year's
    dividends."""
    for i in range(len(town.receivers), size):
        _grow_one(town, i)
    town.election = _election(town, f"Director ({size})")
    town.election_closed = _close(_election(town, f"Director, counted ({size})"))
    motion_ballot = _motion_ballot(town, f"Counted motion ({size})")
    for n, voter in enumerate(town.receivers):
        governance.vote_cast(
            ballot=motion_ballot, user=voter.user, choice="for" if n % 2 else "against", now=NOW
        )
    town.motion_closed = _close(motion_ballot)
    town.allocations.append(_dividends(town, len(town.allocations)))


def _dividends(town: Town, k: int) -> DividendAllocation:
    """A financial year (one more each time the town grows), every worker paid a dividend on
    the hours they worked in it, Megan each year."""
    starts, ends = datetime.date(2023 + k, 4, 1), datetime.date(2024 + k, 3, 31)
    for n, worker in enumerate([town.megan, *town.workers]):
        confirmed_visit(
            town.ruth,
            worker,
            datetime.datetime(2023 + k, 5, 1, 10, tzinfo=LONDON) + datetime.timedelta(days=n),
        )
    year = governance.financial_year_record(
        user=town.staff, starts=starts, ends=ends, surplus_pence=1_000_00, today=NOW.date()
    )
    allocation = allocation_propose(town.staff, year, workers_pence=500_00, receivers_pence=100_00)
    motion = motion_decided(town.staff, town.receivers, meeting=town.agm, title=f"Approve the dividends {k}")
    allocation = governance.allocation_approve(user=town.staff, allocation=allocation, motion=motion)
    governance.interest_declare(user=town.staff, year=year, rate_percent=Decimal("3"), today=NOW.date())
    return calculate(town.staff, allocation)


# --- The table: each page, who asks for it, and its cap ------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    who: str  # a key of Town.people
    path: Callable[[Town], str]
    cap: int
    lists: bool  # False for a page of one thing (a profile, a form) or of totals only


def _p(name: str, who: str, path: str | Callable[[Town], str], cap: int, *, lists: bool = True) -> Any:
    route = path if callable(path) else (lambda _town, fixed=path: fixed)
    return pytest.param(Page(name, who, route, cap, lists), id=name)


PAGES = [
    # Today, for each kind of member (staff land on their own home).
    _p("today-receiver", "receiver", "/today/", 18),
    _p("today-worker", "worker", "/today/", 26),
    _p("today-advocate", "advocate", "/today/", 18),
    _p("today-investor", "investor", "/today/", 12),
    _p("staff-home", "staff", "/staff/", 11, lists=False),
    _p("account-receiver", "receiver", "/accounts/", 9, lists=False),
    # A member's own data, and their requests about it; staff's queue of requests.
    _p("my-data-receiver", "receiver", "/my-data/", 45),
    _p("my-data-worker", "worker", "/my-data/", 45),
    _p("my-data-requests", "receiver", "/my-data/requests/", 8, lists=False),
    _p("staff-data-requests", "staff", "/staff/data-requests/", 6),
    # Visits.
    _p("calendar-agenda-receiver", "receiver", "/visits/", 16),
    _p("calendar-week-worker", "worker", f"/visits/?view=week&date={NOW.date()}", 16),
    _p("calendar-month-worker", "worker", f"/visits/?view=month&date={NOW.date()}", 16),
    _p("calendar-month-receiver", "receiver", f"/visits/?view=month&date={NOW.date()}", 16),
    _p("calendar-week-advocate", "advocate", f"/visits/?view=week&date={NOW.date()}", 16),
    _p("visit-book", "receiver", "/visits/new/", 10),
    _p("visit-book-for", "advocate", lambda t: f"/visits/new/?for={t.ruth.number}", 12),
    _p("visit-book-worker", "receiver", lambda t: f"/visits/new/?worker={t.megan.number}", 14),
    _p(
        "visit-book-check",
        "receiver",
        lambda t: f"/visits/new/check/?worker={t.megan.number}&day=2026-11-24&starts_at=14:00&ends_at=15:00",
        12,
    ),
    _p("visit-change", "receiver", lambda t: f"/visits/{t.upcoming.pk}/change/", 8, lists=False),
    _p("calendar-feed", "worker", "/calendar-feed/", 7, lists=False),
    _p("visit-detail", "receiver", lambda t: f"/visits/{t.delivered.pk}/", 12, lists=False),
    _p("care-log-receiver", "receiver", lambda t: f"/care-log/{t.ruth.number}/", 10),
    _p("care-log-worker", "worker", lambda t: f"/care-log/{t.ruth.number}/", 12),
    _p("notifications-worker", "worker", "/notifications/", 11),
    _p("notifications-advocate", "advocate", "/notifications/", 11),
    _p("statements-advocate", "advocate", "/statements/", 8),
    _p("statement-receiver", "receiver", lambda t: f"/statements/{t.ruth.number}/2026/11/", 11),
    _p("statement-worker", "worker", lambda t: f"/statements/{t.megan.number}/2026/11/", 11),
    _p("statement-csv", "receiver", lambda t: f"/statements/{t.ruth.number}/2026/11/csv/", 9),
    _p("statement-pdf", "receiver", lambda t: f"/statements/{t.ruth.number}/2026/11/pdf/", 10),
    _p("staff-hours-queried", "staff", "/staff/hours/", 8),
    _p("staff-pay-run", "staff", "/staff/finance/2026/11/pay-run/", 9),
    _p("staff-invoices", "staff", "/staff/finance/2026/11/invoices/", 9),
    _p("staff-finance", "staff", "/staff/finance/?month=2026-11", 12, lists=False),
    # Matching.
    _p("search", "receiver", "/find/?sort=name", 21),
    _p(
        "search-skill",
        "receiver",
        lambda t: f"/find/?skills={Skill.objects.get(name='Dementia').pk}&within_km=20",
        22,
    ),
    _p("suggestions", "receiver", "/suggestions/", 20),
    _p("suggestions-for", "advocate", lambda t: f"/suggestions/?for={t.ruth.number}", 20),
    _p("people-looking", "worker", "/people/", 11),
    _p("peer-support", "receiver", "/peer-support/", 11),
    _p("introductions", "receiver", "/introductions/", 9),
    _p("teams", "worker", "/teams/", 8),
    _p("team-receiver", "receiver", lambda t: f"/teams/{t.ruth.number}/", 15),
    _p("team-worker", "worker", lambda t: f"/teams/{t.ruth.number}/", 18),
    _p("profile-worker-by-receiver", "receiver", lambda t: f"/members/{t.megan.number}/", 23, lists=False),
    _p("profile-receiver-by-advocate", "advocate", lambda t: f"/members/{t.ruth.number}/", 16, lists=False),
    _p("profile-edit-receiver", "receiver", "/profile/", 22, lists=False),
    _p("profile-edit-worker", "worker", "/profile/", 22, lists=False),
    _p(
        "introduction-create", "receiver", lambda t: f"/introductions/new/{t.nearby.number}/", 20, lists=False
    ),
    _p(
        "emergency-contact",
        "receiver",
        lambda t: f"/members/{t.ruth.number}/emergency-contact/",
        8,
        lists=False,
    ),
    _p("document", "receiver", "/membership/documents/rules/", 7, lists=False),
    _p("circle", "receiver", lambda t: f"/members/{t.ruth.number}/circle/", 8),
    # Membership, for staff.
    _p("staff-applications", "staff", "/staff/applications/", 7),
    _p("staff-register", "staff", "/staff/register/", 8),
    _p("staff-register-csv", "staff", "/staff/register/?format=csv", 5),
    _p("staff-application", "staff", lambda t: f"/staff/applications/{t.application.pk}/", 7, lists=False),
    _p("staff-documents", "staff", "/staff/documents/", 8, lists=False),
    _p("staff-member", "staff", lambda t: f"/staff/members/{t.ruth.number}/", 9, lists=False),
    _p("staff-vetting", "staff", "/staff/vetting/", 8),
    _p("staff-worker-vetting", "staff", lambda t: f"/staff/members/{t.megan.number}/vetting/", 11),
    # Governance.
    _p("meetings", "receiver", "/meetings/", 21),
    _p("meeting", "receiver", lambda t: f"/meetings/{t.agm.pk}/", 23),
    _p("meeting-staff", "staff", lambda t: f"/meetings/{t.agm.pk}/", 20),
    _p("meeting-amend", "staff", lambda t: f"/meetings/{t.agm.pk}/change/", 7, lists=False),
    _p("motion-propose", "receiver", lambda t: f"/meetings/{t.agm.pk}/motions/new/", 8, lists=False),
    _p("governance-rules", "staff", "/meetings/rules/", 8, lists=False),
    _p("meeting-register", "staff", lambda t: f"/meetings/{t.agm.pk}/register/?q=person", 14, lists=False),
    _p("requisitions", "receiver", "/meetings/requisitions/", 12, lists=False),
    _p("requisition", "investor", lambda t: f"/meetings/requisitions/{t.requisition.pk}/", 14),
    _p("ballots", "receiver", "/ballots/", 10),
    _p("ballot-election", "receiver", lambda t: f"/ballots/{t.election.pk}/", 21),
    _p("ballot-election-staff", "staff", lambda t: f"/ballots/{t.election.pk}/", 12),
    _p("ballot-results-election", "receiver", lambda t: f"/ballots/{t.election_closed.pk}/results/", 10),
    _p("ballot-results-motion", "receiver", lambda t: f"/ballots/{t.motion_closed.pk}/results/", 12),
    _p("ballot-results-csv", "receiver", lambda t: f"/ballots/{t.motion_closed.pk}/results.csv", 9),
    _p("ballot-receipts", "receiver", lambda t: f"/ballots/{t.election_closed.pk}/receipts/", 10),
    _p("motion", "receiver", lambda t: f"/motions/{t.motion.pk}/", 14),
    _p("ballot-create", "staff", "/ballots/new/", 9),
    _p("proxies", "receiver", "/proxies/", 20),
    # Dividends.
    _p("dividends-mine", "worker", "/dividends/", 8),
    _p("staff-dividends", "staff", "/staff/dividends/", 8),
    _p(
        "staff-dividend-year",
        "staff",
        lambda t: f"/staff/dividends/years/{t.allocations[-1].year_id}/",
        8,
        lists=False,
    ),
    _p(
        "staff-dividend-allocation",
        "staff",
        lambda t: f"/staff/dividends/allocations/{t.allocations[-1].pk}/",
        12,
        lists=False,
    ),
    _p(
        "staff-interest-csv",
        "staff",
        lambda t: f"/staff/dividends/interest/{t.interest().pk}/payments.csv",
        6,
    ),
    _p(
        "staff-dividend-csv",
        "staff",
        lambda t: f"/staff/dividends/allocations/{t.allocations[-1].pk}/payments.csv",
        6,
    ),
    # The API's lists.
    _p("api-visits-receiver", "receiver", "/api/v1/visits/", 11),
    _p("api-visits-worker", "worker", "/api/v1/visits/", 16),
    _p("api-visits-advocate", "advocate", "/api/v1/visits/", 15),
    _p("api-me", "receiver", "/api/v1/me/", 5, lists=False),
    _p("api-profile-me", "worker", "/api/v1/profiles/me/", 15, lists=False),
    _p("api-workers", "receiver", "/api/v1/workers/", 8),
    _p("api-suggestions", "receiver", "/api/v1/matches/suggestions/", 16),
    _p("api-team", "receiver", lambda t: f"/api/v1/teams/{t.ruth.number}/", 7),
    _p("api-statement", "worker", "/api/v1/statements/2026/11/", 9),
    _p("api-finance-month", "staff", "/api/v1/finance/2026/11/", 8, lists=False),
    _p("api-applications", "staff", "/api/v1/membership/applications/", 6),
    _p("api-register", "staff", "/api/v1/members/register/", 6),
    _p("api-vetting-expiring", "staff", "/api/v1/vetting/expiring/", 6),
    _p("api-worker-vetting", "staff", lambda t: f"/api/v1/members/{t.megan.number}/vetting/", 6),
    _p("api-meetings", "receiver", "/api/v1/meetings/", 7),
    _p("api-motions", "receiver", "/api/v1/motions/", 8),
    _p("api-ballots", "receiver", "/api/v1/ballots/", 12),
    _p("api-ballot", "receiver", lambda t: f"/api/v1/ballots/{t.election.pk}/", 11),
    _p("api-meeting", "receiver", lambda t: f"/api/v1/meetings/{t.agm.pk}/", 6, lists=False),
    _p("api-motion", "receiver", lambda t: f"/api/v1/motions/{t.motion.pk}/", 7, lists=False),
    _p("api-ballot-results", "receiver", lambda t: f"/api/v1/ballots/{t.election_closed.pk}/results/", 7),
    _p("api-ballot-receipts", "receiver", lambda t: f"/api/v1/ballots/{t.election_closed.pk}/receipts/", 8),
    _p("api-proxies", "receiver", "/api/v1/proxies/", 8),
    _p("api-dividends", "worker", "/api/v1/dividends/", 6),
    _p("api-interest", "investor", "/api/v1/interest/", 6),
    _p("api-financial-years", "staff", "/api/v1/financial-years/", 6),
    _p("api-calendar-ics", "worker", lambda t: f"/api/v1/calendar/{t.feed}.ics", 8),
]


@dataclass(frozen=True)
class Asked:
    status: int
    sql: list[str]
    length: int  # of the body: a page that lists more is longer


@dataclass(frozen=True)
class Measured:
    small: dict[str, Asked]
    large: dict[str, Asked]


def _ask(client: Client, town: Town, page: Page) -> Asked:
    path = page.path(town)
    cache.clear()  # rate limits and throttles count in the cache
    log_in_with_second_factor(client, town.people[page.who])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
    return Asked(response.status_code, [query["sql"] for query in queries.captured_queries], len(body))


def _measure_all() -> dict[str, dict[str, Asked]]:
    pages: list[Page] = [param.values[0] for param in PAGES]
    client = Client()
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        town = _cast()
        _grow(town, 1)
        for page in pages:
            _ask(client, town, page)
        _grow(town, SMALL)
        small = {page.name: _ask(client, town, page) for page in pages}
        _grow(town, LARGE)
        large = {page.name: _ask(client, town, page) for page in pages}
        transaction.set_rollback(True)
    return {"small": small, "large": large}


@pytest.fixture(scope="module")
def measured(django_db_setup: None, django_db_blocker: Any) -> Measured:
    with django_db_blocker.unblock():
        return Measured(**_measure_all())


@pytest.mark.parametrize("row", PAGES)
def test_the_page_asks_the_same_queries_for_two_or_twenty_of_everything(
    measured: Measured, row: Page
) -> None:
    few, many = measured.small[row.name], measured.large[row.name]
    assert (few.status, many.status) == (200, 200)
    assert len(few.sql) == len(many.sql), _difference(few.sql, many.sql)
    assert len(many.sql) <= row.cap
    if row.lists:
        assert many.length > few.length, "the page shows no more at twenty than at two"


def _shape(sql: str) -> str:
    """A query with its values and the lengths of its IN lists left out."""
    return re.sub(r"\(N(, N)*\)", "(N, …)", re.sub(r"\b\d+\b", "N", re.sub(r"'[^']*'", "'…'", sql)))


def _difference(few: list[str], many: list[str]) -> str:
    """The queries asked more often at one size than at the other, ids and values aside."""
    at_few, at_many = Counter(map(_shape, few)), Counter(map(_shape, many))
    lines = [f"{len(few)} queries at {SMALL}, {len(many)} at {LARGE}"]
    for size, extra in ((LARGE, at_many - at_few), (SMALL, at_few - at_many)):
        lines += [f"{count}× more at {size}: {sql[:300]}" for sql, count in extra.most_common(5)]
    return "\n".join(lines)
