"""Ballots and votes: eligibility fixed at opening, one vote each (raced), secret ballots that hold
no link between voter and choice, receipts, proxies, weighting and elections."""

import datetime

import pytest
from django.conf import settings
from django.db import connection

from carecoop import outbox
from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from carecoop.models import Email
from governance import selectors, services
from governance.models import Ballot, Eligibility, GovernancePolicy, Participation, Proxy, Vote
from governance.receipts import receipt_hash, receipt_new
from tests.clock import NOW
from tests.concurrency import race
from tests.factories import MembershipFactory
from tests.governance.conftest import at, board_motion, call_agm, open_at_meeting_ballot, open_motion_ballot
from tests.outbox import owed, send_owed

pytestmark = pytest.mark.usefixtures("now")


def _close(ballot):
    return services.ballot_close(ballot=ballot, now=ballot.closes_at + datetime.timedelta(seconds=1))


# --- Eligibility, closing, one vote ---------------------------------------------------------------


def test_who_may_vote_is_fixed_when_the_ballot_opens(motion_ballot, margaret):
    assert motion_ballot.eligible_count == 4
    joined_later = MembershipFactory(date_admitted=datetime.date(2026, 11, 23))
    with pytest.raises(NotAllowedError) as refused:
        services.vote_cast(ballot=motion_ballot, user=joined_later.user, choice="for")
    assert refused.value.code == "not_eligible"
    # The snapshot adds nobody, and a member who ceases meanwhile has no vote left (rule 1).
    margaret.date_ceased, margaret.cessation_reason = datetime.date(2026, 11, 23), "resigned"
    margaret.save()
    with pytest.raises(NotAllowedError):
        services.vote_cast(ballot=motion_ballot, user=margaret.user, choice="for")
    assert not Vote.objects.filter(ballot=motion_ballot, member_class=joined_later.member_class).count() > 1


def test_a_member_without_a_paid_share_is_not_eligible(staff, agm, margaret):
    unpaid = MembershipFactory(shares=0)
    ballot = open_motion_ballot(staff, agm)
    assert not Eligibility.objects.filter(ballot=ballot, membership=unpaid).exists()
    with pytest.raises(NotAllowedError):
        services.vote_cast(ballot=ballot, user=unpaid.user, choice="for")


def test_a_vote_after_close_is_refused_even_before_the_count(motion_ballot, margaret):
    late = motion_ballot.closes_at
    with pytest.raises(ConflictError) as refused:
        services.vote_cast(ballot=motion_ballot, user=margaret.user, choice="for", now=late)
    assert refused.value.code == "ballot_closed"
    _close(motion_ballot)
    with pytest.raises(ConflictError):
        services.vote_cast(ballot=motion_ballot, user=margaret.user, choice="for", now=late)
    assert not Vote.objects.filter(ballot=motion_ballot).exists()


def test_a_ballot_that_forbids_changes_refuses_a_second_vote(staff, agm, margaret):
    ballot = open_motion_ballot(staff, agm, changes_allowed=False)
    receipt = services.vote_cast(ballot=ballot, user=margaret.user, choice="for")
    with pytest.raises(ConflictError) as refused:
        services.vote_cast(ballot=ballot, user=margaret.user, choice="against", receipt=receipt)
    assert refused.value.code == "already_voted"
    assert list(Vote.objects.filter(ballot=ballot).values_list("choice", flat=True)) == ["for"]


def test_a_changed_vote_counts_the_last_choice_and_needs_the_receipt(motion_ballot, margaret):
    receipt = services.vote_cast(ballot=motion_ballot, user=margaret.user, choice="for")
    with pytest.raises(ApplicationError) as refused:
        services.vote_cast(ballot=motion_ballot, user=margaret.user, choice="against")
    assert refused.value.code == "receipt_needed"
    with pytest.raises(ApplicationError) as wrong:
        services.vote_cast(ballot=motion_ballot, user=margaret.user, choice="against", receipt=receipt_new())
    assert wrong.value.code == "receipt_wrong"
    second = services.vote_cast(
        ballot=motion_ballot, user=margaret.user, choice="against", receipt=receipt.lower()
    )
    assert second != receipt
    assert list(Vote.objects.filter(ballot=motion_ballot).values_list("choice", "receipt_hash")) == [
        ("against", receipt_hash(second))
    ]
    result = _close(motion_ballot).result
    assert (result["for"], result["against"], result["voted"]) == (0, 1, 1)


def test_a_choice_that_is_not_for_against_or_abstain_is_refused(motion_ballot, margaret):
    with pytest.raises(ApplicationError) as refused:
        services.vote_cast(ballot=motion_ballot, user=margaret.user, choice="maybe")
    assert refused.value.code == "invalid_choice"
    assert "choice" in refused.value.fields
    assert not Participation.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("changes_allowed", [True, False])
def test_twenty_votes_at_once_by_one_member_count_once(changes_allowed):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    voter = MembershipFactory(member_class="worker")
    MembershipFactory(member_class="receiver")
    meeting = call_agm(staff)
    ballot = open_motion_ballot(staff, meeting, changes_allowed=changes_allowed)
    choices = ["for", "against"] * 10

    results = race(
        [lambda c=c: services.vote_cast(ballot=ballot, user=voter.user, choice=c) for c in choices]
    )

    receipts = [r for r in results if isinstance(r, str)]
    refused = [r for r in results if isinstance(r, ConflictError | ApplicationError)]
    assert len(receipts) == 1, results
    assert len(refused) == 19, results
    assert all(r.code in {"already_voted", "receipt_needed"} for r in refused), results
    assert Participation.objects.filter(ballot=ballot).count() == 1
    assert Vote.objects.filter(ballot=ballot).count() == 1
    assert Vote.objects.get(ballot=ballot).receipt_hash == receipt_hash(receipts[0])


@pytest.mark.django_db(transaction=True)
def test_a_vote_racing_the_close_is_either_counted_or_refused():
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    voters = MembershipFactory.create_batch(8)
    meeting = call_agm(staff)
    ballot = open_motion_ballot(staff, meeting)
    at_close = ballot.closes_at - datetime.timedelta(microseconds=1)
    tasks = [
        lambda v=v: services.vote_cast(ballot=ballot, user=v.user, choice="for", now=at_close) for v in voters
    ]
    tasks.append(lambda: services.ballot_close(ballot=ballot, now=ballot.closes_at))
    results = race(tasks)
    ballot.refresh_from_db()
    counted = [r for r in results[:-1] if isinstance(r, str)]
    # Whatever the order, the stored result counts exactly the votes that were accepted.
    assert ballot.result["for"] == len(counted) == Vote.objects.filter(ballot=ballot).count()


# --- Secret ballots and receipts ------------------------------------------------------------------


def test_a_secret_ballot_stores_no_link_between_voter_and_choice(motion_ballot, margaret, tom, priya):
    receipts = {
        member.pk: services.vote_cast(ballot=motion_ballot, user=member.user, choice=choice)
        for member, choice in [(margaret, "for"), (tom, "against"), (priya, "abstain")]
    }
    # The vote rows: no voter, no time, a random key; nothing else in them but class and choice.
    vote_columns = {field.column for field in Vote._meta.concrete_fields}
    assert vote_columns == {
        "id",
        "ballot_id",
        "member_class",
        "choice",
        "ranking",
        "receipt_hash",
        "voter_id",
    }
    assert not Vote.objects.filter(ballot=motion_ballot, voter__isnull=False).exists()
    assert all(vote.id.version == 4 for vote in Vote.objects.filter(ballot=motion_ballot))
    # Who voted holds no choice and no value found on any vote.
    participation_values = set()
    for row in Participation.objects.filter(ballot=motion_ballot).values():
        participation_values |= {str(v) for v in row.values()}
    for vote in Vote.objects.filter(ballot=motion_ballot).values():
        assert not ({str(vote["id"]), vote["receipt_hash"]} & participation_values)
    # No column of the participation table refers to a vote.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'governance_participation'"
        )
        columns = {row[0] for row in cursor.fetchall()}
    assert columns == {
        "id",
        "ballot_id",
        "membership_id",
        "cast_by_id",
        "proxy_id",
        "voted_at",
        "change_key_hash",
    }
    # Only the voter's receipt leads to their vote.
    assert Vote.objects.get(receipt_hash=receipt_hash(receipts[tom.pk])).choice == "against"


def test_results_and_receipts_are_hidden_until_close_then_each_receipt_is_listed(
    motion_ballot, margaret, tom
):
    mine = services.vote_cast(ballot=motion_ballot, user=margaret.user, choice="for")
    services.vote_cast(ballot=motion_ballot, user=tom.user, choice="for")
    for read in (selectors.ballot_result, selectors.ballot_receipts):
        with pytest.raises(ConflictError) as hidden:
            read(ballot=motion_ballot)
        assert hidden.value.code == "results_hidden"
    closed = _close(motion_ballot)
    receipts = selectors.ballot_receipts(ballot=closed)
    assert len(receipts) == 2
    assert receipt_hash(mine) in receipts
    assert receipts == sorted(receipts)
    assert selectors.receipt_is_counted(ballot=closed, receipt=mine)
    assert not selectors.receipt_is_counted(ballot=closed, receipt=receipt_new())


def test_a_named_ballot_records_who_voted_how(staff, agm, margaret, tom):
    ballot = open_motion_ballot(staff, agm, secret=False)
    services.vote_cast(ballot=ballot, user=margaret.user, choice="for")
    services.vote_cast(ballot=ballot, user=tom.user, choice="against")
    services.vote_cast(ballot=ballot, user=tom.user, choice="for")  # a named vote changes without a receipt
    closed = _close(ballot)
    named = selectors.ballot_result(ballot=closed).named_votes
    assert [(v.name, v.choice, v.ranking) for v in named] == [
        ("Margaret Greenwood", "for", []),
        ("Tom Barker", "for", []),
    ]


def test_receipts_are_read_forgivingly():
    receipt = receipt_new()
    assert len(receipt) == 24
    assert receipt.count("-") == 4
    assert receipt_hash(receipt) == receipt_hash(receipt.lower().replace("-", " "))
    assert receipt_hash("0000-1111") == receipt_hash("oooo-iiii")


# --- Proxies --------------------------------------------------------------------------------------


def test_a_proxy_votes_once_for_the_member_who_appointed_them(staff, agm, margaret, tom, priya):
    services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    ballot = open_motion_ballot(staff, agm)
    services.vote_cast(ballot=ballot, user=tom.user, choice="for")
    services.vote_cast(ballot=ballot, user=tom.user, choice="against", for_member=margaret)
    with pytest.raises(NotAllowedError) as not_held:
        services.vote_cast(ballot=ballot, user=tom.user, choice="for", for_member=priya)
    assert not_held.value.code == "no_proxy"
    with pytest.raises(ConflictError) as already:
        services.vote_cast(ballot=ballot, user=margaret.user, choice="for")
    assert already.value.code == "voted_by_proxy"
    participation = Participation.objects.get(ballot=ballot, membership=margaret)
    assert participation.cast_by == tom.user
    assert participation.proxy is not None
    result = _close(ballot).result
    assert (result["for"], result["against"]) == (1, 1)


def test_voting_in_person_cancels_the_proxy_for_that_ballot(staff, agm, margaret, tom):
    ballot = open_motion_ballot(staff, agm)
    proxy = services.proxy_appoint(user=margaret.user, holder=tom, ballot=ballot)
    services.vote_cast(ballot=ballot, user=margaret.user, choice="for")
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None
    with pytest.raises(NotAllowedError):
        services.vote_cast(ballot=ballot, user=tom.user, choice="against", for_member=margaret)
    # A proxy for the whole meeting stays for its other ballots, but not for one already voted.
    services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    with pytest.raises(ConflictError) as voted:
        services.vote_cast(ballot=ballot, user=tom.user, choice="against", for_member=margaret)
    assert voted.value.code == "voted_in_person"
    assert list(Vote.objects.filter(ballot=ballot).values_list("choice", flat=True)) == ["for"]


def test_a_proxy_follows_its_instruction(staff, agm, margaret, tom):
    ballot = open_motion_ballot(staff, agm)
    services.proxy_appoint(user=margaret.user, holder=tom, ballot=ballot, instruction="against")
    with pytest.raises(ApplicationError) as refused:
        services.vote_cast(ballot=ballot, user=tom.user, choice="for", for_member=margaret)
    assert refused.value.code == "against_instructions"
    assert services.vote_cast(ballot=ballot, user=tom.user, choice="against", for_member=margaret)


def test_nobody_holds_more_than_five_proxies(staff, agm, tom):
    appointers = MembershipFactory.create_batch(6)
    for member in appointers[:5]:
        services.proxy_appoint(user=member.user, holder=tom, meeting=agm)
    with pytest.raises(ConflictError) as refused:
        services.proxy_appoint(user=appointers[5].user, holder=tom, meeting=agm)
    assert refused.value.code == "proxy_limit"
    assert "5" in refused.value.message
    assert Proxy.objects.filter(holder=tom, revoked_at__isnull=True).count() == 5
    # The chair too: proxies to "the chair" count against whoever chairs.
    for member in appointers[:5]:
        services.proxy_appoint(user=member.user, to_chair=True, meeting=agm)
    with pytest.raises(ConflictError):
        services.proxy_appoint(user=appointers[5].user, to_chair=True, meeting=agm)


def test_a_proxy_vote_over_the_limit_is_refused(staff, agm, tom):
    appointers = MembershipFactory.create_batch(5)
    for member in appointers:
        services.proxy_appoint(user=member.user, holder=tom, meeting=agm)
    # The rules change to three: the two proxies appointed last can no longer be used.
    GovernancePolicy.objects.update_or_create(pk=1, defaults={"max_proxies": 3})
    ballot = open_motion_ballot(staff, agm)
    for member in appointers[:3]:
        assert services.vote_cast(ballot=ballot, user=tom.user, choice="for", for_member=member)
    with pytest.raises(ConflictError) as refused:
        services.vote_cast(ballot=ballot, user=tom.user, choice="for", for_member=appointers[3])
    assert refused.value.code == "proxy_over_limit"
    assert Participation.objects.filter(ballot=ballot).count() == 3


def test_a_proxy_vote_for_an_ineligible_member_is_refused(staff, agm, tom):
    newcomer = MembershipFactory(date_admitted=datetime.date(2026, 11, 23))
    services.proxy_appoint(user=newcomer.user, holder=tom, meeting=agm)
    ballot = open_motion_ballot(staff, agm)
    Eligibility.objects.filter(ballot=ballot, membership=newcomer).delete()  # as if admitted after opening
    with pytest.raises(NotAllowedError) as refused:
        services.vote_cast(ballot=ballot, user=tom.user, choice="for", for_member=newcomer)
    assert refused.value.code == "not_eligible"


@pytest.mark.django_db(transaction=True)
def test_proxies_appointed_at_once_never_take_a_holder_past_five():
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    holder = MembershipFactory()
    appointers = MembershipFactory.create_batch(8)
    meeting = call_agm(staff)
    results = race(
        [lambda m=m: services.proxy_appoint(user=m.user, holder=holder, meeting=meeting) for m in appointers]
    )
    assert sum(isinstance(r, Proxy) for r in results) == 5
    assert all(r.code == "proxy_limit" for r in results if isinstance(r, ConflictError))
    assert Proxy.objects.filter(holder=holder, revoked_at__isnull=True).count() == 5


# --- Weighting, by hand -------------------------------------------------------------------------------


def _weighted_vote(staff, mode, **policy):
    GovernancePolicy.objects.update_or_create(pk=1, defaults={"weighting": mode, **policy})
    voters = (
        [("receiver", "for")] * 4
        + [("advocate", "for")] * 2
        + [("worker", "against")] * 3
        + [("investor", "for")] * 4
    )
    members = [(MembershipFactory(member_class=c), choice) for c, choice in voters]
    meeting = call_agm(staff)
    ballot = open_motion_ballot(staff, meeting)
    for member, choice in members:
        services.vote_cast(ballot=ballot, user=member.user, choice=choice)
    return _close(ballot).result


def test_the_investor_cap_holds_investors_to_ten_percent(staff):
    # 13 votes cast; the 4 investors are over 10%. The other 9 then make 90% of a total of 10,
    # so the investors hold 1 vote between them (0.25 each): for 6 + 1 = 7, against 3: 70%.
    result = _weighted_vote(staff, "class_cap", investor_cap_percent=10)
    by_class = {row["member_class"]: row for row in result["by_class"]}
    assert (by_class["investor"]["for"], by_class["investor"]["weight"]) == (4, "0.2500")
    assert (result["weighted_for"], result["weighted_against"]) == ("7.0000", "3.0000")
    assert (result["percent_for"], result["passed"]) == ("70.00", True)
    assert (result["for"], result["against"]) == (10, 3)  # the raw count is shown too


def test_fixed_class_shares_give_each_side_its_half(staff):
    # Receivers and advocates 50%, workers 50%, investors nothing: 6 for hold 6.5 of the 13,
    # 3 against hold 6.5. Exactly half is not more than half: the ordinary resolution fails.
    result = _weighted_vote(
        staff,
        "class_shares",
        share_receivers_percent=50,
        share_workers_percent=50,
        share_investors_percent=0,
    )
    assert (result["weighted_for"], result["weighted_against"]) == ("6.5000", "6.5000")
    assert (result["percent_for"], result["passed"]) == ("50.00", False)


def test_one_member_one_vote_counts_everyone_alike(staff):
    result = _weighted_vote(staff, "one_member_one_vote")
    assert (result["weighted_for"], result["weighted_against"], result["percent_for"]) == (
        "10.0000",
        "3.0000",
        "76.92",
    )
    assert result["turnout_percent"] == "100.0"


def test_a_special_resolution_needs_three_quarters(staff, agm, margaret, tom, priya, ian):
    motion = board_motion(staff, agm, title="Change the rules", majority="special")
    ballot = open_motion_ballot(staff, agm, motion=motion)
    for member, choice in [(margaret, "for"), (tom, "for"), (priya, "against"), (ian, "abstain")]:
        services.vote_cast(ballot=ballot, user=member.user, choice=choice)
    result = _close(ballot).result
    assert (result["percent_for"], result["threshold"], result["passed"]) == ("66.66", "75", False)


# --- Elections ------------------------------------------------------------------------------------


def test_a_board_election_counts_rankings_by_stv_for_the_class_seats(staff, agm):
    workers = MembershipFactory.create_batch(9, member_class="worker")
    receiver = MembershipFactory(member_class="receiver")
    election = services.ballot_create(
        user=staff,
        title="Worker directors",
        meeting=agm,
        seat_class="workers",
        seats=2,
        opens_at=NOW,
        closes_at=at(12, 16),
    )
    anna, bilal, carol = (
        services.candidate_stand(ballot=election, user=w.user, statement=f"I am {w.legal_name}.")
        for w in workers[:3]
    )
    with pytest.raises(NotAllowedError) as wrong:
        services.candidate_stand(ballot=election, user=receiver.user, statement="I would like to stand.")
    assert wrong.value.code == "wrong_class"
    election = services.ballot_open(ballot=election, user=staff)
    assert election.eligible_count == 9  # workers elect the workers' seats
    rankings = [[anna.pk, bilal.pk]] * 5 + [[carol.pk, bilal.pk]] * 2 + [[bilal.pk]] * 2
    for worker, ranking in zip(workers, rankings, strict=True):
        services.vote_cast(ballot=election, user=worker.user, ranking=ranking)
    with pytest.raises(NotAllowedError):
        services.vote_cast(ballot=election, user=receiver.user, ranking=[anna.pk])
    result = _close(election).result
    # Quota: 9 // 3 + 1 = 4. Anna has 5 (elected, surplus 1 to Bilal); Bilal 2 + 1 = 3, Carol 2;
    # Carol is excluded and her papers go to Bilal: 5, elected.
    assert result["quota"] == 4
    assert result["elected"] == [anna.pk, bilal.pk]
    assert next(stage["description"] for stage in result["stages"]) == "First preferences"


def test_a_ranking_must_name_standing_candidates_once(staff, agm):
    worker = MembershipFactory(member_class="worker")
    election = services.ballot_create(
        user=staff,
        title="Worker directors",
        meeting=agm,
        seat_class="workers",
        seats=1,
        opens_at=NOW,
        closes_at=at(12, 16),
    )
    candidate = services.candidate_stand(ballot=election, user=worker.user, statement="Vote for me")
    services.ballot_open(ballot=election, user=staff)
    for ranking in ([candidate.pk, candidate.pk], [candidate.pk + 999], ["x"]):
        with pytest.raises(ApplicationError) as refused:
            services.vote_cast(ballot=election, user=worker.user, ranking=ranking)
        assert refused.value.code == "invalid_ranking"
    assert not Vote.objects.exists()


def test_an_election_fills_no_more_seats_than_the_rules_give_the_class(staff, agm):
    with pytest.raises(ApplicationError) as refused:
        services.ballot_create(
            user=staff,
            title="Investors",
            meeting=agm,
            seat_class="investors",
            seats=3,
            opens_at=NOW,
            closes_at=at(12, 16),
        )
    assert refused.value.code == "seats_out_of_range"


# --- Opening and closing on time ------------------------------------------------------------------


def test_online_ballots_open_and_close_on_time_and_cannot_be_closed_early(staff, agm, margaret, tom):
    motion = board_motion(staff, agm)
    ballot = services.ballot_create(
        user=staff, title="Accounts", motion=motion, opens_at=at(1, 9), closes_at=at(12, 12)
    )
    assert services.ballots_open_due(now=at(1, 8)) == 0
    assert services.ballots_open_due(now=at(1, 9)) == 1
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.OPEN
    assert ballot.weighting["mode"] == "class_cap"
    with pytest.raises(ConflictError) as early:
        services.ballot_close(ballot=ballot, user=staff, now=at(5, 9))
    assert early.value.code == "closes_on_time"
    services.vote_cast(ballot=ballot, user=margaret.user, choice="for", now=at(2, 9))
    assert services.ballots_close_due(now=at(12, 12)) == 1
    ballot.refresh_from_db()
    assert ballot.status == Ballot.Status.CLOSED
    assert ballot.result["for"] == 1
    with pytest.raises(NotAllowedError):
        services.ballot_declare(ballot=ballot, user=margaret.user)
    services.ballot_declare(ballot=ballot, user=staff)
    motion.refresh_from_db()
    assert motion.status == "carried"


# --- Found by review ------------------------------------------------------------------------------


def test_a_proxy_moved_after_voting_frees_no_place_for_a_sixth_vote(staff, agm, tom):
    members = MembershipFactory.create_batch(7)
    ballot = open_motion_ballot(staff, agm)
    for member in members[:5]:
        services.proxy_appoint(user=member.user, holder=tom, meeting=agm)
        services.vote_cast(ballot=ballot, user=tom.user, choice="for", for_member=member)
    services.proxy_appoint(user=members[0].user, holder=members[6], meeting=agm)  # moved after it voted
    services.proxy_appoint(user=members[5].user, holder=tom, meeting=agm)
    with pytest.raises(ConflictError) as refused:
        services.vote_cast(ballot=ballot, user=tom.user, choice="for", for_member=members[5])
    assert refused.value.code == "proxy_over_limit"
    assert Participation.objects.filter(ballot=ballot, cast_by=tom.user, proxy__isnull=False).count() == 5


@pytest.mark.django_db(transaction=True)
def test_closing_a_secret_ballot_leaves_no_transaction_id_joining_votes_to_voters():
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    voters = MembershipFactory.create_batch(4)
    meeting = call_agm(staff)
    ballot = open_motion_ballot(staff, meeting)
    receipts = [
        services.vote_cast(ballot=ballot, user=v.user, choice=c)
        for v, c in zip(voters, ["for", "against"] * 2, strict=True)
    ]

    def xmins(table):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT xmin::text FROM {table} WHERE ballot_id = %s", [ballot.pk])  # noqa: S608
            return {row[0] for row in cursor.fetchall()}

    assert len(xmins("governance_vote")) == 4  # while voting, each vote has its voter's transaction
    _close(ballot)
    vote_xmins = xmins("governance_vote")
    assert len(vote_xmins) == 1
    assert not vote_xmins & xmins("governance_participation")
    assert sorted(selectors.ballot_receipts(ballot=Ballot.objects.get(pk=ballot.pk))) == sorted(
        receipt_hash(r) for r in receipts
    )


def test_times_either_side_of_the_clocks_going_back_compare_as_instants(staff, agm):
    # 01:30 BST is 00:30 UTC, before 01:10 GMT: the ballot would close before it opens.
    london = NOW.tzinfo
    opens = datetime.datetime(2027, 10, 31, 1, 10, tzinfo=london, fold=1)
    closes = datetime.datetime(2027, 10, 31, 1, 30, tzinfo=london, fold=0)
    with pytest.raises(ApplicationError) as refused:
        services.ballot_create(
            user=staff, title="x", motion=board_motion(staff, agm), opens_at=opens, closes_at=closes
        )
    assert refused.value.code == "closes_before_opening"


def test_an_online_ballot_opens_on_time_even_for_the_chair(staff, agm, tom):
    services.meeting_chair_set(meeting=agm, chair=tom, user=staff)
    ballot = services.ballot_create(
        user=staff,
        title="Accounts",
        motion=board_motion(staff, agm),
        opens_at=at(12, 14),
        closes_at=at(12, 16),
    )
    for user in (tom.user, staff):
        with pytest.raises(ApplicationError) as early:
            services.ballot_open(ballot=ballot, user=user)
        assert early.value.code == "not_due"
    assert Ballot.objects.get(pk=ballot.pk).status == "draft"


def test_only_the_appointer_cancels_a_proxy(staff, agm, margaret, tom):
    proxy = services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    for user in (staff, tom.user):
        with pytest.raises(NotAllowedError):
            services.proxy_revoke(proxy=proxy, user=user)
    assert services.proxy_revoke(proxy=proxy, user=margaret.user).revoked_at is not None


# --- Telling the proxy ------------------------------------------------------------------------------


def test_the_member_named_as_proxy_is_told_by_email_once(
    staff, agm, margaret, tom, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.proxy_appoint(
            user=margaret.user, holder=tom, meeting=agm, instructions_text="Back the accounts."
        )
    assert [message.to for message in mailoutbox] == [["tom@example.org"]]
    message = mailoutbox[0]
    assert "Margaret Greenwood has appointed you as their proxy" in message.subject
    assert (
        "to vote for them at Annual General Meeting 2026, at 14:00 on Saturday 12 December 2026"
        in message.body
    )
    assert "Their instructions:\nBack the accounts." in message.body
    assert "as you think best" not in message.body
    assert f"{settings.SITE_URL}/meetings/{agm.pk}/" in message.body
    assert "Dear Tom Barker," in message.body
    assert not owed()
    assert outbox.emails_send() == 0  # told once


def test_a_proxy_for_one_ballot_names_it_and_its_instruction(staff, agm, margaret, tom, mailoutbox):
    ballot = open_motion_ballot(staff, agm)
    services.proxy_appoint(user=margaret.user, holder=tom, ballot=ballot, instruction="against")
    assert outbox.emails_send() == 1
    body = mailoutbox[0].body
    assert "to vote for them on the ballot “Adopt the accounts”" in body
    assert "They ask you to: Vote against." in body
    assert f"{settings.SITE_URL}/ballots/{ballot.pk}/" in body


def test_a_proxy_cancelled_or_replaced_before_the_email_goes_is_not_told(
    agm, margaret, tom, priya, mailoutbox
):
    first = services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    services.proxy_appoint(user=margaret.user, holder=priya, meeting=agm)  # replaces the first
    second = Proxy.objects.get(appointer=margaret, revoked_at__isnull=True)
    services.proxy_revoke(proxy=second, user=margaret.user)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert outbox.emails_send() == 0
    assert mailoutbox == []


def test_the_chair_is_not_emailed_but_sees_the_proxy(staff, agm, margaret, tom, mailoutbox):
    services.meeting_chair_set(meeting=agm, chair=tom, user=staff)
    services.proxy_appoint(user=margaret.user, to_chair=True, meeting=agm)
    assert not owed()
    assert outbox.emails_send() == 0
    held = selectors.proxies_held_by(user=tom.user)
    assert [(p.appointer, p.to_chair) for p in held] == [(margaret, True)]


def test_proxies_held_are_those_still_to_be_used(staff, agm, margaret, tom, priya, ian):
    ballot = open_motion_ballot(staff, agm)
    services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    services.proxy_appoint(user=priya.user, holder=tom, ballot=ballot)
    gone = services.proxy_appoint(user=ian.user, holder=tom, meeting=agm)
    services.proxy_revoke(proxy=gone, user=ian.user)
    held = selectors.proxies_held_by(user=tom.user)
    assert sorted(p.appointer.legal_name for p in held) == ["Margaret Greenwood", "Priya Shah"]
    assert selectors.proxies_held_by(user=margaret.user) == []
    _close(ballot)
    after_close = selectors.proxies_held_by(user=tom.user)
    assert [p.appointer for p in after_close] == [margaret]
    assert selectors.proxies_held_by(user=tom.user, now=agm.ends_at) == []


def test_a_name_with_an_apostrophe_reaches_the_subject_as_written(agm, tom, mailoutbox):
    sean = MembershipFactory(legal_name="Seán O'Neill & Daughters")
    services.proxy_appoint(user=sean.user, holder=tom, meeting=agm)
    outbox.emails_send()
    assert mailoutbox[0].subject.endswith("Seán O'Neill & Daughters has appointed you as their proxy")


def test_new_instructions_to_the_same_holder_send_no_second_email(agm, margaret, tom, mailoutbox):
    services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    outbox.emails_send()
    services.proxy_appoint(
        user=margaret.user, holder=tom, meeting=agm, instructions_text="Vote for the accounts."
    )
    assert outbox.emails_send() == 0
    assert len(mailoutbox) == 1


def test_an_email_that_cannot_go_does_not_hold_up_the_others(agm, margaret, priya, ian, tom, monkeypatch):
    from smtplib import SMTPRecipientsRefused

    from django.core.mail.backends.locmem import EmailBackend

    refused = MembershipFactory(legal_name="Nobody At Home", user__email="bounces@example.org")
    original = EmailBackend.send_messages

    def send(self, messages):
        if any("bounces@example.org" in m.to for m in messages):
            raise SMTPRecipientsRefused({"bounces@example.org": (550, b"No such user")})
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send)
    services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    services.proxy_appoint(user=priya.user, holder=refused, meeting=agm)
    services.proxy_appoint(user=ian.user, holder=tom, meeting=agm)

    assert outbox.emails_send() == 2
    assert not owed()  # the refused one is not retried
    assert Email.objects.get(to="bounces@example.org").status == "failed"
    assert outbox.emails_send() == 0


def test_a_mail_server_failing_mid_batch_leaves_the_rest_owed(agm, margaret, priya, tom, monkeypatch):
    from smtplib import SMTPServerDisconnected

    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages
    calls = []

    def send(self, messages):
        calls.append(messages)
        if len(calls) == 2:
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", send)
    first = services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    second = services.proxy_appoint(user=priya.user, holder=tom, meeting=agm)

    with pytest.raises(SMTPServerDisconnected):
        outbox.emails_send()
    # The first was sent once; the second is owed, for the next try.
    assert [email.about for email in owed()] == [f"governance.proxy:{second.pk}"]
    assert Email.objects.get(about=f"governance.proxy:{first.pk}").status == "sent"
    assert outbox.emails_send() == 1


def test_no_email_about_a_proxy_for_a_meeting_already_over(agm, margaret, tom, mailoutbox, time_machine):
    services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    time_machine.move_to(agm.ends_at + datetime.timedelta(minutes=1), tick=False)
    assert outbox.emails_send() == 0
    assert not owed()
    assert mailoutbox == []


def test_the_waiting_list_leaves_out_votes_the_member_cannot_cast_or_has_handed_to_a_proxy(
    staff, agm, margaret, tom, time_machine
):
    online = open_motion_ballot(staff, agm)
    assert selectors.ballots_awaiting_vote(user=margaret.user) == [online]
    services.proxy_appoint(user=margaret.user, holder=tom, ballot=online)
    assert selectors.ballots_awaiting_vote(user=margaret.user) == []
    assert selectors.ballots_awaiting_vote(user=tom.user) == [online]

    time_machine.move_to(at(12, 14, 5), tick=False)
    services.attendance_mark(meeting=agm, membership=tom, user=staff)
    in_room = open_at_meeting_ballot(staff, agm)
    assert in_room in selectors.ballots_awaiting_vote(user=tom.user)  # checked in
    assert in_room not in selectors.ballots_awaiting_vote(user=margaret.user)  # not there


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_tell_each_proxy_once(mailoutbox, monkeypatch):
    from tests.factories import UserFactory

    meeting = call_agm(UserFactory(is_staff=True))
    holders = MembershipFactory.create_batch(6)
    mailoutbox.clear()  # the meeting's notices
    # The Celery messages after each commit are lost, as in an outage: the proxy emails stay owed.
    monkeypatch.setattr("carecoop.outbox._send_soon", lambda ids: None)
    for holder in holders:
        for appointer in MembershipFactory.create_batch(2):
            services.proxy_appoint(user=appointer.user, holder=holder, meeting=meeting)

    results = race([lambda: outbox.emails_send(batch=3) for _ in range(3)])

    assert sum(results) == 12, results
    told = sorted(message.to[0] for message in mailoutbox)
    assert told == sorted(h.user.email for h in holders for _ in range(2))
    assert not owed()


def test_where_a_proxy_stands_names_only_the_members_whose_vote_they_would_cast(
    motion_ballot, agm, margaret, tom, priya
):
    # Margaret names Tom for the whole meeting, then Priya for this ballot: on this ballot Priya's
    # proxy applies, so Tom is not offered Margaret's vote anywhere, and cannot cast it.
    services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    services.proxy_appoint(user=margaret.user, holder=priya, ballot=motion_ballot)

    tom_stands = selectors.voter_standing(ballot=motion_ballot, user=tom.user)
    priya_stands = selectors.voter_standing(ballot=motion_ballot, user=priya.user)

    assert tom_stands.proxies_for == []
    assert selectors.proxies_usable_on_ballot(ballot=motion_ballot, user=tom.user) == []
    assert priya_stands.proxies_for == [margaret]
    assert [
        p.appointer for p in selectors.proxies_usable_on_ballot(ballot=motion_ballot, user=priya.user)
    ] == [margaret]
    with pytest.raises(ApplicationError) as refused:
        services.vote_cast(ballot=motion_ballot, user=tom.user, choice="for", for_member=margaret)
    assert refused.value.code == "no_proxy"


def test_a_proxy_email_is_written_as_the_proxy_stands_when_it_goes(motion_ballot, agm, margaret, tom, staff):

    send_owed()  # the meeting's notices
    services.proxy_appoint(user=margaret.user, holder=tom, meeting=agm)
    services.proxy_appoint(user=margaret.user, holder=tom, ballot=motion_ballot)
    _close(motion_ballot)  # closed before its proxy email could go: it is no longer news

    sent = send_owed()

    assert [m.to for m in sent] == [[tom.user.email]]
    assert "at Annual General Meeting 2026" in sent[0].body
    assert Email.objects.get(about__startswith="governance.proxy", context={}, status="cancelled")


def test_a_notice_not_sent_before_its_meeting_began_is_not_sent_after(staff, margaret, time_machine):

    meeting = call_agm(staff)
    assert owed(kind="governance.meeting_notice")
    time_machine.move_to(meeting.starts_at + datetime.timedelta(minutes=1), tick=False)

    assert send_owed() == []
    assert not owed(kind="governance.meeting_notice")


def test_a_holder_is_told_once_when_the_instructions_change_before_or_after_the_email_goes(
    motion_ballot, margaret, tom
):
    send_owed()  # the meeting's notices
    services.proxy_appoint(user=margaret.user, holder=tom, ballot=motion_ballot)
    services.proxy_appoint(user=margaret.user, holder=tom, ballot=motion_ballot, instruction="for")

    told = send_owed()
    services.proxy_appoint(user=margaret.user, holder=tom, ballot=motion_ballot, instruction="against")

    assert [m.to for m in told] == [[tom.user.email]]
    assert "They ask you to: Vote for." in told[0].body
    assert send_owed() == []  # told already: the page shows the new instructions
