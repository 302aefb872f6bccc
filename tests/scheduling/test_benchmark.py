from io import StringIO

from django.core import mail
from django.core.management import call_command

from carecoop.models import Email
from members.models import Membership
from scheduling.models import ClosedMonth, Notification, Reminder, Statement, Visit


def test_the_benchmark_prints_its_numbers_and_leaves_nothing_behind(db):
    out = StringIO()

    call_command("benchmark_scheduling", workers=20, visits=2000, runs=3, reminders=50, stdout=out)

    text = out.getvalue()
    assert "A worker's next four weeks" in text
    assert "A person's calendar (a month, 35 days)" in text
    assert "Booking a visit with a worker of the team" in text
    assert text.count("median") == 4
    assert "Closing last month: every statement" in text
    assert "The finance page: twelve months, one closed" in text
    assert "A worker's statement, this month" in text
    assert "Sending due reminders (one process)" in text
    assert "50 sent" in text
    assert "queries for a worker's next four weeks" in text
    assert "queries for a person's calendar" in text
    assert "Rolled back" in text
    assert Membership.objects.count() == 0
    assert Visit.objects.count() == 0
    assert Reminder.objects.count() == 0
    assert Notification.objects.count() == 0
    assert Email.objects.count() == 0
    assert not ClosedMonth.objects.exists()
    assert not Statement.objects.exists()
    assert mail.outbox == []
