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
)
from members import selectors as member_selectors
from members.models import Membership, User


def proxies_given_by(*, user: User) -> QuerySet[Proxy]:
    membership = member_selectors.membership_current_for_user(user=user)
    return (
        Proxy.objects.live()
        .filter(appointer=membership)
        .select_related("holder__profile", "meeting", "ballot")
        .order_by("-created_at")
    )


def proxy_votes_pending(*, current: QuerySet[Membership], now: datetime) -> list[tuple[int, str]]:
    """(ballot, appointer's name) for each vote the user still owes as someone's proxy on an open
    ballot: the appointer is on its list of voters, no vote is recorded for them, and the proxy
    applies (one for the ballot itself wins over one for its meeting). One query."""
    live = Proxy.objects.live().held_by(current).filter(appointer=OuterRef("membership"))
    any_for_ballot = Proxy.objects.live().filter(appointer=OuterRef("membership"), ballot=OuterRef("ballot"))
    voted = Participation.objects.filter(ballot=OuterRef("ballot"), membership=OuterRef("membership"))
    present = Attendance.objects.filter(meeting=OuterRef("ballot__meeting"), membership__in=current)
    rows = (
        Eligibility.objects.filter(ballot__status=Ballot.Status.OPEN, ballot__closes_at__gt=now)
        .filter(
            Exists(live.filter(ballot=OuterRef("ballot")))
            | (Exists(live.filter(meeting=OuterRef("ballot__meeting"))) & ~Exists(any_for_ballot))
        )
        .exclude(Exists(voted))
        .exclude(Q(ballot__method=Ballot.Method.AT_MEETING) & ~Exists(present))
        .select_related("membership__profile")
        .order_by("membership__legal_name", "pk")
    )
    return [(row.ballot_id, row.membership.shown_name) for row in rows]


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
    held = scope.held_by(Membership.objects.filter(pk=membership.pk))
    proxies = (
        scope.filter(appointer__in=held.values("appointer"))
        # Only members on the ballot's list of voters have a vote to give (an election is voted
        # by the class whose seats it fills).
        .filter(appointer__in=Eligibility.objects.filter(ballot=ballot).values("membership"))
        .select_related("appointer__profile", "meeting", "ballot__meeting")
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
