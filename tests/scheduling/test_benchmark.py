from io import StringIO

from django.core import mail
from django.core.management import call_command

from carecoop.models import Email
from members.models import Membership
from scheduling.models import Notification, Reminder, Visit


def test_the_benchmark_prints_its_numbers_and_leaves_nothing_behind(db):
    out = StringIO()

    call_command("benchmark_scheduling", workers=20, visits=2000, runs=3, reminders=50, stdout=out)

    text = out.getvalue()
    assert "A worker's next four weeks" in text
    assert "A person's calendar (a month, 35 days)" in text
    assert "Booking a visit with a worker of the team" in text
    assert text.count("median") == 3
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
    assert mail.outbox == []
