import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from carecoop.exceptions import ApplicationError
from matching import services
from matching.models import Introduction
from members import services as member_services
from tests.factories import MembershipFactory, UserFactory
from tests.matching.conftest import listed, nearby_worker
from tests.outbox import invitation_token

T = datetime.time


@pytest.fixture
def nearby(staff):
    return nearby_worker(staff)


def _introduce(ruth, nearby):
    introduction = services.introduction_send(
        by=ruth.user, receiver=ruth, supporter=nearby, from_receiver=True, message="Hello"
    )
    return services.introduction_accept(introduction=introduction, by=nearby.user)


def test_a_worker_outside_the_team_cannot_open_the_team_or_its_noticeboard(client, ruth, nearby, staff):
    _introduce(ruth, nearby)
    services.noticeboard_post(receiver=ruth, by=nearby.user, body="Lovely walk today.")
    outsider = nearby_worker(staff, "Tom Ackroyd", "OL14 6AB")
    client.force_login(outsider.user)

    assert client.get(reverse("team", args=[ruth.number])).status_code == 404
    assert (
        client.post(reverse("team", args=[ruth.number]), {"action": "post", "post-body": "Hi"}).status_code
        == 404
    )


def test_the_team_page_shows_contact_details_only_to_the_team(client, ruth, nearby):
    client.force_login(nearby.user)
    assert client.get(reverse("team", args=[ruth.number])).status_code == 404

    _introduce(ruth, nearby)

    html = client.get(reverse("team", args=[ruth.number])).content.decode()
    assert ruth.user.email in html


def test_contact_details_stay_hidden_while_an_introduction_waits(client, ruth, nearby):
    services.introduction_send(
        by=ruth.user, receiver=ruth, supporter=nearby, from_receiver=True, message="Hello"
    )
    client.force_login(nearby.user)

    html = client.get(reverse("introductions")).content.decode()

    assert "Ruth would like to meet" in html or "Ruth Sutcliffe would like to meet" in html
    assert ruth.user.email not in html


def test_someone_in_the_circle_who_manages_the_team_searches_for_the_person(client, ruth, nearby):
    jane = UserFactory(email="jane@example.org")
    member_services.circle_invite(
        receiver=ruth,
        by=ruth.user,
        email=jane.email,
        can_manage_team=True,
    )
    member_services.circle_accept(token=invitation_token(jane.email), user=jane)
    client.force_login(jane)

    html = client.get(reverse("suggestions"), {"for": ruth.number}).content.decode()
    client.post(
        reverse("introduction_create", args=[nearby.number]) + f"?for={ruth.number}", {"message": "For mum"}
    )

    assert "Suggestions for Ruth Sutcliffe" in html
    introduction = Introduction.objects.get()
    assert (introduction.receiver, introduction.sent_by) == (ruth, jane)


def test_acting_for_someone_without_the_power_is_a_404(client, ruth):
    stranger = MembershipFactory(member_class="advocate")
    client.force_login(stranger.user)

    assert client.get(reverse("suggestions"), {"for": ruth.number}).status_code == 404


@pytest.mark.parametrize("number", ["²", "①", "99999999999", "7x"])
def test_a_for_that_is_not_a_membership_number_is_a_404_not_a_500(client, ruth, number):
    client.force_login(ruth.user)

    assert client.get(reverse("suggestions"), {"for": number}).status_code == 404
    assert client.get(reverse("worker_search"), {"for": number}).status_code == 404


def test_an_empty_message_is_shown_on_the_form_and_nothing_is_sent(client, ruth, nearby):
    client.force_login(ruth.user)

    response = client.post(reverse("introduction_create", args=[nearby.number]), {"message": ""})

    assert response.status_code == 400
    assert Introduction.objects.count() == 0


def test_a_person_not_listed_cannot_be_asked_by_number(client, ruth, nearby):
    client.force_login(nearby.user)

    assert client.get(reverse("introduction_create", args=[ruth.number])).status_code == 404


def test_bad_search_filters_are_dropped_and_the_page_still_works(client, ruth, nearby):
    client.force_login(ruth.user)

    response = client.get(reverse("worker_search"), {"within_km": "far", "max_rate": "lots", "day": "9"})

    assert response.status_code == 200
    assert "Megan" in response.content.decode()


@pytest.mark.parametrize("name", ["worker_search", "suggestions"])
def test_finding_pages_make_the_same_queries_for_few_or_many_workers(
    client, ruth, staff, django_assert_max_num_queries, name
):
    client.force_login(ruth.user)
    nearby_worker(staff, "Worker One")
    client.get(reverse(name))
    with django_assert_max_num_queries(25) as few:
        assert client.get(reverse(name)).status_code == 200
    for index in range(12):
        nearby_worker(staff, f"Worker {index + 2}", "HX6 2AA")
    with django_assert_max_num_queries(25) as many:
        assert client.get(reverse(name)).status_code == 200

    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_peer_support_page_lists_only_people_who_show_their_name(client, ruth, staff):
    profile = listed(ruth, lived_experience="members")
    member_services.profile_update(profile=profile, by=ruth.user, offers_peer_support=True)
    seeker = nearby_worker(staff, "Tom Ackroyd")
    client.force_login(seeker.user)

    hidden = client.get(reverse("peer_support")).content.decode()
    listed(ruth, display_name="members")
    shown = client.get(reverse("peer_support")).content.decode()

    assert "Ruth" not in hidden
    assert "Ruth" in shown


def test_the_people_page_is_for_workers(client, ruth):
    other = MembershipFactory(member_class="receiver")
    client.force_login(other.user)

    assert client.get(reverse("people_looking")).status_code == 404


def test_the_noticeboard_is_care_news_kept_from_a_circle_member_who_only_manages_the_team(
    client, ruth, megan, staff
):
    from members.models import CircleMember
    from tests.factories import UserFactory

    manager = UserFactory(email="manager@example.org")
    CircleMember.objects.create(
        receiver=ruth,
        supporter=manager,
        email=manager.email,
        status=CircleMember.Status.ACTIVE,
        can_view_care=False,
        can_manage_team=True,
        token_hash="manager",
        invited_by=ruth.user,
        expires_at=timezone.now() + datetime.timedelta(days=14),
    )
    services.noticeboard_post(receiver=ruth, by=megan.user, body="Ruth had a fall; a bruised hip.")
    client.force_login(manager)

    page = client.get(reverse("team", args=[ruth.number]))

    assert page.status_code == 200  # they manage the team: they see who is in it
    assert "bruised hip" not in page.content.decode()
    with pytest.raises(ApplicationError) as refused:
        services.noticeboard_post(receiver=ruth, by=manager, body="Hello")
    assert refused.value.code == "not_in_team"
    client.force_login(megan.user)
    assert "bruised hip" in client.get(reverse("team", args=[ruth.number])).content.decode()


def test_search_suggestions_and_profiles_show_what_the_person_pays_an_hour(client, ruth, nearby):
    # Megan's rate is £15.00; with the co-op's 17.5% the person pays £17.63 an hour.
    client.force_login(ruth.user)

    found = client.get(reverse("worker_search")).content.decode()
    suggested = client.get(reverse("suggestions")).content.decode()
    profile = client.get(reverse("member_profile", args=[nearby.number])).content.decode()

    assert "£17.63 an hour" in found
    assert "£15.00" not in found
    assert "£17.63 an hour" in suggested
    assert "£17.63, paid by the person; £13.88 of it goes to the worker" in profile
    assert (
        client.get(reverse("worker_search"), {"max_rate": "17.62"}).content.decode().count("card--worker")
        == 0
    )
    assert (
        client.get(reverse("worker_search"), {"max_rate": "17.63"}).content.decode().count("card--worker")
        == 1
    )


def test_search_and_suggestions_show_what_a_sleep_in_night_costs_the_person(client, ruth, nearby):
    client.force_login(ruth.user)
    before = client.get(reverse("worker_search")).content.decode()
    member_services.profile_update(
        profile=member_services.profile_get_or_create(membership=nearby),
        by=nearby.user,
        sleep_in_rate_pence=60_00,
    )

    found = client.get(reverse("worker_search")).content.decode()
    suggested = client.get(reverse("suggestions")).content.decode()

    assert "sleep-in night" not in before
    # £60 a night; with the co-op's 17.5% the person pays £70.50.
    assert "£17.63 an hour · £70.50 a sleep-in night" in found
    assert "£70.50 a sleep-in night" in suggested


def test_a_worker_in_the_team_opens_the_persons_profile_and_one_outside_it_finds_none(
    client, ruth, megan, tom
):
    client.force_login(megan.user)
    inside = client.get(reverse("member_profile", args=[ruth.number]))
    client.force_login(tom.user)
    outside = client.get(reverse("member_profile", args=[ruth.number]))

    assert inside.status_code == 200
    assert "My garden." in inside.content.decode()  # what matters to her, for her team
    assert outside.status_code == 404
