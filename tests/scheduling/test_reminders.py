"""Reminders: planned as rows when a visit is booked, accepted, moved or cancelled; sent by a sweep
that claims due rows, so that each goes out exactly once, however many sweeps run at once."""

import datetime
from datetime import UTC, timedelta

import pytest
from django.conf import settings
from django.core import mail

from carecoop import outbox
from scheduling import services
from scheduling.models import EmailChoice, Notification, Reminder
from scheduling.tasks import reminders_send_due_task
from tests.concurrency import race, wait_for
from tests.factories import add_worker, visit_booked
from tests.outbox import owed, send_owed
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")

KIND = Reminder.Kind


def planned(visit):
    return {r.kind: r.due_at for r in Reminder.objects.filter(visit=visit, sent_at__isnull=True)}


def sweep(time_machine, moment, capture):
    """Move to a moment and run the sweep, emails and all; what it sent, by kind and address."""
    time_machine.move_to(moment, tick=False)
    before = len(mail.outbox)
    with capture(execute=True):
        services.reminders_send_due()
    return sorted((m.subject, tuple(m.to)) for m in mail.outbox[before:])


def notified(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("user__email", flat=True))


# --- Planning -----------------------------------------------------------------------------------------


def test_an_accepted_visit_plans_the_workers_reminders_the_evening_before_and_the_missed_alert(ruth, megan):
    visit = visit_booked(ruth, megan, at(25, 9), at(25, 11))
    assert planned(visit) == {}  # an offer waits for its answer: nothing to remind anyone of yet

    services.visit_accept(visit=visit, by=megan.user)

    assert planned(visit) == {
        KIND.WORKER_DAY_BEFORE: at(24, 9),
        KIND.WORKER_HOUR_BEFORE: at(25, 8),
        KIND.RECEIVER_EVENING: at(24, 18),
        KIND.MISSED: at(25, 9, 15),
    }


def test_an_open_visit_plans_the_unfilled_alert_48_hours_before(ruth, megan):
    visit = visit_booked(ruth, None, at(27, 9), at(27, 11))

    assert planned(visit) == {KIND.OPEN_UNFILLED: at(25, 9)}


def test_a_reminder_whose_moment_passed_before_the_booking_is_not_planned(ruth, megan):
    visit = visit_booked(
        ruth, megan, at(24, 9), at(24, 10), accepted=True
    )  # tomorrow: 24 hours before is gone

    assert set(planned(visit)) == {KIND.WORKER_HOUR_BEFORE, KIND.RECEIVER_EVENING, KIND.MISSED}


@pytest.mark.parametrize(
    ("today", "starts", "due"),
    [
        # Sunday 28 March 2027, 09:00 BST, is 08:00 UTC; the clocks went forward at 01:00 that night.
        (
            at(20, 10, month=3, year=2027),
            at(28, 9, month=3, year=2027),
            {
                KIND.WORKER_DAY_BEFORE: datetime.datetime(2027, 3, 27, 8, tzinfo=UTC),
                KIND.WORKER_HOUR_BEFORE: datetime.datetime(2027, 3, 28, 7, tzinfo=UTC),
                KIND.RECEIVER_EVENING: datetime.datetime(2027, 3, 27, 18, tzinfo=UTC),
                KIND.MISSED: datetime.datetime(2027, 3, 28, 8, 15, tzinfo=UTC),
            },
        ),
        # Sunday 31 October 2027, 09:00 GMT; the clocks went back at 02:00 BST that night.
        (
            at(23, 10, month=10, year=2027),
            at(31, 9, month=10, year=2027),
            {
                KIND.WORKER_DAY_BEFORE: datetime.datetime(2027, 10, 30, 9, tzinfo=UTC),
                KIND.WORKER_HOUR_BEFORE: datetime.datetime(2027, 10, 31, 8, tzinfo=UTC),
                KIND.RECEIVER_EVENING: datetime.datetime(2027, 10, 30, 17, tzinfo=UTC),  # 18:00 BST
                KIND.MISSED: datetime.datetime(2027, 10, 31, 9, 15, tzinfo=UTC),
            },
        ),
    ],
    ids=["spring", "autumn"],
)
def test_reminders_across_a_clock_change_keep_real_hours_and_the_evening_at_six(
    ruth, megan, time_machine, today, starts, due
):
    time_machine.move_to(today, tick=False)

    visit = visit_booked(ruth, megan, starts, starts + timedelta(hours=1), accepted=True)

    assert planned(visit) == due


@pytest.mark.parametrize(
    ("today", "starts", "due"),
    [
        (
            at(20, 10, month=3, year=2027),
            at(29, 9, month=3, year=2027),
            datetime.datetime(2027, 3, 27, 8, tzinfo=UTC),
        ),
        (
            at(23, 10, month=10, year=2027),
            at(1, 9, month=11, year=2027),
            datetime.datetime(2027, 10, 30, 9, tzinfo=UTC),
        ),
    ],
    ids=["spring", "autumn"],
)
def test_the_unfilled_alert_is_48_real_hours_before_across_a_clock_change(
    ruth, megan, time_machine, today, starts, due
):
    time_machine.move_to(today, tick=False)

    visit = visit_booked(ruth, None, starts, starts + timedelta(hours=1))

    assert planned(visit) == {KIND.OPEN_UNFILLED: due}


def test_taking_an_open_visit_swaps_the_unfilled_alert_for_the_workers_reminders(ruth, megan, asha):
    visit = visit_booked(ruth, None, at(27, 9), at(27, 11))

    services.visit_accept(visit=visit, by=asha.user)

    assert set(planned(visit)) == {
        KIND.WORKER_DAY_BEFORE,
        KIND.WORKER_HOUR_BEFORE,
        KIND.RECEIVER_EVENING,
        KIND.MISSED,
    }


def test_moving_an_open_visit_moves_its_alert(ruth, megan):
    visit = visit_booked(ruth, None, at(27, 9), at(27, 11))

    services.visit_change(visit=visit, by=ruth.user, starts=at(28, 12), ends=at(28, 14))

    assert planned(visit) == {KIND.OPEN_UNFILLED: at(26, 12)}


def test_a_moved_visit_is_reminded_of_again_at_its_new_time(
    ruth, megan, time_machine, django_capture_on_commit_callbacks
):
    visit = visit_booked(ruth, megan, at(26, 9), at(26, 11), accepted=True)
    assert sweep(time_machine, at(25, 9, 1), django_capture_on_commit_callbacks)  # the 24 hours' reminder

    services.visit_change(visit=visit, by=ruth.user, starts=at(27, 9), ends=at(27, 11))
    # Moved, it is an offer again: nothing is due about a time the worker has not agreed to.
    assert planned(visit) == {}
    assert sweep(time_machine, at(25, 18), django_capture_on_commit_callbacks) == []  # the old evening
    services.visit_accept(visit=visit, by=megan.user)

    assert planned(visit) == {
        KIND.WORKER_DAY_BEFORE: at(26, 9),  # sent for the old time; due again for the new one
        KIND.WORKER_HOUR_BEFORE: at(27, 8),
        KIND.RECEIVER_EVENING: at(26, 18),
        KIND.MISSED: at(27, 9, 15),
    }
    again = sweep(time_machine, at(26, 9), django_capture_on_commit_callbacks)
    assert [to for _subject, to in again] == [("megan@example.org",)]
    assert "27 November" in again[0][0]


def test_a_cancelled_visit_is_reminded_of_no_more(
    ruth, megan, time_machine, django_capture_on_commit_callbacks
):
    visit = visit_booked(ruth, megan, at(26, 9), at(26, 11), accepted=True)

    services.visit_cancel(visit=visit, by=ruth.user, reason="Ruth is in hospital.")

    assert planned(visit) == {}
    assert sweep(time_machine, at(27, 9), django_capture_on_commit_callbacks) == []
    assert not Notification.objects.filter(kind__in=KIND.values).exists()


# --- Sending -----------------------------------------------------------------------------------------


def test_each_reminder_reaches_its_people_at_its_time(
    ruth, megan, asha, jane, staff, time_machine, django_capture_on_commit_callbacks
):
    visit_booked(ruth, megan, at(25, 9), at(25, 11), accepted=True)

    assert sweep(time_machine, at(24, 8, 59), django_capture_on_commit_callbacks) == []
    day_before = sweep(time_machine, at(24, 9), django_capture_on_commit_callbacks)
    evening = sweep(time_machine, at(24, 18), django_capture_on_commit_callbacks)
    hour_before = sweep(time_machine, at(25, 8), django_capture_on_commit_callbacks)
    missed = sweep(time_machine, at(25, 9, 15), django_capture_on_commit_callbacks)

    assert [to for _subject, to in day_before] == [("megan@example.org",)]
    assert [to for _subject, to in evening] == [("jane@example.org",), ("ruth@example.org",)]
    assert "Megan" in evening[0][0]
    assert [to for _subject, to in hour_before] == [("megan@example.org",)]
    # One email each: nobody sees the others' addresses.
    assert [to for _subject, to in missed] == [
        ("asha@example.org",),
        ("jane@example.org",),
        ("megan@example.org",),
        ("ruth@example.org",),
        ("secretary@example.org",),
    ]
    assert notified(KIND.WORKER_DAY_BEFORE) == ["megan@example.org"]
    assert notified(KIND.RECEIVER_EVENING) == ["jane@example.org", "ruth@example.org"]
    assert len(notified(KIND.MISSED)) == 5
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    assert sweep(time_machine, at(26, 9), django_capture_on_commit_callbacks) == []


def test_a_worker_who_checks_in_in_time_sets_off_no_missed_alert(
    ruth, megan, time_machine, django_capture_on_commit_callbacks
):
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11), accepted=True)
    time_machine.move_to(at(24, 9, 10), tick=False)
    services.visit_check_in(visit=visit, by=megan.user)

    sweep(time_machine, at(24, 9, 30), django_capture_on_commit_callbacks)

    assert notified(KIND.MISSED) == []


def test_an_open_visit_nobody_takes_alerts_the_team_and_staff_48_hours_before(
    ruth, megan, asha, tom, staff, time_machine, django_capture_on_commit_callbacks
):
    visit_booked(ruth, None, at(27, 9), at(27, 11))
    taken = visit_booked(ruth, None, at(27, 13), at(27, 15))
    services.visit_accept(visit=taken, by=asha.user)

    sent = sweep(time_machine, at(25, 13), django_capture_on_commit_callbacks)

    addresses = {address for _subject, to in sent for address in to}
    assert {"asha@example.org", "megan@example.org", "secretary@example.org"} <= addresses
    assert "tom@example.org" not in addresses
    assert all("Friday 27 November, 09:00" in subject for subject, _to in sent)
    assert Notification.objects.filter(kind=KIND.OPEN_UNFILLED, visit=taken).count() == 0


def test_an_email_choice_stops_the_email_but_not_the_notification(
    ruth, megan, time_machine, django_capture_on_commit_callbacks
):
    EmailChoice.objects.create(user=megan.user, kind=KIND.WORKER_DAY_BEFORE)
    visit_booked(ruth, megan, at(25, 9), at(25, 11), accepted=True)

    assert sweep(time_machine, at(24, 9), django_capture_on_commit_callbacks) == []
    sweep(time_machine, at(24, 18), django_capture_on_commit_callbacks)  # Ruth's evening
    hour_before = sweep(time_machine, at(25, 8), django_capture_on_commit_callbacks)

    assert notified(KIND.WORKER_DAY_BEFORE) == ["megan@example.org"]  # still in the app
    assert [to for _subject, to in hour_before] == [("megan@example.org",)]  # other kinds still email


def test_a_second_sweep_sends_nothing_again(ruth, megan, time_machine, django_capture_on_commit_callbacks):
    visit_booked(ruth, megan, at(25, 9), at(25, 11), accepted=True)

    first = sweep(time_machine, at(24, 18), django_capture_on_commit_callbacks)
    second = sweep(time_machine, at(24, 18), django_capture_on_commit_callbacks)

    assert len(first) == 2  # the worker's day before, and the person's evening
    assert second == []
    assert Notification.objects.filter(reminder__isnull=False).count() == 1 + 1  # Megan; Ruth


def test_a_sweep_sends_more_than_one_batch(ruth, megan, time_machine, django_capture_on_commit_callbacks):
    for day in (24, 25, 26):
        visit_booked(ruth, megan, at(day, 9), at(day, 10), accepted=True)
    time_machine.move_to(at(27, 12), tick=False)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send_due(batch=2)

    # Four kinds for each of three visits, but the first's 24 hours before had passed at booking.
    assert Reminder.objects.count() == 11
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    assert Notification.objects.filter(reminder__isnull=False).count() == len(mail.outbox)


# --- Exactly once, under concurrency ---------------------------------------------------------------------


def many_due_reminders(ruth, staff, n_workers=6):
    """Accepted visits for several workers, each with its reminders due by Friday noon."""
    visits = []
    for i in range(n_workers):
        worker = add_worker(staff, f"Worker {i} Smith", f"w{i}@example.org", team_of=ruth)
        visits.append(visit_booked(ruth, worker, at(26, 8 + i), at(26, 9 + i), accepted=True))
    mail.outbox.clear()  # the offers and acceptances: only reminders are counted from here
    return visits


def assert_each_reminder_sent_once():
    reminders = list(Reminder.objects.all())
    assert reminders
    assert all(r.sent_at is not None for r in reminders)
    # One notification for each person, per reminder, and one email for each notification.
    for reminder in reminders:
        per_user = Notification.objects.filter(reminder=reminder).values_list("user_id", flat=True)
        assert len(per_user) == len(set(per_user)) > 0, reminder
    expected = sorted(
        (f"[{settings.COOP_NAME}] {title}", (email,))
        for title, email in Notification.objects.filter(reminder__isnull=False).values_list(
            "title", "user__email"
        )
    )
    # Emails about the bookings themselves may still be arriving from a real worker: only the
    # reminders' are counted.
    subjects = {subject for subject, _to in expected}
    sent = sorted((m.subject, tuple(m.to)) for m in mail.outbox if m.subject in subjects)
    assert sent == expected
    assert not owed()


@pytest.mark.django_db(transaction=True)
def test_eight_sweeps_at_once_send_each_reminder_exactly_once(ruth, staff, time_machine):
    many_due_reminders(ruth, staff)
    time_machine.move_to(at(27, 12), tick=False)

    results = race([lambda: services.reminders_send_due(batch=3) for _ in range(8)])

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == Reminder.objects.count()
    assert_each_reminder_sent_once()


@pytest.mark.django_db(transaction=True)
def test_the_sweep_sent_twice_through_redis_to_a_real_worker_sends_each_reminder_once(
    ruth, staff, time_machine, real_celery_worker
):
    from celery.worker import state

    many_due_reminders(ruth, staff, n_workers=3)
    time_machine.move_to(at(27, 12), tick=False)

    done_before = state.total_count.get(reminders_send_due_task.name, 0)
    reminders_send_due_task.delay()
    reminders_send_due_task.delay()  # a second delivery must send nothing more

    assert wait_for(
        lambda: (
            state.total_count.get(reminders_send_due_task.name, 0) >= done_before + 2
            and not state.active_requests
            and not owed()
        )
    )
    assert_each_reminder_sent_once()


# --- The outbox: emails owed, sent once, not lost ------------------------------------------------------


def test_a_mail_server_that_fails_loses_no_reminder_email(
    ruth, megan, time_machine, django_capture_on_commit_callbacks, settings
):
    visit_booked(ruth, megan, at(25, 9), at(25, 11), accepted=True)
    send_owed()  # the booking's own emails: not counted here
    mail.outbox.clear()
    settings.EMAIL_BACKEND = "tests.failing_email.FailingEmailBackend"

    # The reminder is sent in the app; its email is owed, and stays owed while the server fails.
    sweep(time_machine, at(24, 9), django_capture_on_commit_callbacks)
    notification = Notification.objects.get(kind=KIND.WORKER_DAY_BEFORE)
    [email] = owed(about=f"scheduling.notification:{notification.pk}")
    assert Reminder.objects.get(kind=KIND.WORKER_DAY_BEFORE).sent_at is not None
    import smtplib

    with pytest.raises(smtplib.SMTPException):
        outbox.emails_send()
    assert owed(about=f"scheduling.notification:{notification.pk}") == [email]

    # The server is back: the next sweep of the outbox sends it, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.emails_send() == 1
    assert outbox.emails_send() == 0
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["megan@example.org"], f"[{settings.COOP_NAME}] {notification.title}")
    ]
    email.refresh_from_db()
    assert (email.status, email.sent_at is not None) == ("sent", True)


@pytest.mark.django_db(transaction=True)
def test_booking_while_the_mail_server_is_down_still_books_and_emails_later(ruth, megan, settings):
    from rest_framework.test import APIClient

    settings.EMAIL_BACKEND = "tests.failing_email.FailingEmailBackend"
    client = APIClient()
    client.force_authenticate(ruth.user)

    response = client.post(
        "/api/v1/visits/",
        {"worker": megan.number, "starts": at(26, 9).isoformat(), "ends": at(26, 10).isoformat()},
        format="json",
    )

    assert response.status_code == 201, response.content
    assert [email.to for email in owed()] == ["megan@example.org"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox.emails_send() == 1
    assert [m.to for m in mail.outbox] == [["megan@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_two_outbox_senders_at_once_send_each_email_once(ruth, staff, time_machine, monkeypatch):
    many_due_reminders(ruth, staff)
    time_machine.move_to(at(27, 12), tick=False)
    send_owed()
    mail.outbox.clear()
    # The sweep's Celery messages are lost: its emails stay owed, for senders to race for.
    monkeypatch.setattr("carecoop.outbox._send_soon", lambda ids: None)
    services.reminders_send_due()
    owed_now = len(owed())
    assert owed_now == Notification.objects.filter(reminder__isnull=False).count()

    results = race([lambda: outbox.emails_send(batch=5) for _ in range(4)])

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == owed_now == len(mail.outbox)
    assert_each_reminder_sent_once()
