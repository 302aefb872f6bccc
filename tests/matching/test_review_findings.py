"""Rules a review of matching found could be broken, each now held."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from carecoop.exceptions import ApplicationError
from matching import services
from matching.models import Introduction, MatchingPolicy
from members import selectors as member_selectors
from members import services as member_services
from tests.factories import MembershipFactory, UserFactory
from tests.matching.conftest import add_worker
from tests.outbox import invitation_token


def _list(membership, **choices):
    profile = member_services.profile_get_or_create(membership=membership)
    member_services.profile_update(profile=profile, by=membership.user, visibility=choices)
    return profile


def test_a_worker_cannot_ask_an_unlisted_person_by_number_through_the_api(api_client, ruth, staff_member):
    worker = add_worker(staff_member)
    api_client.force_authenticate(worker.user)

    response = api_client.post("/api/v1/introductions/", {"to": ruth.number, "message": "hi"}, format="json")

    assert response.status_code == 404
    assert Introduction.objects.count() == 0
    assert mail.outbox == []


def test_a_listed_person_can_be_asked(api_client, ruth, staff_member):
    _list(ruth, display_name="members")
    worker = add_worker(staff_member)
    api_client.force_authenticate(worker.user)

    response = api_client.post("/api/v1/introductions/", {"to": ruth.number, "message": "hi"}, format="json")

    assert response.status_code == 201


def test_withdrawing_and_sending_again_does_not_get_round_the_daily_limit(ruth, staff_member):
    MatchingPolicy.objects.update_or_create(pk=1, defaults={"daily_pending_limit": 2})
    workers = [add_worker(staff_member, f"Worker {i}") for i in range(3)]
    first = services.introduction_send(
        by=ruth.user, receiver=ruth, supporter=workers[0], from_receiver=True, message="a"
    )
    services.introduction_withdraw(introduction=first, by=ruth.user)
    services.introduction_send(
        by=ruth.user, receiver=ruth, supporter=workers[1], from_receiver=True, message="b"
    )

    with pytest.raises(ApplicationError) as refused:
        services.introduction_send(
            by=ruth.user, receiver=ruth, supporter=workers[2], from_receiver=True, message="c"
        )

    assert refused.value.code == "daily_limit"


def test_the_peer_support_page_lists_only_people_who_show_their_name(client, ruth, staff_member):
    profile = _list(ruth, lived_experience="members")
    member_services.profile_update(profile=profile, by=ruth.user, offers_peer_support=True)
    seeker = add_worker(staff_member, "Tom Ackroyd")
    client.force_login(seeker.user)

    hidden = client.get(reverse("peer_support")).content.decode()
    _list(ruth, display_name="members")
    shown = client.get(reverse("peer_support")).content.decode()

    assert "Ruth" not in hidden
    assert "Ruth" in shown


@pytest.mark.parametrize("value", ["1T25:00-26:99", "1T11:00-09:00"])
def test_an_impossible_time_in_the_worker_search_api_is_a_400(api_client, ruth, value):
    api_client.force_authenticate(ruth.user)

    response = api_client.get("/api/v1/workers/", {"available": value})

    assert response.status_code == 400
    assert response.json()["available"]


def test_the_worker_search_api_hides_an_area_the_worker_hid(api_client, ruth, staff_member):
    worker = add_worker(staff_member)
    _list(worker, area="team")
    api_client.force_authenticate(ruth.user)

    body = api_client.get("/api/v1/workers/").json()

    assert body["results"][0]["district"] is None


def test_noticeboard_emails_reach_only_circle_members_who_may_see_care(
    ruth, staff_member, django_capture_on_commit_callbacks
):
    worker = add_worker(staff_member)
    _list(ruth, display_name="members")
    services.introduction_accept(
        introduction=services.introduction_send(
            by=ruth.user, receiver=ruth, supporter=worker, from_receiver=True, message="hi"
        ),
        by=worker.user,
    )
    booker = UserFactory(email="booker@example.org")
    member_services.circle_invite(
        receiver=ruth,
        by=ruth.user,
        email=booker.email,
        can_view_care=False,
        can_book=True,
    )
    member_services.circle_accept(token=invitation_token(booker.email), user=booker)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.noticeboard_post(receiver=ruth, by=worker.user, body="Ruth had a fall today; she is fine.")

    assert mail.outbox[-1].to == [ruth.user.email]


def test_the_people_page_is_for_workers(client, ruth):
    other = MembershipFactory(member_class="receiver")
    client.force_login(other.user)

    assert client.get(reverse("people_looking")).status_code == 404


def test_a_person_not_yet_admitted_is_not_listed(ruth, staff_member):
    import datetime

    from matching import selectors

    future = MembershipFactory(
        member_class="receiver", date_admitted=timezone.localdate() + datetime.timedelta(days=3)
    )
    _list(future, display_name="members")

    assert future.pk not in [p.membership_id for p in selectors.receivers_listed(on=timezone.localdate())]
    assert member_selectors.membership_can_participate(membership=future) is False
