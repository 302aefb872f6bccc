"""Monthly statements: what a person was charged and a worker earned, from confirmed hours only;
months closed in order, kept as they were, with later confirmations as adjustments on the next
statement (decision 22)."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carecoop.exceptions import ApplicationError
from members.models import Policy
from scheduling import services, statements
from scheduling.models import ClosedMonth, Statement, StatementLine, Visit, VisitExpense
from tests.concurrency import race
from tests.factories import UserFactory, VisitFactory
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")

OCTOBER = datetime.date(2026, 10, 1)
NOVEMBER = datetime.date(2026, 11, 1)
DECEMBER = datetime.date(2026, 12, 1)


def delivered(
    receiver,
    worker,
    starts,
    *,
    minutes=60,
    hours=Visit.Hours.CONFIRMED,
    rate=15_00,
    status="accepted",
    **extra,
):
    """A visit that happened: accepted, checked in and out, its hours answered as `hours`."""
    ends = starts + datetime.timedelta(minutes=minutes)
    return VisitFactory(
        receiver=receiver,
        worker=worker,
        starts=starts,
        ends=ends,
        status=status,
        rate_pence=rate,
        booked_by=receiver.user,
        offer_expires_at=starts - datetime.timedelta(hours=12),
        checked_in_at=starts,
        checked_out_at=ends,
        hours=hours,
        **extra,
    )


def confirm(visit):
    Visit.objects.filter(pk=visit.pk).update(hours=Visit.Hours.CONFIRMED)


# --- What an open month's statement holds --------------------------------------------------------


def test_a_statement_counts_the_months_confirmed_visits_only(ruth, megan, asha):
    counted = delivered(ruth, megan, at(6, 9, month=10))  # £15 an hour, one hour
    delivered(ruth, megan, at(8, 9, month=10), hours=Visit.Hours.PENDING)
    delivered(ruth, megan, at(13, 9, month=10), hours=Visit.Hours.QUERIED)
    delivered(ruth, megan, at(15, 9, month=10), status=Visit.Status.CANCELLED)
    delivered(ruth, megan, at(30, 23, month=9))  # September's
    delivered(ruth, megan, at(3, 9, month=11))
    delivered(ruth, asha, at(20, 9, month=10), minutes=30, rate=20_00)

    megans = statements.statement_for(member=megan, month=OCTOBER)
    assert [line.visit_id for line in megans.lines] == [counted.pk]
    # £15 less 7.5% = £13.875, rounded half up to the penny; the person pays £15 + 17.5% = £17.625.
    assert (megans.amount_pence, megans.coop_pence, megans.total_pence) == (1388, 375, 1388)
    assert megans.minutes == 60
    assert not megans.closed

    ruths = statements.statement_for(member=ruth, month=OCTOBER)
    assert [line.other for line in ruths.lines] == ["Megan", "Asha"]
    # Asha's half hour at £20: £10 + 17.5% = £11.75.
    assert ruths.amount_pence == 1763 + 1175
    assert ruths.total_pence == sum(line.total_pence for line in ruths.lines)


def test_a_visits_month_is_the_month_it_starts_in_london(ruth, megan):
    """00:30 on 1 November in London is 31 October in UTC (British Summer Time has ended by then,
    so take 1 October: 00:30 BST is 23:30 UTC on 30 September)."""
    first_of_october = delivered(ruth, megan, at(1, 0, 30, month=10))
    assert first_of_october.starts.astimezone(datetime.UTC).month == 9
    assert [line.visit_id for line in statements.statement_for(member=megan, month=OCTOBER).lines] == [
        first_of_october.pk
    ]


def test_a_statement_follows_the_minutes_that_count(ruth, megan):
    """A visit settled or cut short is paid for the minutes that counted (decision 20)."""
    delivered(ruth, megan, at(6, 9, month=10), minutes=120, worked_minutes=45)
    megans = statements.statement_for(member=megan, month=OCTOBER)
    assert megans.minutes == 45
    assert megans.amount_pence == 1041  # £11.25 less 7.5% = £10.40625


def expense(visit, pence, *, struck=False):
    return VisitExpense.objects.create(
        visit=visit,
        kind="other",
        amount_pence=pence,
        note="Bus fare to the surgery",
        added_by=visit.worker.user,
        struck_at=visit.ends if struck else None,
    )


def test_expenses_and_sleep_ins_on_a_statement(ruth, megan):
    """Expenses are paid and charged in full, those struck by staff not at all; a sleep-in is its
    night's rate, whatever its hours (decision 25)."""
    visit = delivered(ruth, megan, at(6, 9, month=10))
    expense(visit, 3_40)
    expense(visit, 9_99, struck=True)
    delivered(ruth, megan, at(9, 22, month=10), minutes=9 * 60, sleep_in=True, sleep_in_rate_pence=65_00)

    megans = statements.statement_for(member=megan, month=OCTOBER)
    assert [line.expenses_pence for line in megans.lines] == [3_40, 0]
    assert [line.amount_pence for line in megans.lines] == [1388, 6013]  # £65 less 7.5% = £60.125
    assert megans.total_pence == 1388 + 6013 + 3_40
    ruths = statements.statement_for(member=ruth, month=OCTOBER)
    assert ruths.total_pence == 1763 + 7638 + 3_40  # £65 plus 17.5% = £76.375
    (summed,) = statements.finance_months(through=OCTOBER, count=1)
    assert (summed.paid_pence, summed.charged_pence, summed.expenses_pence) == (
        1388 + 6013,
        1763 + 7638,
        3_40,
    )


def test_members_of_other_classes_have_no_statement(priya, ian):
    assert statements.statement_for(member=priya, month=OCTOBER) is None
    assert statements.statement_for(member=ian, month=OCTOBER) is None


# --- Closing a month ----------------------------------------------------------------------------


def test_a_closed_statement_is_kept_as_it_was_when_the_policy_changes(ruth, megan, staff):
    delivered(ruth, megan, at(6, 9, month=10))
    services.month_close(month=OCTOBER, by=staff)

    policy = Policy.current()
    policy.coop_addition_percent = Decimal("25.00")
    policy.save()
    Visit.objects.update(rate_pence=30_00)

    ruths = statements.statement_for(member=ruth, month=OCTOBER)
    assert ruths.closed
    assert ruths.total_pence == 1763
    stored = Statement.objects.get(member=ruth, side="person")
    assert (stored.visits, stored.minutes, stored.amount_pence, stored.total_pence) == (1, 60, 1763, 1763)


def test_hours_confirmed_after_their_month_closed_go_on_the_next_statement_once(
    ruth, megan, staff, time_machine
):
    waiting = delivered(ruth, megan, at(30, 9, month=10), hours=Visit.Hours.PENDING)
    delivered(ruth, megan, at(6, 9, month=10))
    services.month_close(month=OCTOBER, by=staff)
    confirm(waiting)

    october = statements.statement_for(member=megan, month=OCTOBER)
    assert october.amount_pence == 1388  # closed: unchanged
    november = statements.statement_for(member=megan, month=NOVEMBER)
    assert [(line.visit_id, line.late) for line in november.lines] == [(waiting.pk, True)]
    assert november.adjustments
    assert november.total_pence == 1388

    time_machine.move_to(at(1, 9, month=12), tick=False)
    services.month_close(month=NOVEMBER, by=staff)
    kept = Statement.objects.get(member=megan, month__month=NOVEMBER, side="worker")
    assert [(line.visit_id, line.late) for line in kept.lines.all()] == [(waiting.pk, True)]
    assert statements.statement_for(member=megan, month=DECEMBER).lines == ()
    assert StatementLine.objects.filter(visit=waiting).count() == 2  # once a side


def test_visits_before_statements_began_are_not_adjustments(ruth, megan, staff):
    """The first month closed is when statements began: the months before it keep their
    statements as worked out, and none of their visits turns up on the next statement."""
    delivered(ruth, megan, at(8, 9, month=9))
    delivered(ruth, megan, at(6, 9, month=10))
    services.month_close(month=OCTOBER, by=staff)
    assert statements.statement_for(member=megan, month=NOVEMBER).lines == ()
    assert statements.statement_for(member=megan, month=datetime.date(2026, 9, 1)).visits == 1


def test_months_close_in_order_once_and_only_when_over(ruth, megan, staff, time_machine):
    delivered(ruth, megan, at(6, 9, month=10))
    with pytest.raises(ApplicationError) as not_over:
        services.month_close(month=NOVEMBER, by=staff)
    assert not_over.value.code == "month_not_over"
    with pytest.raises(ApplicationError) as not_a_month:
        services.month_close(month=datetime.date(2026, 10, 2), by=staff)
    assert not_a_month.value.code == "invalid_month"

    services.month_close(month=OCTOBER, by=staff)
    with pytest.raises(ApplicationError) as twice:
        services.month_close(month=OCTOBER, by=staff)
    assert twice.value.code == "already_closed"

    time_machine.move_to(at(4, 9, month=1, year=2027), tick=False)
    with pytest.raises(ApplicationError) as skipped:
        services.month_close(month=DECEMBER, by=staff)
    assert skipped.value.code == "not_next_month"
    assert list(ClosedMonth.objects.values_list("month", flat=True)) == [OCTOBER]


@pytest.mark.django_db(transaction=True)
def test_two_staff_closing_a_month_at_once_close_it_once(ruth, megan, staff):
    visits = [delivered(ruth, megan, at(day, 9, month=10)) for day in (6, 8, 13)]
    other = UserFactory(is_staff=True)
    outcomes = race([lambda by=by: services.month_close(month=OCTOBER, by=by) for by in (staff, other)])

    closed = [o for o in outcomes if isinstance(o, ClosedMonth)]
    refused = [o for o in outcomes if isinstance(o, ApplicationError)]
    assert len(closed) == 1
    assert [e.code for e in refused] == ["already_closed"]
    assert ClosedMonth.objects.count() == 1
    for visit in visits:
        assert StatementLine.objects.filter(visit=visit).count() == 2
    assert Statement.objects.get(member=megan).amount_pence == 3 * 1388


# --- The arithmetic, whatever the visits ---------------------------------------------------------

visit_shapes = st.lists(
    st.tuples(
        st.integers(min_value=15, max_value=12 * 60),  # booked minutes
        st.one_of(st.none(), st.integers(min_value=0, max_value=12 * 60)),  # minutes counted otherwise
        st.one_of(st.none(), st.integers(min_value=12_60, max_value=30_00)),  # the worker's rate, if any
        st.booleans(),  # Megan, or Asha
        st.one_of(st.none(), st.integers(min_value=50_00, max_value=120_00)),  # a sleep-in's night
        st.lists(st.integers(min_value=1, max_value=500_00), max_size=3),  # expenses
    ),
    max_size=12,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    shapes=visit_shapes,
    addition=st.decimals(min_value=0, max_value=40, places=2),
    deduction=st.decimals(min_value=0, max_value=30, places=2),
)
def test_a_statements_lines_add_up_to_its_total_before_and_after_closing(
    ruth, megan, asha, staff, shapes, addition, deduction
):
    sid = transaction.savepoint()
    try:
        policy = Policy.current()
        policy.coop_addition_percent = addition
        policy.coop_deduction_percent = deduction
        policy.save()
        for index, (minutes, worked, rate, by_megan, night, expenses) in enumerate(shapes):
            visit = delivered(
                ruth,
                megan if by_megan else asha,
                at(1, 6, month=10) + datetime.timedelta(hours=13 * index),
                minutes=minutes,
                worked_minutes=worked,
                rate=rate,
                sleep_in=night is not None,
                sleep_in_rate_pence=night,
            )
            for pence in expenses:
                expense(visit, pence)
        people = [ruth, megan, asha]
        live = {m.pk: statements.statement_for(member=m, month=OCTOBER) for m in people}
        # The finance page sums the month in the database by the same rule, to the penny.
        (summed,) = statements.finance_months(through=OCTOBER, count=1)
        worker_lines = [line for m in (megan, asha) for line in live[m.pk].lines]
        assert summed.charged_pence == live[ruth.pk].amount_pence
        assert summed.paid_pence == sum(w.amount_pence for w in worker_lines)
        assert summed.coop_pence == sum(w.coop_pence for w in worker_lines)
        assert (summed.visits, summed.minutes) == (len(worker_lines), live[ruth.pk].minutes)
        assert (
            summed.expenses_pence
            == live[ruth.pk].expenses_pence
            == sum(w.expenses_pence for w in worker_lines)
        )
        services.month_close(month=OCTOBER, by=staff)
        for member in people:
            kept = statements.statement_for(member=member, month=OCTOBER)
            assert kept.closed
            assert kept.lines == live[member.pk].lines
            assert kept.total_pence == sum(line.amount_pence + line.expenses_pence for line in kept.lines)
            if kept.stored is not None:
                assert kept.stored.total_pence == kept.total_pence
                assert kept.stored.visits == len(kept.lines)
        # What people paid is what workers earned and what the co-op kept, to the penny.
        assert live[ruth.pk].amount_pence == sum(w.amount_pence + w.coop_pence for w in worker_lines)
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.django_db(transaction=True)
def test_two_first_closings_of_different_months_at_once_leave_no_gap(ruth, megan, staff):
    """Before any month is closed, any month over may be: two at once would leave the months
    between them never closable. One closing at a time: the second finds it is not next."""
    delivered(ruth, megan, at(6, 9, month=8))
    delivered(ruth, megan, at(6, 9, month=10))
    other = UserFactory(is_staff=True)
    outcomes = race(
        [
            lambda: services.month_close(month=datetime.date(2026, 8, 1), by=staff),
            lambda: services.month_close(month=OCTOBER, by=other),
        ]
    )

    assert len([o for o in outcomes if isinstance(o, ClosedMonth)]) == 1
    assert [o.code for o in outcomes if isinstance(o, ApplicationError)] == ["not_next_month"]
    assert ClosedMonth.objects.count() == 1
