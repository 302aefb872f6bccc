"""Delivering a visit (check in, tick tasks, the visit note, check out), confirming or querying its
hours, and who may read the care log."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.http import Http404

from carecoop.exceptions import ApplicationError, ConflictError
from matching.models import TeamMember
from members.models import CircleMember
from scheduling import permissions, selectors, services
from scheduling.models import Notification, Reminder, SchedulingPolicy, Visit
from scheduling.tasks import hours_confirm_unanswered_task
from tests.clock import NOW
from tests.factories import UserFactory
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")

# The centre of the HX7 district, where Ruth lives (members/data/postcode_districts.csv).
HOME = (53.73509, -2.025249)
KM_NORTH = 1 / 111.2  # degrees of latitude in a kilometre


def north_of_home(km):
    return {"latitude": HOME[0] + km * KM_NORTH, "longitude": HOME[1]}


@pytest.fixture
def visit(ruth, megan):
    """An accepted visit on Tuesday 24 November, 09:00 to 11:00, with two tasks."""
    visit = services.visit_book(
        by=ruth.user,
        receiver=ruth,
        worker=megan,
        starts=at(24, 9),
        ends=at(24, 11),
        tasks=["Breakfast", "Medication"],
    ).visits[0]
    return services.visit_accept(visit=visit, by=megan.user)


@pytest.fixture
def arrived(visit, time_machine):
    """Megan is at the door, five minutes early."""
    time_machine.move_to(at(24, 8, 55), tick=False)
    return visit


def deliver(visit, worker, note="Ruth had porridge and took her tablets."):
    services.visit_check_in(visit=visit, by=worker.user)
    return services.visit_check_out(visit=visit, by=worker.user, note=note, shorter=True)


def fresh(visit):
    return Visit.objects.get(pk=visit.pk)


# --- Checking in ------------------------------------------------------------------------------------


def test_the_worker_checks_in_ticks_tasks_writes_the_note_and_checks_out(arrived, megan, time_machine):
    services.visit_check_in(visit=arrived, by=megan.user, **north_of_home(0.2))
    services.visit_task_tick(visit=arrived, by=megan.user, index=1, done=True)
    services.visit_note_save(visit=arrived, by=megan.user, note="Ruth was cheerful.")
    time_machine.move_to(at(24, 11, 2), tick=False)
    services.visit_check_out(visit=arrived, by=megan.user, shorter=True)

    visit = fresh(arrived)
    assert visit.checked_in_at == at(24, 8, 55)
    assert visit.checked_out_at == at(24, 11, 2)
    assert (visit.check_in_distance_km, visit.check_in_far) == (0.2, False)
    assert visit.tasks == [{"label": "Breakfast", "done": False}, {"label": "Medication", "done": True}]
    assert visit.visit_note == "Ruth was cheerful."
    assert visit.is_delivered
    assert visit.hours == Visit.Hours.PENDING


def test_checking_in_stops_the_missed_visit_alert(arrived, megan):
    assert Reminder.objects.filter(visit=arrived, kind=Reminder.Kind.MISSED).exists()

    services.visit_check_in(visit=arrived, by=megan.user)

    assert not Reminder.objects.filter(visit=arrived, kind=Reminder.Kind.MISSED).exists()


def test_a_check_in_far_from_home_is_flagged_and_the_team_told_not_refused(
    arrived, megan, asha, jane, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_check_in(visit=arrived, by=megan.user, **north_of_home(12))

    visit = fresh(arrived)
    assert visit.checked_in_at is not None
    assert visit.check_in_far
    assert visit.check_in_distance_km == pytest.approx(12, abs=0.1)
    told = set(Notification.objects.filter(kind="check_in_far").values_list("user__email", flat=True))
    assert told == {"ruth@example.org", "jane@example.org", "megan@example.org", "asha@example.org"}
    assert {address for message in mail.outbox for address in message.to} == told


@pytest.mark.parametrize(("km", "far"), [(2.5, False), (3.5, True)])
def test_far_means_further_than_the_policys_distance(arrived, megan, km, far):
    services.visit_check_in(visit=arrived, by=megan.user, **north_of_home(km))

    assert fresh(arrived).check_in_far is far


def test_the_co_op_sets_how_far_is_far(arrived, megan):
    SchedulingPolicy.objects.update_or_create(pk=1, defaults={"check_in_far_km": 15})

    services.visit_check_in(visit=arrived, by=megan.user, **north_of_home(12))

    assert not fresh(arrived).check_in_far
    assert not Notification.objects.filter(kind="check_in_far").exists()


def test_a_check_in_without_a_location_is_taken_and_not_flagged(arrived, megan):
    services.visit_check_in(visit=arrived, by=megan.user)

    visit = fresh(arrived)
    assert visit.checked_in_at is not None
    assert (visit.check_in_latitude, visit.check_in_distance_km, visit.check_in_far) == (None, None, False)


@pytest.mark.parametrize(
    "where", [{"latitude": 91.0, "longitude": 0.0}, {"latitude": 0.0, "longitude": 181.0}]
)
def test_a_location_not_on_earth_is_refused_and_changes_nothing(arrived, megan, where):
    with pytest.raises(ApplicationError) as error:
        services.visit_check_in(visit=arrived, by=megan.user, **where)

    assert error.value.code == "bad_location"
    assert fresh(arrived).checked_in_at is None


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [(at(24, 7, 59), False), (at(24, 8), True), (at(24, 10, 59), True), (at(24, 11, 1), False)],
    ids=["too early", "an hour before", "near the end", "after the end"],
)
def test_check_in_is_open_from_an_hour_before_until_the_end(visit, megan, time_machine, moment, allowed):
    time_machine.move_to(moment, tick=False)

    if allowed:
        services.visit_check_in(visit=visit, by=megan.user)
    else:
        with pytest.raises(ApplicationError) as error:
            services.visit_check_in(visit=visit, by=megan.user)
        assert error.value.code == "not_now"
    assert (fresh(visit).checked_in_at is not None) is allowed


def test_only_the_visits_worker_checks_in(arrived, asha, ruth):
    for who in (asha.user, ruth.user):
        with pytest.raises(ApplicationError) as error:
            services.visit_check_in(visit=arrived, by=who)
        assert error.value.code == "not_your_visit"

    assert fresh(arrived).checked_in_at is None


def test_an_offer_not_yet_accepted_cannot_be_checked_in(ruth, megan, time_machine):
    offered = services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(24, 9), ends=at(24, 10)
    )
    time_machine.move_to(at(24, 9), tick=False)

    with pytest.raises(ConflictError) as error:
        services.visit_check_in(visit=offered.visits[0], by=megan.user)

    assert error.value.code == "not_accepted"


def test_checking_in_twice_is_refused_and_keeps_the_first_time(arrived, megan, time_machine):
    services.visit_check_in(visit=arrived, by=megan.user)
    time_machine.move_to(at(24, 9, 30), tick=False)

    with pytest.raises(ConflictError) as error:
        services.visit_check_in(visit=arrived, by=megan.user)

    assert error.value.code == "already_checked_in"
    assert fresh(arrived).checked_in_at == at(24, 8, 55)


# --- Tasks, the note, checking out --------------------------------------------------------------------


def test_tasks_are_ticked_only_while_at_the_visit(arrived, megan):
    with pytest.raises(ConflictError):
        services.visit_task_tick(visit=arrived, by=megan.user, index=0, done=True)

    services.visit_check_in(visit=arrived, by=megan.user)
    with pytest.raises(ApplicationError) as error:
        services.visit_task_tick(visit=arrived, by=megan.user, index=2, done=True)
    assert error.value.code == "bad_task"
    services.visit_task_tick(visit=arrived, by=megan.user, index=0, done=True)
    services.visit_task_tick(visit=arrived, by=megan.user, index=0, done=False)
    services.visit_check_out(visit=arrived, by=megan.user, note="All done.", shorter=True)

    with pytest.raises(ConflictError):
        services.visit_task_tick(visit=arrived, by=megan.user, index=1, done=True)
    assert [task["done"] for task in fresh(arrived).tasks] == [False, False]


def test_checking_out_needs_a_visit_note(arrived, megan):
    services.visit_check_in(visit=arrived, by=megan.user)

    for note in (None, "   "):
        with pytest.raises(ApplicationError) as error:
            services.visit_check_out(visit=arrived, by=megan.user, note=note, shorter=True)
        assert error.value.code == "note_required"
    assert fresh(arrived).checked_out_at is None

    services.visit_check_out(visit=arrived, by=megan.user, note="Ruth had a good morning.", shorter=True)
    assert fresh(arrived).visit_note == "Ruth had a good morning."


def test_checking_out_before_checking_in_or_twice_is_refused(arrived, megan):
    with pytest.raises(ConflictError) as error:
        services.visit_check_out(visit=arrived, by=megan.user, note="Hello", shorter=True)
    assert error.value.code == "not_checked_in"

    deliver(arrived, megan)
    with pytest.raises(ConflictError) as error:
        services.visit_check_out(visit=arrived, by=megan.user, note="Again", shorter=True)
    assert error.value.code == "already_checked_out"


def test_the_note_is_kept_as_written_at_check_out(arrived, megan):
    with pytest.raises(ConflictError):
        services.visit_note_save(visit=arrived, by=megan.user, note="Before I arrived")
    deliver(arrived, megan, note="As written.")

    with pytest.raises(ConflictError) as error:
        services.visit_note_save(visit=arrived, by=megan.user, note="Changed afterwards")

    assert error.value.code == "checked_out"
    assert fresh(arrived).visit_note == "As written."


def test_a_visit_checked_in_can_no_longer_be_cancelled_or_moved(arrived, megan, ruth):
    services.visit_check_in(visit=arrived, by=megan.user)

    with pytest.raises(ConflictError):
        services.visit_cancel(visit=arrived, by=ruth.user, reason="Changed my mind")
    with pytest.raises(ConflictError):
        services.visit_change(visit=arrived, by=ruth.user, starts=at(24, 13), ends=at(24, 14))


def test_checking_out_asks_the_person_and_their_circle_to_confirm_the_hours(
    arrived, megan, jane, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deliver(arrived, megan)

    asked = set(Notification.objects.filter(kind="visit_delivered").values_list("user__email", flat=True))
    assert asked == {"ruth@example.org", "jane@example.org"}
    assert [visit.pk for visit in selectors.visits_to_confirm(user=jane)] == [arrived.pk]
    assert not selectors.visits_to_confirm(user=megan.user)


# --- Hours ----------------------------------------------------------------------------------------


@pytest.fixture
def delivered(arrived, megan, time_machine):
    services.visit_check_in(visit=arrived, by=megan.user)
    time_machine.move_to(at(24, 11), tick=False)
    services.visit_check_out(
        visit=arrived, by=megan.user, note="Ruth had porridge and took her tablets.", shorter=True
    )
    return fresh(arrived)


def test_the_person_confirms_the_hours(delivered, ruth):
    services.visit_hours_confirm(visit=delivered, by=ruth.user)

    visit = fresh(delivered)
    assert (visit.hours, visit.hours_answered_by, visit.hours_answered_at) == (
        Visit.Hours.CONFIRMED,
        ruth.user,
        at(24, 11),
    )


def test_an_advocate_queries_the_hours_and_the_team_and_staff_are_told(
    delivered, jane, megan, asha, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_hours_query(visit=delivered, by=jane, reason="Megan left at 10:30.")

    visit = fresh(delivered)
    assert (visit.hours, visit.query_reason, visit.hours_answered_by) == (
        Visit.Hours.QUERIED,
        "Megan left at 10:30.",
        jane,
    )
    told = set(Notification.objects.filter(kind="hours_queried").values_list("user__email", flat=True))
    assert {"megan@example.org", "secretary@example.org"} <= told
    assert any("Megan left at 10:30." in message.body for message in mail.outbox)


def test_a_query_needs_a_reason(delivered, ruth):
    with pytest.raises(ApplicationError) as error:
        services.visit_hours_query(visit=delivered, by=ruth.user, reason=" ")

    assert error.value.code == "reason_required"
    assert fresh(delivered).hours == Visit.Hours.PENDING


def test_the_worker_and_others_cannot_answer_for_the_hours(delivered, megan, asha, outsider):
    for who in (megan.user, asha.user, outsider):
        with pytest.raises(ApplicationError) as error:
            services.visit_hours_confirm(visit=delivered, by=who)
        assert error.value.code == "not_allowed"

    assert fresh(delivered).hours == Visit.Hours.PENDING


def test_hours_are_answered_once(delivered, ruth, jane):
    services.visit_hours_confirm(visit=delivered, by=ruth.user)

    with pytest.raises(ConflictError) as error:
        services.visit_hours_query(visit=delivered, by=jane, reason="Too long")

    assert error.value.code == "already_answered"
    assert fresh(delivered).hours == Visit.Hours.CONFIRMED


def test_hours_are_not_answered_before_the_visit_is_delivered(arrived, ruth):
    with pytest.raises(ConflictError) as error:
        services.visit_hours_confirm(visit=arrived, by=ruth.user)

    assert error.value.code == "not_delivered"


def test_hours_nobody_answers_in_48_hours_are_confirmed_then(delivered, ruth, time_machine):
    time_machine.move_to(at(26, 10, 59), tick=False)
    assert services.hours_confirm_unanswered() == 0

    time_machine.move_to(at(26, 11), tick=False)
    assert hours_confirm_unanswered_task.delay().get() == 1
    assert services.hours_confirm_unanswered() == 0  # running it twice changes nothing

    visit = fresh(delivered)
    assert (visit.hours, visit.hours_answered_at, visit.hours_answered_by) == (
        Visit.Hours.CONFIRMED,
        at(26, 11),
        None,
    )
    # The change to pay's hours keeps its record, as any other change to a visit does.
    last = visit.history.order_by("-history_date", "-history_id").first()
    assert (last.hours, last.history_change_reason) == (
        Visit.Hours.CONFIRMED,
        "Hours confirmed: not queried in time",
    )
    time_machine.move_to(at(26, 11, 1), tick=False)
    with pytest.raises(ConflictError):
        services.visit_hours_query(visit=delivered, by=ruth.user, reason="Too late now")


def test_queried_hours_are_not_confirmed_automatically(delivered, ruth, time_machine):
    services.visit_hours_query(visit=delivered, by=ruth.user, reason="Megan left early.")

    time_machine.move_to(at(30, 11), tick=False)
    assert services.hours_confirm_unanswered() == 0
    assert fresh(delivered).hours == Visit.Hours.QUERIED


def test_an_answer_after_48_hours_is_too_late(delivered, ruth, time_machine):
    time_machine.move_to(at(26, 11, 1), tick=False)

    with pytest.raises(ConflictError) as error:
        services.visit_hours_query(visit=delivered, by=ruth.user, reason="Megan left early.")

    assert error.value.code == "too_late"


# --- The care log ---------------------------------------------------------------------------------


def circle_member(ruth, email, **powers):
    supporter = UserFactory(email=email)
    CircleMember.objects.create(
        receiver=ruth,
        supporter=supporter,
        email=email,
        status=powers.pop("status", CircleMember.Status.ACTIVE),
        token_hash=email,
        invited_by=ruth.user,
        expires_at=NOW + timedelta(days=14),
        **powers,
    )
    return supporter


def test_the_care_log_is_the_persons_visit_notes_newest_first(ruth, megan, asha, time_machine):
    visits = []
    for day, worker in ((24, megan), (25, asha), (26, megan)):
        booked = services.visit_book(
            by=ruth.user, receiver=ruth, worker=worker, starts=at(day, 9), ends=at(day, 10)
        )
        visits.append(services.visit_accept(visit=booked.visits[0], by=worker.user))
    not_yet = services.visit_book(by=ruth.user, receiver=ruth, worker=asha, starts=at(27, 9), ends=at(27, 10))
    services.visit_accept(visit=not_yet.visits[0], by=asha.user)
    for visit, worker in zip(visits, (megan, asha, megan), strict=True):
        time_machine.move_to(visit.starts, tick=False)
        deliver(visit, worker, note=f"Note of the {visit.starts.day}th")
    time_machine.move_to(at(27, 9, 30), tick=False)
    services.visit_check_in(visit=not_yet.visits[0], by=asha.user)

    log = list(selectors.care_log(receiver=ruth))

    assert [visit.visit_note for visit in log] == ["Note of the 26th", "Note of the 25th", "Note of the 24th"]


@pytest.fixture
def everyone(ruth, asha, tom, jane, staff, outsider):
    return {
        "the person": ruth.user,
        "her daughter, who may see her care": jane,
        "a worker in her team": asha.user,
        "staff": staff,
        "a worker outside the team": tom.user,
        "a stranger": outsider,
        "a supporter without the power to see care": circle_member(
            ruth, "neighbour@example.org", can_view_care=False, can_book=False
        ),
        "a supporter invited but not yet accepted": circle_member(
            ruth, "cousin@example.org", can_view_care=True, status=CircleMember.Status.INVITED
        ),
        "a supporter whose place was revoked": circle_member(
            ruth, "ex@example.org", can_view_care=True, status=CircleMember.Status.REVOKED
        ),
        "nobody logged in": AnonymousUser(),
    }


MAY_SEE = {"the person", "her daughter, who may see her care", "a worker in her team", "staff"}
MAY_NOT_SEE = {
    "a worker outside the team",
    "a stranger",
    "a supporter without the power to see care",
    "a supporter invited but not yet accepted",
    "a supporter whose place was revoked",
    "nobody logged in",
}


@pytest.mark.parametrize("who", sorted(MAY_SEE | MAY_NOT_SEE))
def test_who_may_read_the_care_log_and_the_visit(delivered, everyone, who):
    user = everyone[who]

    assert permissions.can_see_care(user, delivered.receiver) is (who in MAY_SEE)
    if who in MAY_SEE:
        assert selectors.visit_get_for_user(user=user, pk=delivered.pk).visit_note
    else:
        with pytest.raises(Http404):
            selectors.visit_get_for_user(user=user, pk=delivered.pk)


def test_a_worker_outside_the_team_cannot_read_visit_notes(delivered, tom):
    assert not permissions.can_see_care(tom.user, delivered.receiver)
    with pytest.raises(Http404):
        selectors.visit_get_for_user(user=tom.user, pk=delivered.pk)


def test_a_circle_member_without_the_power_to_see_care_cannot_read_the_visit(delivered, ruth):
    neighbour = circle_member(ruth, "neighbour@example.org", can_view_care=False, can_book=False)

    assert not permissions.can_see_care(neighbour, ruth)
    with pytest.raises(Http404):
        selectors.visit_get_for_user(user=neighbour, pk=delivered.pk)


def test_a_supporter_who_only_books_sees_the_visit_but_not_the_care_log(delivered, ruth):
    # The booking needs the visit (its time, its worker); the note stays with those who see care.
    booker = circle_member(ruth, "son@example.org", can_view_care=False, can_book=True)

    assert selectors.visit_get_for_user(user=booker, pk=delivered.pk).pk == delivered.pk
    assert not permissions.can_see_care(booker, ruth)


def test_a_worker_who_leaves_the_team_no_longer_reads_the_care_log_but_keeps_their_own_visit(
    delivered, ruth, megan, asha, staff
):
    for place in TeamMember.objects.filter(receiver=ruth, member__in=[megan, asha]):
        place.status = TeamMember.Status.ENDED
        place.ended_at = at(24, 12)
        place.save(update_fields=["status", "ended_at"])

    assert not permissions.can_see_care(asha.user, ruth)
    assert not permissions.can_see_care(megan.user, ruth)
    with pytest.raises(Http404):
        selectors.visit_get_for_user(user=asha.user, pk=delivered.pk)
    assert selectors.visit_get_for_user(user=megan.user, pk=delivered.pk).pk == delivered.pk


def test_a_visit_that_does_not_exist_is_a_404_like_one_not_seen(ruth):
    with pytest.raises(Http404):
        selectors.visit_get_for_user(user=ruth.user, pk=999_999)


def test_the_care_log_shows_no_one_elses_notes(delivered, staff):
    from tests.factories import MembershipFactory, add_worker

    arthur = MembershipFactory(member_class="receiver", user__email="arthur@example.org")
    add_worker(staff, "Bill Worker", "bill@example.org", team_of=arthur)

    assert not selectors.care_log(receiver=arthur).exists()
    assert list(selectors.care_log(receiver=delivered.receiver)) == [delivered]
