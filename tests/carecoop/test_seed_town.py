from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import Client
from django.utils import timezone

from carecoop import second_factor
from carecoop.town import TOWN_PASSWORD, TOWN_PERSONAS
from governance.models import Ballot, Meeting, Participation, Proxy, Vote
from matching.models import TeamMember
from members.models import CircleMember, Membership, RegisterCounter, User
from scheduling.models import ClosedMonth, Notification, Reminder, Statement, Visit
from tests.clock import NOW

MEMBERS = 300

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """One town for the module, seeded at the tests' moment and rolled back after the last."""
    with django_db_blocker.unblock(), time_machine.travel(NOW, tick=False), transaction.atomic():
        out = StringIO()
        call_command("seed_town", members=MEMBERS, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def town(seeded, db):  # type: ignore[no-untyped-def]
    return seeded


def test_the_town_has_its_classes_in_proportion_and_numbers_in_order(town):
    by_class = dict(Membership.objects.values_list("member_class").annotate(n=Count("pk")))

    assert by_class == {"worker": 150, "receiver": 120, "advocate": 18, "investor": 12}
    assert RegisterCounter.objects.get().last_number == Membership.objects.order_by("-number")[0].number
    # The register keeps a history row for each member, as admitting them would.
    assert Membership.history.count() == MEMBERS
    assert CircleMember.objects.filter(status="active").count() == 18


def test_every_person_has_a_team_and_every_worker_is_in_one(town):
    places = TeamMember.objects.working()

    assert places.values("receiver").distinct().count() == 120
    assert places.values("member").distinct().count() == 150
    busy = Membership.objects.get(user__email=TOWN_PERSONAS["worker"])
    assert places.filter(member=busy).count() == 12


def test_a_year_of_visits_with_notes_reminders_and_notifications(town):
    now = timezone.now()
    visits = Visit.objects.all()
    delivered = visits.filter(checked_out_at__isnull=False)

    assert visits.count() == MEMBERS * 50
    assert visits.filter(starts__lt=now - timedelta(days=300)).exists()
    assert visits.filter(starts__gt=now + timedelta(days=28)).exists()
    assert 0.6 < delivered.count() / visits.count() < 0.85
    assert not delivered.filter(visit_note="").exists()
    assert delivered.values("visit_note").distinct().count() > 5
    # Reminders wait only for visits to come; those whose moment passed are marked sent.
    assert Reminder.objects.filter(sent_at__isnull=True).exists()
    assert not Reminder.objects.filter(sent_at__isnull=True, due_at__lte=now).exclude(kind="missed").exists()
    assert not Reminder.objects.filter(visit__checked_out_at__isnull=False).exists()
    unread = Notification.objects.filter(read_at__isnull=True).count()
    assert 0 < unread < Notification.objects.count()


def test_closed_months_have_every_members_statement(town):
    assert ClosedMonth.objects.count() == 3
    for month in ClosedMonth.objects.all():
        statements = Statement.objects.filter(month=month)
        assert statements.filter(side="worker").count() > 100
        assert statements.filter(side="person").count() > 80
        assert statements.filter(amount_pence__gt=0).exists()
        for persona, side in (("worker", "worker"), ("person", "person")):
            mine = statements.get(member__user__email=TOWN_PERSONAS[persona], side=side)
            assert mine.visits > 0
            assert mine.amount_pence > 0


def test_the_busy_worker_visits_three_times_a_day_all_year(town):
    busy = Membership.objects.get(user__email=TOWN_PERSONAS["worker"])
    today = timezone.localdate()
    visits = Visit.objects.filter(worker=busy)

    assert visits.filter(starts__lt=timezone.now() - timedelta(days=360)).exists()
    assert visits.filter(status="accepted", starts__date=today).count() == 3
    assert visits.filter(status="offered", offer_expires_at__gt=timezone.now()).count() >= 5
    assert visits.filter(checked_out_at__isnull=False).count() > 700


def test_twenty_ballots_with_votes_and_proxies(town):
    ballots = Ballot.objects.all()

    assert ballots.count() == 20
    assert ballots.filter(status="closed", result__isnull=False, declared_at__isnull=False).count() == 13
    assert ballots.filter(status="open").count() == 6
    assert ballots.filter(status="draft").count() == 1
    for ballot in ballots.exclude(status="draft"):
        votes = Vote.objects.filter(ballot=ballot).count()
        assert votes == Participation.objects.filter(ballot=ballot).count()
        # About the plan's turnout where the list of voters is long; on a short one (a class of
        # ten) chance moves it more: some voted, not all.
        low, high = (0.1, 0.7) if ballot.eligible_count >= 50 else (0.0, 1.0)
        assert low * ballot.eligible_count < votes < high * ballot.eligible_count
    assert Participation.objects.filter(proxy__isnull=False, ballot__status="closed").exists()
    assert Proxy.objects.filter(ballot__status="open").exists()
    assert Proxy.objects.filter(meeting__isnull=False).exists()
    now = timezone.now()
    assert Meeting.objects.filter(kind="agm", starts_at__lt=now, minutes__isnull=False).exists()
    assert Meeting.objects.filter(kind="agm", starts_at__gt=now).exists()


def _page(email: str, url: str) -> str:
    client = Client()
    assert client.login(email=email, password=TOWN_PASSWORD)
    if email == TOWN_PERSONAS["staff"]:  # and the code from an authenticator app
        second_factor.session_second_factor_record(client.session, User.objects.get(email=email))
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_each_persona_logs_in_to_a_page_with_their_data(town):
    worker = _page(TOWN_PERSONAS["worker"], "/today/")
    assert "Your next visit" in worker
    assert "Offers waiting for your answer" in worker

    person = _page(TOWN_PERSONAS["person"], "/today/")
    assert "Who is coming" in person
    assert "Bethany" in person  # the busy worker is in her team

    advocate = _page(TOWN_PERSONAS["advocate"], "/today/")
    assert "Book a visit for Edith" in advocate

    investor = _page(TOWN_PERSONAS["investor"], "/today/")
    assert "ballots are waiting for your vote" in investor
    for page in (worker, person, advocate, investor):
        assert "as proxy for" in page

    staff = _page(TOWN_PERSONAS["staff"], "/staff/")
    assert "Work waiting" in staff
    assert User.objects.get(email=TOWN_PERSONAS["staff"]).is_staff


def test_the_town_prints_each_stage_its_time_and_the_logins(town):
    for stage in ("register", "visits", "statements", "ballots, votes and proxies"):
        assert f"  {stage} " in town
    for email in TOWN_PERSONAS.values():
        assert email in town
    assert TOWN_PASSWORD in town
    assert "The town is ready in" in town


def test_a_database_that_holds_members_is_refused(town):
    with pytest.raises(CommandError, match="already holds members"):
        call_command("seed_town", members=MEMBERS, stdout=StringIO())

    assert Membership.objects.count() == MEMBERS


def test_the_benchmark_asks_every_page_of_the_town_as_its_member_and_explains_the_slowest(town):
    from bench import run
    from bench.measure import measure

    figures = measure(runs=3, explain=2)

    assert figures["members"] == MEMBERS
    assert len(figures["pages"]) == 16
    for name, page in figures["pages"].items():
        assert 0 < page["median_ms"] <= page["p95_ms"], name
        assert page["queries"] > 0, name
    assert len(figures["slowest_queries"]) == 2
    for query in figures["slowest_queries"]:
        assert query["sql"].startswith("SELECT")
        assert "actual time=" in query["plan"]
    assert set(figures["cookies"]) == set(TOWN_PERSONAS)

    # The report: a row for each page at both sizes, and each target with whether it is met.
    checks = run.targets(figures, figures, None)
    # A time and a growth for each page, but the CSV, whose rows grow with the members.
    assert len(checks) == 2 * len(figures["pages"]) - 1
    assert all(check["met"] for check in checks if "growth" in check["target"])
    text = run.report([300, 300], {300: figures}, None, checks)
    assert text.startswith(run.START)
    assert text.endswith(run.END)
    for name in figures["pages"]:
        assert f"| {name} |" in text
    assert "```sql" in text
