"""People for visits: Ruth gets support; Megan and Asha are in her team; Tom is not; Jane is her
daughter, who may book for her."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from matching.models import TeamMember
from members import services as member_services
from members.models import CircleMember
from tests.factories import MembershipFactory, UserFactory, make_bookable

LONDON = ZoneInfo("Europe/London")
T = datetime.time
# Monday 23 November 2026, 10:00 in Halifax.
NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)


def at(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def in_team(receiver, worker):
    return TeamMember.objects.create(
        receiver=receiver,
        member=worker,
        role=TeamMember.Role.WORKER,
        status=TeamMember.Status.CONFIRMED,
        trial_ends_on=datetime.date(2026, 10, 1),
    )


@pytest.fixture
def ruth(db):
    ruth = MembershipFactory(
        member_class="receiver", legal_name="Ruth Sutcliffe", user__email="ruth@example.org"
    )
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=ruth),
        by=ruth.user,
        changes={"postcode": "HX7 8AH", "display_name": "Ruth"},
    )
    return ruth


def add_worker(staff, name, email, *, team_of=None, rate=15_00):
    worker = make_bookable(
        MembershipFactory(member_class="worker", legal_name=name, user__email=email), staff
    )
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=worker),
        by=worker.user,
        changes={"postcode": "HX7 8BQ", "display_name": name.split()[0], "hourly_rate_pence": rate},
        weekly_times=[(day, T(8), T(18)) for day in range(5)],
    )
    if team_of is not None:
        in_team(team_of, worker)
    return worker


@pytest.fixture
def megan(ruth, staff):
    return add_worker(staff, "Megan Holt", "megan@example.org", team_of=ruth)


@pytest.fixture
def asha(ruth, staff):
    return add_worker(staff, "Asha Patel", "asha@example.org", team_of=ruth)


@pytest.fixture
def tom(staff):
    """A bookable worker who is not in Ruth's team."""
    return add_worker(staff, "Tom Ackroyd", "tom@example.org")


@pytest.fixture
def jane(ruth):
    """Ruth's daughter, in her circle of support with the power to book and see her care."""
    jane = UserFactory(email="jane@example.org")
    CircleMember.objects.create(
        receiver=ruth,
        supporter=jane,
        email=jane.email,
        status=CircleMember.Status.ACTIVE,
        can_view_care=True,
        can_book=True,
        token_hash="jane",
        invited_by=ruth.user,
        expires_at=NOW + datetime.timedelta(days=14),
    )
    return jane


@pytest.fixture
def outsider(db):
    return UserFactory(email="stranger@example.org")
