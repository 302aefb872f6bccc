"""Vetting of workers: the checks staff record, when a worker may be booked, and reminders."""

import datetime

import pytest
from django.core import mail

from carecoop.exceptions import ApplicationError
from members import selectors, services
from members.models import TrainingCourse, VettingCheck
from tests.concurrency import race, wait_for
from tests.factories import (
    MembershipFactory,
    UserFactory,
    make_bookable,
    record_dbs,
)
from tests.factories import record_dbs as dbs
from tests.factories import record_right_to_work as right_to_work
from tests.outbox import owed, send_owed

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def worker(db):
    return MembershipFactory(member_class="worker", legal_name="Asha Begum", user__email="asha@example.org")


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 9, tzinfo=datetime.UTC), tick=False)


# --- Recording checks -------------------------------------------------------------------------


def test_a_dbs_certificate_counts_for_three_years(worker, staff):
    check = dbs(worker, staff, datetime.date(2025, 2, 10))

    assert check.certificate_number == "001234567890"
    assert check.expires_on == datetime.date(2028, 2, 9)


def test_the_update_service_extends_a_certificate_from_its_last_status_check(worker, staff):
    check = dbs(
        worker,
        staff,
        datetime.date(2021, 6, 1),
        update_service=True,
        update_service_checked_on=datetime.date(2026, 9, 1),
    )

    assert check.expires_on == datetime.date(2027, 8, 31)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"certificate_number": "12345"}, "invalid_certificate_number"),
        ({"dbs_level": "gold"}, "invalid_dbs_level"),
        ({"update_service": True}, "update_service_date_missing"),
        ({"issued_on": datetime.date(2027, 1, 1)}, "date_in_future"),
    ],
)
def test_a_dbs_check_with_bad_details_is_refused(worker, staff, changes, code):
    data = {
        "membership": worker,
        "by": staff,
        "kind": "dbs",
        "issued_on": datetime.date(2025, 1, 1),
        "certificate_number": "001234567890",
        "dbs_level": "enhanced",
    }
    data.update(changes)

    with pytest.raises(ApplicationError) as refused:
        services.vetting_check_record(**data)

    assert refused.value.code == code
    assert VettingCheck.objects.count() == 0


def test_checks_are_for_current_workers_only(member, staff):
    with pytest.raises(ApplicationError) as refused:
        dbs(member, staff, datetime.date(2025, 1, 1))

    assert refused.value.code == "not_a_worker"


# --- Bookable ---------------------------------------------------------------------------------------


def test_a_worker_with_current_dbs_and_right_to_work_is_bookable(worker, staff):
    assert not selectors.worker_is_bookable(membership=worker, on=TODAY)
    dbs(worker, staff, datetime.date(2025, 2, 10))
    assert not selectors.worker_is_bookable(membership=worker, on=TODAY)

    right_to_work(worker, staff, datetime.date(2025, 2, 10))

    assert selectors.worker_is_bookable(membership=worker, on=TODAY)


def test_a_lapsed_check_makes_a_worker_unbookable_from_the_day_after_it_expires(worker, staff):
    dbs(worker, staff, datetime.date(2025, 2, 10))
    right_to_work(worker, staff, datetime.date(2025, 2, 10), expires_on=datetime.date(2026, 12, 31))

    assert selectors.worker_is_bookable(membership=worker, on=datetime.date(2026, 12, 31))
    assert not selectors.worker_is_bookable(membership=worker, on=datetime.date(2027, 1, 1))
    assert worker not in selectors.workers_bookable(on=datetime.date(2027, 1, 1))


def test_a_basic_dbs_check_is_not_enough_to_give_care(worker, staff):
    services.vetting_check_record(
        membership=worker,
        by=staff,
        kind="dbs",
        issued_on=datetime.date(2025, 2, 10),
        certificate_number="001234567890",
        dbs_level="basic",
    )
    right_to_work(worker, staff, datetime.date(2025, 2, 10))

    assert not selectors.worker_is_bookable(membership=worker, on=TODAY)


def test_a_renewed_check_replaces_the_old_one(worker, staff):
    right_to_work(worker, staff, datetime.date(2024, 1, 1), expires_on=datetime.date(2026, 12, 1))
    right_to_work(worker, staff, datetime.date(2026, 11, 1), expires_on=datetime.date(2029, 12, 1))
    dbs(worker, staff, datetime.date(2025, 2, 10))

    assert selectors.worker_is_bookable(membership=worker, on=datetime.date(2027, 6, 1))
    assert [
        c.expires_on for c in selectors.vetting_latest_for(membership=worker) if c.kind == "right_to_work"
    ] == [datetime.date(2029, 12, 1)]


def test_a_ceased_member_is_not_bookable(worker, staff):
    dbs(worker, staff, datetime.date(2025, 2, 10))
    right_to_work(worker, staff, datetime.date(2025, 2, 10))
    services.membership_cease(membership=worker, by=staff, reason="resigned", ceased_on=TODAY)

    assert not selectors.worker_is_bookable(membership=worker, on=TODAY + datetime.timedelta(days=1))


def test_bookable_workers_take_the_same_queries_for_2_or_20_workers(staff, django_assert_num_queries):
    def add_workers(count):
        for _ in range(count):
            worker = MembershipFactory(member_class="worker")
            dbs(worker, staff, datetime.date(2025, 2, 10))
            right_to_work(worker, staff, datetime.date(2025, 2, 10))

    add_workers(2)
    with django_assert_num_queries(1):
        assert len(list(selectors.workers_bookable(on=TODAY))) == 2
    add_workers(18)
    with django_assert_num_queries(1):
        assert len(list(selectors.workers_bookable(on=TODAY))) == 20


# --- Expiry reminders -------------------------------------------------------------------------


def test_reminders_go_30_and_7_days_before_an_expiry_once_each(worker, staff, time_machine):
    right_to_work(worker, staff, datetime.date(2024, 1, 1), expires_on=datetime.date(2026, 12, 23))

    assert services.vetting_reminders_send(today=datetime.date(2026, 11, 22)) == 0
    assert services.vetting_reminders_send(today=TODAY) == 1
    assert services.vetting_reminders_send(today=TODAY) == 0
    thirty = send_owed()
    assert services.vetting_reminders_send(today=datetime.date(2026, 12, 10)) == 0
    assert services.vetting_reminders_send(today=datetime.date(2026, 12, 16)) == 1
    assert services.vetting_reminders_send(today=datetime.date(2026, 12, 20)) == 0
    seven = send_owed()

    # The worker is told, and staff get a copy each: one address to an email.
    assert [m.to for m in thirty] == [["asha@example.org"], [staff.email]]
    assert [m.to for m in seven] == [["asha@example.org"], [staff.email]]
    assert all(not m.bcc and not m.cc for m in mail.outbox)
    assert "30 days" in thirty[0].subject
    assert "Dear Asha Begum," in thirty[0].body
    assert "Asha Begum's Right to work expires in 30 days" in thirty[1].subject
    assert "7 days" in seven[0].subject
    assert send_owed() == []


def test_a_check_recorded_a_week_before_it_expires_gets_one_reminder(worker, staff):
    right_to_work(worker, staff, datetime.date(2024, 1, 1), expires_on=datetime.date(2026, 11, 28))

    assert services.vetting_reminders_send(today=TODAY) == 1
    assert services.vetting_reminders_send(today=datetime.date(2026, 11, 25)) == 0
    assert [m.to for m in send_owed()] == [["asha@example.org"], [staff.email]]


def test_a_renewed_check_silences_the_old_ones_reminders(worker, staff):
    right_to_work(worker, staff, datetime.date(2024, 1, 1), expires_on=datetime.date(2026, 12, 10))
    right_to_work(worker, staff, datetime.date(2026, 11, 20), expires_on=datetime.date(2030, 1, 1))

    assert services.vetting_reminders_send(today=TODAY) == 0
    assert send_owed() == []


def test_the_dashboard_lists_checks_expiring_within_30_days(worker, staff):
    training = TrainingCourse.objects.get(name="First aid")
    services.vetting_check_record(
        membership=worker,
        by=staff,
        kind="training",
        issued_on=datetime.date(2023, 12, 1),
        expires_on=datetime.date(2026, 12, 1),
        course=training,
    )
    right_to_work(worker, staff, datetime.date(2024, 1, 1), expires_on=datetime.date(2027, 6, 1))

    expiring = list(selectors.vetting_expiring(today=TODAY))

    assert [(c.kind, c.course) for c in expiring] == [("training", training)]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once():
    staff = UserFactory(is_staff=True)
    workers = [MembershipFactory(member_class="worker") for _ in range(6)]
    for worker in workers:
        right_to_work(worker, staff, datetime.date(2024, 1, 1), expires_on=datetime.date(2026, 12, 5))

    results = race([lambda: services.vetting_reminders_send(today=TODAY) for _ in range(4)])

    assert sum(results) == 6
    # Each sweep's emails went after its commit: each worker's once, and a copy to staff each time.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([w.user.email for w in workers] + [staff.email] * 6)
    assert not owed()
    assert VettingCheck.objects.filter(reminded_7_at__isnull=True, reminded_30_at__isnull=False).count() == 6


@pytest.mark.django_db(transaction=True)
def test_the_daily_task_is_delivered_through_redis_to_a_real_worker(real_celery_worker):
    from members.tasks import vetting_reminders_send_task

    staff = UserFactory(is_staff=True)
    worker = MembershipFactory(member_class="worker", user__email="worker@example.org")
    right_to_work(worker, staff, datetime.date(2024, 1, 1), expires_on=datetime.date(2026, 12, 5))

    from celery.worker import state

    done_before = state.total_count.get(vetting_reminders_send_task.name, 0)
    vetting_reminders_send_task.delay()
    vetting_reminders_send_task.delay()  # a second delivery must send nothing more

    # The sweep owes the emails; after its commit the outbox's task, also through Redis, sends them.
    assert wait_for(
        lambda: (
            state.total_count.get(vetting_reminders_send_task.name, 0) >= done_before + 2
            and not state.active_requests
            and len(mail.outbox) >= 2
            and not owed()
        )
    )
    assert VettingCheck.objects.filter(reminded_30_at__isnull=False).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(["worker@example.org", staff.email])


def test_each_reference_counts_on_its_own(worker, staff):
    for referee in ("Previous employer", "Personal referee"):
        services.vetting_check_record(
            membership=worker,
            by=staff,
            kind="reference",
            issued_on=datetime.date(2025, 1, 1),
            referee_name=referee,
            satisfactory=True,
        )

    latest = selectors.vetting_latest_for(membership=worker)

    assert sorted(c.referee_name for c in latest) == ["Personal referee", "Previous employer"]


@pytest.mark.usefixtures("now")
def test_a_voided_check_stops_a_worker_being_bookable(staff):
    worker = make_bookable(MembershipFactory(member_class="worker"), staff)
    dbs = worker.vetting_checks.get(kind="dbs")
    assert selectors.worker_is_bookable(membership=worker, on=TODAY)

    services.vetting_check_void(check=dbs, by=staff, reason="Certificate number typed wrongly.")

    assert not selectors.worker_is_bookable(membership=worker, on=TODAY)
    dbs.refresh_from_db()
    assert (dbs.voided_by, dbs.void_reason) == (staff, "Certificate number typed wrongly.")


@pytest.mark.usefixtures("now")
def test_an_update_service_check_before_the_certificate_is_refused(staff):
    worker = MembershipFactory(member_class="worker")

    with pytest.raises(ApplicationError) as refused:
        record_dbs(worker, staff, update_service=True, update_service_checked_on=datetime.date(1990, 1, 1))

    assert refused.value.code == "update_service_before_issue"
