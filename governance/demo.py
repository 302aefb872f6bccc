"""The demo co-op's meetings (see the seed_demo command).

Two months ago a general meeting at the Todmorden Town Hall adopted the rates policy by a secret
ballot (its results and receipts are published) and its minutes wait to be approved. In three
weeks the AGM meets at Hebden Bridge Town Hall and online: the notice has gone to every member,
the accounts are on an online ballot open now, three workers stand for the workers' seats on the
board, Tom's motion on paid travel time (seconded by Grace) waits for its vote at the meeting,
and Samina has started a requisition for a meeting about weekend rates. The first financial
year's dividends, approved at the first AGM in the summer, are in governance/dividend_demo.py.
"""

from datetime import date, datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from carecoop.models import Email
from governance import dividend_demo, services
from governance.models import Meeting
from members.models import Membership, User

HEBDEN_BRIDGE = "Hebden Bridge Town Hall, St George's Street, Hebden Bridge HX7 7BY"
TODMORDEN = "Todmorden Town Hall, Halifax Road, Todmorden OL14 5AA"
AGM_TITLE = "Annual General Meeting 2026"
AUTUMN_TITLE = "Autumn general meeting: our rates policy"


def _member(name: str) -> Membership:
    return Membership.objects.current().select_related("user").get(legal_name=name)


def _at(day: datetime, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day.date(), time(hour, minute)))


@transaction.atomic
def seed() -> list[object]:
    """Adds the meetings; returns no logins (the members' demo lists them)."""
    secretary = User.objects.get(email__startswith="secretary@")
    if not Meeting.objects.filter(title=AUTUMN_TITLE).exists():
        _autumn_meeting(secretary)
    if not Meeting.objects.filter(title=AGM_TITLE).exists():
        _agm(secretary)
    dividend_demo.seed(secretary)
    return []


def _autumn_meeting(secretary: User) -> None:
    now = timezone.now()
    called = now - timedelta(days=80)
    held = _at(now - timedelta(days=60), 18, 30)
    meeting = services.meeting_call(
        called_by=secretary,
        kind=Meeting.Kind.GENERAL,
        title=AUTUMN_TITLE,
        format=Meeting.Format.IN_PERSON,
        starts_at=held,
        ends_at=held + timedelta(hours=2),
        place=TODMORDEN,
        agenda="1. Welcome and apologies\n2. The rates policy\n3. Any other business",
        now=called,
    )
    # Its notice went out when it was called, 80 days ago: not again today.
    Email.objects.filter(about=f"governance.meeting_notice:{meeting.pk}", status=Email.Status.OWED).update(
        status=Email.Status.SENT, sent_at=called, context={}
    )
    motion = services.motion_propose(
        user=secretary,
        meeting=meeting,
        title="Adopt the rates policy",
        text=(
            "That the co-op adopts the rates policy: workers set their own hourly rate between "
            "£12.60 and £30.00, and the co-op keeps 7.5% of it and adds 17.5% to the charge."
        ),
        by_board=True,
        now=called,
    )
    ballot = services.ballot_create(
        user=secretary,
        title="Adopt the rates policy",
        motion=motion,
        opens_at=called + timedelta(days=1),
        closes_at=held,
    )
    services.ballot_open(ballot=ballot, user=secretary, now=called + timedelta(days=1))
    votes = {
        "Ruth Sutcliffe": "for",
        "Arthur Greenwood": "for",
        "Samina Akhtar": "for",
        "Jane Sutcliffe": "for",
        "Asha Begum": "for",
        "Tom Ackroyd": "against",
        "Megan Holt": "for",
        "Paweł Nowak": "abstain",
        "Grace Mitchell": "for",
        "Fatima Hussain": "against",
        "Margaret Fielden": "for",
        "David Lord": "for",
    }
    for i, (name, choice) in enumerate(votes.items()):
        services.vote_cast(
            ballot=ballot, user=_member(name).user, choice=choice, now=called + timedelta(days=2, hours=i)
        )
    services.ballot_close(ballot=ballot, now=held)
    services.ballot_declare(ballot=ballot, user=secretary, now=held + timedelta(minutes=40))
    services.minutes_save(
        meeting=meeting,
        user=secretary,
        now=held + timedelta(days=2),
        text=(
            "Present: 14 members; apologies from David Lord.\n"
            "The chair welcomed members to Todmorden Town Hall.\n"
            "The rates policy: the secretary presented the online ballot's result. The motion was "
            "carried. Members asked the board to look again at paid travel time between visits.\n"
            "The meeting closed at 20:10."
        ),
    )


DEMO_ACCOUNTS = """Calder Valley Care Co-op Ltd: accounts for the year to 31 March 2026

Income
  Care and support visits charged            £412,380
  Grants (Calderdale community fund)          £12,000
  Total income                               £424,380

Spending
  Workers' pay for visits                    £331,460
  Office, insurance and training              £58,210
  Interest on members' shares                    £310
  Total spending                             £389,980

Surplus for the year                          £34,400
  of which the board proposes as a dividend   £20,000

Members' share capital at 31 March 2026       £15,480

The board asks members to adopt these accounts at the annual general meeting.
"""


def agm_day(today: date) -> date:
    """The demo AGM's day: the first Wednesday at least three weeks ahead (notice given), moved on
    a week at a time past the holidays (24 December to 1 January), so it never lands on Christmas
    Day, Boxing Day or New Year's Day whatever day the demo is seeded."""
    day = today + timedelta(days=21)
    day += timedelta(days=(2 - day.weekday()) % 7)
    while (day.month == 12 and day.day >= 24) or (day.month == 1 and day.day == 1):
        day += timedelta(days=7)
    return day


def _agm(secretary: User) -> None:
    now = timezone.now()
    starts = timezone.make_aware(datetime.combine(agm_day(timezone.localdate()), time(18, 30)))
    meeting = services.meeting_call(
        called_by=secretary,
        kind=Meeting.Kind.AGM,
        title=AGM_TITLE,
        format=Meeting.Format.HYBRID,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        place=HEBDEN_BRIDGE,
        online_link="https://meet.example.org/calder-valley-agm",
        agenda=(
            "1. Welcome and apologies\n"
            "2. Minutes of the autumn general meeting\n"
            "3. The accounts for 2025–26 (online ballot, result declared at the meeting)\n"
            "4. Board elections: the workers' seats (online ballot)\n"
            "5. Motion: paid travel time between visits\n"
            "6. Any other business"
        ),
        now=now,
    )
    services.meeting_chair_set(meeting=meeting, chair=_member("Arthur Greenwood"), user=secretary)
    accounts = services.motion_propose(
        user=secretary,
        meeting=meeting,
        title="Adopt the accounts for 2025–26",
        text="That the accounts for the year to 31 March 2026, as presented by the board, be adopted.",
        by_board=True,
        now=now,
    )
    ballot = services.ballot_create(
        user=secretary,
        title="Adopt the accounts for 2025–26",
        motion=accounts,
        opens_at=now,
        closes_at=starts,
    )
    services.ballot_open(ballot=ballot, user=secretary, now=now)
    # The paper members read before voting on the accounts: on the ballot's page and the meeting's.
    services.document_attach(
        meeting=meeting,
        title="The accounts for the year to 31 March 2026",
        file=SimpleUploadedFile("accounts-2025-26.txt", DEMO_ACCOUNTS.encode(), content_type="text/plain"),
        user=secretary,
    )

    travel = services.motion_propose(
        user=_member("Tom Ackroyd").user,
        meeting=meeting,
        title="Paid travel time between visits",
        text="That time travelling between visits on the same day is paid at the worker's own hourly rate.",
        now=now,
    )
    services.motion_second(motion=travel, user=_member("Grace Mitchell").user)

    election = services.ballot_create(
        user=secretary,
        title="Board election: workers' seats",
        meeting=meeting,
        seat_class="workers",
        seats=2,
        opens_at=now,
        closes_at=starts,
    )
    statements = {
        "Asha Begum": "I have worked in care in Halifax for twelve years. I want rotas that let us see the same people.",
        "Paweł Nowak": "I would push for paid travel time and for training we choose ourselves.",
        "Fatima Hussain": "I speak Urdu and Punjabi and would help the co-op reach families in Halifax.",
    }
    for name, statement in statements.items():
        services.candidate_stand(ballot=election, user=_member(name).user, statement=statement)
    services.ballot_open(ballot=election, user=secretary, now=now)
    # Two investors cannot come: one names a worker as proxy, the other the chair.
    services.proxy_appoint(
        user=_member("Margaret Fielden").user,
        holder=_member("Tom Ackroyd"),
        meeting=meeting,
        instructions_text="Please vote for the accounts, and for paid travel time.",
        now=now,
    )
    services.proxy_appoint(
        user=_member("David Lord").user, to_chair=True, ballot=ballot, instruction="for", now=now
    )
    services.requisition_open(
        user=_member("Samina Akhtar").user,
        purpose="To discuss a higher rate for weekend and bank holiday visits.",
    )
