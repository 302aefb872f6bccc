"""The log of staff actions: written by the staff services and the admin, readable by staff,
changed by nobody (decision 44)."""

import datetime

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from carecoop import audit
from carecoop.exceptions import ApplicationError
from carecoop.models import StaffAction
from governance import services as governance_services
from members import services
from members.models import User
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory
from tests.governance.conftest import call_agm
from tests.members.test_applications import _paid
from tests.second_factor import log_in_with_second_factor


def test_admitting_an_applicant_logs_who_did_what_to_whom(documents, staff):
    application = _paid(ApplicationFactory(legal_name="Ruth Sutcliffe"), staff)
    membership = services.application_approve(application=application, by=staff)

    payment, admission = StaffAction.objects.order_by("pk")
    assert (payment.action, payment.by, payment.member) == ("application.payment", staff, application.user)
    assert (admission.action, admission.by, admission.member) == (
        "application.approve",
        staff,
        application.user,
    )
    assert f"member {membership.number}" in admission.summary
    assert "Ruth Sutcliffe" in admission.summary
    assert admission.at <= timezone.now()


def test_a_refused_action_leaves_nothing_in_the_log(documents, staff):
    application = ApplicationFactory()

    with pytest.raises(ApplicationError):
        services.application_reject(application=application, by=staff, reason="  ")

    assert not StaffAction.objects.exists()


def test_the_register_and_vetting_services_log_each_change(staff, member):
    services.membership_change_class(
        membership=member, member_class="advocate", by=staff, reason="Now supports her husband."
    )
    services.membership_update_details(
        membership=member,
        by=staff,
        legal_name="Maureen Hartley",
        address="2 Mill Lane",
        postcode="HX7 8AD",
        reason="Moved.",
    )
    services.shares_subscribe(
        membership=member, shares=2, paid_on=member.date_admitted, reference="BACS 2", by=staff
    )
    services.membership_cease(membership=member, by=staff, reason="resigned", ceased_on=timezone.localdate())

    logged = list(StaffAction.objects.order_by("pk").values_list("action", "member", "by"))
    assert logged == [
        ("register.class", member.user_id, staff.pk),
        ("register.details", member.user_id, staff.pk),
        ("shares.subscription", member.user_id, staff.pk),
        ("register.cease", member.user_id, staff.pk),
    ]


def test_what_a_member_or_a_scheduled_task_does_is_not_a_staff_action(member):
    assert audit.staff_action_record(by=member.user, action="test.made", summary="By a member") is None
    assert audit.staff_action_record(by=None, action="test.made", summary="By a task") is None

    assert not StaffAction.objects.exists()


def test_meetings_called_by_staff_are_logged(staff):
    call_agm(staff)

    entry = StaffAction.objects.get()
    assert (entry.action, entry.by, entry.member) == ("governance.meeting_call", staff, None)
    assert entry.summary == "Call a general meeting"


def test_the_meeting_rules_changed_by_staff_are_logged(staff):
    governance_services.governance_policy_update(user=staff, quorum_percent=20)

    assert StaffAction.objects.get().action == "governance.policy_update"


def test_a_change_made_in_the_admin_is_logged_with_the_member_it_concerns(staff, member):
    LogEntry.objects.log_actions(
        user_id=staff.pk,
        queryset=[member],
        action_flag=CHANGE,
        change_message=[{"changed": {"fields": ["Address"]}}],
    )

    entry = StaffAction.objects.get()
    assert (entry.action, entry.by, entry.member) == ("admin.changed", staff, member.user)
    assert "Address" in entry.summary
    assert member.legal_name not in entry.summary  # kept for good: no name an erasure must remove


def test_accounts_deleted_together_in_the_admin_are_each_logged(client, staff):
    staff.is_superuser = True  # the only one the admin lets delete anything (accounts)
    staff.save()
    unused = [UserFactory(email=f"never-applied-{n}@example.org") for n in range(2)]
    log_in_with_second_factor(client, staff)

    answer = client.post(
        reverse("admin:members_user_changelist"),
        {"action": "delete_selected", "_selected_action": [user.pk for user in unused], "post": "yes"},
    )

    assert answer.status_code == 302
    assert not User.objects.filter(pk__in=[user.pk for user in unused]).exists()
    deleted = StaffAction.objects.filter(action="admin.deleted", by=staff)
    assert sorted(entry.summary for entry in deleted) == sorted(
        f"In the admin, deleted user {user.pk}" for user in unused
    )
    assert not deleted.filter(summary__contains="never-applied").exists()


def test_the_database_refuses_to_change_or_delete_an_entry(staff, member):
    entry = StaffAction.objects.create(
        by=staff, action="test.made", summary="Made for the test", member=member.user
    )

    with pytest.raises(DatabaseError, match="cannot be changed or deleted"), transaction.atomic():
        StaffAction.objects.filter(pk=entry.pk).update(summary="Rewritten")
    with (
        pytest.raises(DatabaseError, match="cannot be changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE carecoop_staffaction SET by_id = by_id WHERE id = %s", [entry.pk])
    with (
        pytest.raises(DatabaseError, match="cannot be changed or deleted"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM carecoop_staffaction WHERE id = %s", [entry.pk])

    assert StaffAction.objects.get(pk=entry.pk).summary == "Made for the test"


def test_the_admin_shows_the_log_and_changes_nothing(client, staff, member):
    entry = StaffAction.objects.create(
        by=staff, action="test.made", summary="Made for the test", member=member.user
    )
    log_in_with_second_factor(client, staff)

    assert client.get(reverse("admin:carecoop_staffaction_changelist")).status_code == 200
    change_url = reverse("admin:carecoop_staffaction_change", args=[entry.pk])
    assert client.get(change_url).status_code == 200  # shown, read only
    assert client.post(change_url, {"summary": "Rewritten"}).status_code == 403
    assert client.get(reverse("admin:carecoop_staffaction_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:carecoop_staffaction_delete", args=[entry.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.summary == "Made for the test"


# --- The staff page ---------------------------------------------------------------------------------


def _entries(staff, members, *, each: int) -> None:
    start = timezone.now() - datetime.timedelta(days=1)
    StaffAction.objects.bulk_create(
        StaffAction(
            by=staff,
            action="test.made",
            summary=f"Entry {n} about {m.number}",
            member=m.user,
            at=start + datetime.timedelta(minutes=n * len(members) + i),
        )
        for n in range(each)
        for i, m in enumerate(members)
    )


def test_staff_read_the_log_newest_first(client, staff, member):
    _entries(staff, [member], each=3)
    log_in_with_second_factor(client, staff)

    page = client.get(reverse("staff_action_log"))

    assert page.status_code == 200
    summaries = [entry.summary for entry in page.context["page"]]
    assert summaries == [f"Entry {n} about {member.number}" for n in (2, 1, 0)]
    assert member.legal_name in page.content.decode()


def test_the_log_filters_by_member_and_by_staff_member(client, staff, member, margaret):
    other_staff = UserFactory(email="treasurer@example.org", is_staff=True)
    _entries(staff, [member, margaret], each=2)
    _entries(other_staff, [margaret], each=1)
    log_in_with_second_factor(client, staff)

    by_member = client.get(reverse("staff_action_log"), {"member": margaret.number}).context["page"]
    assert {e.member_id for e in by_member} == {margaret.user_id}
    assert len(by_member) == 3
    by_staff = client.get(reverse("staff_action_log"), {"by": other_staff.pk}).context["page"]
    assert [e.by_id for e in by_staff] == [other_staff.pk]
    both = client.get(reverse("staff_action_log"), {"member": margaret.number, "by": staff.pk}).context[
        "page"
    ]
    assert len(both) == 2
    bad = client.get(reverse("staff_action_log"), {"member": "x", "by": "nobody"})
    assert bad.status_code == 200
    assert len(bad.context["page"]) == 5


@pytest.mark.parametrize("members", [2, 20])
def test_the_log_page_reads_a_fixed_number_of_queries(client, staff, members, django_assert_max_num_queries):
    people = [MembershipFactory() for _ in range(members)]
    _entries(staff, people, each=3)
    log_in_with_second_factor(client, staff)

    with django_assert_max_num_queries(12):
        assert client.get(reverse("staff_action_log")).status_code == 200


def test_only_staff_read_the_log(client, member):
    client.force_login(member.user)

    assert client.get(reverse("staff_action_log")).status_code == 403


def test_the_staff_home_links_to_the_log(client, staff):
    log_in_with_second_factor(client, staff)

    assert reverse("staff_action_log") in client.get(reverse("staff_home")).content.decode()
