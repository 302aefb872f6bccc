"""A member's whole record, put together from every app's part (UK GDPR article 15).

Governance is the last app in the order, so the only one that may read all four. Each part is
one query a kind of record, so the download costs the same however much a member holds.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Case, Exists, Max, OuterRef, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from carecoop.models import Email
from carecoop.personal_data import Section, as_json, section, sections
from governance.models import (
    Attendance,
    Candidate,
    Dividend,
    Eligibility,
    MeetingNotice,
    Motion,
    Participation,
    Proxy,
    Requisition,
    RequisitionSignature,
    ShareInterest,
    Vote,
)
from matching import selectors as matching_selectors
from members import selectors as member_selectors
from members.models import Application, CircleMember, DataRequest, Membership, Policy, User
from scheduling import selectors as scheduling_selectors
from scheduling.models import Visit

SECRET_BALLOT_NOTE = gettext_lazy(
    "These are the ballots you took part in. How you voted on a secret ballot is not here because "
    "the co-op does not know it: a secret vote is stored with nothing that links it to the voter."
)


def _governance_part(user: User) -> list[Section]:
    mine = Q(membership__user=user)
    return [
        section(
            "ballot_participation",
            _("Ballots you voted in"),
            Participation.objects.filter(mine),
            note=str(SECRET_BALLOT_NOTE),
        ),
        *sections(
            [
                # Secret votes have no voter: this finds named votes only, by construction.
                (
                    "named_votes",
                    _("Your votes on named (not secret) ballots"),
                    Vote.objects.filter(voter__user=user),
                ),
                ("ballot_eligibility", _("Ballots you could vote in"), Eligibility.objects.filter(mine)),
                ("candidacies", _("Elections you stood in"), Candidate.objects.filter(mine)),
                (
                    "proxies",
                    _("Proxies you appointed or hold"),
                    Proxy.objects.filter(Q(appointer__user=user) | Q(holder__user=user)),
                ),
                ("meeting_notices", _("Notices of meetings sent to you"), MeetingNotice.objects.filter(mine)),
                ("attendance", _("Meetings you attended"), Attendance.objects.filter(mine)),
                (
                    "motions",
                    _("Motions you proposed or seconded"),
                    Motion.objects.filter(Q(proposer__user=user) | Q(seconder__user=user)),
                ),
                (
                    "requisitions",
                    _("Requisitions you opened"),
                    Requisition.objects.filter(opened_by__user=user),
                ),
                (
                    "requisition_signatures",
                    _("Requisitions you signed"),
                    RequisitionSignature.objects.filter(mine),
                ),
                ("dividends", _("Your dividends"), Dividend.objects.filter(mine)),
                ("share_interest", _("Interest on your shares"), ShareInterest.objects.filter(mine)),
                ("emails", _("Emails sent to you"), emails_to(user=user)),
            ]
        ),
    ]


def emails_to(*, user: User) -> QuerySet[Email]:
    """The outbox's emails to any address of the account: its own, and each it added."""
    return Email.objects.filter(member_selectors.addressed_to(user=user, field="to"))


def personal_data_for(*, user: User) -> list[Section]:
    """Every record held about the user, in the order of the apps."""
    return [
        *member_selectors.personal_data_for(user=user),
        *matching_selectors.personal_data_for(user=user),
        *scheduling_selectors.personal_data_for(user=user),
        *_governance_part(user),
    ]


def personal_data_json(*, user: User) -> dict[str, Any]:
    return as_json(personal_data_for(user=user))


@dataclass(frozen=True)
class Retention:
    """When a person's data may be erased (decision 49). `erasable_from` is None for someone who
    was never a member (nothing keeps their data); `current` says they are still a member."""

    current: bool
    ceased_on: date | None
    care_ended_on: date | None
    erasable_from: date | None


def retention_for(*, user: User) -> Retention:
    ceased = list(user.memberships.values_list("date_ceased", flat=True))
    policy = Policy.current()
    last_visit = Visit.objects.filter(receiver__user=user).aggregate(last=Max("ends"))["last"]
    care_ended_on = timezone.localdate(last_visit) if last_visit else None
    if not ceased or None in ceased:
        return Retention(
            current=bool(ceased), ceased_on=None, care_ended_on=care_ended_on, erasable_from=None
        )
    ceased_on = max(day for day in ceased if day is not None)
    # Contact details are part of a care record: who it is about, and how to reach them.
    erasable_from = ceased_on + relativedelta(months=policy.contact_retention_months)
    if care_ended_on is not None:
        care_kept_until = max(care_ended_on, ceased_on) + relativedelta(
            years=policy.care_records_retention_years
        )
        erasable_from = max(erasable_from, care_kept_until)
    return Retention(
        current=False, ceased_on=ceased_on, care_ended_on=care_ended_on, erasable_from=erasable_from
    )


def former_members_to_erase(*, today: date) -> QuerySet[User]:
    """The accounts the nightly erasure looks at: every membership they held has ended, the
    shortest period the policy keeps anything (contact details) is over for all of them, and
    they are not erased yet. Whether their care record is kept longer is for `retention_for`,
    one by one. Left out, because the account is in use again: staff accounts, someone now in a
    current member's circle of support, someone whose application to join again is waiting."""
    policy = Policy.current()
    left_by = today - relativedelta(months=policy.contact_retention_months)
    erased = DataRequest.objects.filter(
        user=OuterRef("pk"), kind=DataRequest.Kind.ERASURE, status=DataRequest.Status.DONE
    )
    supporting = CircleMember.objects.filter(
        supporter=OuterRef("pk"), status=CircleMember.Status.ACTIVE, receiver__date_ceased__isnull=True
    )
    applying = Application.objects.filter(user=OuterRef("pk"), status=Application.Status.SUBMITTED)
    return (
        User.objects.filter(is_staff=False, is_superuser=False)
        .filter(Exists(Membership.objects.filter(user=OuterRef("pk"))))
        .exclude(
            Exists(
                Membership.objects.filter(user=OuterRef("pk")).filter(
                    Q(date_ceased__isnull=True) | Q(date_ceased__gt=left_by)
                )
            )
        )
        .exclude(Exists(erased))
        .exclude(Exists(supporting))
        .exclude(Exists(applying))
        .order_by("pk")
    )


def data_requests_queue() -> QuerySet[DataRequest]:
    """Every request, those waiting first (oldest first: the soonest due), then the answered."""
    return (
        DataRequest.objects.select_related("user", "answered_by")
        .prefetch_related("user__memberships")
        .order_by(Case(When(status=DataRequest.Status.OPEN, then=0), default=1), "made_at", "pk")
    )


def data_requests_for_user(*, user: User) -> QuerySet[DataRequest]:
    return DataRequest.objects.filter(user=user).order_by("-made_at", "-pk")
