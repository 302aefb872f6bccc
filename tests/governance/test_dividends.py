"""Patronage dividends: the year's surplus, the board's allocation, the AGM gate, the calculation
(once per member however often it runs), statements, and payment. Monday 23 November 2026."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from carecoop.models import Email
from governance import services, tasks
from governance.models import (
    Ballot,
    Dividend,
    DividendAllocation,
    DividendPolicy,
    FinancialYear,
    Meeting,
    Motion,
)
from governance.selectors import dividends as selectors
from governance.services import dividends as dividend_services
from scheduling import selectors as scheduling_selectors
from scheduling.models import Visit
from tests.clock import LONDON, NOW
from tests.concurrency import race
from tests.factories import MembershipFactory, UserFactory
from tests.governance.conftest import call_agm
from tests.governance.dividends import (
    YEAR_ENDS,
    YEAR_STARTS,
    allocation_propose,
    approved_allocation,
    calculate,
    confirmed_visit,
    in_year,
    motion_decided,
    year_record,
)

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def year_of_visits(ruth, margaret, megan, asha, tom):
    """Megan worked 10 confirmed hours for Ruth, Asha 5 (one visit cut to 30 minutes by an early
    check-out), Tom 3 for Margaret; pending, queried and cancelled hours, and hours outside the
    year, count for nobody."""
    for day in range(1, 11):
        confirmed_visit(ruth, megan, in_year(5, day))
    for day in range(1, 6):
        confirmed_visit(ruth, asha, in_year(6, day), hours=2 if day < 5 else 1, worked_minutes=None)
    confirmed_visit(ruth, asha, in_year(7, 1), worked_minutes=30)
    for day in range(1, 4):
        confirmed_visit(margaret, tom, in_year(8, day))
    pending = confirmed_visit(ruth, megan, in_year(9, 3), hours=4)
    Visit.objects.filter(pk=pending.pk).update(hours=Visit.Hours.PENDING)
    queried = confirmed_visit(ruth, megan, in_year(9, 4), hours=4)
    Visit.objects.filter(pk=queried.pk).update(hours=Visit.Hours.QUERIED)
    cancelled = confirmed_visit(ruth, asha, in_year(9, 5), hours=4)
    Visit.objects.filter(pk=cancelled.pk).update(status=Visit.Status.CANCELLED)
    confirmed_visit(ruth, megan, datetime.datetime(2025, 3, 31, 10, tzinfo=LONDON), hours=7)
    confirmed_visit(ruth, megan, datetime.datetime(2026, 4, 1, 10, tzinfo=LONDON), hours=7)


# --- The hours that count -------------------------------------------------------------------------


def test_confirmed_minutes_are_added_up_by_the_database_per_worker_and_per_person(
    year_of_visits, ruth, margaret, megan, asha, tom, django_assert_num_queries
):
    start = datetime.datetime(2025, 4, 1, tzinfo=LONDON)
    end = datetime.datetime(2026, 4, 1, tzinfo=LONDON)
    with django_assert_num_queries(1):
        by_worker = scheduling_selectors.confirmed_minutes_by_worker(start=start, end=end)
    assert by_worker == {megan.pk: 600, asha.pk: 9 * 60 + 30, tom.pk: 180}
    with django_assert_num_queries(1):
        by_receiver = scheduling_selectors.confirmed_minutes_by_receiver(start=start, end=end)
    assert by_receiver == {ruth.pk: 600 + 570, margaret.pk: 180}


def test_the_years_bounds_are_london_midnights_across_the_clock_change(ruth, megan, staff):
    # 31 March 2026 is British Summer Time: 23:30 that night is 22:30 UTC, in the year; 00:30 on
    # 1 April is 23:30 UTC on the 31st, in the next.
    confirmed_visit(ruth, megan, datetime.datetime(2026, 3, 31, 23, 0, tzinfo=LONDON), hours=0.5)
    confirmed_visit(ruth, megan, datetime.datetime(2026, 4, 1, 0, 30, tzinfo=LONDON), hours=0.5)
    year = year_record(staff)
    start, end = selectors.year_bounds(year)
    assert start == datetime.datetime(2025, 4, 1, tzinfo=LONDON)
    assert end.astimezone(datetime.UTC) == datetime.datetime(2026, 3, 31, 23, 0, tzinfo=datetime.UTC)
    assert scheduling_selectors.confirmed_minutes_by_worker(start=start, end=end) == {megan.pk: 30}


# --- Surplus and allocation ------------------------------------------------------------------------


def test_staff_record_a_years_surplus_once_the_year_is_over(staff):
    year = year_record(staff, surplus_pence=12_345_67)
    assert (year.starts, year.ends, year.surplus_pence, year.recorded_by) == (
        YEAR_STARTS,
        YEAR_ENDS,
        12_345_67,
        staff,
    )


@pytest.mark.parametrize(
    ("starts", "ends", "surplus", "code"),
    [
        (datetime.date(2026, 4, 1), datetime.date(2027, 3, 31), 100, "year_not_over"),
        (datetime.date(2025, 4, 1), datetime.date(2025, 3, 31), 100, "ends_before_start"),
        (datetime.date(2024, 4, 1), datetime.date(2026, 3, 31), 100, "year_too_long"),
        (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31), -1, "invalid_amount"),
    ],
)
def test_a_surplus_that_cannot_be_is_refused(staff, starts, ends, surplus, code):
    with pytest.raises(ApplicationError) as refused:
        services.financial_year_record(user=staff, starts=starts, ends=ends, surplus_pence=surplus)
    assert refused.value.code == code


def test_years_never_overlap_and_only_staff_record_them(staff, margaret):
    year_record(staff)
    with pytest.raises(ConflictError) as overlapping:
        services.financial_year_record(
            user=staff, starts=datetime.date(2025, 10, 1), ends=datetime.date(2026, 9, 30), surplus_pence=1
        )
    assert overlapping.value.code == "year_overlaps"
    with pytest.raises(NotAllowedError):
        services.financial_year_record(
            user=margaret.user,
            starts=datetime.date(2024, 4, 1),
            ends=datetime.date(2025, 3, 31),
            surplus_pence=1,
        )


def test_an_allocation_must_share_the_whole_surplus_to_the_penny(staff):
    year = year_record(staff, surplus_pence=1000_00)
    with pytest.raises(ApplicationError) as refused:
        services.allocation_propose(
            user=staff,
            year=year,
            reserve_pence=100_00,
            community_pence=100_00,
            workers_pence=500_00,
            receivers_pence=299_99,
            advocates_pence=0,
            investors_pence=0,
        )
    assert refused.value.code == "does_not_add_up"


def test_a_class_the_rules_give_no_dividend_gets_no_pool(staff):
    year = year_record(staff, surplus_pence=1000_00)
    with pytest.raises(ApplicationError) as refused:
        allocation_propose(staff, year, investors_pence=10_00)  # the rules' default: investors none
    assert refused.value.code == "class_not_sharing"


def test_an_allocation_fixes_the_dividend_rules_in_force_when_proposed(staff):
    DividendPolicy.objects.update_or_create(pk=1, defaults={"investors_measure": "shares"})
    allocation = allocation_propose(staff, year_record(staff), investors_pence=10_00)
    DividendPolicy.objects.update_or_create(pk=1, defaults={"investors_measure": "none"})
    allocation.refresh_from_db()
    assert allocation.investors_measure == "shares"


# --- The AGM gate ---------------------------------------------------------------------------------


def test_dividends_are_neither_calculated_nor_paid_before_the_agm_approves(staff, margaret):
    allocation = allocation_propose(staff, year_record(staff), workers_pence=5000_00)
    for act in (services.allocation_calculation_start, services.allocation_pay):
        with pytest.raises(ApplicationError) as refused:
            act(user=staff, allocation=allocation)
        assert refused.value.code == "not_approved"
    allocation.refresh_from_db()
    assert allocation.status == DividendAllocation.Status.PROPOSED


def _general_meeting(staff):
    return call_agm(staff, kind=Meeting.Kind.GENERAL, title="General meeting")


def _carried_at_an_agm_before_year_end(staff, voters):
    # An AGM is called with notice from today; one before the year ended can only be in the past:
    # the motion is carried, then its meeting's date moved back as if it had been held then.
    motion = motion_decided(staff, voters)
    Meeting.objects.filter(pk=motion.meeting_id).update(
        starts_at=datetime.datetime(2026, 3, 20, 18, tzinfo=LONDON),
        ends_at=datetime.datetime(2026, 3, 20, 20, tzinfo=LONDON),
    )
    return motion


MOTIONS_THAT_DO_NOT_APPROVE = {
    "lost at the AGM": lambda staff, voters: motion_decided(staff, voters, choice="against"),
    "passed but not declared": lambda staff, voters: motion_decided(staff, voters, declare=False),
    "carried at a general meeting, not an AGM": lambda staff, voters: motion_decided(
        staff, voters, meeting=_general_meeting(staff)
    ),
    "carried at an AGM held before the year ended": _carried_at_an_agm_before_year_end,
}


@pytest.mark.parametrize("how", list(MOTIONS_THAT_DO_NOT_APPROVE))
def test_only_a_motion_passed_at_an_agm_after_the_year_approves_an_allocation(staff, margaret, tom, how):
    allocation = allocation_propose(staff, year_record(staff), workers_pence=5000_00)
    motion = MOTIONS_THAT_DO_NOT_APPROVE[how](staff, [margaret, tom])
    with pytest.raises(ApplicationError) as refused:
        services.allocation_approve(user=staff, allocation=allocation, motion=motion)
    assert refused.value.code == "not_approved"
    # Even linked behind the service's back, the gate still refuses to calculate or pay.
    DividendAllocation.objects.filter(pk=allocation.pk).update(
        motion=motion, status="calculated", calculated_at=timezone.now()
    )
    allocation.refresh_from_db()
    for act in (services.allocation_calculation_start, services.allocation_pay):
        with pytest.raises(ApplicationError) as refused:
            act(user=staff, allocation=allocation)
        assert refused.value.code == "not_approved"
    assert dividend_services.dividends_calculate(allocation_id=allocation.pk).status == "calculated"
    assert not Dividend.objects.exists()


def test_a_passed_motion_approves_one_allocation_only(staff, margaret, tom):
    allocation = approved_allocation(staff, [margaret, tom], workers_pence=5000_00)
    other = allocation_propose(staff, year_record_other(staff), workers_pence=10_00)
    with pytest.raises(ApplicationError):
        services.allocation_approve(user=staff, allocation=other, motion=allocation.motion)
    with pytest.raises(ConflictError) as again:
        services.allocation_approve(user=staff, allocation=allocation, motion=allocation.motion)
    assert again.value.code == "already_approved"


def year_record_other(staff):
    return services.financial_year_record(
        user=staff,
        starts=datetime.date(2024, 4, 1),
        ends=datetime.date(2025, 3, 31),
        surplus_pence=10_00,
        today=NOW.date(),
    )


def test_no_allocation_is_paid_without_its_own_passed_agm_motion(staff, margaret, tom):
    # Every way through the services to "paid": only the allocation whose own motion passed gets there.
    approved = approved_allocation(staff, [margaret, tom], workers_pence=0)
    other = allocation_propose(staff, year_record_other(staff), workers_pence=10_00)
    calculate(staff, approved)
    for allocation in (other,):
        for act in (services.allocation_calculation_start, services.allocation_pay):
            with pytest.raises(ApplicationError) as refused:
                act(user=staff, allocation=allocation)
            assert refused.value.code == "not_approved"
    paid = services.allocation_pay(user=staff, allocation=approved)
    assert paid.status == DividendAllocation.Status.PAID
    assert DividendAllocation.objects.filter(status="paid").count() == 1


# --- The calculation ------------------------------------------------------------------------------


def test_the_calculation_shares_each_pool_by_its_measure_and_rounds_down_to_the_reserve(
    staff, year_of_visits, ruth, margaret, megan, asha, tom, priya
):
    allocation = approved_allocation(
        staff,
        [margaret, tom],
        surplus_pence=10_000_00,
        community_pence=1_000_00,
        workers_pence=3_000_01,
        receivers_pence=2_000_00,
        advocates_pence=100_00,
    )
    allocation = calculate(staff, allocation)
    assert allocation.status == DividendAllocation.Status.CALCULATED
    paid = {d.membership_id: d.amount_pence for d in Dividend.objects.filter(allocation=allocation)}
    # Workers: 600 + 570 + 180 = 1,350 minutes share £3,000.01.
    assert paid[megan.pk] == 300001 * 600 // 1350 == 133333
    assert paid[asha.pk] == 300001 * 570 // 1350 == 126667
    assert paid[tom.pk] == 300001 * 180 // 1350 == 40000
    # People getting support: Ruth 1,170 minutes, Margaret 180.
    assert paid[ruth.pk] == 200000 * 1170 // 1350
    assert paid[margaret.pk] == 200000 * 180 // 1350
    # Advocates share equally: Priya is the only one.
    assert paid[priya.pk] == 100_00
    assert sum(paid.values()) + allocation.leftover_pence == allocation.pool_pence
    assert (
        allocation.leftover_pence
        == 300001 - 133333 - 126667 - 40000 + 200000 - paid[ruth.pk] - paid[margaret.pk]
    )
    assert (allocation.progress_done, allocation.progress_total) == (6, 6)


def test_each_member_is_sent_their_statement_in_their_classs_words(
    staff, year_of_visits, margaret, tom, megan, ruth
):
    allocation = approved_allocation(staff, [margaret, tom], workers_pence=2700_00, receivers_pence=1350_00)
    calculate(staff, allocation)
    emails = {e.to: e for e in Email.objects.filter(kind="governance.dividend_statement")}
    assert set(emails) == {
        megan.user.email,
        ruth.user.email,
        tom.user.email,
        margaret.user.email,
        "asha@example.org",
    }
    assert emails[megan.user.email].context["amount"] == "£1,200.00"
    assert (
        emails[megan.user.email]
        .context["reason"]
        .startswith("you worked 10 of the 22.5 hours the co-op's workers worked this year")
    )
    assert (
        emails[ruth.user.email].context["reason"].startswith("you received 19.5 of the 22.5 hours of support")
    )
    dividend = Dividend.objects.get(membership=megan)
    assert selectors.dividend_get_for_user(user=megan.user, pk=dividend.pk) == dividend


@pytest.mark.parametrize(("rule", "included"), [("included", True), ("left_out", False)])
def test_members_who_ceased_during_the_year_are_treated_as_the_rules_say(
    staff, margaret, tom, ruth, rule, included
):
    DividendPolicy.objects.update_or_create(pk=1, defaults={"ceased_members": rule})
    leaver = MembershipFactory(member_class="worker", legal_name="Lee Leaver")
    confirmed_visit(ruth, leaver, in_year(5, 1), hours=2)
    confirmed_visit(ruth, tom, in_year(5, 2), hours=2)
    leaver.date_ceased, leaver.cessation_reason = datetime.date(2025, 9, 30), "resigned"
    leaver.save()
    allocation = approved_allocation(staff, [margaret, tom], workers_pence=100_00)
    calculate(staff, allocation)
    paid = dict(Dividend.objects.values_list("membership_id", "amount_pence"))
    assert paid == ({leaver.pk: 50_00, tom.pk: 50_00} if included else {tom.pk: 100_00})


def test_investors_share_by_capital_held_at_the_years_end_when_the_rules_say(staff, margaret, tom, ian):
    DividendPolicy.objects.update_or_create(pk=1, defaults={"investors_measure": "shares"})
    other = MembershipFactory(member_class="investor", shares=1500)
    allocation = approved_allocation(staff, [margaret, tom], investors_pence=100_00)
    calculate(staff, allocation)
    paid = dict(Dividend.objects.values_list("membership_id", "amount_pence"))
    assert paid == {ian.pk: 25_00, other.pk: 75_00}


def test_a_calculation_killed_half_way_and_run_again_pays_each_member_once(
    staff, margaret, tom, ruth, monkeypatch
):
    workers = MembershipFactory.create_batch(7, member_class="worker")
    for n, worker in enumerate(workers):
        confirmed_visit(ruth, worker, in_year(5, n + 1), hours=n + 1)
    allocation = approved_allocation(staff, [margaret, tom], workers_pence=1000_00)
    monkeypatch.setattr(dividend_services, "STATEMENT_BATCH", 2)
    services.allocation_calculation_start(user=staff, allocation=allocation)  # the task not yet run
    real_queue = dividend_services.outbox.emails_queue
    calls = []

    def dies_on_the_third_batch(**kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the worker was killed")
        return real_queue(**kwargs)

    with (
        mock.patch.object(dividend_services.outbox, "emails_queue", side_effect=dies_on_the_third_batch),
        pytest.raises(RuntimeError, match="killed"),
    ):
        tasks.dividends_calculate_task(allocation_id=allocation.pk)
    allocation.refresh_from_db()
    assert allocation.status == DividendAllocation.Status.CALCULATING
    assert (allocation.progress_done, allocation.progress_total) == (4, 7)

    tasks.dividends_calculate_task(allocation_id=allocation.pk)
    tasks.dividends_calculate_task(allocation_id=allocation.pk)  # and once more, for luck

    allocation.refresh_from_db()
    assert allocation.status == DividendAllocation.Status.CALCULATED
    assert (allocation.progress_done, allocation.progress_total) == (7, 7)
    assert Dividend.objects.filter(allocation=allocation).count() == 7
    emails = list(Email.objects.filter(kind="governance.dividend_statement").values_list("to", flat=True))
    assert sorted(emails) == sorted(w.user.email for w in workers)
    assert sum(Dividend.objects.values_list("amount_pence", flat=True)) + allocation.leftover_pence == 1000_00


def test_the_progress_moves_batch_by_batch(staff, margaret, tom, ruth, monkeypatch):
    for n, worker in enumerate(MembershipFactory.create_batch(5, member_class="worker")):
        confirmed_visit(ruth, worker, in_year(5, n + 1))
    allocation = approved_allocation(staff, [margaret, tom], workers_pence=100_00)
    monkeypatch.setattr(dividend_services, "STATEMENT_BATCH", 2)
    services.allocation_calculation_start(user=staff, allocation=allocation)  # the task not yet run
    seen = []
    for _ in range(4):
        services.dividends_calculate(allocation_id=allocation.pk, batches=1)
        allocation.refresh_from_db()
        seen.append((allocation.progress_done, allocation.progress_total, allocation.status))
    assert seen == [(2, 5, "calculating"), (4, 5, "calculating"), (5, 5, "calculated"), (5, 5, "calculated")]


@pytest.mark.django_db(transaction=True)
def test_two_calculations_at_once_pay_each_member_once(monkeypatch):
    staff = UserFactory(is_staff=True)
    voters = MembershipFactory.create_batch(2)
    receiver = MembershipFactory(member_class="receiver")
    workers = MembershipFactory.create_batch(9, member_class="worker")
    for n, worker in enumerate(workers):
        confirmed_visit(receiver, worker, in_year(5, n + 1))
    allocation = approved_allocation(staff, voters, workers_pence=900_00)
    monkeypatch.setattr(dividend_services, "STATEMENT_BATCH", 2)
    services.allocation_calculation_start(user=staff, allocation=allocation)  # the task not yet run

    results = race([lambda: services.dividends_calculate(allocation_id=allocation.pk) for _ in range(3)])

    assert not [r for r in results if isinstance(r, Exception)], results
    allocation.refresh_from_db()
    assert allocation.status == DividendAllocation.Status.CALCULATED
    assert Dividend.objects.filter(allocation=allocation).count() == 9
    assert set(Dividend.objects.values_list("amount_pence", flat=True)) == {100_00}
    assert Email.objects.filter(kind="governance.dividend_statement").count() == 9
    assert allocation.progress_done == 9


def test_the_database_refuses_a_second_dividend_for_a_member(staff, margaret, tom, megan):
    from django.db import IntegrityError, transaction

    allocation = approved_allocation(staff, [margaret, tom], workers_pence=100_00)
    values = {
        "allocation": allocation,
        "membership": megan,
        "member_class": "worker",
        "measure": "hours_worked",
        "quantity": 1,
        "class_quantity": 1,
        "class_pool_pence": 100_00,
        "amount_pence": 100_00,
    }
    Dividend.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dividend.objects.create(**values)


# --- Payment ------------------------------------------------------------------------------------


def test_staff_pay_calculated_dividends_once_and_export_the_payment_file(
    staff, year_of_visits, margaret, tom, megan
):
    allocation = approved_allocation(staff, [margaret, tom], workers_pence=1350_00)
    with pytest.raises(ConflictError) as early:
        services.allocation_pay(user=staff, allocation=allocation)
    assert early.value.code == "not_calculated"
    calculate(staff, allocation)
    rows = selectors.dividend_payment_rows(allocation=allocation)
    assert rows[0] == selectors.PAYMENT_HEADER
    assert [
        str(megan.number),
        megan.legal_name,
        "worker",
        "hours_worked",
        "600.00",
        f"DIV2025-{megan.number}",
    ] in rows
    with pytest.raises(NotAllowedError):
        services.allocation_pay(user=margaret.user, allocation=allocation)
    services.allocation_pay(user=staff, allocation=allocation)
    with pytest.raises(ConflictError) as twice:
        services.allocation_pay(user=staff, allocation=allocation)
    assert twice.value.code == "already_paid"
    with pytest.raises(ConflictError):
        services.allocation_calculation_start(user=staff, allocation=allocation)


def test_starting_the_calculation_queues_its_task_once_the_start_commits(
    staff, margaret, tom, megan, ruth, django_capture_on_commit_callbacks
):
    confirmed_visit(ruth, megan, in_year(5, 1))
    allocation = approved_allocation(staff, [margaret, tom], workers_pence=100_00)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        tasks.dividends_calculation_start(user=staff, allocation=allocation)
    assert callbacks  # the task, eager in the tests, ran once the start committed
    allocation.refresh_from_db()
    assert allocation.status == DividendAllocation.Status.CALCULATED
    assert Dividend.objects.get(allocation=allocation).amount_pence == 100_00


# --- The gate, for every kind of motion -----------------------------------------------------------

_examples = iter(range(10_000))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(
    agm=True, after_year=True, amendment=False, status="carried", ballot="closed", declared=True, passed=True
)
@given(
    agm=st.booleans(),
    after_year=st.booleans(),
    amendment=st.booleans(),
    status=st.sampled_from(["carried", "lost", "tabled", "withdrawn"]),
    ballot=st.sampled_from(["none", "open", "closed"]),
    declared=st.booleans(),
    passed=st.booleans(),
)
def test_no_allocation_is_calculated_or_paid_unless_its_own_motion_passed_at_an_agm_after_the_year(
    staff, agm, after_year, amendment, status, ballot, declared, passed
):
    """Whatever the motion linked to an allocation (written straight to the database, past the
    service that would refuse most of them), calculating and paying go ahead only for a motion
    carried at an AGM held after the year ended, on a closed ballot declared passed."""
    n = next(_examples)
    year = FinancialYear.objects.create(
        starts=datetime.date(1900 + n, 4, 1),
        ends=datetime.date(1901 + n, 3, 31),
        surplus_pence=100,
        recorded_by=staff,
    )
    held = datetime.datetime(1901 + n, 6 if after_year else 3, 20, 18, tzinfo=LONDON)
    meeting = Meeting.objects.create(
        kind="agm" if agm else "general",
        title="A meeting",
        format="online",
        online_link="https://m.example.org",
        starts_at=held,
        ends_at=held + datetime.timedelta(hours=2),
        agenda="1.",
        called_by=staff,
    )
    amended = Motion.objects.create(
        meeting=meeting, title="Original", majority="ordinary", by_board=True, status="tabled"
    )
    motion = Motion.objects.create(
        meeting=meeting,
        title="Approve",
        majority="ordinary",
        by_board=True,
        status=status,
        amends=amended if amendment else None,
    )
    if ballot != "none":
        Ballot.objects.create(
            title="Approve",
            meeting=meeting,
            kind="motion",
            motion=motion,
            opens_at=held,
            closes_at=held + datetime.timedelta(hours=1),
            status=ballot,
            created_by=staff,
            declared_at=held + datetime.timedelta(hours=1) if declared else None,
            result={"passed": passed} if ballot == "closed" else None,
        )
    allocation = DividendAllocation.objects.create(
        year=year,
        reserve_pence=0,
        community_pence=0,
        workers_pence=100,
        receivers_pence=0,
        advocates_pence=0,
        investors_pence=0,
        advocates_measure="equal",
        investors_measure="none",
        ceased_members="included",
        proposed_by=staff,
        motion=motion,
        status="calculated",
        calculated_at=held,
    )
    approved = (
        agm
        and after_year
        and not amendment
        and status == "carried"
        and ballot == "closed"
        and declared
        and passed
    )
    refused = _refusal(lambda: services.allocation_pay(user=staff, allocation=allocation))
    assert refused == (None if approved else "not_approved")
    DividendAllocation.objects.filter(pk=allocation.pk).update(
        status="calculating", calculated_at=None, paid_at=None
    )
    services.dividends_calculate(allocation_id=allocation.pk)
    assert (DividendAllocation.objects.get(pk=allocation.pk).shared_at is not None) == approved


def _refusal(act):
    try:
        act()
    except ApplicationError as error:
        return error.code
    return None


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_years_recorded_at_once_make_one_year():
    from governance.models import FinancialYear

    staff = UserFactory(is_staff=True)
    DividendPolicy.current()  # made once, before the race
    starts = [datetime.date(2025, 4, 1), datetime.date(2025, 1, 1)]
    results = race(
        [
            lambda day=day: services.financial_year_record(
                user=staff,
                starts=day,
                ends=day + datetime.timedelta(days=364),
                surplus_pence=1,
                today=NOW.date(),
            )
            for day in starts
        ]
    )
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(refused) == 1, results
    assert refused[0].code == "year_overlaps"
    assert FinancialYear.objects.count() == 1


def test_the_statement_emails_go_through_the_outbox_with_a_link_to_the_members_statements(
    staff, margaret, tom, ruth, megan, ian, settings
):
    from decimal import Decimal

    from tests.outbox import send_owed, site_links

    confirmed_visit(ruth, megan, in_year(5, 1), hours=2)
    calculate(staff, approved_allocation(staff, [margaret, tom], workers_pence=100_00))
    services.interest_declare(
        user=staff, year=DividendAllocation.objects.get().year, rate_percent=Decimal(2), today=NOW.date()
    )
    sent = {
        message.to[0]: message
        for message in send_owed()
        if "dividend" in message.subject.lower() or "interest" in message.subject.lower()
    }
    megans = sent[megan.user.email]
    assert megans.subject.endswith("Your dividend for 1 Apr 2025 – 31 Mar 2026: £100.00")
    assert (
        "Your patronage dividend for the year 1 Apr 2025 – 31 Mar 2026 is £100.00: you worked 2 of the 2"
        in megans.body
    )
    text_links, html_links = site_links(megans)
    assert settings.SITE_URL + "/dividends/" in text_links
    assert settings.SITE_URL + "/dividends/" in html_links
    assert "2.00% a year on the £500.00 you held on average" in sent[ian.user.email].body
