"""A member downloads everything held about them (UK GDPR article 15), as JSON, through the API
and as a page to print: each kind of record, and nothing of anyone else."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from carecoop.models import Email
from governance import services
from governance.selectors.personal_data import personal_data_json
from members.models import EmergencyContact, Membership
from scheduling.models import Notification
from tests.factories import VisitFactory, with_photo
from tests.governance.conftest import call_agm, open_motion_ballot

pytestmark = pytest.mark.usefixtures("now")


def _download(client, user):
    client.force_login(user)
    response = client.get(reverse("personal_data_download"))
    assert response.status_code == 200
    return response, json.loads(response.content)


@pytest.fixture
def ruths_record(ruth, megan, asha, jane, staff):
    """Ruth with a visit from each worker (each with its note), an emergency contact and a photo."""
    VisitFactory(receiver=ruth, worker=megan, status="accepted", visit_note="Megan: Ruth ate well.")
    VisitFactory(receiver=ruth, worker=asha, status="accepted", visit_note="Asha: Ruth was tired.")
    EmergencyContact.objects.create(
        membership=ruth, name="Jane Sutcliffe", phone="07700 900123", updated_by=staff
    )
    with_photo(Membership.objects.get(pk=ruth.pk))  # its profile as saved, not as first read
    Notification.objects.create(user=ruth.user, kind="booked", title="A visit was booked")
    return ruth


def test_a_person_downloads_every_kind_of_record_about_them(client, ruths_record, jane):
    response, data = _download(client, ruths_record.user)

    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    sections = data["sections"]
    assert sections["account"][0]["email"] == "ruth@example.org"
    assert sections["memberships"][0]["legal_name"] == "Ruth Sutcliffe"
    assert sections["share_transactions"]
    assert sections["profiles"][0]["what_matters"] == "My garden."
    assert sections["profiles"][0]["photo"]
    assert "Welsh" in sections["profiles"][0]["languages"]
    assert sections["profiles"][0]["visibility"] is not None
    assert len(sections["weekly_times"]) == 2
    assert sections["circle_of_support"][0]["email"] == jane.email
    assert sections["emergency_contacts"][0]["name"] == "Jane Sutcliffe"
    assert {visit["visit_note"] for visit in sections["visits_received"]} == {
        "Megan: Ruth ate well.",
        "Asha: Ruth was tired.",
    }
    assert sections["notifications"][0]["title"] == "A visit was booked"
    assert sections["team_places"]


def test_secrets_are_not_in_the_download(client, ruths_record, jane):
    _, data = _download(client, ruths_record.user)

    assert "password" not in data["sections"]["account"][0]
    assert "token_hash" not in data["sections"]["circle_of_support"][0]
    assert ruths_record.user.password not in json.dumps(data)


def test_a_worker_has_the_visits_they_did_and_not_other_workers_notes_on_the_same_person(
    client, ruths_record, megan
):
    _, data = _download(client, megan.user)

    text = json.dumps(data)
    assert [visit["visit_note"] for visit in data["sections"]["visits_worked"]] == ["Megan: Ruth ate well."]
    assert data["sections"]["visits_received"] == []
    assert "Asha: Ruth was tired." not in text
    assert "My garden." not in text


def test_a_supporter_sees_their_place_in_the_circle_and_not_the_persons_care_log(client, ruths_record, jane):
    _, data = _download(client, jane)

    assert [place["receiver_id"] for place in data["sections"]["circle_of_support"]] == [ruths_record.pk]
    assert "Ruth ate well" not in json.dumps(data)


def test_the_emails_to_each_address_of_the_account_are_in_the_download(client, ruth, jane):
    EmailAddress.objects.create(user=ruth.user, email="ruth.work@example.org", verified=True)
    for address in ("RUTH@example.org", "ruth.work@example.org", "jane@example.org"):
        Email.objects.create(kind="members.circle_invitation", to=address)

    _, data = _download(client, ruth.user)

    assert sorted(email["to"] for email in data["sections"]["emails"]) == [
        "RUTH@example.org",
        "ruth.work@example.org",
    ]


def test_nothing_of_another_member_is_in_a_download(client, ruths_record, margaret, tom):
    VisitFactory(receiver=margaret, worker=tom, status="accepted", visit_note="Margaret's own note.")
    _, data = _download(client, ruths_record.user)

    text = json.dumps(data)
    assert "Margaret" not in text
    assert "margaret@example.org" not in text
    assert "Tom Barker" not in text


def test_a_secret_vote_is_not_in_the_download_and_the_download_says_why(client, staff, margaret):
    ballot = open_motion_ballot(staff, call_agm(staff), secret=True)
    services.vote_cast(ballot=ballot, user=margaret.user, choice="against")

    _, data = _download(client, margaret.user)

    assert [row["ballot_id"] for row in data["sections"]["ballot_participation"]] == [ballot.pk]
    assert data["sections"]["named_votes"] == []
    assert "against" not in json.dumps(data["sections"])
    assert "secret" in data["notes"]["ballot_participation"]


def test_a_named_vote_is_in_the_download(client, staff, margaret):
    ballot = open_motion_ballot(staff, call_agm(staff), secret=False)
    services.vote_cast(ballot=ballot, user=margaret.user, choice="against")

    _, data = _download(client, margaret.user)

    assert [row["choice"] for row in data["sections"]["named_votes"]] == ["against"]


def _queries(user):
    with CaptureQueriesContext(connection) as queries:
        personal_data_json(user=user)
    return len(queries)


def test_the_download_costs_the_same_queries_however_much_is_held(ruth, megan):
    VisitFactory(receiver=ruth, worker=megan, status="accepted", visit_note="One.")
    few = _queries(ruth.user)
    for n in range(15):
        VisitFactory(receiver=ruth, worker=megan, visit_note=f"Note {n}.")
        Notification.objects.create(user=ruth.user, kind="booked", title=f"Booked {n}")

    assert _queries(ruth.user) == few


def test_the_page_shows_each_kind_of_record_to_print(client, ruths_record):
    client.force_login(ruths_record.user)
    page = client.get(reverse("personal_data")).content.decode()

    assert "Your data" in page
    assert "Visits to you, with their care-log notes" in page
    assert "Megan: Ruth ate well." in page
    assert reverse("personal_data_download") in page


def test_the_account_page_links_to_the_data(client, ruth):
    client.force_login(ruth.user)
    assert reverse("personal_data") in client.get(reverse("account_overview")).content.decode()


def test_the_api_answers_the_same_data(api_client, ruths_record, client):
    downloaded = _download(client, ruths_record.user)[1]  # logging in is recorded: first
    api_client.force_authenticate(ruths_record.user)
    answer = api_client.get("/api/v1/me/data/")

    assert answer.status_code == 200
    assert answer.json() == downloaded


def test_the_anonymous_are_asked_to_log_in(client, api_client, db):
    assert client.get(reverse("personal_data")).status_code == 302
    assert client.get(reverse("personal_data_download")).status_code == 302
    assert api_client.get("/api/v1/me/data/").status_code in {401, 403}
