"""A ballot's papers, the vote form before the facts, and a receipt that restates the vote and
can be downloaded, while a secret vote stays unlinked from its voter (rule 7)."""

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile

from carecoop.models import Email
from governance import services
from governance.models import Vote
from tests.clock import NOW
from tests.factories import MembershipFactory, UserFactory
from tests.governance.conftest import at

pytestmark = pytest.mark.usefixtures("now")


def _paper(meeting, staff, title="The accounts for 2025-26"):
    return services.document_attach(
        meeting=meeting,
        title=title,
        file=SimpleUploadedFile("accounts.txt", b"Income 412,380. Surplus 34,400."),
        user=staff,
    )


def _voted_page(client, ballot, **data):
    response = client.post(f"/ballots/{ballot.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(response["Location"])


def _token(page):
    found = re.search(r'name="token" value="([^"]+)"', page.content.decode())
    assert found is not None
    return found.group(1)


def _election(staff, agm, names):
    workers = [MembershipFactory(member_class="worker", legal_name=name) for name in names]
    ballot = services.ballot_create(
        user=staff,
        title="Worker directors",
        meeting=agm,
        seat_class="workers",
        seats=1,
        opens_at=NOW,
        closes_at=at(12, 16),
    )
    candidates = [
        services.candidate_stand(
            ballot=ballot, user=w.user, statement=f"{w.legal_name} will push for paid travel."
        )
        for w in workers
    ]
    return services.ballot_open(ballot=ballot, user=staff), workers, candidates


# --- Papers ----------------------------------------------------------------------------------


def test_a_ballot_lists_its_meetings_papers_and_a_member_can_read_them(
    client, motion_ballot, agm, staff, margaret
):
    paper = _paper(agm, staff)
    client.force_login(margaret.user)

    body = client.get(f"/ballots/{motion_ballot.pk}/").content.decode()

    assert "Papers to read" in body
    link = f"/meetings/{agm.pk}/documents/{paper.pk}/"
    assert f'href="{link}"' in body
    assert "The accounts for 2025-26" in body
    download = client.get(link)
    assert download.status_code == 200
    assert b"Surplus 34,400" in b"".join(download.streaming_content)


def test_someone_who_is_not_a_member_sees_neither_the_ballot_nor_its_papers(
    client, motion_ballot, agm, staff
):
    paper = _paper(agm, staff)
    client.force_login(UserFactory(email="visitor@example.org"))

    assert client.get(f"/ballots/{motion_ballot.pk}/").status_code == 404
    assert client.get(f"/meetings/{agm.pk}/documents/{paper.pk}/").status_code == 404


def test_a_ballot_without_papers_shows_no_papers_section(client, motion_ballot, margaret):
    client.force_login(margaret.user)

    assert "Papers to read" not in client.get(f"/ballots/{motion_ballot.pk}/").content.decode()


def test_an_election_shows_each_candidates_statement(client, staff, agm):
    ballot, workers, _candidates = _election(staff, agm, ["Anna Shaw", "Bilal Khan"])
    client.force_login(workers[0].user)

    body = client.get(f"/ballots/{ballot.pk}/").content.decode()

    assert "Anna Shaw will push for paid travel." in body
    assert "Bilal Khan will push for paid travel." in body


def test_the_papers_and_the_vote_form_come_before_the_facts(client, motion_ballot, agm, staff, margaret):
    _paper(agm, staff)
    client.force_login(margaret.user)

    body = client.get(f"/ballots/{motion_ballot.pk}/").content.decode()

    motion, papers = body.index('id="motion-heading"'), body.index('id="papers"')
    form, facts = body.index("data-vote-form"), body.index('id="facts"')
    assert motion < papers < form < facts


def test_the_ballot_page_asks_the_same_number_of_queries_for_1_or_8_papers(
    client, staff, agm, margaret, tom, django_assert_max_num_queries
):
    from tests.governance.conftest import open_motion_ballot

    client.force_login(margaret.user)
    few_ballot = open_motion_ballot(staff, agm)
    _paper(agm, staff)
    with django_assert_max_num_queries(30) as few:
        assert client.get(f"/ballots/{few_ballot.pk}/").status_code == 200
    for n in range(7):
        _paper(agm, staff, title=f"Report {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(f"/ballots/{few_ballot.pk}/").content.decode()
    assert "Report 6" in body


# --- The receipt restates the vote -----------------------------------------------------------


def test_the_receipt_restates_the_choice_on_a_motion(client, motion_ballot, margaret):
    client.force_login(margaret.user)

    page = _voted_page(client, motion_ballot, choice="against")

    body = page.content.decode()
    assert "You voted <strong>Against</strong> on the motion “Adopt the accounts”." in body
    assert "only: the co-op keeps no link between you and your vote" in body


def test_the_receipt_restates_the_ranking_in_order(client, staff, agm):
    ballot, workers, (anna, _bilal, carol) = _election(staff, agm, ["Anna Shaw", "Bilal Khan", "Carol Day"])
    client.force_login(workers[0].user)

    page = _voted_page(client, ballot, rank_1=str(carol.pk), rank_2=str(anna.pk))

    body = page.content.decode()
    assert '<ol class="vote-said"><li>Carol Day</li><li>Anna Shaw</li></ol>' in body
    assert "Bilal Khan</li>" not in body


def test_a_secret_vote_is_restated_once_and_stored_nowhere_with_the_voter(client, motion_ballot, margaret):
    client.force_login(margaret.user)

    page = _voted_page(client, motion_ballot, choice="abstain")
    assert "<strong>Abstain</strong>" in page.content.decode()

    vote = Vote.objects.get(ballot=motion_ballot)
    assert vote.voter is None
    # Not in the session, nor an email; and not shown again, on the ballot or the receipt page.
    for session in Session.objects.all():
        assert "bstain" not in str(session.get_decoded())
    assert not Email.objects.filter(context__icontains="abstain").exists()
    assert client.get(f"/ballots/{motion_ballot.pk}/voted/").status_code == 302
    assert "Abstain</strong>" not in client.get(f"/ballots/{motion_ballot.pk}/").content.decode()


# --- Downloading the receipt -----------------------------------------------------------------


def test_the_receipt_downloads_as_a_text_file_with_the_code_and_the_choice(client, motion_ballot, margaret):
    client.force_login(margaret.user)
    page = _voted_page(client, motion_ballot, choice="for")

    response = client.post(f"/ballots/{motion_ballot.pk}/receipt.txt", {"token": _token(page)})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="vote-receipt-ballot-{motion_ballot.pk}.txt"'
    )
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert page.context["receipt"] in text
    assert "The vote: For" in text
    assert "Ballot: Adopt the accounts" in text
    assert f"/ballots/{motion_ballot.pk}/receipts/" in text
    assert "&#x27;" not in text
    assert "&quot;" not in text
    changing = (
        "If you change your vote before the ballot closes, the new vote and its new receipt replace this one."
    )
    assert (changing in text) == motion_ballot.changes_allowed


def test_a_ranking_downloads_in_order(client, staff, agm):
    ballot, workers, (anna, bilal, _carol) = _election(staff, agm, ["Anna Shaw", "Bilal Khan", "Carol Day"])
    client.force_login(workers[1].user)
    page = _voted_page(client, ballot, rank_1=str(bilal.pk), rank_2=str(anna.pk))

    text = client.post(f"/ballots/{ballot.pk}/receipt.txt", {"token": _token(page)}).content.decode()

    assert "The ranking:\n1. Bilal Khan\n2. Anna Shaw\n" in text


def test_another_member_cannot_download_someone_elses_receipt(client, motion_ballot, margaret, tom):
    client.force_login(margaret.user)
    token = _token(_voted_page(client, motion_ballot, choice="for"))

    client.force_login(tom.user)
    response = client.post(f"/ballots/{motion_ballot.pk}/receipt.txt", {"token": token})

    assert response.status_code == 302
    assert response["Location"] == f"/ballots/{motion_ballot.pk}/"


def test_a_receipt_token_works_for_its_own_ballot_only_and_not_forged_or_late(
    client, staff, agm, motion_ballot, margaret, time_machine
):
    from tests.governance.conftest import open_motion_ballot

    other = open_motion_ballot(staff, agm)
    client.force_login(margaret.user)
    token = _token(_voted_page(client, motion_ballot, choice="for"))
    url = f"/ballots/{motion_ballot.pk}/receipt.txt"

    assert client.post(f"/ballots/{other.pk}/receipt.txt", {"token": token}).status_code == 302
    assert client.post(url, {"token": token[:-2] + "xx"}).status_code == 302
    assert client.post(url, {}).status_code == 302
    assert client.get(url).status_code == 405
    time_machine.move_to(NOW + datetime.timedelta(hours=2))
    assert client.post(url, {"token": token}).status_code == 302


def test_a_proxy_downloads_the_receipt_of_the_vote_cast_for_the_member(client, staff, agm, margaret, tom):
    from tests.governance.conftest import open_motion_ballot

    ballot = open_motion_ballot(staff, agm)
    services.proxy_appoint(user=margaret.user, holder=tom, ballot=ballot)
    client.force_login(tom.user)
    page = _voted_page(client, ballot, choice="for", for_member=str(margaret.number))

    text = client.post(f"/ballots/{ballot.pk}/receipt.txt", {"token": _token(page)}).content.decode()

    assert f"Cast for {margaret.shown_name}, as their proxy." in text
    assert "The vote: For" in text
