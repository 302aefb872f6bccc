"""Reads for proxies: given, held, usable on a ballot, and votes owed as someone's proxy."""

from datetime import datetime
from typing import TypedDict, cast

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django_stubs_ext import WithAnnotations

from governance.models import (
    Attendance,
    Ballot,
    Eligibility,
    Participation,
    Proxy,
    ProxyQuerySet,
)
from members import selectors as member_selectors
from members.models import Membership, User

_OWN_FIELDS = tuple(f.name for f in Proxy._meta.concrete_fields)
# A proxy as deciding who holds it reads it (Proxy.is_held_by: the chair of its meeting, or of its
# ballot's meeting) with its appointer's face: not the meetings' and ballots' every column, and
# not the appointer's profile texts. A ballot's page reads them twice: for where the member
# stands, and for the proxies they may vote with.
HELD_FIELDS = (
    *_OWN_FIELDS,
    *member_selectors.face_fields("appointer"),
    "meeting__chair",
    "ballot__meeting__chair",
)


def appointers_held_by(*, scope: ProxyQuerySet, member: Membership) -> list[int]:
    """The members whose proxies among `scope` the member holds, as ids. Read first, so that
    their proxies are then read by appointer: most members hold none and stop there, and given
    a subquery PostgreSQL joined the proxies to the whole register."""
    held = scope.held_by(Membership.objects.filter(pk=member.pk))
    return list(held.order_by().values_list("appointer_id", flat=True).distinct())


def proxies_given_by(*, user: User) -> QuerySet[Proxy]:
    membership = member_selectors.membership_current_for_user(user=user)
    return (
        Proxy.objects.live()
        .filter(appointer=membership)
        .select_related("holder__profile", "meeting", "ballot")
        .order_by("-created_at")
    )


def proxy_applying_for(*, ballot: Ballot, membership: Membership) -> Proxy | None:
    """The proxy that would vote for the member on this ballot, as the vote chooses it
    (Proxy.applying), with its holder's face."""
    return Proxy.applying(
        Proxy.objects.for_ballot(ballot)
        .filter(appointer=membership)
        .select_related("holder__profile")
        .only(*_OWN_FIELDS, *member_selectors.face_fields("holder"))
    )


def _held_on_open_ballots(member: Membership) -> list[Proxy]:
    """The live proxies the user holds that may still vote: for an open ballot, or for a meeting
    with one. Asked as three indexed reads in one query (named to them; to the chair of a meeting
    they chair; to the chair of a ballot's meeting), since one OR across them reads every proxy."""
    open_ballots = Ballot.objects.filter(status=Ballot.Status.OPEN)
    still_voting = Q(ballot__in=open_ballots) | Q(meeting__in=open_ballots.values("meeting"))
    fields = ("pk", "appointer_id", "ballot_id", "meeting_id")
    live = Proxy.objects.live().filter(still_voting).order_by().only(*fields)
    return list(
        live.filter(holder=member).union(
            live.filter(to_chair=True, meeting__chair=member),
            live.filter(to_chair=True, ballot__meeting__chair=member),
        )
    )


def proxy_votes_pending(*, member: Membership, now: datetime) -> list[tuple[int, str]]:
    """(ballot, appointer's name) for each vote the user still owes as someone's proxy on an open
    ballot: the appointer is on its list of voters, no vote is recorded for them, and the proxy
    applies (one for the ballot itself wins over one for its meeting, whoever holds it).

    Starts from the proxies the user holds, so its work follows them, not the number of voters:
    one query, and a second only for someone holding a proxy."""
    held = _held_on_open_ballots(member)
    if not held:
        return []
    for_ballot = {(p.appointer_id, p.ballot_id) for p in held if p.ballot_id is not None}
    for_meeting = {(p.appointer_id, p.meeting_id) for p in held if p.meeting_id is not None}
    voted = Participation.objects.filter(ballot=OuterRef("ballot"), membership=OuterRef("membership"))
    present = Attendance.objects.filter(meeting=OuterRef("ballot__meeting"), membership=member)
    rows = (
        Eligibility.objects.filter(
            membership__in={p.appointer_id for p in held},
            ballot__status=Ballot.Status.OPEN,
            ballot__closes_at__gt=now,
        )
        .exclude(Exists(voted))
        .exclude(Q(ballot__method=Ballot.Method.AT_MEETING) & ~Exists(present))
        .annotate(
            proxy_for_ballot=Exists(
                Proxy.objects.live().filter(appointer=OuterRef("membership"), ballot=OuterRef("ballot"))
            )
        )
        .select_related("membership__profile", "ballot")
        .order_by("membership__legal_name", "pk")
    )
    return [
        (row.ballot_id, row.membership.shown_name)
        for row in rows
        if (row.membership_id, row.ballot_id) in for_ballot
        or ((row.membership_id, row.ballot.meeting_id) in for_meeting and not row.proxy_for_ballot)
    ]


def proxies_held_by(*, user: User | AnonymousUser, now: datetime | None = None) -> list[Proxy]:
    """The proxies the user holds for meetings not yet over and ballots not yet closed: named to
    them, or to the chair of a meeting they chair. Soonest first."""
    if not user.is_authenticated:
        return []
    current = Membership.objects.current().filter(user=user)
    proxies = (
        Proxy.objects.held_by(current)
        .in_force(now or timezone.now())
        .select_related("appointer__profile", "meeting", "ballot")
    )

    def when(proxy: Proxy) -> datetime:
        return proxy.meeting.starts_at if proxy.meeting is not None else proxy.ballot.closes_at  # type: ignore[union-attr]

    return sorted(proxies, key=lambda p: (when(p), p.appointer.shown_name, p.pk))


class ProxyVotes(TypedDict):
    appointer_voted: bool
    appointer_voted_self: bool
    voted_by_me: bool


def proxies_usable_on_ballot(
    *, ballot: Ballot, user: User | AnonymousUser
) -> list["WithAnnotations[Proxy, ProxyVotes]"]:
    """The proxies the user may vote with on this ballot, one per appointer, chosen as
    `services.vote_cast` chooses them (one for the ballot itself wins over one for the whole
    meeting). Each carries `appointer_voted`: whether a vote is already recorded for them, and
    `appointer_voted_self`: whether they cast it themselves (so the proxy can no longer vote), and
    `voted_by_me`: whether the user cast it."""
    membership = member_selectors.membership_current_for_user(user=user) if user.is_authenticated else None
    if membership is None:
        return []
    scope = Proxy.objects.for_ballot(ballot)
    appointers = appointers_held_by(scope=scope, member=membership)
    if not appointers:
        return []
    proxies = (
        scope.filter(appointer_id__in=appointers)
        # Only members on the ballot's list of voters have a vote to give (an election is voted
        # by the class whose seats it fills).
        .filter(appointer__in=Eligibility.objects.filter(ballot=ballot).values("membership"))
        .select_related("appointer__profile", "meeting", "ballot__meeting")
        .only(*HELD_FIELDS)
        .annotate(
            appointer_voted=Exists(
                Participation.objects.filter(ballot=ballot, membership=OuterRef("appointer"))
            ),
            appointer_voted_self=Exists(
                Participation.objects.filter(
                    ballot=ballot, membership=OuterRef("appointer"), proxy__isnull=True
                )
            ),
            voted_by_me=Exists(
                Participation.objects.filter(
                    ballot=ballot, membership=OuterRef("appointer"), cast_by_id=user.pk
                )
            ),
        )
        .order_by("created_at", "pk")
    )
    by_appointer: dict[int, list[Proxy]] = {}
    for proxy in proxies:
        by_appointer.setdefault(proxy.appointer_id, []).append(proxy)
    applying = [Proxy.applying(given) for given in by_appointer.values()]
    mine = [proxy for proxy in applying if proxy is not None and proxy.is_held_by(membership)]
    # The checker cannot follow annotate() through the loop above: the proxies carry ProxyVotes.
    return cast(
        "list[WithAnnotations[Proxy, ProxyVotes]]", sorted(mine, key=lambda p: (p.appointer.shown_name, p.pk))
    )
