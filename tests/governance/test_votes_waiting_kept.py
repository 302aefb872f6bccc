"""The ballots waiting for a member's vote are kept in the cache under the count of voting
changes that PostgreSQL's triggers keep: a page reads them with two small queries, and any change
that bears on them (a vote, a proxy given or cancelled, even by a bulk update, a closing, a
check-in, a proxy's new name) or the first of them closing is seen at once."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import selectors, services
from governance.models import Participation, Proxy, VotingChanges
from members.models import Membership
from tests.governance.conftest import at, open_at_meeting_ballot, open_motion_ballot

pytestmark = pytest.mark.usefixtures("now")


def _count() -> int:
    return VotingChanges.objects.get(pk=1).count


def _waiting(user) -> list[tuple[int, bool, list[str]]]:
    return [(b.pk, b.mine, b.proxies_pending) for b in selectors.ballots_awaiting_vote(user=user)]


def test_every_statement_writing_what_decides_a_vote_is_counted_bulk_ones_too(staff, agm, margaret, tom):
    before = _count()
    ballot = open_motion_ballot(staff, agm)
    after_opening = _count()
    assert after_opening > before

    Participation.objects.bulk_create(
        [Participation(ballot=ballot, membership=margaret, cast_by=staff, change_key_hash="x")]
    )
    assert _count() == after_opening + 1
    Proxy.objects.filter(appointer=tom).update(revoked_at=None)  # writes no row: still a statement
    assert _count() == after_opening + 2


def test_a_second_look_reads_the_kept_answer_with_two_small_queries(staff, agm, margaret):
    ballot = open_motion_ballot(staff, agm)
    assert _waiting(margaret.user) == [(ballot.pk, True, [])]

    with CaptureQueriesContext(connection) as queries:
        assert _waiting(margaret.user) == [(ballot.pk, True, [])]

    assert len(queries) == 2, [q["sql"] for q in queries.captured_queries]  # the member, the count


def test_each_change_is_seen_at_once_through_the_kept_answer(staff, agm, margaret, tom, time_machine):
    ballot = open_motion_ballot(staff, agm)
    assert _waiting(tom.user) == [(ballot.pk, True, [])]

    # Margaret gives Tom her proxy: he now owes her vote too, and she waits for nothing.
    proxy = services.proxy_appoint(user=margaret.user, holder=tom, ballot=ballot)
    assert _waiting(margaret.user) == []
    assert _waiting(tom.user) == [(ballot.pk, True, ["Margaret Greenwood"])]

    # Her name on the register changes: his list says so.
    Membership.objects.filter(pk=margaret.pk).update(legal_name="Margaret Sutcliffe")
    assert _waiting(tom.user) == [(ballot.pk, True, ["Margaret Sutcliffe"])]

    # Cancelled by a bulk update, as a meeting's end cancels many: her vote is hers again.
    Proxy.objects.filter(pk=proxy.pk).update(revoked_at=at(1, 9, month=12))
    assert _waiting(tom.user) == [(ballot.pk, True, [])]
    assert _waiting(margaret.user) == [(ballot.pk, True, [])]

    services.vote_cast(ballot=ballot, user=tom.user, choice="for")
    assert _waiting(tom.user) == []

    # A vote at the meeting waits only for those checked in.
    time_machine.move_to(at(12, 14, 5), tick=False)
    services.attendance_mark(meeting=agm, membership=tom, user=staff)
    in_room = open_at_meeting_ballot(staff, agm)
    assert in_room.pk not in [pk for pk, _mine, _names in _waiting(margaret.user)]
    services.attendance_mark(meeting=agm, membership=margaret, user=staff)
    assert in_room.pk in [pk for pk, _mine, _names in _waiting(margaret.user)]


def test_a_kept_ballot_leaves_the_list_when_it_closes_with_nothing_written(
    staff, agm, margaret, time_machine
):
    ballot = open_motion_ballot(staff, agm)
    assert _waiting(margaret.user) == [(ballot.pk, True, [])]

    time_machine.move_to(ballot.closes_at + datetime.timedelta(seconds=1), tick=False)

    assert _waiting(margaret.user) == []


@pytest.mark.django_db(transaction=True)
def test_votes_cast_at_once_by_many_are_each_counted_and_none_waits_for_ever():
    from tests.concurrency import race
    from tests.factories import MembershipFactory, UserFactory
    from tests.governance.conftest import call_agm

    staff = UserFactory(is_staff=True)
    voters = MembershipFactory.create_batch(12)
    ballot = open_motion_ballot(staff, call_agm(staff))
    for voter in voters:  # each member's answer is kept before the votes
        assert [b.pk for b in selectors.ballots_awaiting_vote(user=voter.user)] == [ballot.pk]
    before = _count()

    results = race(
        [lambda v=v: services.vote_cast(ballot=ballot, user=v.user, choice="for") for v in voters]
        + [lambda: Membership.objects.filter(pk=voters[0].pk).update(legal_name="Renamed at the same moment")]
    )

    assert all(isinstance(receipt, str) for receipt in results[:-1]), results
    assert _count() >= before + len(voters) + 1
    for voter in voters:
        assert selectors.ballots_awaiting_vote(user=voter.user) == []
