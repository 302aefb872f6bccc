"""The circle of support: people a person getting support chooses to act for them."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from carecoop.exceptions import ApplicationError
from carecoop.models import Email
from members import permissions, selectors, services
from members.models import CircleMember
from tests.factories import (
    MembershipFactory,
    UserFactory,
)
from tests.outbox import owed, send_owed, site_links


@pytest.fixture
def receiver(db):
    member = MembershipFactory(
        member_class="receiver", legal_name="Ruth Sutcliffe", user__email="ruth@example.org"
    )
    services.profile_update(
        profile=services.profile_get_or_create(membership=member),
        by=member.user,
        what_matters="My garden, and getting to chapel on Sundays.",
    )
    return member


@pytest.fixture
def daughter(db):
    return UserFactory(email="jane@example.org")


def _invite(receiver, by, email="jane@example.org", **powers):
    return services.circle_invite(receiver=receiver, by=by, email=email, **powers)


def _token_from_email(message) -> str:
    return re.search(r"/circle/invitations/([^/\s]+)/", message.body).group(1)


def test_an_invitation_is_emailed_with_a_link_whose_token_is_not_stored(
    receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = _invite(receiver, receiver.user, can_book=True)

    assert mail.outbox[0].to == ["jane@example.org"]
    assert "book visits for me" in mail.outbox[0].body
    token = _token_from_email(mail.outbox[0])
    link = f"{settings.SITE_URL}/circle/invitations/{token}/"
    assert site_links(mail.outbox[0]) == ([link, f"{settings.SITE_URL}/"], [link, f"{settings.SITE_URL}/"])
    assert token not in invitation.token_hash
    assert not CircleMember.objects.filter(token_hash=token).exists()
    # Once sent, the outbox keeps who and when, not the link.
    assert token not in str(Email.objects.values_list("context", flat=True).get())


def test_an_invitation_withdrawn_before_its_email_goes_is_not_sent(receiver):
    invitation = _invite(receiver, receiver.user)

    services.circle_revoke(member=invitation, by=receiver.user)

    assert send_owed() == []


def test_only_the_person_or_staff_may_invite(receiver, daughter, staff):
    with pytest.raises(ApplicationError) as refused:
        _invite(receiver, daughter, email="someone@example.org")
    assert refused.value.code == "not_allowed"

    assert _invite(receiver, staff).invited_by == staff


def test_a_circle_is_for_people_getting_support(member, staff):
    worker = MembershipFactory(member_class="worker")

    with pytest.raises(ApplicationError) as refused:
        _invite(worker, worker.user)

    assert refused.value.code == "not_a_receiver"


def test_an_invitation_needs_at_least_one_power(receiver):
    with pytest.raises(ApplicationError) as refused:
        _invite(receiver, receiver.user, can_view_care=False)

    assert refused.value.code == "no_powers"


def test_the_same_person_is_not_invited_twice(receiver):
    _invite(receiver, receiver.user)

    with pytest.raises(ApplicationError) as refused:
        _invite(receiver, receiver.user, email="JANE@example.org")

    assert refused.value.code == "already_in_circle"


def test_only_the_person_the_invitation_was_sent_to_can_accept_it(
    receiver, daughter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(receiver, receiver.user)
    token = _token_from_email(mail.outbox[0])
    stranger = UserFactory(email="stranger@example.org")

    with pytest.raises(ApplicationError) as refused:
        services.circle_accept(token=token, user=stranger)
    assert refused.value.code == "invitation_for_someone_else"

    place = services.circle_accept(token=token, user=daughter)
    assert (place.status, place.supporter) == ("active", daughter)


def test_an_expired_invitation_cannot_be_accepted(
    receiver, daughter, time_machine, django_capture_on_commit_callbacks
):
    invited_at = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        _invite(receiver, receiver.user)
    time_machine.move_to(invited_at + datetime.timedelta(days=15), tick=False)

    with pytest.raises(ApplicationError) as refused:
        services.circle_accept(token=_token_from_email(mail.outbox[0]), user=daughter)

    assert refused.value.code == "invitation_expired"


def test_a_supporter_with_the_power_sees_the_care_details_until_revoked(
    receiver, daughter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(receiver, receiver.user, can_view_care=True)
    place = services.circle_accept(token=_token_from_email(mail.outbox[0]), user=daughter)
    profile = selectors.profile_get_for_membership(membership=receiver)

    assert selectors.profile_viewer(user=daughter, profile=profile) == "team"
    assert permissions.can_act_for(daughter, receiver, "can_view_care")
    assert not permissions.can_act_for(daughter, receiver, "can_book")

    services.circle_revoke(member=place, by=receiver.user)

    assert selectors.profile_viewer(user=daughter, profile=profile) is None
    assert not permissions.can_act_for(daughter, receiver, "can_view_care")


def test_only_the_person_or_staff_may_revoke(receiver, daughter, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(receiver, receiver.user)
    place = services.circle_accept(token=_token_from_email(mail.outbox[0]), user=daughter)

    with pytest.raises(ApplicationError):
        services.circle_revoke(member=place, by=daughter)


# --- Pages ------------------------------------------------------------------------------------


def test_a_person_invites_from_their_circle_page_and_the_supporter_accepts(
    client, receiver, daughter, django_capture_on_commit_callbacks
):
    client.force_login(receiver.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("circle_manage", args=[receiver.number]),
            {"name": "Jane", "email": "jane@example.org", "can_view_care": "on", "can_book": "on"},
        )
    token = _token_from_email(mail.outbox[0])
    circle_page = client.get(reverse("circle_manage", args=[receiver.number])).content.decode()
    assert "<strong>Jane</strong>" in circle_page

    client.force_login(daughter)
    page = client.get(reverse("circle_invitation", args=[token])).content.decode()
    client.post(reverse("circle_invitation", args=[token]), {"answer": "accept"})

    assert "Ruth Sutcliffe would like you to join" in page
    account = client.get(reverse("account_overview")).content.decode()
    assert "People you support" in account
    profile_page = client.get(reverse("member_profile", args=[receiver.number])).content.decode()
    assert "getting to chapel on Sundays" in profile_page


def test_bad_invitation_input_is_shown_and_nothing_is_sent(client, receiver):
    client.force_login(receiver.user)

    response = client.post(reverse("circle_manage", args=[receiver.number]), {"email": "not an email"})

    assert response.status_code == 400
    assert CircleMember.objects.count() == 0
    assert mail.outbox == []


def test_someone_else_cannot_open_a_persons_circle_page(client, receiver, daughter):
    client.force_login(daughter)

    assert client.get(reverse("circle_manage", args=[receiver.number])).status_code == 404


def test_an_unknown_invitation_link_says_so(client, daughter):
    client.force_login(daughter)

    response = client.get(reverse("circle_invitation", args=["made-up-token"]))

    assert response.status_code == 404
    assert "This invitation link is not valid." in response.content.decode()


def test_a_person_getting_support_is_not_listed_to_other_members_by_default(client, receiver):
    worker = MembershipFactory(member_class="worker")
    client.force_login(worker.user)

    assert client.get(reverse("member_profile", args=[receiver.number])).status_code == 404


def test_a_person_who_chooses_to_be_listed_still_keeps_their_care_details_to_their_team(client, receiver):
    profile = selectors.profile_get_for_membership(membership=receiver)
    services.profile_update(profile=profile, by=receiver.user, visibility={"display_name": "members"})
    worker = MembershipFactory(member_class="worker")
    client.force_login(worker.user)

    html = client.get(reverse("member_profile", args=[receiver.number])).content.decode()

    assert "Ruth" in html
    assert "chapel" not in html


def test_someone_who_is_not_a_member_cannot_see_member_profiles(client, receiver, daughter):
    client.force_login(daughter)

    assert client.get(reverse("member_profile", args=[receiver.number])).status_code == 404


def _invitation_token() -> str:
    """The token in the link of the invitation email just sent (the outbox sends what is owed)."""
    message = send_owed()[-1]
    return re.search(r"/circle/invitations/([^/\s]+)/", message.body).group(1)


@pytest.mark.usefixtures("now")
def test_a_supporter_invited_again_at_another_of_their_addresses_is_told_they_are_in_the_circle(ruth):
    from allauth.account.models import EmailAddress

    jane = UserFactory(email="jane@example.org")
    EmailAddress.objects.create(user=jane, email="jane.work@example.org", verified=True, primary=False)
    services.circle_invite(receiver=ruth, by=ruth.user, email="jane@example.org")
    services.circle_accept(token=_invitation_token(), user=jane)

    with pytest.raises(ApplicationError) as refused:
        services.circle_invite(receiver=ruth, by=ruth.user, email="jane.work@example.org")

    assert refused.value.code == "already_in_circle"


@pytest.mark.usefixtures("now")
def test_if_the_invitation_email_cannot_go_yet_it_is_saved_and_goes_when_the_server_is_back(
    ruth, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.failing_email.FailingEmailBackend"

    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.circle_invite(receiver=ruth, by=ruth.user, email="jane@example.org")

    # The invitation stands and its email is owed: nobody has to try again.
    assert CircleMember.objects.get() == invitation
    assert [email.to for email in owed()] == ["jane@example.org"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert [m.to for m in send_owed()] == [["jane@example.org"]]


@pytest.mark.usefixtures("now")
def test_the_circle_page_is_only_for_people_getting_support(client, db):
    worker = MembershipFactory(member_class="worker")
    client.force_login(worker.user)

    assert client.get(reverse("circle_manage", args=[worker.number])).status_code == 404


@pytest.mark.usefixtures("now")
def test_an_invitation_opened_by_someone_else_shows_them_nothing_about_it(client, ruth):
    services.circle_invite(receiver=ruth, by=ruth.user, email="jane@example.org")
    client.force_login(UserFactory(email="nosy@example.org"))

    response = client.get(reverse("circle_invitation", args=[_invitation_token()]))

    assert response.status_code == 403
    assert "Ruth" not in response.content.decode()
    assert "jane@example.org" not in response.content.decode()


def test_an_invitation_email_not_sent_before_the_invitation_expired_is_not_sent(receiver, time_machine):
    invitation = _invite(receiver, receiver.user, can_view_care=True)
    time_machine.move_to(invitation.expires_at + datetime.timedelta(minutes=1), tick=False)

    assert send_owed() == []
    assert not owed(kind="members.circle_invitation")
