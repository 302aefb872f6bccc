"""The governance API: the HTTP mapping of the meeting, motion, ballot and proxy services, who may
do what, and bad input answered with a 4xx that changes nothing."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from knox.models import AuthToken

from governance import selectors, services
from governance.models import Attendance, Ballot, Meeting, MeetingNotice, Motion, Participation, Proxy, Vote
from governance.receipts import receipt_hash
from tests.clock import NOW
from tests.factories import MembershipFactory
from tests.governance.conftest import at, board_motion, call_agm, open_motion_ballot

pytestmark = pytest.mark.usefixtures("now")

MEETINGS, MOTIONS, BALLOTS, PROXIES = (
    "/api/v1/meetings/",
    "/api/v1/motions/",
    "/api/v1/ballots/",
    "/api/v1/proxies/",
)
RECEIPT = re.compile(r"^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$")


def as_user(api_client, user):
    api_client.force_authenticate(getattr(user, "user", user))
    return api_client


def post(api_client, path, body=None):
    return api_client.post(path, body or {}, format="json")


def vote(api_client, who, ballot, **body):
    return post(as_user(api_client, who), f"{BALLOTS}{ballot.pk}/votes/", body)


def close(ballot):
    return services.ballot_close(ballot=ballot, now=ballot.closes_at + datetime.timedelta(seconds=1))


def meeting_body(**change):
    return {
        "kind": "general",
        "title": "Special General Meeting",
        "format": "in_person",
        "starts_at": "2027-01-14T18:30",
        "ends_at": "2027-01-14T20:30",
        "place": "Hebden Bridge Town Hall",
        "agenda": "1. Changes to the rules",
        **change,
    }


# --- Meetings -----------------------------------------------------------------------------------


def test_staff_call_a_meeting_and_every_member_is_given_notice(api_client, staff, margaret, tom):
    response = post(as_user(api_client, staff), MEETINGS, meeting_body())

    assert response.status_code == 201, response.json()
    body = response.json()
    meeting = Meeting.objects.get()
    assert body["id"] == meeting.pk
    assert (body["kind"], body["title"], body["format"]) == (
        "general",
        "Special General Meeting",
        "in_person",
    )
    assert body["starts_at"] == "2027-01-14T18:30:00Z"  # London is on GMT in January
    assert (body["chair"], body["minutes"], body["ballot_count"]) == (None, None, 0)
    assert meeting.called_by == staff
    assert set(MeetingNotice.objects.filter(meeting=meeting).values_list("membership", flat=True)) == {
        margaret.pk,
        tom.pk,
    }


def test_a_meeting_with_too_little_notice_is_a_400_on_its_start(api_client, staff, margaret):
    response = post(
        as_user(api_client, staff),
        MEETINGS,
        meeting_body(starts_at="2026-11-30T18:30", ends_at="2026-11-30T20:30"),
    )

    assert response.status_code == 400
    assert response.json()["code"] == "notice_too_short"
    assert "clear days" in response.json()["starts_at"][0]
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"agenda": None}, "agenda"),
        ({"kind": "annual"}, "kind"),
        ({"starts_at": "next thursday"}, "starts_at"),
        ({"starts_at": "0001-01-01T00:00", "ends_at": "0001-01-01T02:00"}, "starts_at"),
        ({"starts_at": "9999-12-31T21:00", "ends_at": "9999-12-31T23:00"}, "starts_at"),
        ({"ends_at": "2027-01-14T17:00"}, "ends_at"),
        ({"place": ""}, "place"),
        ({"online_link": "not a link"}, "online_link"),
        ({"requisition": "first"}, "requisition"),
        ({"requisition": 999_999}, "requisition"),
        ({"requisition": 10**20}, "requisition"),
    ],
)
def test_bad_meeting_input_is_a_400_naming_the_field(api_client, staff, change, field):
    body = meeting_body(**change)
    body = {name: value for name, value in body.items() if value is not None}

    response = post(as_user(api_client, staff), MEETINGS, body)

    assert response.status_code == 400, response.json()
    assert response.json()["detail"]
    assert response.json()["code"]
    assert field in response.json(), response.json()
    assert not Meeting.objects.exists()


def test_members_see_meetings_to_come_and_meetings_held(api_client, staff, margaret, agm):
    held = call_agm(
        staff,
        title="Annual General Meeting 2025",
        starts=at(10, 14, month=10),
        now=NOW - datetime.timedelta(days=60),
    )
    services.minutes_save(meeting=held, text="The accounts were adopted.", user=staff, now=NOW)
    client = as_user(api_client, margaret)

    def titles(**params):
        response = client.get(MEETINGS, params)
        assert response.status_code == 200, response.json()
        return [meeting["title"] for meeting in response.json()["results"]]

    assert titles() == [agm.title, held.title]
    assert titles(when="upcoming") == [agm.title]
    assert titles(when="past") == [held.title]
    assert client.get(MEETINGS).json()["count"] == 2
    assert client.get(MEETINGS, {"when": "someday"}).status_code == 400
    minutes = client.get(f"{MEETINGS}{held.pk}/").json()["minutes"]
    assert (minutes["text"], minutes["approved"]) == ("The accounts were adopted.", False)

    response = client.get(f"{MEETINGS}{agm.pk}/")

    assert response.status_code == 200
    assert response.json()["agenda"] == agm.agenda
    assert response.json()["online_link"] == "https://meet.example.org/calder-agm"


# --- Attendance and quorum ----------------------------------------------------------------------


def test_members_check_in_and_staff_see_the_register_and_the_quorum(
    api_client, time_machine, staff, margaret, tom, agm
):
    attendance = f"{MEETINGS}{agm.pk}/attendance/"
    early = post(as_user(api_client, margaret), attendance)
    assert (early.status_code, early.json()["code"]) == (400, "not_in_session")
    time_machine.move_to(at(12, 13, 45), tick=False)

    response = post(as_user(api_client, margaret), attendance)

    assert response.status_code == 201, response.json()
    assert response.json()["member"] == {"number": margaret.number, "name": "Margaret Greenwood"}
    assert response.json()["how"] == "online"
    seen_by_margaret = as_user(api_client, margaret).get(attendance).json()
    assert seen_by_margaret["checked_in"] is True
    assert seen_by_margaret["register"] is None
    assert seen_by_margaret["quorum"]["present"] == 1
    assert as_user(api_client, tom).get(attendance).json()["checked_in"] is False

    response = post(as_user(api_client, staff), attendance, {"member_number": tom.number})

    assert response.status_code == 201, response.json()
    assert response.json()["how"] == "in_room"
    body = as_user(api_client, staff).get(attendance).json()
    assert [(row["member"]["number"], row["how"]) for row in body["register"]] == [
        (margaret.number, "online"),
        (tom.number, "in_room"),
    ]
    assert body["quorum"] == {
        "members": 2,
        "needed": 1,
        "present": 2,
        "by_proxy": 0,
        "counts_proxies": True,
        "counted": 2,
        "met": True,
    }
    assert body["checked_in"] is None  # the secretary is staff, not a member
    assert Attendance.objects.filter(meeting=agm).count() == 2


def test_only_staff_mark_others_present_and_a_number_that_is_no_member_is_a_field_error(
    api_client, time_machine, staff, margaret, tom, agm
):
    attendance = f"{MEETINGS}{agm.pk}/attendance/"
    time_machine.move_to(at(12, 14), tick=False)

    response = post(as_user(api_client, margaret), attendance, {"member_number": tom.number})

    assert (response.status_code, response.json()["code"]) == (403, "staff_only")
    response = post(as_user(api_client, staff), attendance, {"member_number": 999_999})
    assert (response.status_code, response.json()["code"]) == (400, "unknown_member")
    assert "member_number" in response.json()
    response = post(as_user(api_client, staff), attendance, {"member_number": "Tom"})
    assert response.status_code == 400
    assert "member_number" in response.json()
    assert not Attendance.objects.exists()


# --- Motions ------------------------------------------------------------------------------------


def test_a_member_proposes_a_motion_and_another_seconds_it(api_client, margaret, tom, agm):
    response = post(
        as_user(api_client, margaret),
        MOTIONS,
        {"meeting": agm.pk, "title": "Pay the living wage", "text": "That every worker is paid at least…"},
    )

    assert response.status_code == 201, response.json()
    motion = response.json()
    assert motion["status"] == "awaiting_seconder"
    assert motion["proposer"] == {"number": margaret.number, "name": "Margaret Greenwood"}
    assert (motion["majority"], motion["by_board"], motion["seconder"]) == ("ordinary", False, None)
    assert [v["number"] for v in motion["versions"]] == [1]

    own = post(as_user(api_client, margaret), f"{MOTIONS}{motion['id']}/second/")
    assert (own.status_code, own.json()["code"]) == (400, "own_motion")

    response = post(as_user(api_client, tom), f"{MOTIONS}{motion['id']}/second/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "tabled"
    assert response.json()["seconder"]["number"] == tom.number
    assert Motion.objects.get(pk=motion["id"]).seconder == tom
    again = post(as_user(api_client, tom), f"{MOTIONS}{motion['id']}/second/")
    assert (again.status_code, again.json()["code"]) == (409, "not_awaiting_seconder")


def test_a_motion_shows_every_version_of_its_text_and_the_list_filters_by_meeting(
    api_client, staff, margaret, agm
):
    other = call_agm(staff, title="Special General Meeting", starts=at(15, 18))
    motion = services.motion_propose(user=margaret.user, meeting=agm, title="Rates", text="First words.")
    services.motion_revise(motion=motion, text="Better words.", user=margaret.user, note="clearer")
    board_motion(staff, other)
    client = as_user(api_client, margaret)

    response = client.get(f"{MOTIONS}{motion.pk}/")

    assert response.status_code == 200
    assert response.json()["text"] == "Better words."
    assert [(v["number"], v["text"], v["note"]) for v in response.json()["versions"]] == [
        (1, "First words.", ""),
        (2, "Better words.", "clearer"),
    ]
    assert client.get(MOTIONS).json()["count"] == 2
    assert [m["id"] for m in client.get(MOTIONS, {"meeting": agm.pk}).json()["results"]] == [motion.pk]
    bad = client.get(MOTIONS, {"meeting": "the agm"})
    assert bad.status_code == 400
    assert "meeting" in bad.json()


def test_only_staff_put_a_motion_from_the_board_and_amendments_name_their_motion(
    api_client, staff, margaret, agm
):
    body = {"meeting": agm.pk, "title": "Adopt the accounts", "text": "That the accounts be adopted."}

    refused = post(as_user(api_client, margaret), MOTIONS, {**body, "by_board": True})
    assert (refused.status_code, refused.json()["code"]) == (403, "staff_only")

    response = post(as_user(api_client, staff), MOTIONS, {**body, "by_board": True, "majority": "special"})

    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["proposer"]) == ("tabled", None)
    motion_id = response.json()["id"]
    amendment = post(
        as_user(api_client, margaret),
        MOTIONS,
        {**body, "title": "Amendment", "text": "That the accounts be received.", "amends": motion_id},
    )
    assert amendment.status_code == 201, amendment.json()
    assert (amendment.json()["amends"], amendment.json()["majority"]) == (motion_id, "ordinary")
    unknown = post(as_user(api_client, margaret), MOTIONS, {**body, "amends": 999_999})
    assert (unknown.status_code, "amends" in unknown.json()) == (400, True)
    assert Motion.objects.count() == 2


# --- Ballots ------------------------------------------------------------------------------------


def test_a_ballot_says_where_the_member_stands(api_client, motion_ballot, margaret):
    client = as_user(api_client, margaret)

    response = client.get(f"{BALLOTS}{motion_ballot.pk}/")

    assert response.status_code == 200
    ballot = response.json()
    assert ballot["title"] == "Adopt the accounts"
    assert (ballot["kind"], ballot["method"], ballot["status"]) == ("motion", "online", "open")
    assert (ballot["secret"], ballot["changes_allowed"]) == (True, True)
    assert ballot["closes_at"] == "2026-12-12T16:00:00Z"
    assert ballot["candidates"] == []
    assert ballot["you"] == {"eligible": True, "voted": False, "voted_by_proxy": False, "proxies_for": []}
    assert vote(api_client, margaret, motion_ballot, choice="for").status_code == 201
    assert client.get(BALLOTS).json()["results"][0]["you"]["voted"] is True


def _workers_election(staff, tom, *, secret=True):
    """An open election for a workers' seat, with Tom and Asha Begum standing."""
    rival = MembershipFactory(member_class="worker", legal_name="Asha Begum")
    ballot = services.ballot_create(
        user=staff,
        title="Board: workers' seat",
        seat_class="workers",
        seats=1,
        opens_at=NOW,
        closes_at=at(1, 12),
        secret=secret,
    )
    tom_standing = services.candidate_stand(ballot=ballot, user=tom.user, statement="Rotas that work.")
    asha_standing = services.candidate_stand(ballot=ballot, user=rival.user, statement="Fair pay.")
    services.ballot_open(ballot=ballot, user=staff, now=NOW)
    return ballot, rival, tom_standing, asha_standing


def test_an_election_lists_its_candidates_with_their_statements_and_takes_rankings(
    api_client, staff, tom, margaret
):
    ballot, rival, tom_standing, asha_standing = _workers_election(staff, tom)

    response = as_user(api_client, tom).get(f"{BALLOTS}{ballot.pk}/")

    assert response.status_code == 200
    assert response.json()["kind"] == "election"
    assert response.json()["candidates"] == [
        {
            "id": tom_standing.pk,
            "member": {"number": tom.number, "name": "Tom Barker"},
            "statement": "Rotas that work.",
        },
        {
            "id": asha_standing.pk,
            "member": {"number": rival.number, "name": "Asha Begum"},
            "statement": "Fair pay.",
        },
    ]
    twice = vote(api_client, tom, ballot, ranking=[tom_standing.pk, tom_standing.pk])
    assert (twice.status_code, twice.json()["code"]) == (400, "invalid_ranking")
    assert "ranking" in twice.json()
    assert vote(api_client, tom, ballot, ranking=[tom_standing.pk, asha_standing.pk]).status_code == 201
    assert list(Vote.objects.filter(ballot=ballot).values_list("ranking", flat=True)) == [
        [tom_standing.pk, asha_standing.pk]
    ]
    # The election is for workers' seats: Margaret gets support, so it is not hers to vote on.
    assert vote(api_client, margaret, ballot, ranking=[tom_standing.pk]).json()["code"] == "not_eligible"


def test_staff_set_up_a_ballot_and_members_may_not(api_client, staff, margaret, agm):
    motion = board_motion(staff, agm)
    body = {
        "title": "Adopt the accounts",
        "motion": motion.pk,
        "opens_at": "2026-12-01T09:00",
        "closes_at": "2026-12-12T16:00",
    }

    refused = post(as_user(api_client, margaret), BALLOTS, body)
    assert (refused.status_code, refused.json()["code"]) == (403, "staff_only")
    assert not Ballot.objects.exists()

    response = post(as_user(api_client, staff), BALLOTS, {**body, "changes_allowed": False})

    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["kind"]) == ("draft", "motion")
    assert (response.json()["motion"], response.json()["meeting"]) == (motion.pk, agm.pk)
    ballot = Ballot.objects.get()
    assert (ballot.changes_allowed, ballot.created_by) == (False, staff)
    again = post(as_user(api_client, staff), BALLOTS, body)
    assert (again.status_code, again.json()["code"]) == (409, "motion_has_ballot")
    for change, field in [
        ({"closes_at": "2026-11-30T09:00"}, "closes_at"),
        ({"opens_at": "0001-01-01T00:00"}, "opens_at"),
        ({"motion": "accounts"}, "motion"),
        ({"motion": None, "seat_class": "workers", "seats": 9}, "seats"),
        ({"motion": None, "seat_class": "everyone", "seats": 1}, "seat_class"),
    ]:
        bad = post(as_user(api_client, staff), BALLOTS, {**body, **change})
        assert bad.status_code == 400, (change, bad.json())
        assert field in bad.json(), (change, bad.json())
    assert Ballot.objects.count() == 1


# --- Votes --------------------------------------------------------------------------------------


def test_a_member_votes_and_changes_their_secret_vote_with_the_receipt(api_client, motion_ballot, margaret):
    response = vote(api_client, margaret, motion_ballot, choice="for")

    assert response.status_code == 201, response.json()
    receipt = response.json()["receipt"]
    assert RECEIPT.match(receipt)
    assert Participation.objects.filter(ballot=motion_ballot, membership=margaret).exists()
    no_receipt = vote(api_client, margaret, motion_ballot, choice="against")
    assert (no_receipt.status_code, no_receipt.json()["code"]) == (400, "receipt_needed")
    assert "receipt" in no_receipt.json()

    changed = vote(api_client, margaret, motion_ballot, choice="against", receipt=receipt)

    assert changed.status_code == 201, changed.json()
    assert changed.json()["receipt"] != receipt
    assert list(Vote.objects.filter(ballot=motion_ballot).values_list("choice", flat=True)) == ["against"]


def test_a_second_vote_where_changes_are_forbidden_is_a_409_already_voted(api_client, staff, agm, margaret):
    ballot = open_motion_ballot(staff, agm, changes_allowed=False)
    receipt = vote(api_client, margaret, ballot, choice="for").json()["receipt"]

    response = vote(api_client, margaret, ballot, choice="against", receipt=receipt)

    assert response.status_code == 409
    assert response.json()["code"] == "already_voted"
    assert list(Vote.objects.filter(ballot=ballot).values_list("choice", flat=True)) == ["for"]


def test_a_vote_after_the_ballot_closes_is_a_409_ballot_closed(
    api_client, time_machine, motion_ballot, margaret
):
    time_machine.move_to(motion_ballot.closes_at, tick=False)

    response = vote(api_client, margaret, motion_ballot, choice="for")

    assert (response.status_code, response.json()["code"]) == (409, "ballot_closed")
    close(motion_ballot)
    assert vote(api_client, margaret, motion_ballot, choice="for").json()["code"] == "ballot_closed"
    assert not Vote.objects.filter(ballot=motion_ballot).exists()


def test_a_member_admitted_after_the_ballot_opened_is_not_eligible(api_client, motion_ballot):
    joined_later = MembershipFactory(date_admitted=datetime.date(2026, 11, 23))

    response = vote(api_client, joined_later, motion_ballot, choice="for")

    assert (response.status_code, response.json()["code"]) == (403, "not_eligible")
    assert (
        as_user(api_client, joined_later).get(f"{BALLOTS}{motion_ballot.pk}/").json()["you"]["eligible"]
        is False
    )
    assert not Participation.objects.filter(ballot=motion_ballot).exists()


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"choice": "maybe"}, "choice", "invalid_choice"),
        ({}, "choice", "invalid_choice"),
        ({"choice": ["for"]}, "choice", "invalid"),
        ({"choice": "for", "ranking": "first"}, "ranking", "invalid"),
        ({"choice": "for", "on_behalf_of": 999_999}, "on_behalf_of", "unknown_member"),
        ({"choice": "for", "on_behalf_of": "Margaret"}, "on_behalf_of", "invalid"),
        ({"choice": "for", "on_behalf_of": 10**20}, "on_behalf_of", "invalid"),
        ({"choice": "for", "receipt": "X" * 100}, "receipt", "invalid"),
    ],
)
def test_bad_vote_input_is_a_400_naming_the_field_and_records_nothing(
    api_client, motion_ballot, tom, body, field, code
):
    response = vote(api_client, tom, motion_ballot, **body)

    assert response.status_code == 400, response.json()
    assert (response.json()["code"], field in response.json()) == (code, True), response.json()
    assert not Participation.objects.exists()
    assert not Vote.objects.exists()


# --- Results and receipts -----------------------------------------------------------------------


def test_results_and_receipts_are_hidden_until_the_ballot_closes(
    api_client, motion_ballot, margaret, tom, priya
):
    receipt = vote(api_client, margaret, motion_ballot, choice="for").json()["receipt"]
    vote(api_client, tom, motion_ballot, choice="for")
    vote(api_client, priya, motion_ballot, choice="against")
    client = as_user(api_client, margaret)

    for path in ("results", "receipts"):
        hidden = client.get(f"{BALLOTS}{motion_ballot.pk}/{path}/")
        assert (hidden.status_code, hidden.json()["code"]) == (409, "results_hidden")

    close(motion_ballot)
    results = client.get(f"{BALLOTS}{motion_ballot.pk}/results/")

    assert results.status_code == 200, results.json()
    body = results.json()
    assert (body["ballot"], body["declared_at"], body["named_votes"]) == (motion_ballot.pk, None, [])
    assert (body["result"]["for"], body["result"]["against"], body["result"]["abstain"]) == (2, 1, 0)
    assert (body["result"]["eligible"], body["result"]["voted"], body["result"]["passed"]) == (4, 3, True)
    receipts = client.get(f"{BALLOTS}{motion_ballot.pk}/receipts/").json()["receipts"]
    assert len(receipts) == 3
    assert receipt_hash(receipt) in receipts
    assert receipts == sorted(receipts)


def test_a_named_ballot_shows_who_voted_how_once_closed(api_client, staff, agm, margaret, tom):
    ballot = open_motion_ballot(staff, agm, secret=False)
    vote(api_client, margaret, ballot, choice="for")
    vote(api_client, tom, ballot, choice="abstain")
    close(ballot)

    response = as_user(api_client, tom).get(f"{BALLOTS}{ballot.pk}/results/")

    assert response.json()["named_votes"] == [
        {"name": "Margaret Greenwood", "choice": "for", "ranking": []},
        {"name": "Tom Barker", "choice": "abstain", "ranking": []},
    ]


def test_a_named_election_gives_each_ranking_alike_in_the_api_the_csv_and_the_page(
    api_client, client, staff, tom
):
    ballot, rival, tom_standing, asha_standing = _workers_election(staff, tom, secret=False)
    vote(api_client, tom, ballot, ranking=[tom_standing.pk, asha_standing.pk])
    vote(api_client, rival, ballot, ranking=[asha_standing.pk])
    close(ballot)

    api = as_user(api_client, tom).get(f"{BALLOTS}{ballot.pk}/results/").json()
    client.force_login(tom.user)
    csv_text = client.get(f"/ballots/{ballot.pk}/results.csv").content.decode()
    page = client.get(f"/ballots/{ballot.pk}/results/").content.decode()

    assert api["named_votes"] == [
        {"name": "Asha Begum", "choice": "", "ranking": ["Asha Begum"]},
        {"name": "Tom Barker", "choice": "", "ranking": ["Tom Barker", "Asha Begum"]},
    ]
    assert 'Tom Barker,"Tom Barker, Asha Begum"' in csv_text
    assert "<td>Tom Barker, Asha Begum</td>" in page


# --- Proxies ------------------------------------------------------------------------------------


def test_a_member_appoints_a_proxy_who_votes_for_them(api_client, staff, agm, margaret, tom, priya):
    response = post(
        as_user(api_client, margaret),
        PROXIES,
        {"meeting": agm.pk, "holder": tom.number, "instructions_text": "Vote for."},
    )

    assert response.status_code == 201, response.json()
    proxy = response.json()
    assert (proxy["meeting"], proxy["ballot"], proxy["to_chair"]) == (agm.pk, None, False)
    assert proxy["holder"] == {"number": tom.number, "name": "Tom Barker"}
    assert proxy["instructions_text"] == "Vote for."
    ballot = open_motion_ballot(staff, agm)
    standing = as_user(api_client, tom).get(f"{BALLOTS}{ballot.pk}/").json()["you"]
    assert standing["proxies_for"] == [{"number": margaret.number, "name": "Margaret Greenwood"}]

    response = vote(api_client, tom, ballot, choice="for", on_behalf_of=margaret.number)

    assert response.status_code == 201, response.json()
    participation = Participation.objects.get(ballot=ballot, membership=margaret)
    assert (participation.cast_by, participation.proxy_id) == (tom.user, proxy["id"])
    not_held = vote(api_client, tom, ballot, choice="for", on_behalf_of=priya.number)
    assert (not_held.status_code, not_held.json()["code"]) == (403, "no_proxy")
    in_person = vote(api_client, margaret, ballot, choice="against")
    assert (in_person.status_code, in_person.json()["code"]) == (409, "voted_by_proxy")
    assert as_user(api_client, margaret).get(f"{BALLOTS}{ballot.pk}/").json()["you"]["voted_by_proxy"] is True


def test_a_proxy_vote_against_its_instruction_is_refused(api_client, staff, agm, margaret, tom):
    ballot = open_motion_ballot(staff, agm)
    response = post(
        as_user(api_client, margaret),
        PROXIES,
        {"ballot": ballot.pk, "holder": tom.number, "instruction": "against"},
    )
    assert response.status_code == 201, response.json()

    refused = vote(api_client, tom, ballot, choice="for", on_behalf_of=margaret.number)

    assert (refused.status_code, refused.json()["code"]) == (400, "against_instructions")
    assert vote(api_client, tom, ballot, choice="against", on_behalf_of=margaret.number).status_code == 201


def test_a_sixth_proxy_for_one_holder_is_a_409_proxy_limit(api_client, agm, tom):
    appointers = MembershipFactory.create_batch(6)
    for member in appointers[:5]:
        services.proxy_appoint(user=member.user, holder=tom, meeting=agm)

    response = post(as_user(api_client, appointers[5]), PROXIES, {"meeting": agm.pk, "holder": tom.number})

    assert response.status_code == 409
    assert response.json()["code"] == "proxy_limit"
    assert "holder" in response.json()
    assert Proxy.objects.filter(holder=tom, revoked_at__isnull=True).count() == 5
    assert not Proxy.objects.filter(appointer=appointers[5]).exists()


def test_a_member_lists_and_cancels_their_proxies(api_client, agm, margaret, tom):
    client = as_user(api_client, margaret)
    proxy = post(client, PROXIES, {"meeting": agm.pk, "to_chair": True}).json()
    assert proxy["to_chair"] is True

    assert [p["id"] for p in client.get(PROXIES).json()["results"]] == [proxy["id"]]
    assert as_user(api_client, tom).get(PROXIES).json()["count"] == 0
    assert as_user(api_client, tom).delete(f"{PROXIES}{proxy['id']}/").status_code == 404

    response = as_user(api_client, margaret).delete(f"{PROXIES}{proxy['id']}/")

    assert response.status_code == 204
    assert Proxy.objects.get(pk=proxy["id"]).revoked_at is not None
    assert client.get(PROXIES).json()["count"] == 0
    assert client.delete(f"{PROXIES}{proxy['id']}/").status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"holder": 999_999}, "holder", "holder_not_member"),
        ({"holder": "Tom"}, "holder", "invalid"),
        ({}, "holder", "proxy_holder"),
        ({"meeting": "agm", "holder": None}, "meeting", "invalid"),
        ({"meeting": 999_999}, "meeting", "not_found"),
        ({"instruction": "maybe"}, "instruction", "invalid"),
    ],
)
def test_bad_proxy_input_is_a_400_naming_the_field(api_client, agm, margaret, tom, body, field, code):
    body = {"meeting": agm.pk, "holder": tom.number, **body} if body else {"meeting": agm.pk}

    response = post(as_user(api_client, margaret), PROXIES, body)

    assert response.status_code == 400, response.json()
    assert (response.json()["code"], field in response.json()) == (code, True), response.json()
    assert not Proxy.objects.exists()


# --- Who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (MEETINGS, meeting_body()),
        (
            BALLOTS,
            {
                "title": "Board",
                "seat_class": "workers",
                "seats": 1,
                "opens_at": "2026-12-01T09:00",
                "closes_at": "2026-12-12T16:00",
            },
        ),
    ],
)
def test_members_cannot_use_what_only_staff_may(api_client, margaret, path, body):
    response = post(as_user(api_client, margaret), path, body)

    assert response.status_code == 403
    assert response.json()["code"] == "staff_only"
    assert not Meeting.objects.exists()
    assert not Ballot.objects.exists()


def test_someone_who_is_not_a_member_finds_nothing(api_client, motion_ballot, agm, margaret, outsider):
    proxy = services.proxy_appoint(user=margaret.user, holder=None, to_chair=True, meeting=agm)
    client = as_user(api_client, outsider)

    for path in (
        MEETINGS,
        f"{MEETINGS}{agm.pk}/",
        f"{MEETINGS}{agm.pk}/attendance/",
        MOTIONS,
        f"{MOTIONS}{motion_ballot.motion_id}/",
        BALLOTS,
        f"{BALLOTS}{motion_ballot.pk}/",
        PROXIES,
    ):
        assert client.get(path).status_code == 404, path
    assert vote(api_client, outsider, motion_ballot, choice="for").status_code == 404
    assert post(client, PROXIES, {"meeting": agm.pk, "to_chair": True}).status_code == 404
    assert post(client, MOTIONS, {"meeting": agm.pk, "title": "T", "text": "T"}).status_code == 404
    assert client.delete(f"{PROXIES}{proxy.pk}/").status_code == 404
    assert not Participation.objects.exists()
    assert Proxy.objects.get().revoked_at is None


def test_the_api_needs_a_login_and_takes_a_token(api_client, motion_ballot, margaret):
    assert api_client.get(BALLOTS).status_code == 401
    assert api_client.get(f"{BALLOTS}{motion_ballot.pk}/").status_code == 401
    assert post(api_client, f"{BALLOTS}{motion_ballot.pk}/votes/", {"choice": "for"}).status_code == 401
    _instance, token = AuthToken.objects.create(user=margaret.user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api_client.get(f"{BALLOTS}{motion_ballot.pk}/").json()["you"]["eligible"] is True
    assert post(api_client, f"{BALLOTS}{motion_ballot.pk}/votes/", {"choice": "for"}).status_code == 201


def test_ids_that_name_nothing_are_a_404_not_a_crash(api_client, margaret, motion_ballot):
    client = as_user(api_client, margaret)

    for path in (
        f"{BALLOTS}{10**20}/",
        f"{MEETINGS}999999/",
        f"{MOTIONS}abc/",
        f"{BALLOTS}{10**20}/results/",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"], path
    assert post(client, f"{BALLOTS}{10**20}/votes/", {"choice": "for"}).status_code == 404
    assert client.get(BALLOTS, {"meeting": "x"}).status_code == 400
    assert client.get(BALLOTS, {"status": "over"}).status_code == 400


# --- Where a member stands, on a whole list at once ----------------------------------------------------


def test_the_ballot_list_runs_the_same_queries_for_many_ballots_as_for_few(
    api_client, staff, agm, margaret, tom, priya, django_assert_max_num_queries
):
    services.meeting_chair_set(meeting=agm, chair=tom, user=staff)
    services.proxy_appoint(user=margaret.user, to_chair=True, meeting=agm)
    services.proxy_appoint(user=priya.user, holder=tom, meeting=agm)
    ballots = [open_motion_ballot(staff, agm, motion=board_motion(staff, agm, title="Motion 1"))]
    ballots.append(open_motion_ballot(staff, agm, motion=board_motion(staff, agm, title="Motion 2")))
    services.vote_cast(ballot=ballots[0], user=tom.user, choice="for")
    client = as_user(api_client, tom)
    with CaptureQueriesContext(connection) as few:
        listed = client.get(BALLOTS).json()
    assert listed["count"] == 2
    assert [b["you"]["voted"] for b in listed["results"]] == [False, True]

    for n in range(3, 13):
        ballot = open_motion_ballot(staff, agm, motion=board_motion(staff, agm, title=f"Motion {n}"))
        services.vote_cast(ballot=ballot, user=tom.user, choice="against")
    with django_assert_max_num_queries(len(few.captured_queries)):
        listed = client.get(BALLOTS).json()

    assert listed["count"] == 12
    assert all(b["you"]["eligible"] for b in listed["results"])
    assert {tuple(p["name"] for p in b["you"]["proxies_for"]) for b in listed["results"]} == {
        ("Margaret Greenwood", "Priya Shah")
    }


def test_standings_read_at_once_agree_with_each_ballots_own(staff, agm, margaret, tom, priya, ian):
    asha = MembershipFactory(member_class="worker", legal_name="Asha Begum")
    sgm = call_agm(staff, kind="general", title="Special General Meeting", starts=at(14, 18))
    services.meeting_chair_set(meeting=agm, chair=tom, user=staff)
    voted = open_motion_ballot(staff, agm)
    sgm_open = open_motion_ballot(staff, sgm, motion=board_motion(staff, sgm, title="Change the rules"))
    sgm_draft = services.ballot_create(
        user=staff,
        title="Sell the minibus",
        motion=board_motion(staff, sgm, title="Sell the minibus"),
        opens_at=at(14, 18),
        closes_at=at(14, 20),
    )
    election = services.ballot_create(
        user=staff,
        title="Board: workers' seat",
        seat_class="workers",
        seats=1,
        opens_at=NOW,
        closes_at=at(1, 12),
    )
    services.proxy_appoint(user=margaret.user, to_chair=True, meeting=agm)  # Tom chairs the AGM
    services.proxy_appoint(user=priya.user, holder=tom, meeting=sgm)
    services.proxy_appoint(user=ian.user, holder=tom, ballot=sgm_draft)
    services.proxy_appoint(user=asha.user, to_chair=True, meeting=sgm)  # Tom does not chair this one
    withdrawn = services.proxy_appoint(user=asha.user, holder=tom, ballot=voted)
    services.proxy_revoke(proxy=withdrawn, user=asha.user)
    services.vote_cast(ballot=voted, user=tom.user, choice="for")
    services.vote_cast(ballot=voted, user=tom.user, choice="for", for_member=margaret)

    standings = selectors.voter_standings(
        ballots=list(selectors.ballots_for_user(user=tom.user)), user=tom.user
    )

    def standing(eligible=False, voted=False, voted_by_proxy=False, proxies_for=()):
        return selectors.VoterStanding(eligible, voted, voted_by_proxy, list(proxies_for))

    assert standings == {
        voted.pk: standing(eligible=True, voted=True, proxies_for=[margaret]),
        sgm_open.pk: standing(eligible=True, proxies_for=[priya]),
        sgm_draft.pk: standing(proxies_for=[ian, priya]),
        election.pk: standing(),
    }
    for member in (tom, margaret, priya, ian, asha, staff):
        user = getattr(member, "user", member)
        # Ballots read bare (meetings not selected) as well as the list reads them.
        for ballots in (list(Ballot.objects.all()), list(selectors.ballots_for_user(user=tom.user))):
            at_once = selectors.voter_standings(ballots=ballots, user=user)
            assert at_once == {b.pk: selectors.voter_standing(ballot=b, user=user) for b in ballots}
    assert selectors.voter_standing(ballot=voted, user=margaret.user) == standing(
        eligible=True, voted=True, voted_by_proxy=True
    )
