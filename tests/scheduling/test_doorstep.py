"""At the doorstep: the worker on their way sees where to go and whom to call (only while the visit
is theirs to do), says when they are running late, and confirms leaving early or with tasks left."""

import datetime

import pytest

from carecoop.exceptions import ApplicationError
from members import services as member_services
from members.models import EmergencyContact
from scheduling import services
from scheduling.models import LateNotice, Notification, Visit, VisitEvent
from tests.factories import ApplicationFactory
from tests.outbox import owed
from tests.scheduling.conftest import at
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")

STREET = "2 Bridge Gate"
PHONE = "01422 845678"


@pytest.fixture
def ruth_reachable(ruth):
    """Ruth with the phone she gave when applying, and her son as her emergency contact."""
    ruth.application = ApplicationFactory(user=ruth.user, legal_name=ruth.legal_name, phone="+441422845678")
    ruth.save(update_fields=["application"])
    member_services.emergency_contact_save(
        membership=ruth, by=ruth.user, name="David Sutcliffe", relationship="Son", phone="07712 345678"
    )
    return ruth


def _accepted(ruth, megan, *, tasks=("Breakfast", "Tablets")):
    visit = services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(24, 9), ends=at(24, 11), tasks=list(tasks)
    ).visits[0]
    return services.visit_accept(visit=visit, by=megan.user)


def _page(client, user, visit):
    log_in_with_second_factor(client, user)
    response = client.get(f"/visits/{visit.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def _sees_doorstep(page: str) -> bool:
    shown = [STREET in page, "07712 345678" in page, "tel:01422845678" in page, "google.com/maps/dir" in page]
    assert all(shown) or not any(shown), shown  # all of it or none of it
    return all(shown)


# --- Who sees the address, the phone and the emergency contact -------------------------------------


def test_the_worker_sees_where_to_go_and_whom_to_call_from_the_day_before(
    client, ruth_reachable, megan, time_machine
):
    visit = _accepted(ruth_reachable, megan)
    time_machine.move_to(at(24, 8, 55), tick=False)

    page = _page(client, megan.user, visit)

    assert _sees_doorstep(page)
    assert "David Sutcliffe (Son)" in page
    assert 'href="tel:07712345678"' in page
    assert "destination=2+Bridge+Gate%2C+Hebden+Bridge%2C+HX7+8EX" in page


def test_nobody_but_the_visits_worker_sees_the_doorstep(
    client, ruth_reachable, megan, asha, tom, jane, staff, time_machine
):
    visit = _accepted(ruth_reachable, megan)
    time_machine.move_to(at(24, 8, 55), tick=False)

    for user in (asha.user, jane, staff, ruth_reachable.user):
        assert not _sees_doorstep(_page(client, user, visit)), user.email
    client.force_login(tom.user)
    assert client.get(f"/visits/{visit.pk}/").status_code == 404


def test_the_worker_does_not_see_the_doorstep_too_early_or_once_checked_out(
    client, ruth_reachable, megan, time_machine
):
    visit = _accepted(ruth_reachable, megan)
    time_machine.move_to(at(23, 8, 55), tick=False)  # more than a day before
    assert not _sees_doorstep(_page(client, megan.user, visit))

    time_machine.move_to(at(24, 9), tick=False)
    services.visit_check_in(visit=visit, by=megan.user)
    assert _sees_doorstep(_page(client, megan.user, visit))  # at the visit
    time_machine.move_to(at(24, 11), tick=False)
    services.visit_check_out(visit=visit, by=megan.user, note="Breakfast and tablets.")

    assert not _sees_doorstep(_page(client, megan.user, visit))


@pytest.mark.parametrize("checked_in", [False, True], ids=["never checked in", "never checked out"])
def test_the_doorstep_closes_three_hours_after_the_end_of_a_visit_nobody_checked_out_of(
    client, ruth_reachable, megan, time_machine, checked_in
):
    visit = _accepted(ruth_reachable, megan)
    if checked_in:
        time_machine.move_to(at(24, 9), tick=False)
        services.visit_check_in(visit=visit, by=megan.user)
    time_machine.move_to(at(24, 14), tick=False)  # the booked end, 11:00, and three hours on
    assert _sees_doorstep(_page(client, megan.user, visit))

    time_machine.move_to(at(24, 14, 1), tick=False)
    assert not _sees_doorstep(_page(client, megan.user, visit))
    client.force_login(megan.user)
    assert client.get(f"/api/v1/visits/{visit.pk}/").json()["doorstep"] is None


@pytest.mark.parametrize("state", ["offered", "declined", "cancelled"])
def test_the_worker_does_not_see_the_doorstep_of_a_visit_not_agreed(
    client, ruth_reachable, megan, state, time_machine
):
    visit = services.visit_book(
        by=ruth_reachable.user, receiver=ruth_reachable, worker=megan, starts=at(24, 9), ends=at(24, 11)
    ).visits[0]
    if state == "declined":
        services.visit_decline(visit=visit, by=megan.user)
    if state == "cancelled":
        services.visit_accept(visit=visit, by=megan.user)
        services.visit_cancel(visit=visit, by=ruth_reachable.user, reason="Away")
    time_machine.move_to(at(24, 8, 55), tick=False)

    assert not _sees_doorstep(_page(client, megan.user, visit))


def test_without_an_emergency_contact_the_worker_is_told_whom_to_call(client, ruth, megan, time_machine):
    visit = _accepted(ruth, megan)
    time_machine.move_to(at(24, 8, 55), tick=False)

    page = _page(client, megan.user, visit)

    assert STREET in page
    assert "None given. In an emergency call 999" in page


def test_the_visit_page_asks_the_same_number_of_queries_as_notices_and_tasks_grow(
    client, ruth_reachable, megan, time_machine, django_assert_max_num_queries
):
    few = _accepted(ruth_reachable, megan, tasks=["Breakfast"])
    many = services.visit_accept(
        visit=services.visit_book(
            by=ruth_reachable.user,
            receiver=ruth_reachable,
            worker=megan,
            starts=at(24, 12),
            ends=at(24, 14),
            tasks=[f"Task {n}" for n in range(12)],
        ).visits[0],
        by=megan.user,
    )
    time_machine.move_to(at(24, 11, 30), tick=False)
    LateNotice.objects.create(visit=few, minutes=10, sent_by=megan.user)
    for minutes in (10, 20, 30):
        LateNotice.objects.create(visit=many, minutes=minutes, note="Bus", sent_by=megan.user)
    client.force_login(megan.user)
    with django_assert_max_num_queries(40) as counted:
        assert client.get(f"/visits/{few.pk}/").status_code == 200
    with django_assert_max_num_queries(len(counted.captured_queries)):
        assert client.get(f"/visits/{many.pk}/").status_code == 200


# --- The emergency contact ---------------------------------------------------------------------------


def test_the_person_sets_changes_and_removes_their_emergency_contact(client, ruth):
    client.force_login(ruth.user)

    response = client.post(
        f"/members/{ruth.number}/emergency-contact/",
        {"name": "David Sutcliffe", "relationship": "Son", "phone": "07712 345678"},
    )
    assert response.status_code == 302
    contact = EmergencyContact.objects.get(membership=ruth)
    assert (contact.name, contact.relationship, contact.phone.as_national) == (
        "David Sutcliffe",
        "Son",
        "07712 345678",
    )
    assert "07712 345678" in client.get(f"/members/{ruth.number}/emergency-contact/").content.decode()

    client.post(f"/members/{ruth.number}/emergency-contact/", {"name": "", "relationship": "", "phone": ""})
    assert not EmergencyContact.objects.filter(membership=ruth).exists()


def test_a_bad_emergency_contact_is_refused_beside_its_field_and_changes_nothing(client, ruth):
    client.force_login(ruth.user)

    no_phone = client.post(f"/members/{ruth.number}/emergency-contact/", {"name": "David", "phone": ""})
    bad_phone = client.post(f"/members/{ruth.number}/emergency-contact/", {"name": "David", "phone": "12"})
    no_name = client.post(f"/members/{ruth.number}/emergency-contact/", {"name": "", "phone": "07712 345678"})

    assert [r.status_code for r in (no_phone, bad_phone, no_name)] == [400, 400, 400]
    assert "Give a phone number to call them on." in no_phone.content.decode()
    assert "Enter a UK phone number." in bad_phone.content.decode()
    assert "Give the name of the person to call." in no_name.content.decode()
    assert not EmergencyContact.objects.exists()


def test_staff_may_change_a_persons_emergency_contact_and_nobody_else_may(
    client, ruth, megan, jane, staff, outsider
):
    log_in_with_second_factor(client, staff)
    assert (
        f"/members/{ruth.number}/emergency-contact/"
        in client.get(f"/staff/members/{ruth.number}/").content.decode()
    )
    response = client.post(
        f"/members/{ruth.number}/emergency-contact/", {"name": "David", "phone": "07712 345678"}
    )
    assert response.status_code == 302
    assert EmergencyContact.objects.get(membership=ruth).updated_by == staff

    for user in (megan.user, jane, outsider):
        log_in_with_second_factor(client, user)
        assert client.get(f"/members/{ruth.number}/emergency-contact/").status_code == 404
        assert client.post(f"/members/{ruth.number}/emergency-contact/", {"name": "X"}).status_code == 404
    with pytest.raises(ApplicationError) as refused:
        member_services.emergency_contact_save(membership=ruth, by=megan.user, name="X", phone="07712 345679")
    assert refused.value.code == "not_allowed"
    assert EmergencyContact.objects.get(membership=ruth).name == "David"


# --- Running late -------------------------------------------------------------------------------------


def test_running_late_tells_the_person_their_circle_and_the_team_by_app_and_email(
    ruth, megan, asha, jane, tom, time_machine
):
    visit = _accepted(ruth, megan)
    time_machine.move_to(at(24, 8, 50), tick=False)

    services.visit_running_late(visit=visit, by=megan.user, minutes=20, note="The bus is late.")

    told = Notification.objects.filter(kind=VisitEvent.RUNNING_LATE)
    assert {n.user for n in told} == {ruth.user, jane, asha.user}
    assert all("running late (about 20 minutes)" in n.title for n in told)
    assert all(n.body == "The bus is late." for n in told)
    assert {email.to for email in owed(kind="scheduling.notification")} >= {
        "ruth@example.org",
        "jane@example.org",
        "asha@example.org",
    }


def test_running_late_is_said_once_per_lateness(ruth, megan, time_machine):
    visit = _accepted(ruth, megan)
    time_machine.move_to(at(24, 8, 50), tick=False)
    services.visit_running_late(visit=visit, by=megan.user, minutes=10)

    with pytest.raises(ApplicationError) as again:
        services.visit_running_late(visit=visit, by=megan.user, minutes=10)
    services.visit_running_late(visit=visit, by=megan.user, minutes=30)

    assert again.value.code == "already_told"
    assert list(visit.late_notices.values_list("minutes", flat=True)) == [10, 30]


@pytest.mark.parametrize(
    ("moment", "who", "minutes", "code"),
    [
        (at(24, 6, 30), "megan", 10, "not_now"),  # more than two hours before
        (at(24, 8, 50), "asha", 10, "not_your_visit"),
        (at(24, 8, 50), "megan", 15, "bad_minutes"),
        (at(24, 9, 5), "megan-checked-in", 10, "already_checked_in"),
    ],
)
def test_running_late_is_refused_with_a_clear_code(
    ruth, megan, asha, time_machine, moment, who, minutes, code
):
    visit = _accepted(ruth, megan)
    time_machine.move_to(moment, tick=False)
    if who == "megan-checked-in":
        services.visit_check_in(visit=visit, by=megan.user)
    user = asha.user if who == "asha" else megan.user

    with pytest.raises(ApplicationError) as refused:
        services.visit_running_late(visit=visit, by=user, minutes=minutes)

    assert refused.value.code == code
    assert not LateNotice.objects.exists()
    assert not Notification.objects.filter(kind=VisitEvent.RUNNING_LATE).exists()


def test_running_late_from_the_visit_page(client, ruth, megan, time_machine):
    visit = _accepted(ruth, megan)
    time_machine.move_to(at(24, 8, 50), tick=False)
    client.force_login(megan.user)
    assert "Running late?" in client.get(f"/visits/{visit.pk}/").content.decode()

    chosen_none = client.post(f"/visits/{visit.pk}/running-late/", {"note": "Bus"})
    assert chosen_none.status_code == 400
    assert not LateNotice.objects.exists()

    sent = client.post(f"/visits/{visit.pk}/running-late/", {"minutes": "20", "note": "Bus"}, follow=True)
    page = sent.content.decode()
    assert "They are told you are running late." in page
    assert "Megan said they are running late: about 20 minutes." in page
    assert Notification.objects.filter(user=ruth.user, kind=VisitEvent.RUNNING_LATE).exists()

    again = client.post(f"/visits/{visit.pk}/running-late/", {"minutes": "20"}, follow=True)
    assert "You have already said you are running this late" in again.content.decode()
    assert LateNotice.objects.count() == 1


# --- Checking out ------------------------------------------------------------------------------------


def _checked_in(ruth, megan, time_machine):
    visit = _accepted(ruth, megan)
    time_machine.move_to(at(24, 9), tick=False)
    services.visit_check_in(visit=visit, by=megan.user)
    return visit


def test_checking_out_early_asks_to_confirm_the_shorter_time_and_lists_unticked_tasks(
    client, ruth, megan, time_machine
):
    visit = _checked_in(ruth, megan, time_machine)
    services.visit_task_tick(visit=visit, by=megan.user, index=0, done=True)
    time_machine.move_to(at(24, 10, 20), tick=False)  # 40 minutes before the end
    client.force_login(megan.user)

    asked = client.post(f"/visits/{visit.pk}/check-out/", {"note": "Breakfast, then a walk."})

    page = asked.content.decode()
    assert asked.status_code == 200
    assert "You are checking out 40 min early: the person will be asked to confirm 1 h 20 min." in page
    assert "Booked: 2 h." in page
    assert "1 task is not ticked:" in page
    assert "<li>Tablets</li>" in page
    visit.refresh_from_db()
    assert visit.checked_out_at is None

    confirmed = client.post(
        f"/visits/{visit.pk}/check-out/",
        {"note": "Breakfast, then a walk.", "confirmed": "1", "shorter": "1"},
        follow=True,
    )

    visit.refresh_from_db()
    assert visit.checked_out_at == at(24, 10, 20)
    assert visit.worked_minutes == 80
    assert "In at 09:00, out at 10:20 (1 hour 20 minutes)" in confirmed.content.decode()


def test_going_back_from_the_confirmation_keeps_the_note_and_checks_nothing_out(
    client, ruth, megan, time_machine
):
    visit = _checked_in(ruth, megan, time_machine)
    time_machine.move_to(at(24, 10, 20), tick=False)
    client.force_login(megan.user)
    client.post(f"/visits/{visit.pk}/check-out/", {"note": "Breakfast."})

    client.post(f"/visits/{visit.pk}/note/", {"note": "Breakfast."})

    visit.refresh_from_db()
    assert (visit.visit_note, visit.checked_out_at) == ("Breakfast.", None)


def test_checking_out_on_time_with_every_task_ticked_asks_nothing(client, ruth, megan, time_machine):
    visit = _checked_in(ruth, megan, time_machine)
    services.visit_task_tick(visit=visit, by=megan.user, index=0, done=True)
    services.visit_task_tick(visit=visit, by=megan.user, index=1, done=True)
    time_machine.move_to(at(24, 11), tick=False)
    client.force_login(megan.user)

    response = client.post(f"/visits/{visit.pk}/check-out/", {"note": "All done."})

    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.checked_out_at == at(24, 11)
    assert visit.worked_minutes is None


def test_checking_out_on_time_with_a_task_unticked_asks_first(client, ruth, megan, time_machine):
    visit = _checked_in(ruth, megan, time_machine)
    time_machine.move_to(at(24, 11), tick=False)
    client.force_login(megan.user)

    asked = client.post(f"/visits/{visit.pk}/check-out/", {"note": "Ruth was asleep."})

    assert "2 tasks are not ticked:" in asked.content.decode()
    assert "You are checking out" not in asked.content.decode()
    client.post(f"/visits/{visit.pk}/check-out/", {"note": "Ruth was asleep.", "confirmed": "1"})
    visit.refresh_from_db()
    assert visit.checked_out_at == at(24, 11)
    assert visit.worked_minutes is None


def test_a_check_out_without_a_note_is_refused_before_any_confirmation(client, ruth, megan, time_machine):
    visit = _checked_in(ruth, megan, time_machine)
    time_machine.move_to(at(24, 10), tick=False)
    client.force_login(megan.user)

    response = client.post(f"/visits/{visit.pk}/check-out/", {"note": ""}, follow=True)

    assert "Write a visit note before checking out." in response.content.decode()
    visit.refresh_from_db()
    assert visit.checked_out_at is None


def test_another_worker_cannot_reach_the_confirmation(client, ruth, megan, asha, time_machine):
    visit = _checked_in(ruth, megan, time_machine)
    time_machine.move_to(at(24, 10), tick=False)
    client.force_login(asha.user)

    response = client.post(f"/visits/{visit.pk}/check-out/", {"note": "Hello"}, follow=True)

    assert "Check out now?" not in response.content.decode()
    assert "Only the visit&#x27;s worker can do this." in response.content.decode()
    visit.refresh_from_db()
    assert visit.checked_out_at is None


# --- The API -------------------------------------------------------------------------------------------


def test_the_api_gives_the_doorstep_to_the_visits_worker_only_while_it_lasts(
    api_client, ruth_reachable, megan, asha, jane, time_machine
):
    visit = _accepted(ruth_reachable, megan)
    time_machine.move_to(at(24, 8, 55), tick=False)

    api_client.force_authenticate(megan.user)
    door = api_client.get(f"/api/v1/visits/{visit.pk}/").json()["doorstep"]
    assert door["address"].startswith(STREET)
    assert door["postcode"] == "HX7 8EX"
    assert door["directions_url"].startswith("https://www.google.com/maps/dir/?api=1&destination=")
    assert door["phone"] == PHONE
    assert door["emergency_contact"] == {
        "name": "David Sutcliffe",
        "relationship": "Son",
        "phone": "07712 345678",
    }
    for user in (asha.user, jane, ruth_reachable.user):
        api_client.force_authenticate(user)
        assert api_client.get(f"/api/v1/visits/{visit.pk}/").json()["doorstep"] is None

    api_client.force_authenticate(megan.user)
    time_machine.move_to(at(24, 9), tick=False)
    api_client.post(f"/api/v1/visits/{visit.pk}/check-in/", {}, format="json")
    time_machine.move_to(at(24, 11), tick=False)
    api_client.post(f"/api/v1/visits/{visit.pk}/check-out/", {"note": "Done."}, format="json")
    assert api_client.get(f"/api/v1/visits/{visit.pk}/").json()["doorstep"] is None


def test_running_late_through_the_api(api_client, ruth, megan, time_machine):
    visit = _accepted(ruth, megan)
    time_machine.move_to(at(24, 8, 50), tick=False)
    api_client.force_authenticate(megan.user)

    told = api_client.post(f"/api/v1/visits/{visit.pk}/running-late/", {"minutes": 20}, format="json")
    again = api_client.post(f"/api/v1/visits/{visit.pk}/running-late/", {"minutes": 20}, format="json")
    bad = api_client.post(f"/api/v1/visits/{visit.pk}/running-late/", {"minutes": 45}, format="json")
    time_machine.move_to(at(24, 9), tick=False)
    services.visit_check_in(visit=visit, by=megan.user)
    late = api_client.post(f"/api/v1/visits/{visit.pk}/running-late/", {"minutes": 30}, format="json")

    assert told.status_code == 201
    assert [n["minutes"] for n in told.json()["late_notices"]] == [20]
    assert (again.status_code, again.json()["code"]) == (409, "already_told")
    assert bad.status_code == 400
    assert (late.status_code, late.json()["code"]) == (409, "already_checked_in")
    assert Notification.objects.filter(user=ruth.user, kind=VisitEvent.RUNNING_LATE).count() == 1


def test_another_worker_cannot_say_running_late_through_the_api(
    api_client, ruth, megan, asha, tom, time_machine
):
    visit = _accepted(ruth, megan)
    time_machine.move_to(at(24, 8, 50), tick=False)

    api_client.force_authenticate(asha.user)
    refused = api_client.post(f"/api/v1/visits/{visit.pk}/running-late/", {"minutes": 10})
    assert (refused.status_code, refused.json()["code"]) == (400, "not_your_visit")
    api_client.force_authenticate(tom.user)
    assert api_client.post(f"/api/v1/visits/{visit.pk}/running-late/", {"minutes": 10}).status_code == 404
    assert not LateNotice.objects.exists()


def test_the_api_check_out_says_the_time_booked_against_the_time_counted(
    api_client, ruth, megan, time_machine
):
    visit = _checked_in(ruth, megan, time_machine)
    time_machine.move_to(at(24, 10, 20), tick=False)
    api_client.force_authenticate(megan.user)

    response = api_client.post(
        f"/api/v1/visits/{visit.pk}/check-out/", {"note": "Done.", "shorter": True}, format="json"
    )

    body = response.json()
    assert (body["booked_minutes"], body["counted_minutes"]) == (120, 80)
    assert datetime.datetime.fromisoformat(body["checked_out_at"]) == at(24, 10, 20)
    assert Visit.objects.get(pk=visit.pk).worked_minutes == 80
