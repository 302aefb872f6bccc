from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.urls import reverse

from members.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET
from members.models import User


def test_seed_demo_creates_verified_demo_logins(db, capsys):
    call_command("seed_demo")

    out = capsys.readouterr().out
    staff = User.objects.get(email="secretary@demo.carecoop.example")
    assert staff.is_staff
    assert staff.check_password(DEMO_PASSWORD)
    assert EmailAddress.objects.filter(user=staff, verified=True, primary=True).exists()
    assert "secretary@demo.carecoop.example" in out
    assert DEMO_PASSWORD in out


def test_seed_demo_is_safe_to_run_twice(db):
    call_command("seed_demo")
    users, addresses = User.objects.count(), EmailAddress.objects.count()

    call_command("seed_demo")

    assert (User.objects.count(), EmailAddress.objects.count()) == (users, addresses)


def test_seed_demo_restores_a_changed_demo_password(db):
    call_command("seed_demo")
    staff = User.objects.get(email="secretary@demo.carecoop.example")
    staff.set_password("changed-by-someone")
    staff.save()

    call_command("seed_demo")

    staff.refresh_from_db()
    assert staff.check_password(DEMO_PASSWORD)


def test_seed_demo_is_refused_where_demo_data_is_not_allowed(db, settings):
    settings.CARECOOP_DEMO_DATA_ALLOWED = False

    with pytest.raises(CommandError, match="Demo data"):
        call_command("seed_demo")

    assert User.objects.count() == 0


def test_seed_demo_restores_a_demo_login_whose_email_was_changed(db):
    call_command("seed_demo")
    newcomer = User.objects.get(email="newcomer@demo.carecoop.example")
    EmailAddress.objects.filter(user=newcomer).update(primary=False)
    EmailAddress.objects.create(user=newcomer, email="mine@example.org", verified=True, primary=True)
    newcomer.email = "mine@example.org"
    newcomer.save()

    call_command("seed_demo")

    newcomer.refresh_from_db()
    assert newcomer.email == "newcomer@demo.carecoop.example"
    assert newcomer.check_password(DEMO_PASSWORD)
    assert list(EmailAddress.objects.filter(user=newcomer).values_list("email", "primary", "verified")) == [
        ("newcomer@demo.carecoop.example", True, True)
    ]


def test_the_demo_coop_is_a_believable_small_coop_in_calderdale(db):
    from django.utils import timezone

    from members import selectors
    from members.models import Application, CircleMember, Membership

    call_command("seed_demo")

    classes = sorted(Membership.objects.current().values_list("member_class", flat=True))
    assert classes.count("receiver") == 4
    assert classes.count("worker") == 8
    assert classes.count("investor") == 2
    assert classes.count("advocate") == 1
    today = timezone.localdate()
    assert selectors.workers_bookable(on=today).count() == 8
    expiring = list(selectors.vetting_expiring(today=today))
    assert [(c.membership.legal_name, c.kind) for c in expiring] == [("Tom Ackroyd", "dbs")]
    ruth = Membership.objects.get(legal_name="Ruth Sutcliffe")
    assert (
        CircleMember.objects.get(receiver=ruth, status="active").supporter.email
        == "jane@demo.carecoop.example"
    )
    districts = set(Membership.objects.values_list("profile__district_id", flat=True))
    assert {"HX7", "OL14", "HX1"} <= districts
    assert Application.objects.filter(status="submitted").count() == 1
    # Visits already delivered start Ruth's care log; yesterday's hours wait for her, and the
    # hours she queried wait in the secretary's queue.
    from members.models import Policy
    from scheduling import selectors as visit_selectors
    from scheduling.models import Visit

    log = list(visit_selectors.care_log(receiver=ruth))
    assert [v.hours for v in log[:3]] == ["pending", "queried", "confirmed"]
    assert list(visit_selectors.visits_hours_queried()) == [log[1]]
    assert all(v.visit_note and v.worker.legal_name == "Megan Holt" for v in log)
    assert [v.pk for v in visit_selectors.visits_to_confirm(user=ruth.user)] == [log[0].pk]
    # Megan's mileage to the chemist waits for Ruth with yesterday's hours; Megan does sleep-ins,
    # and Ruth has one booked with her, priced at the night's rate.
    [mileage] = visit_selectors.visit_expenses(visit=log[0])
    assert (mileage.kind, mileage.miles, mileage.amount_pence) == ("mileage", Decimal("6.4"), 2_88)
    [night] = Visit.objects.filter(receiver=ruth, sleep_in=True)
    assert (night.status, night.sleep_in_rate_pence) == ("accepted", 65_00)
    assert night.cost(Policy.current()).person_pays == 76_38  # £65 plus 17.5%, rounded half up
    # Two months before this one, Megan came on Tuesdays and Thursdays: the earlier is closed, its
    # statements final; the later waits for the secretary to close it.
    from scheduling import statements
    from scheduling.models import ClosedMonth

    last = statements.previous_month(statements.this_month())
    assert list(ClosedMonth.objects.values_list("month", flat=True)) == [statements.previous_month(last)]
    megan = Membership.objects.get(legal_name="Megan Holt")
    kept = statements.statement_for(member=megan, month=statements.previous_month(last))
    assert kept.closed
    assert kept.visits >= 8
    assert statements.statement_for(member=ruth, month=last).visits >= 4


def test_running_the_demo_twice_adds_nothing(db):
    from members.models import Application, CircleMember, Membership, ShareTransaction, VettingCheck

    call_command("seed_demo")
    counts = [
        m.objects.count()
        for m in (User, Membership, Application, ShareTransaction, VettingCheck, CircleMember)
    ]

    call_command("seed_demo")

    assert [
        m.objects.count()
        for m in (User, Membership, Application, ShareTransaction, VettingCheck, CircleMember)
    ] == counts


def test_the_demo_weekly_booking_is_accepted_whole_and_ruth_is_told_once(db):
    from scheduling.models import Notification, Series, Visit, VisitEvent

    call_command("seed_demo")

    series = Series.objects.get(receiver__legal_name="Ruth Sutcliffe")
    assert set(Visit.objects.filter(series=series).values_list("status", flat=True)) == {
        Visit.Status.ACCEPTED
    }
    told = Notification.objects.filter(
        user__email=series.receiver.user.email, kind=VisitEvent.ACCEPTED, visit__series=series
    )
    assert told.count() == 1
    assert "16 of 16 visits" in told.get().title


def test_the_demo_worker_at_ruths_door_has_her_phone_and_an_emergency_contact(db):
    from members.models import EmergencyContact, Membership
    from members.selectors import phones_for

    call_command("seed_demo")

    ruth = Membership.objects.get(legal_name="Ruth Sutcliffe")
    contact = EmergencyContact.objects.get(membership=ruth)
    assert (contact.name, contact.relationship) == ("Jane Sutcliffe", "Daughter")
    assert phones_for(memberships=[ruth])[ruth.pk] == "01422 842137"


def test_the_demo_secretary_logs_in_with_the_published_authenticator_secret(db, capsys, client):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert DEMO_TOTP_SECRET in out
    # The command as README.md gives it: it runs as typed, without the virtual environment activated.
    assert "`.venv/bin/python manage.py demo_code`" in out

    client.post(
        reverse("account_login"), {"login": "secretary@demo.carecoop.example", "password": DEMO_PASSWORD}
    )
    call_command("demo_code")
    code = capsys.readouterr().out.split()[0]
    done = client.post(reverse("mfa_authenticate"), {"code": code})

    assert done["Location"] == reverse("staff_home")
    assert client.get(reverse("staff_home")).status_code == 200


def test_seeding_again_puts_the_demo_authenticator_back(db):
    call_command("seed_demo")
    staff = User.objects.get(email="secretary@demo.carecoop.example")
    Authenticator.objects.filter(user=staff).delete()

    call_command("seed_demo")

    assert Authenticator.objects.filter(user=staff, type="totp").count() == 1
