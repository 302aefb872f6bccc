"""Who may do what with a person's visits once people's places change: a rota role outlives
neither the team nor the circle; hours are answered by the person's side, never by the worker
who did the visit; a worker who leaves the team keeps none of the visits still to come; staff
see anyone's calendar; a worker sees their own pay, not a colleague's."""

import datetime

import pytest
from django.core import mail
from django.http import Http404

from carecoop.exceptions import ApplicationError
from matching import services as matching_services
from matching.models import TeamMember, TeamRole
from members import services as member_services
from members.models import CircleMember
from scheduling import permissions, selectors, services
from scheduling.models import Notification, Visit, VisitEvent
from tests.clock import NOW
from tests.factories import UserFactory, visit_booked
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")


def give_rota(receiver, holder):
    return TeamRole.objects.create(
        receiver=receiver,
        holder=holder,
        name=permissions.ROTA_HOLDER,
        review_on=datetime.date(2027, 6, 1),
        given_by=receiver.user,
    )


def delivered(receiver, worker, time_machine):
    visit = visit_booked(receiver, worker, at(24, 9), at(24, 10), accepted=True)
    time_machine.move_to(at(24, 8, 55), tick=False)
    services.visit_check_in(visit=visit, by=worker.user)
    time_machine.move_to(at(24, 10), tick=False)
    return services.visit_check_out(visit=visit, by=worker.user, note="Ruth had porridge.", shorter=True)


def test_a_worker_holding_the_rota_cannot_confirm_or_query_their_own_hours(ruth, megan, asha, time_machine):
    give_rota(ruth, megan.user)
    visit = delivered(ruth, megan, time_machine)

    for answer in (
        lambda: services.visit_hours_confirm(visit=visit, by=megan.user),
        lambda: services.visit_hours_query(visit=visit, by=megan.user, reason="Too short"),
    ):
        with pytest.raises(ApplicationError) as error:
            answer()
        assert error.value.code == "not_allowed"

    assert Visit.objects.get(pk=visit.pk).hours == Visit.Hours.PENDING
    assert list(selectors.visits_to_confirm(user=megan.user)) == []
    # She may still book for Ruth: the role is for the rota, not for pay.
    assert permissions.can_book(megan.user, ruth)


def test_a_worker_holding_the_rota_cannot_confirm_their_own_hours_through_the_api(
    api_client, ruth, megan, time_machine
):
    give_rota(ruth, megan.user)
    visit = delivered(ruth, megan, time_machine)
    api_client.force_authenticate(megan.user)

    response = api_client.post(f"/api/v1/visits/{visit.pk}/confirm/")

    assert response.status_code == 403, response.content
    assert response.json()["code"] == "not_allowed"
    assert Visit.objects.get(pk=visit.pk).hours == Visit.Hours.PENDING


def neighbour_seeing_care(ruth):
    """In Ruth's circle with the power to see her care, not to book."""
    viewer = UserFactory(email="neighbour@example.org")
    CircleMember.objects.create(
        receiver=ruth,
        supporter=viewer,
        email=viewer.email,
        status=CircleMember.Status.ACTIVE,
        can_view_care=True,
        can_book=False,
        token_hash="neighbour",
        invited_by=ruth.user,
        expires_at=NOW + datetime.timedelta(days=14),
    )
    return viewer


def test_hours_wait_only_for_those_who_may_answer_them(ruth, megan, time_machine):
    viewer = neighbour_seeing_care(ruth)
    visit = delivered(ruth, megan, time_machine)

    assert [v.pk for v in selectors.visits_to_confirm(user=ruth.user)] == [visit.pk]
    # She may read the care log, but not answer for the hours: so they do not wait for her.
    assert list(selectors.visits_to_confirm(user=viewer)) == []
    assert not permissions.can_answer_hours(viewer, visit)


def test_the_calendar_shows_a_supporter_the_persons_visits_and_the_hours_theirs_to_answer(
    client, ruth, megan, jane, time_machine
):
    """The calendar reads the user's places in circles once, for whose visits it shows, whose
    hours it asks them to confirm, and the people they support."""
    viewer = neighbour_seeing_care(ruth)
    visit = delivered(ruth, megan, time_machine)
    other = visit_booked(ruth, megan, at(26, 9), at(26, 10))

    for user, answers in ((jane, True), (viewer, False)):
        client.force_login(user)
        page = client.get("/visits/").content.decode()
        to_confirm = page.split('id="confirm-heading"')[1].split("</section>")[0] if answers else ""
        assert ("Hours to confirm" in page) is answers, user
        assert (f"/visits/{visit.pk}/" in to_confirm) is answers, user
        # Both visits are on the agenda, for both.
        assert page.count(f"/visits/{visit.pk}/") == 1 + answers, user
        assert f"/visits/{other.pk}/" in page, user
        supporting = page.split('id="supporting-heading"')[1].split("</section>")[0]
        assert "Ruth" in supporting, user
    # A worker of hers sees her visits as theirs, and has no hours to answer.
    client.force_login(megan.user)
    page = client.get("/visits/").content.decode()
    assert f"/visits/{other.pk}/" in page
    assert "Hours to confirm" not in page
    assert "People you support" not in page


def test_a_supporter_revoked_from_the_circle_loses_the_rota_and_every_visit_with_it(ruth, megan, jane):
    give_rota(ruth, jane)
    visit = visit_booked(ruth, megan, at(26, 9), at(26, 10))
    circle = CircleMember.objects.get(receiver=ruth, supporter=jane)

    member_services.circle_revoke(member=circle, by=ruth.user)

    assert not permissions.holds_rota(jane, ruth)
    assert not permissions.can_book(jane, ruth)
    assert list(selectors.calendar_for_user(user=jane, start=NOW, end=at(30, 0))) == []
    with pytest.raises(Http404):
        selectors.visit_get_for_user(user=jane, pk=visit.pk)
    with pytest.raises(ApplicationError):
        services.visit_cancel(visit=visit, by=jane, reason="No longer mine to cancel")


def test_a_worker_who_left_the_team_loses_the_rota(ruth, megan, staff):
    give_rota(ruth, megan.user)
    matching_services.team_member_end(
        member=TeamMember.objects.get(receiver=ruth, member=megan), by=ruth.user, reason="Moved away"
    )

    assert not permissions.can_book(megan.user, ruth)
    assert list(selectors.calendar_for_user(user=megan.user, start=NOW, end=at(30, 0), receiver=ruth)) == []


def test_a_worker_taken_out_of_the_team_keeps_none_of_the_visits_to_come(
    ruth, megan, asha, jane, time_machine, django_capture_on_commit_callbacks
):
    past = visit_booked(ruth, megan, at(23, 11), at(23, 12), accepted=True)
    coming = visit_booked(ruth, megan, at(26, 9), at(26, 10), accepted=True)
    offered = visit_booked(ruth, megan, at(27, 9), at(27, 10))
    ashas = visit_booked(ruth, asha, at(26, 14), at(26, 15), accepted=True)
    time_machine.move_to(at(23, 12, 30), tick=False)
    matching_services.team_member_end(
        member=TeamMember.objects.get(receiver=ruth, member=megan), by=ruth.user, reason="Safeguarding"
    )
    mail.outbox.clear()

    # Before the sweep, she already cannot check in.
    time_machine.move_to(at(26, 8, 55), tick=False)
    with pytest.raises(ApplicationError) as error:
        services.visit_check_in(visit=coming, by=megan.user)
    assert error.value.code == "not_in_team"
    with django_capture_on_commit_callbacks(execute=True):
        assert services.visits_release_left_team() == 2
    assert services.visits_release_left_team() == 0

    statuses = {v.pk: (v.status, v.late_cancellation) for v in Visit.objects.all()}
    assert statuses[coming.pk] == (Visit.Status.CANCELLED, False)
    assert statuses[offered.pk] == (Visit.Status.CANCELLED, False)
    assert statuses[past.pk] == (Visit.Status.ACCEPTED, False)  # what happened keeps its record
    assert statuses[ashas.pk] == (Visit.Status.ACCEPTED, False)
    told = Notification.objects.filter(kind=VisitEvent.CANCELLED, visit=coming)
    assert sorted(told.values_list("user__email", flat=True)) == [
        "jane@example.org",
        "megan@example.org",
        "ruth@example.org",
    ]
    assert "Megan is no longer in the team." in told.first().body
    assert not coming.reminders.filter(sent_at__isnull=True).exists()


def test_staff_see_any_persons_calendar(ruth, megan, staff):
    visit = visit_booked(ruth, megan, at(26, 9), at(26, 10))

    assert [
        v.pk for v in selectors.calendar_for_user(user=staff, start=NOW, end=at(30, 0), receiver=ruth)
    ] == [visit.pk]


def test_a_worker_sees_their_own_pay_through_the_api_but_not_a_colleagues(
    api_client, ruth, megan, asha, time_machine
):
    visit = delivered(ruth, megan, time_machine)

    api_client.force_authenticate(asha.user)
    colleague = api_client.get(f"/api/v1/visits/{visit.pk}/").json()
    api_client.force_authenticate(megan.user)
    own = api_client.get(f"/api/v1/visits/{visit.pk}/").json()

    assert colleague.get("cost") is None
    assert own["cost"]["worker_gets"] > 0


def test_a_worker_holding_the_rota_is_not_offered_the_hours_buttons_on_their_own_visit(
    client, ruth, megan, time_machine
):
    give_rota(ruth, megan.user)
    visit = delivered(ruth, megan, time_machine)

    client.force_login(megan.user)
    page = client.get(f"/visits/{visit.pk}/").content.decode()
    client.force_login(ruth.user)
    ruths = client.get(f"/visits/{visit.pk}/").content.decode()

    assert "Confirm the hours" not in page
    assert "Confirm the hours" in ruths


def test_asked_for_many_people_at_once_the_answers_are_those_asked_one_by_one(
    ruth, megan, asha, tom, jane, staff, margaret, django_assert_max_num_queries
):
    # Margaret: Jane sees her care but may not book; Asha holds her rota outside her team and
    # circle (so the role counts for nothing); Tom holds Ruth's rota outside the team.
    CircleMember.objects.create(
        receiver=margaret,
        supporter=jane,
        email=jane.email,
        status=CircleMember.Status.ACTIVE,
        can_view_care=True,
        can_book=False,
        token_hash="jane-margaret",
        invited_by=margaret.user,
        expires_at=NOW + datetime.timedelta(days=14),
    )
    give_rota(ruth, megan.user)
    give_rota(margaret, asha.user)
    give_rota(ruth, tom.user)
    people = [ruth, margaret, megan]

    for user in (ruth.user, margaret.user, megan.user, asha.user, tom.user, jane, staff):
        with django_assert_max_num_queries(3):
            among = permissions.booking_and_care_among(user, people)
        assert among.book == {p.pk for p in people if permissions.can_book(user, p)}, user
        assert among.care == {p.pk for p in people if permissions.can_see_care(user, p)}, user
    assert permissions.booking_and_care_among(megan.user, people).book == {ruth.pk, megan.pk}
    assert permissions.booking_and_care_among(jane, people).care == {ruth.pk, margaret.pk}
