"""The ballot pages: voting through the form, receipts shown once, changing a secret vote,
ranking candidates, results hidden until close, the CSV, checking a receipt, proxies, who may
open the staff pages, and query counts that do not grow with the data."""

import csv
import datetime
import io
import re

import pytest
from django.test import Client

from governance import services
from governance.models import Ballot, Participation, Proxy, Vote
from governance.receipts import receipt_hash
from tests.clock import NOW
from tests.concurrency import race
from tests.factories import MembershipFactory, UserFactory
from tests.governance.conftest import at, board_motion, open_motion_ballot
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")


def _close(ballot):
    return services.ballot_close(ballot=ballot, now=ballot.closes_at + datetime.timedelta(seconds=1))


def _vote(client, ballot, **data):
    return client.post(f"/ballots/{ballot.pk}/", data)


def _receipt_from(client, response):
    assert response.status_code == 302
    assert response["Location"] == f"/ballots/{response.wsgi_request.resolver_match.kwargs['pk']}/voted/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page, page.context["receipt"]


def _election(staff, agm, workers, *, seats=1, secret=True):
    ballot = services.ballot_create(
        user=staff,
        title="Worker directors",
        meeting=agm,
        seat_class="workers",
        seats=seats,
        opens_at=NOW,
        closes_at=at(12, 16),
        secret=secret,
    )
    candidates = [
        services.candidate_stand(ballot=ballot, user=w.user, statement=f"I am {w.legal_name} from Todmorden.")
        for w in workers
    ]
    return ballot, candidates


# --- Voting on a motion ---------------------------------------------------------------------------


def test_a_member_votes_through_the_form_and_sees_the_receipt_once(client, motion_ballot, margaret):
    client.force_login(margaret.user)
    page = client.get(f"/ballots/{motion_ballot.pk}/")
    body = page.content.decode()
    assert "That the accounts for 2025-26 be adopted." in body
    assert "<legend" in body
    assert "Your vote" in body
    assert 'type="radio" name="choice" value="abstain"' in body

    response = _vote(client, motion_ballot, choice="for")
    page, receipt = _receipt_from(client, response)

    body = page.content.decode()
    assert receipt in re.sub(r"<[^>]+>", "", body)  # in groups that break only at the dashes
    assert "Keep this receipt: it lets you check your vote was counted" in body
    assert f"carecoop-receipt:{motion_ballot.pk}:{margaret.number}" in body
    vote = Vote.objects.get(ballot=motion_ballot)
    assert (vote.choice, vote.voter, vote.receipt_hash) == ("for", None, receipt_hash(receipt))
    assert Participation.objects.filter(ballot=motion_ballot, membership=margaret).exists()
    # Shown once: the receipt is in no table, and a second look has nothing to show.
    again = client.get(f"/ballots/{motion_ballot.pk}/voted/")
    assert again.status_code == 302
    assert receipt not in client.get(f"/ballots/{motion_ballot.pk}/").content.decode()


def test_the_today_and_meetings_pages_say_which_ballots_wait_for_your_vote(
    client, staff, agm, motion_ballot, margaret, tom, django_assert_max_num_queries
):
    auditors = board_motion(staff, agm, title="Elect the auditors")
    later = open_motion_ballot(staff, agm, motion=auditors)
    client.force_login(margaret.user)
    with django_assert_max_num_queries(17):  # with the menu's unread count
        account = client.get("/today/").content.decode()
    assert "2 ballots are waiting for your vote" in account
    assert f'<a href="/ballots/{motion_ballot.pk}/">Adopt the accounts</a>' in account
    assert f'<a href="/ballots/{later.pk}/">Elect the auditors</a>' in account
    assert "closes at <time" in account

    _receipt_from(client, _vote(client, motion_ballot, choice="for"))
    meetings = client.get("/meetings/").content.decode()
    assert "A ballot is waiting for your vote" in meetings
    waiting = meetings.split("waiting for your vote")[1].split("</section>")[0]
    assert f"/ballots/{later.pk}/" in waiting
    assert f"/ballots/{motion_ballot.pk}/" not in waiting

    _receipt_from(client, _vote(client, later, choice="against"))
    assert "waiting for your vote" not in client.get("/today/").content.decode()
    # Someone who joined after the ballots opened is not on their lists of voters.
    newcomer = MembershipFactory(date_admitted=datetime.date(2026, 11, 23))
    client.force_login(newcomer.user)
    assert "waiting for your vote" not in client.get("/today/").content.decode()


def test_another_user_cannot_read_a_receipt_cookie(client, motion_ballot, margaret, tom):
    client.force_login(margaret.user)
    _vote(client, motion_ballot, choice="for")
    client.force_login(tom.user)  # the same browser, someone else logged in
    assert client.get(f"/ballots/{motion_ballot.pk}/voted/").status_code == 302


def test_a_second_vote_on_a_ballot_without_changes_is_refused_and_changes_nothing(
    client, staff, agm, margaret
):
    ballot = open_motion_ballot(staff, agm, changes_allowed=False)
    client.force_login(margaret.user)
    _vote(client, ballot, choice="for")

    page = client.get(f"/ballots/{ballot.pk}/")
    assert "Votes on this ballot cannot be changed." in page.content.decode()
    response = _vote(client, ballot, choice="against")

    assert response.status_code == 200
    assert "A vote on this ballot cannot be changed." in response.content.decode()
    assert 'class="error-summary"' in response.content.decode()
    assert list(Vote.objects.filter(ballot=ballot).values_list("choice", flat=True)) == ["for"]


@pytest.mark.django_db(transaction=True)
def test_a_vote_form_sent_ten_times_at_once_counts_one_vote_and_answers_each_cleanly(staff, agm, margaret):
    ballot = open_motion_ballot(staff, agm, changes_allowed=False)
    session = Client()
    session.force_login(margaret.user)

    def send():
        client = Client()
        client.cookies = session.cookies
        return _vote(client, ballot, choice="for")

    responses = race([send for _ in range(10)])

    assert Vote.objects.filter(ballot=ballot).count() == 1
    assert sorted(r.status_code for r in responses) == [200] * 9 + [302]
    refused = [r.content.decode() for r in responses if r.status_code == 200]
    # Refused by the service's check, or by the database's one-vote constraint when the two met.
    said = ("A vote on this ballot cannot be changed.", "A vote has already been recorded for this member.")
    assert all('class="error-summary"' in page and any(s in page for s in said) for page in refused)


def test_a_secret_vote_is_changed_with_its_receipt(client, motion_ballot, margaret):
    client.force_login(margaret.user)
    first, receipt = _receipt_from(client, _vote(client, motion_ballot, choice="for"))
    assert "<h1>Your vote is recorded</h1>" in first.content.decode()

    page = client.get(f"/ballots/{motion_ballot.pk}/").content.decode()
    assert 'name="receipt"' in page
    assert "Change my vote" in page
    refused = _vote(client, motion_ballot, choice="against")
    assert "To change a secret vote, give the receipt you were given for it." in refused.content.decode()
    assert refused.content.decode().count("give the receipt you were given for it") == 2  # summary, field
    assert list(Vote.objects.filter(ballot=motion_ballot).values_list("choice", flat=True)) == ["for"]

    changed_page, new_receipt = _receipt_from(
        client, _vote(client, motion_ballot, choice="against", receipt=receipt.lower())
    )

    assert new_receipt != receipt
    vote = Vote.objects.get(ballot=motion_ballot)
    assert (vote.choice, vote.receipt_hash) == ("against", receipt_hash(new_receipt))
    changed = changed_page.content.decode()
    assert "<h1>Your vote is changed</h1>" in changed
    assert "The receipt of the earlier vote no longer appears in the list of counted votes" in changed
    _close(motion_ballot)
    published = client.get(f"/ballots/{motion_ballot.pk}/receipts/").content.decode()
    assert receipt_hash(new_receipt) in published
    assert receipt_hash(receipt) not in published


def test_a_vote_without_a_choice_is_a_form_error(client, motion_ballot, margaret):
    client.force_login(margaret.user)
    response = _vote(client, motion_ballot)
    assert response.status_code == 200
    assert "Choose for, against or abstain." in response.content.decode()
    assert not Vote.objects.exists()


def test_a_vote_after_closing_is_refused_with_the_services_message(client, motion_ballot, margaret):
    _close(motion_ballot)
    client.force_login(margaret.user)
    response = _vote(client, motion_ballot, choice="for")
    assert response.status_code == 200
    assert "This ballot has closed: no more votes can be taken." in response.content.decode()
    assert not Vote.objects.exists()


# --- Elections --------------------------------------------------------------------------------------


def test_a_ranking_is_built_with_one_labelled_list_per_preference(client, staff, agm):
    workers = [MembershipFactory(member_class="worker", legal_name=n) for n in ("Anna", "Bilal", "Carol")]
    ballot, (anna, bilal, carol) = _election(staff, agm, workers)
    services.ballot_open(ballot=ballot, user=staff)
    client.force_login(workers[0].user)

    page = client.get(f"/ballots/{ballot.pk}/").content.decode()
    assert "I am Bilal from Todmorden." in page
    assert '<label for="id_rank_1">1st choice</label>' in page
    assert '<label for="id_rank_3">3rd choice</label>' in page
    assert "Rank the candidates</legend>" in page

    twice = _vote(client, ballot, rank_1=str(bilal.pk), rank_2=str(bilal.pk))
    assert twice.status_code == 200
    assert "Bilal is already your 1st choice: choose each candidate once." in twice.content.decode()
    assert not Vote.objects.exists()

    # A gap is closed up: what counts is the order.
    _receipt_from(client, _vote(client, ballot, rank_1=str(carol.pk), rank_3=str(anna.pk)))
    assert Vote.objects.get(ballot=ballot).ranking == [carol.pk, anna.pk]


def test_members_of_the_class_stand_and_withdraw_before_the_ballot_opens(client, staff, agm, tom, margaret):
    ballot = services.ballot_create(
        user=staff,
        title="Worker directors",
        meeting=agm,
        seat_class="workers",
        seats=1,
        opens_at=at(1, 9),
        closes_at=at(12, 16),
    )
    client.force_login(margaret.user)
    assert "Stand as a candidate" not in client.get(f"/ballots/{ballot.pk}/").content.decode()

    client.force_login(tom.user)
    assert "Stand as a candidate" in client.get(f"/ballots/{ballot.pk}/").content.decode()
    empty = client.post(f"/ballots/{ballot.pk}/", {"statement": ""})
    assert empty.status_code == 200
    assert "This field is required." in empty.content.decode()
    stood = client.post(f"/ballots/{ballot.pk}/", {"statement": "Twelve years a carer in Hebden Bridge."})
    assert stood.status_code == 302
    assert "Twelve years a carer" in client.get(f"/ballots/{ballot.pk}/").content.decode()

    client.post(f"/ballots/{ballot.pk}/withdraw/")
    assert ballot.candidates.get().withdrawn_at is not None


# --- Results, the CSV and receipts ------------------------------------------------------------------


def test_results_are_hidden_until_close_and_then_shown(client, motion_ballot, margaret, tom, priya, ian):
    for member, choice in [(margaret, "for"), (tom, "for"), (priya, "against"), (ian, "abstain")]:
        services.vote_cast(ballot=motion_ballot, user=member.user, choice=choice)
    client.force_login(margaret.user)

    hidden = client.get(f"/ballots/{motion_ballot.pk}/results/")
    body = hidden.content.decode()
    assert hidden.status_code == 200
    assert "Results are shown when the ballot closes at" in body
    assert "16:00 on Saturday 12 December 2026</time>" in body
    assert "PASSED" not in body
    assert "Turnout" not in body
    assert client.get(f"/ballots/{motion_ballot.pk}/results.csv").status_code == 404

    _close(motion_ballot)
    shown = client.get(f"/ballots/{motion_ballot.pk}/results/").content.decode()

    assert "4 of 4 eligible members voted (100.0%)" in shown
    assert "PASSED" in shown
    assert "NOT PASSED" not in shown
    assert "2 members voted for and 1 against." in shown
    assert "1 abstained, which is not a vote cast." in shown
    assert "66.66% of the votes cast were for and 33.33% against." in shown
    assert "Weighted by class" not in shown  # every vote cast weighed 1
    assert "Care or support worker" not in shown  # four voters are too few to show by class
    assert "To keep the ballot secret" in shown
    assert 'class="bar-chart" aria-hidden="true"' in shown
    assert "Not declared by the chair yet" in shown
    assert "Who voted how" not in shown  # secret


def test_results_say_the_members_count_and_then_what_the_weighting_made_of_it(
    client, staff, agm, margaret, tom, priya, ian
):
    # Investors hold at most 10% of the votes cast: Ian's vote weighs 1/3 beside three others.
    # (A named vote: a secret one this small shows no weights, decision 40.)
    ballot = open_motion_ballot(staff, agm, secret=False)
    for member, choice in [(margaret, "for"), (tom, "for"), (priya, "against"), (ian, "against")]:
        services.vote_cast(ballot=ballot, user=member.user, choice=choice)
    _close(ballot)
    client.force_login(margaret.user)

    shown = client.get(f"/ballots/{ballot.pk}/results/").content.decode()

    assert "2 members voted for and 2 against." in shown
    assert "Weighted by class of member, as the rules say, 60.00% of the votes cast were for" in shown
    assert "votes weigh 2 for and 1.3333 against." in shown


def test_the_chair_declares_and_a_member_cannot(client, motion_ballot, staff, margaret):
    _close(motion_ballot)
    client.force_login(margaret.user)
    assert client.post(f"/ballots/{motion_ballot.pk}/declare/").status_code == 403
    log_in_with_second_factor(client, staff)
    client.post(f"/ballots/{motion_ballot.pk}/declare/")
    motion_ballot.refresh_from_db()
    assert motion_ballot.declared_at is not None
    assert "Declared by the chair at" in client.get(f"/ballots/{motion_ballot.pk}/results/").content.decode()


def test_a_named_ballot_lists_who_voted_how(client, staff, agm, margaret, tom):
    ballot = open_motion_ballot(staff, agm, secret=False)
    services.vote_cast(ballot=ballot, user=margaret.user, choice="for")
    services.vote_cast(ballot=ballot, user=tom.user, choice="against")
    _close(ballot)
    client.force_login(margaret.user)
    page = client.get(f"/ballots/{ballot.pk}/results/").content.decode()
    assert "Who voted how" in page
    assert "Margaret Greenwood" in page
    assert "Tom Barker" in page


def test_the_results_csv_has_the_same_figures_and_no_formulas(client, staff, agm, margaret, tom):
    motion = board_motion(staff, agm, title='=HYPERLINK("http://x")')
    # Named, so that a class of one is shown (a secret ballot adds it up with others, decision 40).
    ballot = open_motion_ballot(staff, agm, motion=motion, secret=False)
    services.vote_cast(ballot=ballot, user=margaret.user, choice="for")
    services.vote_cast(ballot=ballot, user=tom.user, choice="against")
    _close(ballot)
    client.force_login(tom.user)

    response = client.get(f"/ballots/{ballot.pk}/results.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    table = {row[0]: row[1:] for row in rows if row}
    assert table["ballot"] == ['\'=HYPERLINK("http://x")']
    assert table["voted"] == ["2"]
    assert table["member_class"][:3] == ["class", "eligible", "for"]
    assert table["worker"][:5] == ["Care or support worker", "1", "0", "1", "0"]
    assert table["all"][:5] == ["All members", "2", "1", "1", "0"]
    assert table["result"] == ["not passed"]


def test_an_election_shows_the_quota_who_was_elected_and_each_stage(client, staff, agm):
    workers = [MembershipFactory(member_class="worker", legal_name=n) for n in ("Anna", "Bilal", "Carol")]
    voters = workers + [MembershipFactory(member_class="worker") for _ in range(4)]
    ballot, (anna, bilal, carol) = _election(staff, agm, workers)
    services.ballot_open(ballot=ballot, user=staff)
    # No ties, so no lot: Bilal (1) is excluded and his paper elects Anna (3 + 1 = the quota, 4).
    rankings = [[anna.pk]] * 3 + [[bilal.pk, anna.pk]] * 1 + [[carol.pk, bilal.pk]] * 3
    for member, ranking in zip(voters, rankings, strict=True):
        services.vote_cast(ballot=ballot, user=member.user, ranking=ranking)
    _close(ballot)
    client.force_login(workers[0].user)

    page = client.get(f"/ballots/{ballot.pk}/results/").content.decode()

    ballot.refresh_from_db()
    assert f"Quota: {ballot.result['quota']} votes" in page
    assert "<strong>Elected:</strong> Anna" in page
    assert "Stage 1" in page
    assert "Stage 2" in page
    assert "excluded" in page
    rows = list(csv.reader(io.StringIO(client.get(f"/ballots/{ballot.pk}/results.csv").content.decode())))
    assert ["elected", "Anna"] in rows


def test_a_members_motion_names_its_proposer_and_seconder_on_its_ballot(client, staff, agm, margaret, tom):
    motion = services.motion_propose(
        user=margaret.user, meeting=agm, title="Paid travel time", text="That travel time is paid."
    )
    services.motion_second(motion=motion, user=tom.user)
    ballot = open_motion_ballot(staff, agm, motion=motion)
    client.force_login(tom.user)
    page = client.get(f"/ballots/{ballot.pk}/").content.decode()
    assert "Proposed by Margaret Greenwood, seconded by Tom Barker." in page


def test_a_receipt_is_checked_against_the_published_list(client, motion_ballot, margaret, tom):
    receipt = services.vote_cast(ballot=motion_ballot, user=margaret.user, choice="for")
    services.vote_cast(ballot=motion_ballot, user=tom.user, choice="against")
    client.force_login(margaret.user)
    before = client.get(f"/ballots/{motion_ballot.pk}/receipts/")
    assert before.status_code == 200
    assert "The receipts are published when the ballot closes" in before.content.decode()
    _close(motion_ballot)

    listed = client.get(f"/ballots/{motion_ballot.pk}/receipts/").content.decode()
    assert receipt_hash(receipt) in listed
    assert "SHA-256 of “receipt:”" in listed
    empty = client.post(f"/ballots/{motion_ballot.pk}/receipts/", {"receipt": ""}).content.decode()
    assert "Type the receipt you were given when you voted." in empty

    found = client.post(f"/ballots/{motion_ballot.pk}/receipts/", {"receipt": receipt}).content.decode()
    mine = receipt_hash(receipt)
    assert "Your vote was counted." in found
    assert f'id="receipt-{mine}"><code><mark>{mine}</mark>' in found
    assert found.count("<mark>") == 1

    missing = client.post(f"/ballots/{motion_ballot.pk}/receipts/", {"receipt": "AAAA-BBBB-CCCC-DDDD-EEEE"})
    assert "No counted vote has this receipt." in missing.content.decode()
    assert "<mark>" not in missing.content.decode()


# --- Proxies ---------------------------------------------------------------------------------------


def test_a_member_appoints_and_cancels_a_proxy(client, agm, margaret, tom):
    client.force_login(margaret.user)
    choose = client.get("/proxies/").content.decode()
    assert "Nobody may hold more than 5 proxies." in choose
    assert "your proxy cannot vote for you on that ballot" in choose
    assert f"/proxies/?meeting={agm.pk}" in choose

    form = client.get(f"/proxies/?meeting={agm.pk}").content.decode()
    assert f'<option value="{tom.number}">Tom Barker (member {tom.number})</option>' in form
    assert f'value="{margaret.number}"' not in form  # not oneself
    assert 'name="instruction"' not in form  # for, against or abstain is given per ballot

    response = client.post(
        f"/proxies/?meeting={agm.pk}", {"holder": str(tom.number), "instructions_text": "Back the accounts."}
    )
    assert response.status_code == 302
    proxy = Proxy.objects.get(appointer=margaret, revoked_at__isnull=True)
    assert (proxy.holder, proxy.meeting, proxy.instructions_text) == (tom, agm, "Back the accounts.")
    ballot = open_motion_ballot(agm.called_by, agm)
    assert (
        "You have appointed Tom Barker as your proxy."
        in client.get(f"/ballots/{ballot.pk}/").content.decode()
    )
    listed = client.get("/proxies/").content.decode()
    assert "Tom Barker" in listed
    assert "Back the accounts." in listed

    client.post(f"/proxies/{proxy.pk}/cancel/")
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None


def test_the_proxy_holder_sees_whose_proxies_they_hold(client, staff, agm, margaret, tom, priya):
    ballot = open_motion_ballot(staff, agm)
    services.proxy_appoint(
        user=margaret.user, holder=tom, meeting=agm, instructions_text="Back the accounts."
    )
    services.proxy_appoint(user=priya.user, holder=tom, ballot=ballot, instruction="for")
    client.force_login(tom.user)

    page = client.get("/proxies/").content.decode()
    held = page[page.index("Proxies you hold") : page.index("Appoint a proxy")]
    assert "<strong>Margaret Greenwood</strong>" in held
    assert f'for every vote at <a href="/meetings/{agm.pk}/">Annual General Meeting 2026</a>' in held
    assert "Instructions: “Back the accounts.”" in held
    assert "as they think best" not in held  # she wrote instructions
    assert "<strong>Priya Shah</strong>" in held
    assert f'for the ballot <a href="/ballots/{ballot.pk}/">“Adopt the accounts”</a>' in held
    assert "Instruction: Vote for." in held

    meeting = client.get(f"/meetings/{agm.pk}/").content.decode()
    assert "Proxies you hold" in meeting
    assert "<strong>Margaret Greenwood</strong> for every vote at this meeting" in meeting

    client.force_login(margaret.user)
    assert "Nobody has appointed you as their proxy." in client.get("/proxies/").content.decode()
    assert "Proxies you hold" not in client.get(f"/meetings/{agm.pk}/").content.decode()


def test_a_member_who_voted_themselves_is_not_offered_to_their_proxy(
    client, staff, agm, margaret, tom, priya
):
    ballot = open_motion_ballot(staff, agm)
    services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    services.proxy_appoint(user=priya.user, holder=tom, meeting=agm)
    services.vote_cast(ballot=ballot, user=margaret.user, choice="for")
    client.force_login(tom.user)

    page = client.get(f"/ballots/{ballot.pk}/").content.decode()

    assert "Margaret Greenwood's proxy" in page
    assert "they have voted themselves, so you cannot vote for them" in page
    assert f'value="{margaret.number}"' not in page  # not a choice on the form
    assert f'value="{priya.number}"' in page
    refused = _vote(client, ballot, for_member=str(margaret.number), choice="against")
    assert refused.status_code == 200
    assert "You can no longer vote for this member: they have voted themselves" in refused.content.decode()
    assert list(Vote.objects.filter(ballot=ballot).values_list("choice", flat=True)) == ["for"]


def test_a_vote_for_a_proxy_no_longer_held_is_not_counted_as_the_holders_own(
    client, staff, agm, margaret, tom
):
    ballot = open_motion_ballot(staff, agm)
    proxy = services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    client.force_login(tom.user)
    assert f'value="{margaret.number}"' in client.get(f"/ballots/{ballot.pk}/").content.decode()
    services.proxy_revoke(proxy=proxy, user=margaret.user)  # while Tom's page is open

    stale = _vote(client, ballot, for_member=str(margaret.number), choice="against")

    assert stale.status_code == 200
    assert "You can no longer vote for this member" in stale.content.decode()
    assert not Vote.objects.exists()
    assert not Participation.objects.exists()


def test_a_proxy_is_reminded_of_the_votes_they_still_owe(client, staff, agm, margaret, tom, priya):
    ballot = open_motion_ballot(staff, agm)
    services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm, instructions_text="Back it.")
    client.force_login(tom.user)

    account = client.get("/today/").content.decode()
    assert "Adopt the accounts</a>: your own vote, and as proxy for Margaret Greenwood" in account

    _page, _receipt = _receipt_from(client, _vote(client, ballot, for_member="me", choice="for"))
    voted = _page.content.decode()
    still = voted[voted.index("Still to vote on this ballot") :]
    assert "Margaret Greenwood, as their proxy" in still
    assert "Your own vote" not in still
    form = client.get(f"/ballots/{ballot.pk}/").content.decode()
    # The form now starts at Margaret's vote, the one still to cast.
    assert re.search(rf'value="{margaret.number}"[^>]*checked', form)
    assert "(no vote cast for them yet)" in form
    assert "as proxy for Margaret Greenwood" in client.get("/today/").content.decode()

    _receipt_from(client, _vote(client, ballot, for_member=str(margaret.number), choice="for"))
    assert "waiting for your vote" not in client.get("/today/").content.decode()


def test_a_member_whose_proxy_has_voted_is_told_who_and_not_offered_a_vote(client, staff, agm, margaret, tom):
    ballot = open_motion_ballot(staff, agm)
    services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    services.vote_cast(ballot=ballot, user=tom.user, choice="for", for_member=margaret)
    client.force_login(margaret.user)

    page = client.get(f"/ballots/{ballot.pk}/").content.decode()

    assert "Tom Barker has voted for you, as your proxy." in page
    assert "That vote stands: you cannot vote yourself on this ballot." in page
    assert 'name="choice"' not in page
    assert "Your proxy has voted for you" in client.get("/ballots/").content.decode()
    assert "waiting for your vote" not in client.get("/today/").content.decode()


def test_a_proxy_is_not_offered_a_member_who_has_no_vote_in_an_election(client, staff, agm, margaret, tom):
    anna = MembershipFactory(member_class="worker", legal_name="Anna")
    election, _candidates = _election(staff, agm, [anna])
    services.ballot_open(ballot=election, user=staff, now=NOW)
    services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)  # Margaret gets support
    client.force_login(tom.user)
    page = client.get(f"/ballots/{election.pk}/").content.decode()
    assert "Margaret Greenwood" not in page
    assert 'name="for_member"' not in page
    assert "1 seat to fill." in page
    client.force_login(margaret.user)
    mine = client.get(f"/ballots/{election.pk}/").content.decode()
    assert "This election fills the seats for" in mine
    assert "only those members vote in it" in mine
    assert "your proxy cannot vote for you" not in mine


def test_appointing_nobody_is_a_form_error(client, agm, margaret):
    client.force_login(margaret.user)
    response = client.post(f"/proxies/?meeting={agm.pk}", {"holder": ""})
    assert response.status_code == 200
    assert "Choose a member, or the chair." in response.content.decode()
    assert not Proxy.objects.exists()


def test_someone_else_cannot_cancel_a_proxy(client, agm, margaret, tom):
    proxy = services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    client.force_login(tom.user)
    assert client.post(f"/proxies/{proxy.pk}/cancel/").status_code == 404
    proxy.refresh_from_db()
    assert proxy.revoked_at is None


def test_a_proxy_votes_for_the_member_who_appointed_them(client, staff, agm, margaret, tom):
    ballot = open_motion_ballot(staff, agm)
    client.force_login(margaret.user)
    client.post(f"/proxies/?ballot={ballot.pk}", {"holder": str(tom.number), "instruction": "against"})
    client.force_login(tom.user)

    page = client.get(f"/ballots/{ballot.pk}/").content.decode()
    assert "Voting for</legend>" in page
    assert "Margaret Greenwood (instructed: Vote against; no vote cast for them yet)" in page

    refused = _vote(client, ballot, for_member=str(margaret.number), choice="for")
    assert "Margaret Greenwood instructed you to vote “Vote against”." in refused.content.decode()
    assert not Vote.objects.exists()

    voted, _receipt = _receipt_from(
        client, _vote(client, ballot, for_member=str(margaret.number), choice="against")
    )
    assert "You voted for Margaret Greenwood, as their proxy." in voted.content.decode()
    assert f"carecoop-receipt:{ballot.pk}:{margaret.number}" in voted.content.decode()
    participation = Participation.objects.get(ballot=ballot, membership=margaret)
    assert participation.cast_by == tom.user
    assert participation.proxy is not None
    # Tom still votes for himself.
    _receipt_from(client, _vote(client, ballot, for_member="me", choice="for"))
    assert sorted(Vote.objects.filter(ballot=ballot).values_list("choice", flat=True)) == ["against", "for"]


# --- Who may open the pages -------------------------------------------------------------------------


def test_the_staff_page_is_refused_to_all_but_staff_and_members_pages_hidden_from_others(
    client, motion_ballot, agm, margaret
):
    motion = board_motion(motion_ballot.created_by, agm, title="Change the rules on proxies")
    client.force_login(margaret.user)
    assert client.get("/ballots/new/").status_code == 403
    assert client.get(f"/ballots/new/?motion={motion.pk}").status_code == 403
    assert client.post(f"/ballots/new/?motion={motion.pk}", {"title": "x"}).status_code == 403
    assert client.post(f"/ballots/{motion_ballot.pk}/close/").status_code == 403
    motion_ballot.refresh_from_db()
    assert motion_ballot.status == Ballot.Status.OPEN

    client.force_login(UserFactory(email="visitor@example.org"))  # not a member
    for path in ["/ballots/", f"/ballots/{motion_ballot.pk}/", "/proxies/"]:
        assert client.get(path).status_code == 404, path
    assert client.get("/ballots/new/").status_code == 403  # a staff page, for them as for anyone
    client.logout()
    assert client.get("/ballots/")["Location"].startswith("/accounts/login/")


def test_staff_set_up_a_motion_ballot_and_an_election(client, staff, agm):
    motion = board_motion(staff, agm)
    log_in_with_second_factor(client, staff)
    choose = client.get("/ballots/new/").content.decode()
    assert f"?motion={motion.pk}" in choose
    assert f"?meeting={agm.pk}" in choose

    form = client.get(f"/ballots/new/?motion={motion.pk}")
    assert form.context["form"].initial["title"] == "Adopt the accounts"
    # Online, from the next hour until the meeting starts (it is 10:00 on 23 November).
    prefilled = form.content.decode()
    assert 'name="opens_at" value="2026-11-23T11:00"' in prefilled
    assert 'name="closes_at" value="2026-12-12T14:00"' in prefilled
    assert re.search(r'value="online"[^>]*checked', prefilled)
    bad = client.post(
        f"/ballots/new/?motion={motion.pk}",
        {
            "title": "Adopt the accounts",
            "opens_at": "2026-12-12T16:00",
            "closes_at": "2026-12-12T14:00",
            "method": "at_meeting",
            "secret": "on",
        },
    )
    assert "The ballot must close after it opens." in bad.content.decode()
    assert bad.content.decode().count("The ballot must close after it opens.") == 2  # summary, field
    made = client.post(
        f"/ballots/new/?motion={motion.pk}",
        {
            "title": "Adopt the accounts",
            "opens_at": "2026-12-12T14:00",
            "closes_at": "2026-12-12T16:00",
            "method": "at_meeting",
            "secret": "on",
        },
    )
    ballot = Ballot.objects.get(motion=motion)
    assert made["Location"] == f"/ballots/{ballot.pk}/"
    assert (ballot.method, ballot.secret, ballot.changes_allowed) == ("at_meeting", True, False)
    assert ballot.opens_at == at(12, 14)

    client.post(
        f"/ballots/new/?meeting={agm.pk}",
        {
            "title": "Investor director",
            "seat_class": "investors",
            "seats": "1",
            "opens_at": "2026-12-01T09:00",
            "closes_at": "2026-12-11T17:00",
            "method": "online",
            "secret": "on",
            "changes_allowed": "on",
        },
    )
    election = Ballot.objects.get(kind="election")
    assert (election.seat_class, election.seats, election.meeting) == ("investors", 1, agm)


def test_staff_open_and_close_a_vote_at_the_meeting(client, staff, agm, margaret, time_machine):
    motion = board_motion(staff, agm)
    ballot = services.ballot_create(
        user=staff,
        title=motion.title,
        motion=motion,
        opens_at=at(12, 14),
        closes_at=at(12, 16),
        method="at_meeting",
    )
    online = services.ballot_create(
        user=staff,
        title="Elect the auditors",
        meeting=agm,
        opens_at=at(13, 9),
        closes_at=at(14, 9),
        motion=board_motion(staff, agm, title="Elect the auditors"),
    )
    log_in_with_second_factor(client, staff)
    before = client.get(f"/ballots/{ballot.pk}/").content.decode()
    assert "Open the vote now" not in before  # the meeting is not on yet
    assert "A vote at the meeting is opened here while the meeting is on" in before
    not_due = client.get(f"/ballots/{online.pk}/").content.decode()
    assert "Open the ballot now" not in not_due
    assert "An online ballot opens by itself at its opening time." in not_due

    time_machine.move_to(at(12, 14, 30), tick=False)
    log_in_with_second_factor(client, staff)  # after the move: the old session has expired
    services.attendance_mark(meeting=agm, membership=margaret, user=staff)
    assert "Open the vote now" in client.get(f"/ballots/{ballot.pk}/").content.decode()
    client.post(f"/ballots/{ballot.pk}/open/")
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.OPEN
    page = client.get(f"/ballots/{ballot.pk}/").content.decode()
    assert "Close the ballot and count" in page
    closed = client.post(f"/ballots/{ballot.pk}/close/")
    assert closed["Location"] == f"/ballots/{ballot.pk}/results/"
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.CLOSED


# --- Query counts -----------------------------------------------------------------------------------


def test_the_ballots_list_asks_the_same_number_of_queries_as_ballots_grow(
    client, staff, agm, margaret, django_assert_max_num_queries
):
    client.force_login(margaret.user)
    open_motion_ballot(staff, agm)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/ballots/").status_code == 200
    for n in range(6):
        ballot = open_motion_ballot(staff, agm, motion=board_motion(staff, agm, title=f"Motion {n}"))
        if n % 2:
            _close(ballot)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/ballots/")
    assert response.content.decode().count("ballot-list__item") == 7


@pytest.mark.parametrize("secret", [True, False])
def test_an_election_page_asks_the_same_number_of_queries_for_3_or_12_candidates(
    client, staff, agm, secret, django_assert_max_num_queries
):
    def page_for(count):
        workers = [MembershipFactory(member_class="worker") for _ in range(count)]
        ballot, _candidates = _election(staff, agm, workers, secret=secret)
        ballot = services.ballot_open(ballot=ballot, user=staff)
        services.vote_cast(ballot=ballot, user=workers[0].user, ranking=[_candidates[0].pk])
        client.force_login(workers[0].user)
        return ballot

    small = page_for(3)
    with django_assert_max_num_queries(25) as few:
        assert client.get(f"/ballots/{small.pk}/").status_code == 200
    big = page_for(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/ballots/{big.pk}/")
    assert "12th choice" in response.content.decode()

    _close(small)
    _close(big)
    with django_assert_max_num_queries(15) as few_results:
        assert client.get(f"/ballots/{small.pk}/results/").status_code == 200
    with django_assert_max_num_queries(len(few_results.captured_queries)):
        assert client.get(f"/ballots/{big.pk}/results/").status_code == 200


def test_a_motion_results_page_asks_the_same_number_of_queries_as_votes_grow(
    client, staff, agm, margaret, django_assert_max_num_queries
):
    small = open_motion_ballot(staff, agm, secret=False)
    services.vote_cast(ballot=small, user=margaret.user, choice="for")
    _close(small)
    client.force_login(margaret.user)
    with django_assert_max_num_queries(15) as few:
        assert client.get(f"/ballots/{small.pk}/results/").status_code == 200
    voters = [MembershipFactory(member_class=c) for c in ["receiver", "worker", "advocate", "investor"] * 3]
    big = open_motion_ballot(staff, agm, secret=False, motion=board_motion(staff, agm, title="Second"))
    for member in voters:
        services.vote_cast(ballot=big, user=member.user, choice="against")
    _close(big)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/ballots/{big.pk}/results/")
    assert response.content.decode().count('<th scope="row">') >= 12
