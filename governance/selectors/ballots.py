"""Reads for ballots: listings, the ones waiting for a vote, results and receipts once closed."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.exceptions import ConflictError, NotFoundError
from governance.models import (
    Attendance,
    Ballot,
    Candidate,
    Eligibility,
    MeetingDocument,
    Participation,
    Proxy,
    Vote,
    VotingChanges,
)
from governance.receipts import receipt_hash
from governance.results import BallotResult, NamedVote, result_read
from governance.selectors.access import seen_or_404
from governance.selectors.proxies import proxy_votes_pending
from members import selectors as member_selectors
from members.models import Membership, User


def ballots_for_user(*, user: User | AnonymousUser) -> QuerySet[Ballot]:
    seen_or_404(user)
    return Ballot.objects.select_related(
        "meeting", "motion__proposer__profile", "motion__seconder__profile"
    ).prefetch_related(
        Prefetch(
            "candidates",
            queryset=Candidate.objects.filter(withdrawn_at__isnull=True).select_related(
                "membership__profile"
            ),
            to_attr="standing",
        )
    )


def ballot_get_for_user(*, user: User | AnonymousUser, pk: int) -> Ballot:
    ballot = ballots_for_user(user=user).filter(pk=pk).first()
    if ballot is None:
        raise NotFoundError(_("There is no such ballot."), code="not_found")
    return ballot


def ballot_papers(*, ballot: Ballot) -> list[MeetingDocument]:
    """The papers a voter reads before voting: the documents of the ballot's meeting (the
    accounts to adopt, a report). Whoever may see the ballot may see its meeting and these, as
    on the meeting's page. One query; none for a ballot without a meeting."""
    if ballot.meeting_id is None:
        return []
    return list(MeetingDocument.objects.filter(meeting_id=ballot.meeting_id).order_by("uploaded_at", "pk"))


def ballot_result(*, ballot: Ballot) -> BallotResult:
    """The counted result, typed, once the ballot has closed; refused before (code results_hidden).
    On a ballot that is not secret it names who voted how (rankings as names). Two queries."""
    if ballot.status != Ballot.Status.CLOSED or ballot.result is None:
        raise ConflictError(_("Results are shown when the ballot closes."), code="results_hidden")
    return result_read(
        ballot.result,
        ballot_id=ballot.pk,
        title=ballot.title,
        secret=ballot.secret,
        closed_at=ballot.closed_at,
        declared_at=ballot.declared_at,
        named_votes=_named_votes(ballot),
    )


def _named_votes(ballot: Ballot) -> list[NamedVote]:
    if ballot.secret:
        return []
    names = {c.pk: c.membership.shown_name for c in ballot.candidates.select_related("membership__profile")}
    votes = Vote.objects.filter(ballot=ballot, voter__isnull=False).select_related("voter__profile")
    return sorted(
        (
            NamedVote(
                name=vote.voter.shown_name,
                choice=vote.choice,
                ranking=[names.get(int(c), "?") for c in vote.ranking],
            )
            for vote in votes
            if vote.voter is not None
        ),
        key=lambda v: (v.name, v.choice, v.ranking),
    )


def ballot_receipts(*, ballot: Ballot) -> list[str]:
    """The hashes of the counted votes' receipts, in an order that says nothing (sorted)."""
    if ballot.status != Ballot.Status.CLOSED:
        raise ConflictError(_("The receipts are published when the ballot closes."), code="results_hidden")
    return list(
        Vote.objects.filter(ballot=ballot).order_by("receipt_hash").values_list("receipt_hash", flat=True)
    )


def receipt_is_counted(*, ballot: Ballot, receipt: str) -> bool:
    return Vote.objects.filter(ballot=ballot, receipt_hash=receipt_hash(receipt)).exists()


# How long the ballots waiting for a member are kept at most, whatever changes (a restored
# database could count the same changes again).
WAITING_KEPT_SECONDS = 300


def ballots_awaiting_vote(*, user: User | AnonymousUser, now: datetime | None = None) -> list[Ballot]:
    """The open ballots the user may vote on now and has not (nor has a proxy for them), closing
    soonest first. Left out: a vote at a meeting they are not checked in to (they could not cast
    it), and a ballot they have given a proxy for (their proxy votes). Each carries `mine` (a vote
    of their own) and `proxies_pending` (the names of those they still vote for as proxy).

    Kept in the cache for each member under the count of voting changes (`VotingChanges`, kept by
    PostgreSQL's triggers), so a landing page asks two small queries (the member, the count)
    until a ballot, vote, proxy, attendance, meeting or member changes, or a ballot shown closes.
    Worked out, each query starting from the member so that none grows with the membership: the
    ballots they may vote on, the proxies they hold, and for someone holding one their
    appointers' votes."""
    member = member_selectors.membership_current_for_user(user=user)
    if member is None:
        return []
    now = now or timezone.now()
    if connection.vendor != "postgresql":  # no triggers count the changes (SQLite, a developer's machine)
        return _awaiting_vote(member, now)
    changes = VotingChanges.objects.filter(pk=1).values_list("count", flat=True).first()
    key = f"governance:votes-waiting:{member.pk}:{changes}"
    kept = cache.get(key)
    # Kept from `since` until the first of its ballots closes: right for any moment in between,
    # as nothing but a change (counted) or a closing brings a ballot in or takes one out.
    if kept is not None and kept["since"] <= now < kept["until"]:
        return cast(list[Ballot], kept["ballots"])
    ballots = _awaiting_vote(member, now)
    until = min(
        (ballot.closes_at for ballot in ballots), default=now + timedelta(seconds=WAITING_KEPT_SECONDS)
    )
    seconds = min(WAITING_KEPT_SECONDS, int((until - now).total_seconds()))
    if changes is not None and seconds > 0:
        cache.set(key, {"since": now, "until": until, "ballots": ballots}, seconds)
    return ballots


def _awaiting_vote(member: Membership, now: datetime) -> list[Ballot]:
    # Each a read of a unique index by the member's id, rather than one OR that reads every proxy.
    proxied_ballot = Proxy.objects.live().filter(appointer=member, ballot=OuterRef("pk"))
    proxied_meeting = Proxy.objects.live().filter(appointer=member, meeting=OuterRef("meeting"))
    present = Attendance.objects.filter(meeting=OuterRef("meeting"), membership=member)
    own = list(
        Ballot.objects.filter(
            status=Ballot.Status.OPEN,
            closes_at__gt=now,
            eligibility__membership=member,
        )
        .exclude(participations__membership=member)
        .exclude(Exists(proxied_ballot))
        .exclude(Exists(proxied_meeting))
        .exclude(Q(method=Ballot.Method.AT_MEETING) & ~Exists(present))
        .select_related("meeting")
        .order_by("closes_at", "pk")
    )
    for ballot in own:
        ballot.mine = True  # type: ignore[attr-defined]
        ballot.proxies_pending = []  # type: ignore[attr-defined]
    pending = proxy_votes_pending(member=member, now=now)
    if not pending:
        return own
    by_pk = {ballot.pk: ballot for ballot in own}
    missing = {ballot_id for ballot_id, _name in pending} - by_pk.keys()
    for ballot in Ballot.objects.filter(pk__in=missing).select_related("meeting"):
        ballot.mine = False  # type: ignore[attr-defined]
        ballot.proxies_pending = []  # type: ignore[attr-defined]
        by_pk[ballot.pk] = ballot
    for ballot_id, name in pending:
        by_pk[ballot_id].proxies_pending.append(name)  # type: ignore[attr-defined]
    return sorted(by_pk.values(), key=lambda b: (b.closes_at, b.pk))


@dataclass(frozen=True)
class BallotListing:
    """The ballots page: open ballots (closing soonest first), those not open yet, and recent
    closed ones. Each ballot carries `has_voted` and `is_eligible` for the user."""

    open: list[Ballot]
    coming: list[Ballot]
    closed: list[Ballot]


def ballots_listing(*, user: User | AnonymousUser, closed_limit: int = 20) -> BallotListing:
    seen_or_404(user)
    membership = member_selectors.membership_current_for_user(user=user)
    ballots = Ballot.objects.select_related("meeting", "motion").annotate(
        has_voted=Exists(Participation.objects.filter(ballot=OuterRef("pk"), membership=membership)),
        voted_by_proxy=Exists(
            Participation.objects.filter(ballot=OuterRef("pk"), membership=membership, proxy__isnull=False)
        ),
        is_eligible=Exists(Eligibility.objects.filter(ballot=OuterRef("pk"), membership=membership)),
    )
    live = list(ballots.exclude(status=Ballot.Status.CLOSED).order_by("closes_at", "pk"))
    return BallotListing(
        open=[b for b in live if b.status == Ballot.Status.OPEN],
        coming=sorted((b for b in live if b.status == Ballot.Status.DRAFT), key=lambda b: (b.opens_at, b.pk)),
        closed=list(ballots.filter(status=Ballot.Status.CLOSED).order_by("-closed_at", "-pk")[:closed_limit]),
    )
