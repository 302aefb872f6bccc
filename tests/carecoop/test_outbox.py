"""The one email outbox: every email of every app is a row owed in the transaction that causes it,
sent after the commit (and by the minute's sweep), each once, with absolute links and a greeting."""

import datetime
import logging
import re
from collections import Counter
from smtplib import SMTPDataError, SMTPRecipientsRefused, SMTPSenderRefused, SMTPServerDisconnected
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carecoop import outbox
from carecoop.emails import absolute_url
from carecoop.models import Email
from carecoop.tasks import emails_send_task
from governance import services as governance_services
from matching import services as matching_services
from members import services as member_services
from scheduling import services as scheduling_services
from scheduling.models import NOTIFICATION_KINDS, Notification
from tests.clock import NOW
from tests.concurrency import race, wait_for
from tests.factories import MembershipFactory, UserFactory, add_worker, record_right_to_work
from tests.governance.conftest import call_agm
from tests.outbox import html_part, owed, send_owed, site_links
from tests.scheduling.conftest import at
from tests.second_factor import log_in_with_second_factor

FAILING = "tests.failing_email.FailingEmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
PREFIX = f"[{settings.COOP_NAME}] "
GREETING = re.compile(r"^(Dear [^\n,]+,|Hello,)$", re.MULTILINE)


def _queue(n: int, kind: str = "members.application_rejected", **context: object) -> list[Email]:
    return outbox.emails_queue(
        emails=[
            outbox.Outgoing(
                kind=kind,
                to=f"member{i}@example.org",
                name=f"Member {i}",
                context={"reason": f"Reason {i}", **context},
            )
            for i in range(n)
        ]
    )


# --- Every kind of email, from every app ------------------------------------------------------------


def _label(message) -> str:
    """Which kind of email a message is, from its outbox row (found by its Message-ID)."""
    pk = int(re.match(r"<outbox\.(\d+)\.", message.extra_headers["Message-ID"]).group(1))
    email = Email.objects.get(pk=pk)
    if email.kind == "scheduling.notification":
        notification = Notification.objects.get(pk=int(email.about.split(":")[1]))
        return f"scheduling.notification:{notification.kind}"
    if email.kind == "governance.meeting_notice" and "Amended notice" in message.subject:
        return "governance.meeting_notice:amended"
    return email.kind


def _the_members_emails(staff, ruth, documents, client):
    # Two applications decided: one approved, one not.
    for name, approve in (("Robin Hartley", True), ("Sam Crossley", False)):
        user = UserFactory(email=f"{name.split()[0].lower()}@example.org")
        application = member_services.application_submit(
            user=user,
            member_class="receiver",
            legal_name=name,
            address="14 Albert Street\nHebden Bridge",
            postcode="HX7 8AH",
            date_of_birth=datetime.date(1948, 3, 2),
            reason="I want to choose the people who help me.",
            rules=documents["rules"],
            commitment=documents["commitment"],
        )
        if approve:
            member_services.application_record_payment(
                application=application,
                reference="BACS 0001",
                paid_on=datetime.date(2026, 11, 20),
                amount_pence=application.amount_due_pence,
                by=staff,
            )
            member_services.application_approve(application=application, by=staff)
        else:
            member_services.application_reject(
                application=application, by=staff, reason="We do not yet work in your area."
            )
    # A worker's right to work runs out in three weeks.
    asha = MembershipFactory(member_class="worker", legal_name="Asha Patel", user__email="asha@example.org")
    record_right_to_work(asha, staff, datetime.date(2024, 1, 1), expires_on=datetime.date(2026, 12, 14))
    assert member_services.vetting_reminders_send(today=NOW.date()) == 1
    # Ruth invites her daughter into her circle of support.
    member_services.circle_invite(receiver=ruth, by=ruth.user, email="sam.friend@example.org", can_book=True)
    # allauth: someone signs up (confirm the address), a member resets their password.
    client.post(
        reverse("account_signup"),
        {"email": "kit@example.org", "password1": "a-long-passphrase", "password2": "a-long-passphrase"},
    )
    client.post(reverse("account_reset_password"), {"email": ruth.user.email})


def _the_matching_emails(staff, ruth):
    ben = add_worker(staff, "Ben Ackroyd", "ben@example.org")
    cal = add_worker(staff, "Cal Sutton", "cal@example.org")
    ask = {"by": ruth.user, "receiver": ruth, "from_receiver": True, "message": "Hello, would you visit?"}
    welcomed = matching_services.introduction_send(supporter=ben, **ask)
    declined = matching_services.introduction_send(supporter=cal, **ask)
    place = matching_services.introduction_accept(introduction=welcomed, by=ben.user)
    matching_services.introduction_decline(introduction=declined, by=cal.user, reason="I am full up.")
    matching_services.noticeboard_post(receiver=ruth, by=ben.user, body="Ruth enjoyed the garden today.")
    assert matching_services.trial_reminders_send(today=place.trial_ends_on) == 1


def _the_governance_emails(staff, ruth, megan):
    call_agm(staff, title="Annual General Meeting 2026")
    changed = call_agm(staff, title="Special General Meeting")
    details = ["title", "format", "starts_at", "ends_at", "online_link", "agenda"]
    governance_services.meeting_amend(
        meeting=changed,
        user=staff,
        place="Todmorden Town Hall",
        **{field: getattr(changed, field) for field in details},
    )
    governance_services.proxy_appoint(user=ruth.user, holder=megan, meeting=changed)
    governance_services.requisition_open(user=megan.user, purpose="To discuss weekend rates")


def _the_scheduling_emails(staff, ruth, megan, jane, time_machine):
    def book(day, hour, worker=megan):
        return scheduling_services.visit_book(
            by=ruth.user, receiver=ruth, worker=worker, starts=at(day, hour), ends=at(day, hour + 1)
        ).visits[0]

    # Offered, accepted, declined, cancelled.
    visit = scheduling_services.visit_accept(visit=book(24, 9), by=megan.user)
    scheduling_services.visit_decline(visit=book(25, 9), by=megan.user, reason="I am away.")
    scheduling_services.visit_cancel(visit=book(25, 14), by=ruth.user, reason="Hospital appointment.")
    # Reminders of an accepted visit the worker then misses, and of an open visit nobody takes.
    scheduling_services.visit_accept(visit=book(27, 9), by=megan.user)
    book(28, 9, worker=None)
    # Running late, then a check-in far from home, the visit delivered, and its hours queried.
    time_machine.move_to(at(24, 8, 40), tick=False)
    scheduling_services.visit_running_late(visit=visit, by=megan.user, minutes=10, note="Roadworks.")
    time_machine.move_to(at(24, 8, 55), tick=False)
    scheduling_services.visit_check_in(visit=visit, by=megan.user, latitude=53.85, longitude=-2.025249)
    time_machine.move_to(at(24, 10), tick=False)
    scheduling_services.visit_check_out(visit=visit, by=megan.user, note="Ruth had porridge.")
    # Mileage added for the person to confirm with the hours; struck when the query is settled.
    scheduling_services.visit_expense_add(
        visit=visit, by=megan.user, kind="mileage", miles="6.5", note="To the chemist and back."
    )
    scheduling_services.visit_hours_query(visit=visit, by=jane, reason="Megan left at 09:30.")
    scheduling_services.visit_hours_settle(
        visit=visit, by=staff, minutes=30, reason="Megan was called away at 09:30."
    )
    time_machine.move_to(at(27, 9, 30), tick=False)
    scheduling_services.reminders_send_due()


@pytest.mark.usefixtures("now")  # before the people, so their checks are dated from that day
def test_every_kind_of_email_of_every_app_arrives_once_after_the_mail_server_comes_back(
    staff, ruth, megan, jane, documents, client, settings, time_machine, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    with django_capture_on_commit_callbacks(execute=True):  # each commit's sending task runs, and fails
        _the_members_emails(staff, ruth, documents, client)
        _the_matching_emails(staff, ruth)
        _the_governance_emails(staff, ruth, megan)
        _the_scheduling_emails(staff, ruth, megan, jane, time_machine)
    assert mail.outbox == []
    waiting = owed()
    assert waiting

    settings.EMAIL_BACKEND = LOCMEM
    sent = send_owed()

    # Each owed email arrived exactly once (one Message-ID each, every row marked sent).
    assert len(sent) == len(waiting)
    assert len({message.extra_headers["Message-ID"] for message in sent}) == len(sent)
    assert not owed()
    assert outbox.emails_send() == 0
    kinds = Counter(_label(message) for message in sent)
    expected = {
        "members.application_received",
        "members.application_approved",
        "members.application_rejected",
        "members.vetting_expiry",
        "members.circle_invitation",
        "matching.introduction_request",
        "matching.introduction_accepted",
        "matching.introduction_declined",
        "matching.trial_ended",
        "matching.noticeboard_post",
        "governance.meeting_notice",
        "governance.meeting_notice:amended",
        "governance.proxy_held",
        "governance.requisition_met",
        "account.email_confirmation_signup",
        "account.password_reset_key",
        *(f"scheduling.notification:{kind}" for kind, _label_text in NOTIFICATION_KINDS),
    }
    assert expected <= set(kinds), expected - set(kinds)
    for message in sent:
        assert len(message.to) == 1
        assert not message.cc
        assert not message.bcc
        assert message.subject.startswith(PREFIX)
        assert "\n" not in message.subject
        assert "&#x27;" not in message.subject
        assert "&amp;" not in message.subject
        html = html_part(message)
        assert GREETING.search(message.body), message.body
        assert re.search(r"<p>(Dear [^<,]+,|Hello,)</p>", html), html
        text_links, html_links = site_links(message)
        # A link to a page of its own (not only the site's address at the foot), in both parts.
        assert [link for link in text_links if link != f"{settings.SITE_URL}/"], message.body
        assert [link for link in html_links if link != f"{settings.SITE_URL}/"], html
        assert all(urlsplit(link).path.startswith("/") for link in text_links + html_links)
    # Nothing was ever built by hand or relative: every link in any part is from SITE_URL.
    for message in sent:
        for link in re.findall(r"https?://[^\s\"'<>]+", message.body + html_part(message)):
            assert link.startswith(settings.SITE_URL) or link.startswith("https://meet."), link


def test_a_greeting_names_the_person_where_known_and_says_hello_otherwise(db):
    outbox.email_queue(kind="members.application_rejected", to="a@example.org", name="Seán O'Neill")
    outbox.email_queue(kind="members.application_rejected", to="b@example.org")

    named, unnamed = send_owed()

    assert "Dear Seán O'Neill," in named.body
    assert "<p>Dear Seán O&#x27;Neill,</p>" in html_part(named)
    assert unnamed.body.startswith("Hello,\n")
    assert f"With best wishes,\n{settings.COOP_NAME}" in named.body


def test_a_subject_is_one_line_and_not_escaped_and_the_html_part_escapes_what_people_wrote(db):
    outbox.email_queue(
        kind="matching.noticeboard_post",
        to="a@example.org",
        context={
            "author": "tom@example.org",
            "person": "Seán O'Neill & Daughters",
            "body": "<script>alert(1)</script>\nSecond line at https://example.org/x",
            "team": None,
        },
    )

    [message] = send_owed()

    assert message.subject == f"{PREFIX}A message on Seán O'Neill & Daughters's team noticeboard"
    assert "<script>alert(1)</script>" in message.body
    html = html_part(message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f'href="{absolute_url("my_teams")}"' in html


# --- Owed in the change's transaction, sent after its commit ------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_email_is_not_sent_before_the_commit_and_nothing_for_a_change_rolled_back():
    with transaction.atomic():
        _queue(2)
        assert len(owed()) == 2
        assert mail.outbox == []  # still inside the change's transaction: nothing has gone
    # Committed: the task after the commit (inline in tests) sent them.
    assert sorted(m.to[0] for m in mail.outbox) == ["member0@example.org", "member1@example.org"]

    def change_that_fails() -> None:
        with transaction.atomic():
            _queue(3)
            raise RuntimeError("the change fails after owing its emails")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert Email.objects.count() == 2
    assert outbox.emails_send() == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_loses_no_email_the_sweep_sends_it(monkeypatch):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(emails_send_task, "delay", broker_down)
    with transaction.atomic():
        _queue(1)  # the commit still succeeds: its emails are owed, not lost

    assert mail.outbox == []
    assert len(owed()) == 1
    assert outbox.emails_send() == 1
    assert [m.to for m in mail.outbox] == [["member0@example.org"]]


# --- Sent once, whatever happens --------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_racing_sweeps_send_each_email_once(monkeypatch):
    monkeypatch.setattr("carecoop.outbox._send_soon", lambda ids: None)  # as if every message were lost
    with transaction.atomic():
        queued = _queue(40)

    results = race([lambda: outbox.emails_send(batch=7) for _ in range(6)])

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 40
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.to for e in queued)
    assert Email.objects.filter(status=Email.Status.SENT).count() == 40


def test_a_refused_address_is_logged_and_marked_failed_and_the_others_go(db, monkeypatch, caplog):
    original = EmailBackend.send_messages

    def send(self, messages):
        if messages[0].to == ["member1@example.org"]:
            raise SMTPRecipientsRefused({"member1@example.org": (550, b"No such user")})
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send)
    refused = _queue(3)[1]

    with caplog.at_level(logging.ERROR, logger="carecoop.sending"):
        assert outbox.emails_send() == 2

    assert sorted(m.to[0] for m in mail.outbox) == ["member0@example.org", "member2@example.org"]
    refused.refresh_from_db()
    assert refused.status == Email.Status.FAILED
    assert "SMTPRecipientsRefused" in refused.error
    assert "member1@example.org" in caplog.text
    assert "not tried again" in caplog.text
    assert outbox.emails_send() == 0  # never retried


def test_a_header_that_can_never_go_is_marked_failed_and_the_others_go(db, caplog):
    _queue(1)
    # A newline in a header is refused by Django's mail library (BadHeaderError, a ValueError).
    bad = outbox.email_queue(kind="members.application_rejected", to="someone\nBcc: x@example.org")
    _queue(1)

    with caplog.at_level(logging.ERROR, logger="carecoop.sending"):
        assert outbox.emails_send() == 2

    bad.refresh_from_db()
    assert (bad.status, bad.error.split(":")[0]) == ("failed", "BadHeaderError")
    assert "cannot be sent" in caplog.text
    assert Email.objects.filter(status=Email.Status.SENT).count() == 2
    assert outbox.emails_send() == 0


def test_a_subject_written_over_lines_is_sent_on_one(db):
    outbox.email_queue(kind="scheduling.notification", to="a@example.org", context={"title": "Hi\nBcc: x"})

    [message] = send_owed()

    assert message.subject == f"{PREFIX}Hi Bcc: x"
    assert message.bcc == []


def test_a_failing_server_leaves_the_rest_owed_and_the_next_sweep_sends_them(db, monkeypatch):
    original = EmailBackend.send_messages
    calls = []

    def send(self, messages):
        calls.append(messages)
        if len(calls) == 3:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send)
    queued = _queue(5)

    with pytest.raises(SMTPServerDisconnected):
        outbox.emails_send()

    assert [e.pk for e in owed()] == [e.pk for e in queued[2:]]
    assert "SMTPServerDisconnected" in owed()[0].error
    assert outbox.emails_send() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.to for e in queued)


class _Killed(BaseException):
    """The worker process dies (SIGKILL, out of memory): nothing after this runs."""


def test_a_worker_killed_mid_batch_sends_again_at_most_the_email_in_flight(db, monkeypatch):
    original = EmailBackend.send_messages
    taken = []

    def send_then_die_on_the_fourth(self, messages):
        sent = original(self, messages)  # the mail server has taken it...
        taken.append(messages[0].to[0])
        if len(taken) == 4:
            raise _Killed  # ...and the worker dies before the row is marked
        return sent

    monkeypatch.setattr(EmailBackend, "send_messages", send_then_die_on_the_fourth)
    queued = _queue(10)

    with pytest.raises(_Killed):
        outbox.emails_send()

    statuses = {e.pk: e.status for e in Email.objects.all()}
    assert [statuses[e.pk] for e in queued[:3]] == ["sent"] * 3  # marked as each was taken
    assert [statuses[e.pk] for e in queued[3:]] == ["owed"] * 7  # the one in flight, and the rest
    monkeypatch.setattr(EmailBackend, "send_messages", original)

    assert outbox.emails_send() == 7

    copies = Counter(m.to[0] for m in mail.outbox)
    assert set(copies) == {e.to for e in queued}
    assert [address for address, n in copies.items() if n > 1] == [queued[3].to]  # one, sent twice
    # ...with the same Message-ID both times, so mail programs show it once.
    twice = [m.extra_headers["Message-ID"] for m in mail.outbox if m.to == [queued[3].to]]
    assert len(set(twice)) == 1


def _committed() -> dict[str, str]:
    """Each email's status as another connection sees it: only what has been committed."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute('SELECT "to", status FROM carecoop_email')
            return dict(cursor.fetchall())
    finally:
        other.close()


@pytest.mark.usefixtures("now")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("taken", [True, False], ids=["taken-then-killed", "killed-before-taken"])
def test_each_email_of_a_batch_is_committed_as_sent_once_the_server_has_it_so_a_kill_resends_none_of_them(
    staff, monkeypatch, taken
):
    original = EmailBackend.send_messages
    calls = []

    def die_on_the_fourth(self, messages):
        calls.append(messages[0].to[0])
        if len(calls) == 4:
            if taken:
                original(self, messages)  # the server has it, and the process dies before marking it
            raise _Killed
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", die_on_the_fourth)
    for i in range(10):
        MembershipFactory(user__email=f"member{i}@example.org")
    with pytest.raises(_Killed):
        call_agm(staff)  # the notice to every member, sent after its commit in one run of the sender
    addresses = sorted(Email.objects.values_list("to", flat=True))
    assert len(addresses) == 10

    committed = _committed()
    assert [committed[a] for a in calls[:3]] == ["sent"] * 3  # committed, each as it went
    assert sorted(a for a, status in committed.items() if status == "owed") == sorted(
        set(addresses) - set(calls[:3])
    )

    monkeypatch.setattr(EmailBackend, "send_messages", original)
    assert outbox.emails_send() == 7  # the rerun sends the rest, and nothing it had sent

    copies = Counter(m.to[0] for m in mail.outbox)
    assert sorted(copies) == addresses  # nothing lost...
    assert [a for a, n in copies.items() if n > 1] == (
        [calls[3]] if taken else []
    )  # ...at most the one in flight twice
    assert set(_committed().values()) == {"sent"}


def test_an_email_taken_back_or_no_longer_news_is_not_sent(db, time_machine):
    time_machine.move_to(NOW, tick=False)
    outbox.email_queue(kind="members.application_rejected", to="a@example.org", about="thing:1")
    outbox.email_queue(
        kind="members.application_rejected", to="b@example.org", not_after=NOW + datetime.timedelta(hours=1)
    )
    outbox.email_queue(kind="members.application_rejected", to="c@example.org")

    assert outbox.emails_cancel(about="thing:1") == 1
    time_machine.move_to(NOW + datetime.timedelta(hours=2), tick=False)

    assert [m.to for m in send_owed()] == [["c@example.org"]]
    assert Counter(Email.objects.values_list("status", flat=True)) == {"cancelled": 2, "sent": 1}


def test_what_an_email_said_is_not_kept_once_it_is_sent(db):
    outbox.email_queue(
        kind="members.circle_invitation",
        to="jane@example.org",
        context={"person": "Ruth", "powers": ["book visits for me"], "days": 14, "token": "secret-token"},
    )

    [message] = send_owed()

    assert f"{settings.SITE_URL}/circle/invitations/secret-token/" in message.body
    email = Email.objects.get()
    assert (email.status, email.context, email.to) == ("sent", {}, "jane@example.org")
    assert email.sent_at is not None


# --- Delivery through Celery and Redis ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_after_the_commit_a_real_worker_on_redis_sends_them_and_the_sweep_sent_twice_sends_nothing_more(
    real_celery_worker,
):
    from celery.worker import state

    done_before = state.total_count.get(emails_send_task.name, 0)
    with transaction.atomic():
        _queue(5)
    emails_send_task.delay()  # the minute's sweep, delivered twice while the first is at work
    emails_send_task.delay()

    assert wait_for(
        lambda: (
            state.total_count.get(emails_send_task.name, 0) >= done_before + 3
            and not state.active_requests
            and not owed()
        )
    )
    assert sorted(m.to[0] for m in mail.outbox) == [f"member{i}@example.org" for i in range(5)]


@pytest.mark.django_db(transaction=True)
def test_a_server_dropping_mid_batch_under_a_real_worker_on_redis_loses_and_doubles_nothing(
    real_celery_worker, monkeypatch
):
    from celery.worker import state

    original = EmailBackend.send_messages
    calls = []

    def drop_on_the_fourth(self, messages):
        calls.append(messages[0].to[0])
        if len(calls) == 4:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", drop_on_the_fourth)
    with transaction.atomic():
        queued = _queue(10)  # one task, one run of the sender; it stops at the fourth and is retried

    assert wait_for(lambda: not owed() and not state.active_requests and not state.reserved_requests)
    assert calls[3] == calls[4]  # the retry began with the one the server dropped...
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.to for e in queued)  # ...and each went once


# --- Queuing many at once ---------------------------------------------------------------------------


def test_notice_to_every_member_is_queued_in_the_same_few_queries_however_many_members(db, staff):
    def queries_to_call_a_meeting(members: int) -> int:
        MembershipFactory.create_batch(members)
        with CaptureQueriesContext(connection) as queries:
            call_agm(staff)
        return len(queries)

    queries_to_call_a_meeting(1)  # the rules' row, and the like, are made on first use
    few = queries_to_call_a_meeting(3)
    many = queries_to_call_a_meeting(30)

    assert few == many
    assert Email.objects.filter(kind="governance.meeting_notice").count() == 1 + 4 + 34
    # One small row each: the meeting's id (and the member's name, to greet them).
    assert Email.objects.filter(kind="governance.meeting_notice").values("context").distinct().count() == 3


# --- Staff read the outbox ---------------------------------------------------------------------------


def test_staff_read_the_outbox_in_the_admin_and_nobody_changes_it_there(client, staff, member):
    failed = outbox.email_queue(kind="members.application_rejected", to="bounces@example.org")
    Email.objects.filter(pk=failed.pk).update(status=Email.Status.FAILED, error="SMTPRecipientsRefused")
    outbox.email_queue(kind="members.application_rejected", to="owed@example.org")

    log_in_with_second_factor(client, staff)
    listing = client.get("/admin/carecoop/email/")

    assert listing.status_code == 200
    html = listing.content.decode()
    assert "bounces@example.org" in html
    assert "owed@example.org" in html
    assert "Cannot be sent" in html
    assert client.get("/admin/carecoop/email/add/").status_code == 403
    page = client.get(f"/admin/carecoop/email/{failed.pk}/change/").content.decode()
    assert "SMTPRecipientsRefused" in page
    assert 'name="_save"' not in page  # read only: no save button
    client.force_login(member.user)
    assert client.get("/admin/carecoop/email/").status_code in (302, 403)


def _refusing(monkeypatch, address, error):
    """A mail server that refuses one address with `error`, and takes every other email."""
    original = EmailBackend.send_messages

    def send(self, messages):
        if messages[0].to == [address]:
            raise error
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send)


@pytest.mark.parametrize(
    "error",
    [
        SMTPDataError(550, b"Rejected as spam"),
        SMTPDataError(552, b"Message too large"),
    ],
)
def test_an_email_the_server_refuses_for_good_is_failed_and_never_holds_up_the_others(db, monkeypatch, error):
    _refusing(monkeypatch, "member1@example.org", error)
    queued = _queue(4)

    assert outbox.emails_send() == 3
    assert outbox.emails_send() == 0

    refused = Email.objects.get(pk=queued[1].pk)
    assert (refused.status, refused.error.split(":")[0]) == ("failed", "SMTPDataError")
    assert sorted(m.to[0] for m in mail.outbox) == [
        "member0@example.org",
        "member2@example.org",
        "member3@example.org",
    ]


def test_an_email_refused_for_now_is_tried_again_later_while_the_others_go(db, monkeypatch, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.UTC), tick=False)
    _refusing(
        monkeypatch,
        "member1@example.org",
        SMTPRecipientsRefused({"member1@example.org": (451, b"Greylisted")}),
    )
    queued = _queue(3)

    assert outbox.emails_send() == 2
    waiting = Email.objects.get(pk=queued[1].pk)
    assert (waiting.status, waiting.attempts) == ("owed", 1)
    assert waiting.next_try_at == timezone.now() + datetime.timedelta(minutes=1)
    assert outbox.emails_send() == 0  # not due yet: the sweep leaves it

    time_machine.move_to(waiting.next_try_at, tick=False)
    assert outbox.emails_send() == 0  # refused again: tried less often
    waiting.refresh_from_db()
    assert (waiting.attempts, waiting.next_try_at - timezone.now()) == (2, datetime.timedelta(minutes=2))

    monkeypatch.undo()  # the greylisting lets it through
    time_machine.move_to(waiting.next_try_at, tick=False)
    assert outbox.emails_send() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(e.to for e in queued)


def test_an_email_refused_for_now_for_three_days_is_given_up(db, monkeypatch, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.UTC), tick=False)
    _refusing(monkeypatch, "member0@example.org", SMTPDataError(452, b"Mailbox full"))
    [email] = _queue(1)

    for _ in range(40):
        time_machine.shift(datetime.timedelta(hours=6))
        outbox.emails_send()

    email.refresh_from_db()
    assert email.status == "failed"
    assert email.attempts < 40
    assert email.created_at + datetime.timedelta(days=3) <= timezone.now()


def test_a_server_that_refuses_our_sender_address_stops_the_run_and_keeps_everything_owed(db, monkeypatch):
    def send(self, messages):
        raise SMTPSenderRefused(550, b"Sender not allowed", "hello@example.org")

    monkeypatch.setattr(EmailBackend, "send_messages", send)
    queued = _queue(3)

    with pytest.raises(SMTPSenderRefused):
        outbox.emails_send()

    assert [e.pk for e in owed()] == [e.pk for e in queued]
