import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD
from tests.outbox import send_owed
from tests.second_factor import log_in_with_second_factor


def test_home_says_what_the_coop_is_and_leads_to_sign_up_or_log_in(client, db):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Calder Valley Care Co-op" in html
    assert "Hebden Bridge, Todmorden, Halifax" in html
    assert f'href="{reverse("account_signup")}"' in html
    assert f'href="{reverse("account_login")}"' in html
    assert "Log out" not in html


def test_navigation_for_a_signed_in_person_offers_their_account_and_log_out(client, newcomer):
    client.force_login(newcomer)

    html = client.get("/").content.decode()

    assert f'href="{reverse("account_overview")}"' in html
    assert "Log out" in html
    assert f'href="{reverse("account_signup")}"' not in html
    assert "Co-op admin" not in html


def test_navigation_for_staff_offers_the_admin(client, staff):
    log_in_with_second_factor(client, staff)

    html = client.get("/").content.decode()
    assert "Co-op admin" in html
    assert f'href="{reverse("staff_register")}"' in html


def test_account_page_needs_a_login(client, db):
    response = client.get(reverse("account_overview"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_account_page_shows_the_persons_email(client, newcomer):
    client.force_login(newcomer)

    response = client.get(reverse("account_overview"))

    assert response.status_code == 200
    assert "newcomer@example.org" in response.content.decode()


def test_a_staff_account_is_not_told_it_is_a_would_be_member(client, staff, newcomer):
    log_in_with_second_factor(client, staff)
    page = client.get(reverse("account_overview")).content.decode()
    assert "This is a staff account" in page
    assert "you are not a member of the co-op yet" not in page
    client.force_login(newcomer)
    assert "you are not a member of the co-op yet" in client.get(reverse("account_overview")).content.decode()


@pytest.mark.parametrize("url", ["/", "/accounts/"])
def test_pages_for_a_newcomer_make_few_queries(client, newcomer, django_assert_max_num_queries, url):
    client.force_login(newcomer)

    with django_assert_max_num_queries(7):  # and the menu's unread count
        assert client.get(url).status_code == 200


def test_the_account_page_makes_the_same_queries_however_much_a_worker_has(
    client, staff, django_assert_max_num_queries
):
    import datetime

    from members import services
    from tests.factories import MembershipFactory

    worker = MembershipFactory(member_class="worker")
    client.force_login(worker.user)

    def add_checks(count):
        for day in range(count):
            services.vetting_check_record(
                membership=worker,
                by=staff,
                kind="right_to_work",
                issued_on=datetime.date(2024, 1, 1) + datetime.timedelta(days=day),
                document="Passport",
            )

    add_checks(1)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("account_overview"))
    add_checks(10)
    with django_assert_max_num_queries(12) as many:
        client.get(reverse("account_overview"))

    assert len(few.captured_queries) == len(many.captured_queries)


def _signup(client, email="robin@example.org", password=PASSWORD):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": password, "password2": password}
    )


def _verification_link(message) -> str:
    return re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)


def test_sign_up_needs_the_email_verified_before_logging_in(client, db):
    response = _signup(client)

    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    # The request owes the email; it is not sent from the request but by the outbox.
    assert mail.outbox == []
    assert [m.to for m in send_owed()] == [["robin@example.org"]]
    assert mail.outbox[0].subject.startswith("[Calder Valley Care Co-op]")

    client.logout()
    login = client.post(reverse("account_login"), {"login": "robin@example.org", "password": PASSWORD})
    assert login["Location"] == reverse("account_email_verification_sent")
    assert client.get(reverse("account_overview")).status_code == 302

    link = _verification_link(mail.outbox[-1])
    assert link.startswith(f"{settings.SITE_URL}/accounts/confirm-email/")
    confirm_path = urlsplit(link).path
    assert client.post(confirm_path).status_code == 302
    login = client.post(reverse("account_login"), {"login": "robin@example.org", "password": PASSWORD})
    assert login["Location"] == reverse("account_overview")


def test_sign_up_with_bad_input_shows_errors_and_creates_nothing(client, db):
    from members.models import User

    response = client.post(
        reverse("account_signup"), {"email": "not-an-email", "password1": "short", "password2": "other"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert 'aria-invalid="true"' in html
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_sign_up_with_a_taken_email_creates_no_second_account(client, newcomer):
    from members.models import User

    _signup(client, email="NEWCOMER@example.org")

    assert User.objects.filter(email__iexact="newcomer@example.org").count() == 1


def test_repeated_failed_logins_lock_the_account_for_a_while(client, newcomer):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "newcomer@example.org", "password": "guess"})

    response = client.post(reverse("account_login"), {"login": "newcomer@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get(reverse("account_overview")).status_code == 302


def test_too_many_sign_ups_from_one_place_get_a_friendly_429(client, db):
    statuses = [
        client.post(
            reverse("account_signup"), {"email": "bad", "password1": "x", "password2": "x"}
        ).status_code
        for _ in range(21)
    ]

    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
    response = client.post(reverse("account_signup"), {"email": "bad"})
    assert "Too many attempts" in response.content.decode()


def test_password_reset_sends_a_link_without_saying_whether_the_account_exists(client, newcomer):
    known = client.post(reverse("account_reset_password"), {"email": "newcomer@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "stranger@example.org"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    sent = send_owed()
    assert [m.to for m in sent if f"{settings.SITE_URL}/accounts/password/reset/key/" in m.body] == [
        ["newcomer@example.org"]
    ]


def test_password_change_page_uses_the_site_layout(client, newcomer):
    client.force_login(newcomer)

    html = client.get(reverse("account_change_password")).content.decode()

    assert 'class="skip-link"' in html
    assert "Back to your account" in html


def test_admin_login_goes_through_the_site_login(client, db):
    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_log_out_is_a_post_and_returns_home(client, newcomer):
    client.force_login(newcomer)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("account_overview")).status_code == 302


def test_a_member_who_is_not_staff_is_told_the_admin_is_not_for_them(client, newcomer):
    client.force_login(newcomer)

    response = client.get("/admin/", follow=True)

    assert response.status_code == 403
    assert "You cannot open this page" in response.content.decode()


def test_sign_up_does_the_same_work_for_a_registered_address_as_for_a_new_one(client, newcomer, monkeypatch):
    """Hashing the password is nearly all of a sign-up's time: an address already registered
    hashes it too, so the answer's timing does not tell who is registered."""
    from django.contrib.auth.hashers import get_hasher

    hasher = type(get_hasher())
    hashed: list[str] = []
    encode = hasher.encode
    monkeypatch.setattr(
        hasher,
        "encode",
        lambda self, password, salt, *a, **k: (
            hashed.append(password) or encode(self, password, salt, *a, **k)
        ),
    )

    new = _signup(client, email="robin@example.org", password="a new one 4 Robin")
    registered = _signup(client, email="newcomer@example.org", password="a guess 4 someone")

    assert hashed == ["a new one 4 Robin", "a guess 4 someone"]
    assert new.status_code == registered.status_code == 302
    assert new["Location"] == registered["Location"]
