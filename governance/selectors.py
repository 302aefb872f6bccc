"""Reads for meetings, motions and ballots, scoped to what the user may see.

Meetings, motions and ballots are the co-op's business: every member (and staff) may read them.
Results and the receipts list stay hidden until a ballot closes (rule 7 and the issue's "results
stay hidden until close"), from staff as much as anyone.
"""

from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.db import number_from_text
from carecoop.exceptions import ConflictError, NotFoundError
from governance import services
from governance.models import (
    Attendance,
    Ballot,
    Candidate,
    Eligibility,
    GovernancePolicy,
    Meeting,
    Motion,
    MotionVersion,
    Participation,
    Proxy,
    Requisition,
    Vote,
)
from members import selectors as member_selectors
from members.models import Membership, User


def can_take_part(user: User | AnonymousUser) -> bool:
    """Members (admitted, not ceased) and staff read the co-op's governance."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return member_selectors.membership_current_for_user(user=user) is not None


def _seen_or_404(user: User | AnonymousUser) -> None:
    if not can_take_part(user):
        raise NotFoundError(_("Not found."), code="not_found")


def meetings_for_user(*, user: User | AnonymousUser) -> QuerySet[Meeting]:
    _seen_or_404(user)
    return Meeting.objects.select_related("chair__profile", "minutes").annotate(
        ballot_count=Count("ballots", distinct=True)
    )


def meeting_get_for_user(*, user: User | AnonymousUser, pk: int) -> Meeting:
    meeting = meetings_for_user(user=user).filter(pk=pk).first()
    if meeting is None:
        raise NotFoundError(_("There is no such meeting."), code="not_found")
    return meeting


def motions_for_meeting(*, meeting: Meeting) -> QuerySet[Motion]:
    return (
        Motion.objects.filter(meeting=meeting)
        .select_related("proposer__profile", "seconder__profile", "amends")
        .prefetch_related(Prefetch("versions", queryset=MotionVersion.objects.order_by("number")))
        .order_by("amends_id", "created_at", "pk")
    )


def motions_for_user(*, user: User | AnonymousUser) -> QuerySet[Motion]:
    _seen_or_404(user)
    return (
        Motion.objects.select_related("meeting", "proposer__profile", "seconder__profile")
        .prefetch_related(Prefetch("versions", queryset=MotionVersion.objects.order_by("number")))
        .order_by("-created_at", "-pk")
    )


def motion_get_for_user(*, user: User | AnonymousUser, pk: int) -> Motion:
    motion = motions_for_user(user=user).filter(pk=pk).first()
    if motion is None:
        raise NotFoundError(_("There is no such motion."), code="not_found")
    return motion


def ballots_for_user(*, user: User | AnonymousUser) -> QuerySet[Ballot]:
    _seen_or_404(user)
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


def ballot_results(*, ballot: Ballot) -> dict[str, Any]:
    """The counted result, once the ballot has closed; refused before (code results_hidden)."""
    if ballot.status != Ballot.Status.CLOSED or ballot.result is None:
        raise ConflictError(_("Results are shown when the ballot closes."), code="results_hidden")
    result: dict[str, Any] = ballot.result
    return result


def ballot_receipts(*, ballot: Ballot) -> list[str]:
    """The hashes of the counted votes' receipts, in an order that says nothing (sorted)."""
    if ballot.status != Ballot.Status.CLOSED:
        raise ConflictError(_("The receipts are published when the ballot closes."), code="results_hidden")
    return list(
        Vote.objects.filter(ballot=ballot).order_by("receipt_hash").values_list("receipt_hash", flat=True)
    )


def ballot_named_votes(*, ballot: Ballot) -> list[tuple[str, str]]:
    """Who voted how, for a named (not secret) ballot once closed."""
    if ballot.secret or ballot.status != Ballot.Status.CLOSED:
        return []
    votes = Vote.objects.filter(ballot=ballot, voter__isnull=False).select_related("voter__profile")
    return sorted((vote.voter.shown_name, vote.choice) for vote in votes if vote.voter is not None)


def receipt_is_counted(*, ballot: Ballot, receipt: str) -> bool:
    return Vote.objects.filter(ballot=ballot, receipt_hash=services.receipt_hash(receipt)).exists()


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


def proxies_given_by(*, user: User) -> QuerySet[Proxy]:
    membership = member_selectors.membership_current_for_user(user=user)
    return (
        Proxy.objects.filter(appointer=membership, revoked_at__isnull=True)
        .select_related("holder__profile", "meeting", "ballot")
        .order_by("-created_at")
    )


def ballots_awaiting_vote(*, user: User | AnonymousUser, now: datetime | None = None) -> list[Ballot]:
    """The open ballots the user may vote on now and has not (nor has a proxy for them), closing
    soonest first. Left out: a vote at a meeting they are not checked in to (they could not cast
    it), and a ballot they have given a proxy for (their proxy votes). One query, none for
    someone not logged in."""
    if not user.is_authenticated:
        return []
    now = now or timezone.now()
    current = Membership.objects.current().filter(user=user)
    proxied = Proxy.objects.filter(appointer__in=current, revoked_at__isnull=True).filter(
        Q(ballot=OuterRef("pk")) | Q(meeting=OuterRef("meeting"))
    )
    present = Attendance.objects.filter(meeting=OuterRef("meeting"), membership__in=current)
    own = list(
        Ballot.objects.filter(
            status=Ballot.Status.OPEN,
            closes_at__gt=now,
            eligibility__membership__in=current,
        )
        .exclude(participations__membership__in=current)
        .exclude(Exists(proxied))
        .exclude(Q(method=Ballot.Method.AT_MEETING) & ~Exists(present))
        .select_related("meeting")
        .order_by("closes_at", "pk")
    )
    for ballot in own:
        ballot.mine = True  # type: ignore[attr-defined]
        ballot.proxies_pending = []  # type: ignore[attr-defined]
    pending = _proxy_votes_pending(current=current, now=now)
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


def _proxy_votes_pending(*, current: QuerySet[Membership], now: datetime) -> list[tuple[int, str]]:
    """(ballot, appointer's name) for each vote the user still owes as someone's proxy on an open
    ballot: the appointer is on its list of voters, no vote is recorded for them, and the proxy
    applies (one for the ballot itself wins over one for its meeting). One query."""
    live = Proxy.objects.held_by(current).filter(revoked_at__isnull=True, appointer=OuterRef("membership"))
    any_for_ballot = Proxy.objects.filter(
        revoked_at__isnull=True, appointer=OuterRef("membership"), ballot=OuterRef("ballot")
    )
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


def members_found_for_meeting(*, meeting: Meeting, search: str, limit: int = 20) -> list[Membership]:
    """Current members found by name or membership number, to mark present at `meeting` or make
    its chair, each with `is_present`. One query."""
    term = search.replace("\x00", "").strip()
    if not term:
        return []
    query = Q(legal_name__icontains=term) | Q(profile__display_name__icontains=term)
    if (number := number_from_text(term)) is not None:
        query |= Q(number=number)
    return list(
        member_selectors.memberships_participating(on=timezone.localdate())
        .filter(query)
        .select_related("profile")
        .annotate(is_present=Exists(Attendance.objects.filter(meeting=meeting, membership=OuterRef("pk"))))
        .order_by("legal_name", "number")[:limit]
    )


@dataclass(frozen=True)
class RuleChange:
    """One saving of the meeting and voting rules: when, by whom, and each number changed as
    (what it is, before, after)."""

    at: datetime
    by: str
    changed: list[tuple[str, str, str]]


def governance_policy_changes(*, limit: int = 10) -> list[RuleChange]:
    """The latest changes to the meeting and voting rules, newest first. One query."""
    records = list(
        GovernancePolicy.history.filter(id=1)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[: limit + 1]
    )

    def shown(field_name: str, value: Any) -> str:
        field = GovernancePolicy._meta.get_field(field_name)
        choices = dict(getattr(field, "flatchoices", None) or [])
        return str(choices.get(value, value))

    changes = []
    for newer, older in pairwise(records):
        delta = newer.diff_against(older)
        changed = [
            (
                str(getattr(GovernancePolicy._meta.get_field(change.field), "verbose_name", change.field)),
                shown(change.field, change.old),
                shown(change.field, change.new),
            )
            for change in delta.changes
        ]
        if changed:
            who = newer.history_user.email if newer.history_user else _("the system")
            changes.append(RuleChange(at=newer.history_date, by=who, changed=changed))
    return changes


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


@dataclass(frozen=True)
class Quorum:
    members: int
    needed: int
    present: int
    by_proxy: int
    counts_proxies: bool

    @property
    def counted(self) -> int:
        return self.present + (self.by_proxy if self.counts_proxies else 0)

    @property
    def met(self) -> bool:
        return self.counted >= self.needed


def meeting_quorum(*, meeting: Meeting) -> Quorum:
    policy = GovernancePolicy.current()
    members = member_selectors.memberships_participating(on=timezone.localdate()).count()
    present, by_proxy = services.quorum_present(meeting=meeting)
    return Quorum(
        members=members,
        needed=services.lesser_of(
            percent=policy.quorum_percent, most=policy.quorum_max_members, members=members
        ),
        present=present,
        by_proxy=by_proxy,
        counts_proxies=policy.quorum_counts_proxies,
    )


def attendance_for_meeting(*, meeting: Meeting) -> QuerySet[Attendance]:
    return Attendance.objects.filter(meeting=meeting).select_related("membership__profile", "recorded_by")


def requisitions_for_user(*, user: User | AnonymousUser) -> QuerySet[Requisition]:
    _seen_or_404(user)
    return Requisition.objects.select_related("opened_by__profile").annotate(
        signature_count=Count("signatures", distinct=True)
    )


def requisition_get_for_user(*, user: User | AnonymousUser, pk: int) -> Requisition:
    requisition = requisitions_for_user(user=user).filter(pk=pk).first()
    if requisition is None:
        raise NotFoundError(_("There is no such requisition."), code="not_found")
    return requisition


def upcoming_meetings(*, user: User | AnonymousUser, now: datetime | None = None) -> QuerySet[Meeting]:
    return meetings_for_user(user=user).filter(ends_at__gt=now or timezone.now()).order_by("starts_at")


# --- Ballot pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BallotListing:
    """The ballots page: open ballots (closing soonest first), those not open yet, and recent
    closed ones. Each ballot carries `has_voted` and `is_eligible` for the user."""

    open: list[Ballot]
    coming: list[Ballot]
    closed: list[Ballot]


def ballots_listing(*, user: User | AnonymousUser, closed_limit: int = 20) -> BallotListing:
    _seen_or_404(user)
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


def motion_current_version(*, motion: Motion) -> MotionVersion | None:
    return MotionVersion.objects.filter(motion=motion).order_by("-number").first()


def proxies_usable_on_ballot(*, ballot: Ballot, user: User | AnonymousUser) -> list[Proxy]:
    """The proxies the user may vote with on this ballot, one per appointer, chosen as
    `services.vote_cast` chooses them (one for the ballot itself wins over one for the whole
    meeting). Each carries `appointer_voted`: whether a vote is already recorded for them, and
    `appointer_voted_self`: whether they cast it themselves (so the proxy can no longer vote), and
    `voted_by_me`: whether the user cast it."""
    membership = member_selectors.membership_current_for_user(user=user) if user.is_authenticated else None
    if membership is None:
        return []
    chairing = ballot.meeting is not None and ballot.meeting.chair_id == membership.pk
    held = Q(holder=membership) | (Q(to_chair=True) if chairing else Q(pk__in=[]))
    scope = Q(ballot=ballot) | (Q(meeting_id=ballot.meeting_id) if ballot.meeting_id else Q(pk__in=[]))
    scope &= Q(revoked_at__isnull=True)
    proxies = (
        Proxy.objects.filter(scope, appointer__in=Proxy.objects.filter(scope & held).values("appointer"))
        # Only members on the ballot's list of voters have a vote to give (an election is voted
        # by the class whose seats it fills).
        .filter(appointer__in=Eligibility.objects.filter(ballot=ballot).values("membership"))
        .select_related("appointer__profile")
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
    by_appointer: dict[int, Proxy] = {}
    for proxy in proxies:
        chosen = by_appointer.get(proxy.appointer_id)
        if chosen is None or (chosen.ballot_id is None and proxy.ballot_id is not None):
            by_appointer[proxy.appointer_id] = proxy
    mine = [
        proxy
        for proxy in by_appointer.values()
        if proxy.holder_id == membership.pk or (proxy.to_chair and chairing)
    ]
    return sorted(mine, key=lambda p: (p.appointer.shown_name, p.pk))


def ballot_votes_named(*, ballot: Ballot) -> list[tuple[str, str, str]]:
    """Who voted how on a named ballot once closed: (name, choice, ranking as names)."""
    if ballot.secret or ballot.status != Ballot.Status.CLOSED:
        return []
    names = {c.pk: c.membership.shown_name for c in ballot.candidates.select_related("membership__profile")}
    votes = Vote.objects.filter(ballot=ballot, voter__isnull=False).select_related("voter__profile")
    return sorted(
        (vote.voter.shown_name, vote.choice, ", ".join(names.get(c, "?") for c in vote.ranking))
        for vote in votes
        if vote.voter is not None
    )


# --- Where a member stands, on many ballots at once -------------------------------------------------


def voter_standings(*, ballots: list[Ballot], user: User | AnonymousUser) -> dict[int, VoterStanding]:
    """Where the user stands on each of `ballots`, by ballot pk, in at most five queries however
    many ballots there are. The one rule for `voter_standing` too.

    Whether the user chairs a ballot's meeting is read from `ballot.meeting` where it was selected
    (as `voter_standing` always read it), and asked of the database in one query for the rest."""
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
    chaired = _meetings_chaired(ballots=ballots, membership=membership)
    proxies = (
        Proxy.objects.filter(
            Q(ballot_id__in=ballot_ids) | Q(meeting_id__in=meeting_ids),
            Q(holder=membership)
            | Q(to_chair=True, meeting_id__in=chaired)
            | Q(to_chair=True, ballot_id__in=[b.pk for b in ballots if b.meeting_id in chaired]),
            revoked_at__isnull=True,
        )
        .select_related("appointer__profile")
        .order_by("pk")
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
        chairing = ballot.meeting_id in chaired
        applying = for_ballot.get(ballot.pk, []) + (
            for_meeting.get(ballot.meeting_id, []) if ballot.meeting_id is not None else []
        )
        appointers = {
            proxy.appointer_id: proxy.appointer
            for proxy in applying
            if proxy.holder_id == membership.pk or (proxy.to_chair and chairing)
        }
        proxy_id = participations.get(ballot.pk)
        standings[ballot.pk] = VoterStanding(
            eligible=ballot.pk in eligible,
            voted=ballot.pk in participations,
            voted_by_proxy=proxy_id is not None,
            proxies_for=sorted(appointers.values(), key=lambda m: (m.legal_name, m.pk)),
        )
    return standings


def _meetings_chaired(*, ballots: list[Ballot], membership: Membership) -> set[int]:
    """The meetings of `ballots` that `membership` chairs."""
    chaired: set[int] = set()
    unread: set[int] = set()
    for ballot in ballots:
        if ballot.meeting_id is None:
            continue
        if Ballot.meeting.is_cached(ballot):
            if ballot.meeting is not None and ballot.meeting.chair_id == membership.pk:
                chaired.add(ballot.meeting_id)
        else:
            unread.add(ballot.meeting_id)
    if unread:
        chaired |= set(Meeting.objects.filter(pk__in=unread, chair=membership).values_list("pk", flat=True))
    return chaired
