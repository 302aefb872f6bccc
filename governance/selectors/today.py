"""A member's day at a glance, the page they land on when they log in: for a worker, the next
visit and the offers waiting; for a person getting support and those acting for them, who is
coming and the team; for everyone, the ballots waiting for their vote. Each part is read by the
selectors of the app that owns it, in a constant number of queries however much there is."""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from governance.models import Ballot
from governance.selectors.ballots import ballots_awaiting_vote
from governance.selectors.staff import VETTING_WITHIN_DAYS
from matching import selectors as matching_selectors
from matching.models import Introduction, TeamMember
from members import selectors as member_selectors
from members.models import MemberClass, Membership, User, VettingCheck
from scheduling import permissions as scheduling_permissions
from scheduling import selectors as scheduling_selectors
from scheduling.models import Visit

VISITS_EACH = 5


@dataclass(frozen=True)
class PersonDay:
    """Someone getting support, as the user sees them: themself, or someone they act for."""

    receiver: Membership
    is_self: bool
    can_book: bool
    sees_visits: bool
    sees_team: bool
    visits: list[Visit] = field(default_factory=list)
    team: list[TeamMember] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.receiver.shown_name


@dataclass(frozen=True)
class Today:
    membership: Membership | None
    worker: scheduling_selectors.WorkerDay | None = None
    next_visit_actions: scheduling_permissions.DoorstepActions | None = None
    directions_url: str = ""
    checks_expiring: list[VettingCheck] = field(default_factory=list)
    people: list[PersonDay] = field(default_factory=list)
    photos: set[int] = field(default_factory=set)
    hours_to_confirm: list[Visit] = field(default_factory=list)
    # Each with True when the answer is the user's to give (for themself or someone they act for).
    introductions: list[tuple[Introduction, bool]] = field(default_factory=list)
    ballots: list[Ballot] = field(default_factory=list)

    @property
    def is_worker(self) -> bool:
        return self.worker is not None

    @property
    def books_for(self) -> list[PersonDay]:
        return [person for person in self.people if person.can_book]


def today_for_user(*, user: User, now: datetime | None = None) -> Today:
    """Everything the user's today page shows. A worker's parts only for a worker; a person's
    parts for a person getting support and for each person whose circle of support they are in,
    as far as the powers given let them see (visits with the power to see care or to book, the
    team with the power to see care or run it, a Book button with the power to book)."""
    now = now or timezone.now()
    membership = member_selectors.membership_current_for_user(user=user)

    people: list[PersonDay] = []
    if membership is not None and membership.member_class == MemberClass.RECEIVER:
        people.append(
            PersonDay(receiver=membership, is_self=True, can_book=True, sees_visits=True, sees_team=True)
        )
    answers_for = [membership.pk] if membership is not None else []
    places = member_selectors.supporting_for_user(user=user)
    for place in places:
        if place.receiver.date_ceased is not None:
            continue
        people.append(
            PersonDay(
                receiver=place.receiver,
                is_self=False,
                can_book=place.can_book,
                sees_visits=place.can_view_care or place.can_book,
                sees_team=place.can_view_care or place.can_manage_team,
            )
        )
        if place.can_manage_team:
            answers_for.append(place.receiver_id)

    coming = scheduling_selectors.visits_coming_for(
        receiver_ids=[p.receiver.pk for p in people if p.sees_visits], now=now, each=VISITS_EACH
    )
    teams = matching_selectors.teams_for(receiver_ids=[p.receiver.pk for p in people if p.sees_team])
    people = [
        PersonDay(
            receiver=p.receiver,
            is_self=p.is_self,
            can_book=p.can_book,
            sees_visits=p.sees_visits,
            sees_team=p.sees_team,
            visits=coming.get(p.receiver.pk, []),
            team=teams.get(p.receiver.pk, []),
        )
        for p in people
    ]
    faces = [
        visit.worker.profile
        for p in people
        for visit in p.visits
        if visit.worker is not None and hasattr(visit.worker, "profile")
    ] + [place.member.profile for p in people for place in p.team if hasattr(place.member, "profile")]

    worker: scheduling_selectors.WorkerDay | None = None
    actions: scheduling_permissions.DoorstepActions | None = None
    directions = ""
    checks: list[VettingCheck] = []
    if membership is not None and membership.member_class == MemberClass.WORKER:
        worker = scheduling_selectors.worker_day(worker=membership, now=now)
        checks = member_selectors.vetting_expiring_for(
            membership=membership, today=timezone.localdate(now), within_days=VETTING_WITHIN_DAYS
        )
        if worker.next_visit is not None:
            actions = scheduling_permissions.doorstep_actions(
                user, worker.next_visit, now=now, works_for=worker.works_for
            )
            # The address and the way there by the doorstep's rule (decision 29): a visit weeks
            # ahead shows when and whom, not where, until the day before.
            if scheduling_permissions.sees_doorstep(user, worker.next_visit, now=now):
                directions = scheduling_selectors.directions_url(
                    address=worker.next_visit.receiver.address, postcode=worker.next_visit.receiver.postcode
                )

    introductions = [
        (introduction, introduction.recipient.pk in answers_for)
        for introduction in matching_selectors.introductions_waiting_for(membership_ids=answers_for)
    ]
    return Today(
        membership=membership,
        people=people,
        photos=member_selectors.photos_visible_to(user=user, profiles=faces),
        hours_to_confirm=list(
            scheduling_selectors.visits_to_confirm(
                user=user, people=scheduling_selectors.booked_for(own=membership, places=places)
            )[: VISITS_EACH * 2]
        )
        if people
        else [],
        introductions=introductions,
        ballots=ballots_awaiting_vote(user=user, now=now),
        worker=worker,
        next_visit_actions=actions,
        directions_url=directions,
        checks_expiring=checks,
    )
