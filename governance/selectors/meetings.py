"""Reads for meetings, attendance, the quorum, requisitions and the rules' history."""

from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.db import number_from_text
from carecoop.exceptions import NotFoundError
from governance import rules
from governance.models import (
    Attendance,
    GovernancePolicy,
    Meeting,
    Proxy,
    Requisition,
)
from governance.selectors.access import seen_or_404
from members import selectors as member_selectors
from members.models import Membership, User


def meetings_for_user(*, user: User | AnonymousUser) -> QuerySet[Meeting]:
    seen_or_404(user)
    return Meeting.objects.select_related("chair__profile", "minutes").annotate(
        ballot_count=Count("ballots", distinct=True)
    )


def meeting_get_for_user(*, user: User | AnonymousUser, pk: int) -> Meeting:
    meeting = meetings_for_user(user=user).filter(pk=pk).first()
    if meeting is None:
        raise NotFoundError(_("There is no such meeting."), code="not_found")
    return meeting


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
    present, by_proxy = quorum_present(meeting=meeting)
    return Quorum(
        members=members,
        needed=rules.lesser_of(
            percent=policy.quorum_percent, most=policy.quorum_max_members, members=members
        ),
        present=present,
        by_proxy=by_proxy,
        counts_proxies=policy.quorum_counts_proxies,
    )


def attendance_for_meeting(*, meeting: Meeting) -> QuerySet[Attendance]:
    return Attendance.objects.filter(meeting=meeting).select_related("membership__profile", "recorded_by")


def requisitions_for_user(*, user: User | AnonymousUser) -> QuerySet[Requisition]:
    seen_or_404(user)
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


def quorum_needed(*, on: date | None = None) -> int:
    policy = GovernancePolicy.current()
    members = member_selectors.memberships_participating(on=on or timezone.localdate()).count()
    return rules.lesser_of(percent=policy.quorum_percent, most=policy.quorum_max_members, members=members)


def quorum_present(*, meeting: Meeting) -> tuple[int, int]:
    """(members present, members absent but represented by a proxy who is present)."""
    present_ids = set(Attendance.objects.filter(meeting=meeting).values_list("membership_id", flat=True))
    represented = set()
    chair_present = meeting.chair_id in present_ids
    for appointer_id, holder_id, to_chair in Proxy.objects.for_meeting(meeting).values_list(
        "appointer_id", "holder_id", "to_chair"
    ):
        if appointer_id not in present_ids and (holder_id in present_ids or (to_chair and chair_present)):
            represented.add(appointer_id)
    return len(present_ids), len(represented)


def quorum_is_met(*, meeting: Meeting) -> bool:
    present, by_proxy = quorum_present(meeting=meeting)
    if GovernancePolicy.current().quorum_counts_proxies:
        present += by_proxy
    return present >= quorum_needed()


def requisition_signatures_needed(*, on: date | None = None) -> int:
    policy = GovernancePolicy.current()
    members = member_selectors.memberships_participating(on=on or timezone.localdate()).count()
    return rules.lesser_of(
        percent=policy.requisition_percent, most=policy.requisition_max_signatures, members=members
    )


def requisitions_waiting_count() -> int:
    """Requisitions with enough signatures whose meeting is not yet called: the secretary's to do."""
    return Requisition.objects.filter(met_at__isnull=False, meeting__isnull=True).count()
