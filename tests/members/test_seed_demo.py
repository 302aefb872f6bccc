import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command

from members.demo import DEMO_PASSWORD
from members.models import User


def test_seed_demo_creates_verified_demo_logins(db, capsys):
    call_command("seed_demo")

    out = capsys.readouterr().out
    secretary = User.objects.get(email="secretary@demo.carecoop.example")
    assert secretary.is_staff
    assert secretary.check_password(DEMO_PASSWORD)
    assert EmailAddress.objects.filter(user=secretary, verified=True, primary=True).exists()
    assert "secretary@demo.carecoop.example" in out
    assert DEMO_PASSWORD in out


def test_seed_demo_is_safe_to_run_twice(db):
    call_command("seed_demo")
    users, addresses = User.objects.count(), EmailAddress.objects.count()

    call_command("seed_demo")

    assert (User.objects.count(), EmailAddress.objects.count()) == (users, addresses)


def test_seed_demo_restores_a_changed_demo_password(db):
    call_command("seed_demo")
    secretary = User.objects.get(email="secretary@demo.carecoop.example")
    secretary.set_password("changed-by-someone")
    secretary.save()

    call_command("seed_demo")

    secretary.refresh_from_db()
    assert secretary.check_password(DEMO_PASSWORD)


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
