"""The governance of the town-size co-op (carecoop.town, `manage.py seed_town`): an AGM held and
one coming, a general meeting between, and twenty ballots, some closed with their results, some
open, with votes and proxies. Meetings and ballots go through the services where they are few;
the notices, votes and proxies, which are many, are written in bulk."""

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from carecoop.town import Town
from governance import services
from governance.benchmarking import Voter, votes_seed_in_bulk
from governance.counting import stv_benchmark_ballots
from governance.models import (
    Attendance,
    Ballot,
    Candidate,
    Eligibility,
    Meeting,
    Minutes,
    Proxy,
)
from members.models import Membership, User
from scheduling.bookings import local_datetime

PLACE = "Hebden Bridge Town Hall, St George's Street, Hebden Bridge HX7 7BY"
LINK = "https://meet.example.org/calder-care-coop"
AGENDA = (
    "1. Welcome and apologies\n2. Minutes of the last meeting\n3. Motions\n4. Board election\n"
    "5. Any other business"
)
MEETING_NOTICE_SQL = """
INSERT INTO governance_meetingnotice (meeting_id, membership_id, email)
SELECT %(meeting)s, m.id, u.email
FROM members_membership AS m JOIN members_user AS u ON u.id = m.user_id
WHERE m.date_admitted <= %(called)s AND m.date_ceased IS NULL
"""

MOTIONS = [
    ("Adopt the annual accounts", "That the accounts for the year be received and adopted."),
    ("Appoint the auditors", "That Calder Accountants be appointed to examine the accounts."),
    ("Raise the lowest hourly rate", "That the lowest hourly rate a worker may set be £13.50."),
    (
        "Share the surplus",
        "That the surplus be shared as the board proposes: half to workers by hours worked.",
    ),
    ("Sleep-in nights", "That workers may offer sleep-in nights at a flat rate they set."),
    ("Mileage at 45p", "That mileage be paid at HMRC's approved rate of 45p a mile."),
    ("Peer support network", "That the co-op fund a peer-support network for unpaid carers."),
    ("Open to Kirklees", "That the co-op welcome members living in Kirklees."),
    ("Amend rule 12 (proxies)", "That no member hold more than five proxies at a meeting."),
    ("Training fund", "That a tenth of the co-op's share go to a training fund for workers."),
    ("Community share offer", "That the co-op open a community share offer of up to £150,000."),
    ("Board meets in public", "That the board's meetings be open for members to attend."),
    ("Electric pool cars", "That the co-op lease two electric cars for workers without one."),
    ("Welsh and BSL", "That every public document be offered in British Sign Language."),
    ("Review the rate bounds", "That the board review the rate bounds every six months."),
    ("Night-time cover", "That the co-op arrange night-time cover for emergencies."),
    ("Members' newsletter", "That a members' newsletter go out each quarter."),
]


@dataclass(frozen=True)
class Plan:
    """A meeting to seed, its motions' ballots and any election, and how many voted."""

    kind: str
    title: str
    starts_in: timedelta  # from now: negative for a meeting held
    motions: int
    election: str = ""  # the seat class, if it elects board members
    turnout: float = 0.45


PLANS = [
    Plan(Meeting.Kind.AGM, "Annual General Meeting", timedelta(days=-240), 6, "workers"),
    Plan(Meeting.Kind.GENERAL, "General Meeting", timedelta(days=-100), 5, "investors", turnout=0.35),
    # Online ballots open for the coming AGM; members vote until it starts.
    Plan(Meeting.Kind.AGM, "Annual General Meeting", timedelta(days=21), 6, "receivers", turnout=0.2),
]


def seed_meetings(town: Town) -> str:
    """The meetings, their notices to every member, and for those held the attendance and the
    minutes (the AGM's approved at the general meeting after it)."""
    staff = User.objects.get(pk=town.staff_user)
    rng, now = town.rng, town.now
    held = []
    for plan in PLANS:
        starts = _at_evening(now + plan.starts_in)
        called = starts - timedelta(days=30)
        chair = town.workers[rng.randrange(1, len(town.workers))]
        meeting = Meeting.objects.create(
            kind=plan.kind,
            title=f"{plan.title} {starts:%Y}"
            if plan.kind == Meeting.Kind.AGM
            else f"{plan.title}, {starts:%B %Y}",
            format=Meeting.Format.HYBRID,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            place=PLACE,
            online_link=LINK,
            agenda=AGENDA,
            chair_id=chair,
            called_by=staff,
            called_at=called,
        )
        with connection.cursor() as cursor:
            cursor.execute(MEETING_NOTICE_SQL, {"meeting": meeting.pk, "called": called.date()})
            meeting.members_at_notice = cursor.rowcount
        meeting.save(update_fields=["members_at_notice"])
        if starts < now:
            present = rng.sample(town.everyone, min(len(town.everyone), max(20, len(town.everyone) // 40)))
            Attendance.objects.bulk_create(
                [
                    Attendance(
                        meeting=meeting,
                        membership_id=pk,
                        how=Attendance.How.IN_ROOM,
                        present_at=starts,
                        recorded_by=staff,
                    )
                    for pk in present
                ],
                batch_size=2000,
            )
            held.append(meeting)
        town.meetings.append(meeting.pk)
    for meeting, approved_at in itertools.pairwise(held):
        Minutes.objects.create(
            meeting=meeting,
            text=f"Present: {meeting.attendance.count()} members. The chair welcomed everyone. "
            "Each motion was put to the online ballot; the results were declared.",
            written_by=staff,
            updated_at=meeting.ends_at + timedelta(days=3),
            approved_at_meeting=approved_at,
            approved_by=staff,
        )
    return f"{len(PLANS)} meetings ({len(held)} held), every member given notice"


def seed_ballots(town: Town) -> str:
    """Twenty ballots: on each meeting's motions and its board election, opened when members were
    told, four weeks before; those of meetings held closed, counted and declared. The last
    motion of the coming AGM is not open yet. Votes come from about the plan's turnout of those
    eligible, some cast by proxies; the personas have not voted on the open ones, and each of
    them holds a proxy on one for a member who has not voted either."""
    staff = User.objects.get(pk=town.staff_user)
    rng, now = town.rng, town.now
    classes = dict(Membership.objects.filter(pk__in=town.everyone).values_list("pk", "member_class"))
    users = dict(Membership.objects.filter(pk__in=town.everyone).values_list("pk", "user_id"))
    personas = set(town.persona_members.values())
    motions = iter(MOTIONS)
    counts = {"open": 0, "closed": 0, "draft": 0, "votes": 0, "proxies": 0}
    for plan, meeting_pk in zip(PLANS, town.meetings, strict=True):
        meeting = Meeting.objects.get(pk=meeting_pk)
        # Online ballots open four weeks before the meeting and close as it starts.
        opens = meeting.starts_at - timedelta(days=28)
        # Members who cannot come give a proxy for the whole meeting: to a member or the chair.
        appointers = [pk for pk in rng.sample(town.everyone, len(town.everyone) // 100) if pk not in personas]
        holders = [pk for pk in rng.sample(town.everyone, len(appointers) // 4 + 1) if pk not in personas]
        proxies = Proxy.objects.bulk_create(
            [
                Proxy(
                    appointer_id=pk,
                    holder_id=None if n % 5 == 0 else holders[n % len(holders)],
                    to_chair=n % 5 == 0,
                    meeting=meeting,
                    created_at=min(now, opens + timedelta(days=rng.randint(0, 20))),
                )
                for n, pk in enumerate(appointers)
                if holders[n % len(holders)] != pk
            ]
        )
        counts["proxies"] += len(proxies)
        ballots = []
        for n in range(plan.motions):
            title, text = next(motions)
            motion = services.motion_propose(
                user=staff,
                meeting=meeting,
                title=title,
                text=text,
                by_board=True,
                now=opens - timedelta(days=1),
            )
            draft = meeting.starts_at > now and n == plan.motions - 1
            ballots.append(
                services.ballot_create(
                    user=staff,
                    title=title,
                    motion=motion,
                    opens_at=now + timedelta(days=7) if draft else opens,
                    closes_at=meeting.starts_at,
                )
            )
        election = services.ballot_create(
            user=staff,
            title=f"Board election: {plan.election}",
            meeting=meeting,
            seat_class=plan.election,
            seats=2,
            opens_at=opens,
            closes_at=meeting.starts_at,
        )
        standing = _candidates_for(town, plan.election)
        Candidate.objects.bulk_create(
            [
                Candidate(ballot=election, membership_id=pk, statement=CANDIDATE_STATEMENT, stood_at=opens)
                for pk in rng.sample(standing, min(6, len(standing)))
            ]
        )
        ballots.append(election)
        for ballot in ballots:
            if ballot.opens_at > now:
                counts["draft"] += 1
                continue
            ballot = services.ballot_open(ballot=ballot, now=opens)
            counts["votes"] += _votes(town, ballot, plan, proxies, users, classes)
            if meeting.starts_at < now:
                services.ballot_close(ballot=ballot, now=meeting.starts_at)
                services.ballot_declare(ballot=ballot, user=staff, now=meeting.starts_at + timedelta(hours=2))
                counts["closed"] += 1
            else:
                if counts["open"] == 0:
                    counts["proxies"] += _persona_proxies(town, ballot, personas)
                counts["open"] += 1
    return (
        f"{counts['closed'] + counts['open'] + counts['draft']} ballots ({counts['closed']} closed with "
        f"results, {counts['open']} open, {counts['draft']} not open yet), {counts['votes']:,} votes, "
        f"{counts['proxies']:,} proxies"
    )


CANDIDATE_STATEMENT = (
    "I have been a member since the co-op began. On the board I would make sure every member's "
    "voice is heard, and that the co-op stays small enough to know everyone by name."
)


def _candidates_for(town: Town, seat_class: str) -> list[int]:
    if seat_class == "workers":
        return town.workers[1:]
    if seat_class == "investors":
        return town.investors[1:]
    return town.receivers[1:] + town.advocates[1:]


def _votes(
    town: Town,
    ballot: Ballot,
    plan: Plan,
    proxies: list[Proxy],
    users: dict[int, int],
    classes: dict[int, str],
) -> int:
    """About the plan's turnout of those eligible vote; those who gave a proxy for the meeting
    vote through it, if the holder has voted; nobody who is a persona votes on an open ballot."""
    rng = town.rng
    closing = ballot.closes_at
    is_open = closing > town.now
    eligible = list(Eligibility.objects.filter(ballot=ballot).values_list("membership_id", flat=True))
    given = {proxy.appointer_id: proxy for proxy in proxies}
    personas = set(town.persona_members.values())
    voters = []
    for pk in eligible:
        if pk in given or (is_open and pk in personas) or rng.random() >= plan.turnout:
            continue
        voters.append(Voter(pk, classes[pk], users[pk], voted_at=_between(town, ballot.opens_at, closing)))
    voted = {voter.membership_id for voter in voters}
    eligible_set = set(eligible)
    for appointer, proxy in given.items():
        if appointer in eligible_set and proxy.holder_id in voted and rng.random() < 0.8:
            voters.append(
                Voter(
                    appointer,
                    classes[appointer],
                    users[proxy.holder_id],
                    proxy_id=proxy.pk,
                    voted_at=_between(town, ballot.opens_at, closing),
                )
            )
    if ballot.kind == Ballot.Kind.ELECTION:
        names = [str(pk) for pk in ballot.candidates.values_list("pk", flat=True)]
        rankings = iter(stv_benchmark_ballots(len(voters), names, rng.randrange(1_000_000)))
        return votes_seed_in_bulk(
            ballot=ballot, voters=voters, vote=lambda: {"ranking": [int(c) for c in next(rankings)]}
        )
    # Most motions pass; how well each does varies.
    support = rng.uniform(0.45, 0.9)
    return votes_seed_in_bulk(
        ballot=ballot,
        voters=voters,
        vote=lambda: {
            "choice": "for" if rng.random() < support else rng.choice(["against", "against", "abstain"])
        },
    )


def _persona_proxies(town: Town, ballot: Ballot, personas: set[int]) -> int:
    """Each persona who is a member holds a proxy on this open ballot (one, well under the most
    anyone may hold) for a member eligible on it
    who has not voted nor given a proxy: a vote they owe."""
    waiting = list(
        Eligibility.objects.filter(ballot=ballot)
        .exclude(membership_id__in=personas)
        .exclude(membership_id__in=ballot.participations.values("membership_id"))
        .exclude(membership_id__in=Proxy.objects.live().values("appointer_id"))
        .order_by("membership_id")
        .values_list("membership_id", flat=True)
    )
    waiting = town.rng.sample(waiting, min(len(personas), len(waiting)))
    return len(
        Proxy.objects.bulk_create(
            [
                Proxy(
                    appointer_id=appointer,
                    holder_id=holder,
                    ballot=ballot,
                    created_at=town.now - timedelta(days=1),
                )
                for appointer, holder in zip(waiting, sorted(personas), strict=False)
            ]
        )
    )


def _between(town: Town, start: datetime, end: datetime) -> datetime:
    end = min(end, town.now)
    return start + (end - start) * town.rng.random()


def _at_evening(moment: datetime) -> datetime:
    """Half past six in the evening, London time, on that day."""
    return local_datetime(timezone.localdate(moment), time(18, 30))


STAGES: list[tuple[str, Callable[[Town], str]]] = [
    ("meetings", seed_meetings),
    ("ballots, votes and proxies", seed_ballots),
]
