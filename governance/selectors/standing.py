"""Where a member stands on ballots: eligible, voted, a proxy's vote, or why not; many ballots at once."""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from governance.models import (
    Ballot,
    Eligibility,
    Participation,
    Proxy,
)
from governance.selectors.proxies import HELD_FIELDS, appointers_held_by
from members import selectors as member_selectors
from members.models import Membership, User


@dataclass(frozen=True)
class VoterStanding:
    """Where a member stands on a ballot: whether they may vote, whether they have, and whose
    proxies they may use on it."""

    eligible: bool
    voted: bool
    voted_by_proxy: bool
    proxies_for: list[Membership]


def voter_standing(*, ballot: Ballot, user: User | AnonymousUser) -> VoterStanding:
    return voter_standings(ballots=[ballot], user=user)[ballot.pk]


def voter_standings(*, ballots: list[Ballot], user: User | AnonymousUser) -> dict[int, VoterStanding]:
    """Where the user stands on each of `ballots`, by ballot pk, in at most five queries however
    many ballots there are (four for a member who holds no proxy). The one rule for `voter_standing` too.

    `proxies_for` names the members whose vote the user would cast as their proxy: for each
    appointer, the proxy that applies (Proxy.applying: one for the ballot wins over one for its
    meeting), when the user holds it, as `vote_cast` chooses."""
    membership = member_selectors.membership_current_for_user(user=user) if user.is_authenticated else None
    if membership is None or not ballots:
        return {
            ballot.pk: VoterStanding(eligible=False, voted=False, voted_by_proxy=False, proxies_for=[])
            for ballot in ballots
        }
    ballot_ids = [ballot.pk for ballot in ballots]
    meeting_ids = {ballot.meeting_id for ballot in ballots if ballot.meeting_id is not None}
    eligible = set(
        Eligibility.objects.filter(ballot_id__in=ballot_ids, membership=membership).values_list(
            "ballot_id", flat=True
        )
    )
    # One participation per member and ballot (the constraint one_vote_per_member): ballot -> proxy.
    participations = dict(
        Participation.objects.filter(ballot_id__in=ballot_ids, membership=membership).values_list(
            "ballot_id", "proxy_id"
        )
    )
    scope = Proxy.objects.live().filter(Q(ballot_id__in=ballot_ids) | Q(meeting_id__in=meeting_ids))
    # Every live proxy of the appointers whose proxy the user holds: one that applies may not be
    # the one the user holds.
    holding_for = appointers_held_by(scope=scope, member=membership)
    proxies = (
        scope.filter(appointer_id__in=holding_for)
        .select_related("appointer__profile", "meeting", "ballot__meeting")
        .only(*HELD_FIELDS)
        .order_by("pk")
        if holding_for
        else Proxy.objects.none()
    )
    for_ballot: dict[int, list[Proxy]] = {}
    for_meeting: dict[int, list[Proxy]] = {}
    for proxy in proxies:
        if proxy.ballot_id is not None:
            for_ballot.setdefault(proxy.ballot_id, []).append(proxy)
        if proxy.meeting_id is not None:
            for_meeting.setdefault(proxy.meeting_id, []).append(proxy)

    standings: dict[int, VoterStanding] = {}
    for ballot in ballots:
        applying = for_ballot.get(ballot.pk, []) + (
            for_meeting.get(ballot.meeting_id, []) if ballot.meeting_id is not None else []
        )
        given: dict[int, list[Proxy]] = {}
        for proxy in applying:
            given.setdefault(proxy.appointer_id, []).append(proxy)
        chosen = [Proxy.applying(theirs) for theirs in given.values()]
        appointers = {
            p.appointer_id: p.appointer for p in chosen if p is not None and p.is_held_by(membership)
        }
        proxy_id = participations.get(ballot.pk)
        standings[ballot.pk] = VoterStanding(
            eligible=ballot.pk in eligible,
            voted=ballot.pk in participations,
            voted_by_proxy=proxy_id is not None,
            proxies_for=sorted(appointers.values(), key=lambda m: (m.legal_name, m.pk)),
        )
    return standings
