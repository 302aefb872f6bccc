"""What the benchmark needs to know of the town `manage.py seed_town` made: its members by role,
and the ids its pages are addressed by."""

from dataclasses import dataclass

from django.test import Client

from carecoop import second_factor
from carecoop.town import TOWN_PERSONAS
from governance.models import Ballot, Eligibility
from members.models import Membership, Skill, User
from scheduling.models import Visit


@dataclass(frozen=True)
class Town:
    members: int
    visits: int
    users: dict[str, User]
    person_number: int
    team_worker_number: int
    skill_id: int
    open_ballot_id: int
    closed_ballot_id: int


def town_read() -> Town:
    users = {persona: User.objects.get(email=email) for persona, email in TOWN_PERSONAS.items()}
    worker = Membership.objects.current().get(user=users["worker"])
    person = Membership.objects.current().get(user=users["person"])
    open_ballot = (
        Ballot.objects.filter(status=Ballot.Status.OPEN, method=Ballot.Method.ONLINE)
        .filter(pk__in=Eligibility.objects.filter(membership=worker).values("ballot"))
        .order_by("closes_at", "pk")
        .first()
    )
    closed_ballot = Ballot.objects.filter(status=Ballot.Status.CLOSED).order_by("-closes_at", "pk").first()
    skill = Skill.objects.filter(is_active=True).order_by("pk").first()
    if open_ballot is None or closed_ballot is None or skill is None:
        raise SystemExit(
            "The database is not a town made by seed_town: no open or closed ballot, or no skill."
        )
    return Town(
        members=Membership.objects.current().count(),
        visits=Visit.objects.count(),
        users=users,
        person_number=person.number,
        team_worker_number=worker.number,
        skill_id=skill.pk,
        open_ballot_id=open_ballot.pk,
        closed_ballot_id=closed_ballot.pk,
    )


def log_in(client: Client, user: User) -> None:
    """A session for the member, as the login pages make it: staff's has passed their second
    factor (decision 44), or every staff page would answer with a redirect to enter it."""
    client.force_login(user)
    if user.is_staff:
        second_factor.session_second_factor_record(client.session, user)
