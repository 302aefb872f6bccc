"""Fixtures every suite shares, and the people the tests speak of."""

import datetime
import os
from collections.abc import Iterator

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from tests.clock import NOW
from tests.factories import (
    GoverningDocumentFactory,
    MembershipFactory,
    UserFactory,
    add_worker,
    in_circle,
    ruth_at_home,
)


def pytest_configure(config: pytest.Config) -> None:
    # TEST_CLOCK_SHIFT_DAYS=365 runs the whole suite with the clock that many days ahead (CI does
    # once), from before any test module is imported: a test that fixes a date without freezing
    # the clock, or works out "today" at import, fails there instead of on some day to come.
    shift = int(os.environ.get("TEST_CLOCK_SHIFT_DAYS") or 0)
    if shift:
        moved = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=shift)
        time_machine.travel(moved, tick=True).start()


def pytest_report_header(config: pytest.Config) -> str | None:
    shift = os.environ.get("TEST_CLOCK_SHIFT_DAYS")
    return f"clock moved {shift} days ahead: today is {datetime.date.today()}" if shift else None


def pytest_sessionstart(session: pytest.Session) -> None:
    # The rules that matter most are enforced by PostgreSQL; a run on anything else proves nothing.
    if connection.vendor != "postgresql":
        raise pytest.UsageError(
            f"The tests run on PostgreSQL only, but DATABASE_URL points at {connection.vendor}."
        )
    if not settings.CELERY_BROKER_URL.startswith("redis://"):
        raise pytest.UsageError("The tests run with the Redis broker only: set CELERY_BROKER_URL=redis://...")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Rate limits and throttles count in the cache; each test starts with none used. The cache
    # also keeps the co-op's policies, whose rows a test's rollback takes away: emptied after
    # each test too, so that a fixture shared by a module never finds a row that is gone.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data_in_committed_tests(request: pytest.FixtureRequest) -> None:
    # Tests that commit (to race threads) start from emptied tables: put back what the
    # migrations loaded (postcode districts, skills, languages and the like).
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        from django.apps import apps

        from members import reference_data

        request.getfixturevalue("transactional_db")
        reference_data.load(apps.get_model)


@pytest.fixture
def now(time_machine):  # type: ignore[no-untyped-def]
    """The clock stands at 10:00 on Monday 23 November 2026, the day such tests are written about.
    Asked for before the people (pytestmark or usefixtures), their records are dated from it too."""
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def real_celery_worker():  # type: ignore[no-untyped-def]
    """A Celery worker consuming from the real Redis broker, with tasks no longer run inline."""
    from celery.contrib.testing.worker import start_worker

    from carecoop.celery import app as celery_app

    assert celery_app.conf.broker_url.startswith("redis://")
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, perform_ping_check=False, pool="solo", shutdown_timeout=10) as worker:
            yield worker
    finally:
        celery_app.conf.task_always_eager = True


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


# --- The people ------------------------------------------------------------------------------


@pytest.fixture
def newcomer(db):  # type: ignore[no-untyped-def]
    """Someone who has signed up and verified their email, but is not a member."""
    return UserFactory(email="newcomer@example.org")


@pytest.fixture
def staff(db):  # type: ignore[no-untyped-def]
    """The co-op's secretary."""
    return UserFactory(email="secretary@example.org", is_staff=True)


@pytest.fixture
def documents(db):  # type: ignore[no-untyped-def]
    """The co-op's rules and Members' Commitment, version 1 of each."""
    return {
        "rules": GoverningDocumentFactory(kind="rules", version=1, title="Rules of the co-op"),
        "commitment": GoverningDocumentFactory(kind="commitment", version=1, title="Members' Commitment"),
    }


@pytest.fixture
def member(db):  # type: ignore[no-untyped-def]
    """An admitted member (a person getting support) with one paid £1 share, and nothing else."""
    return MembershipFactory(user__email="member@example.org", legal_name="Maureen Hartley")


# --- The cast: the same people in every suite ----------------------------------------------------
# Ruth gets support in Hebden Bridge; Megan and Asha work in her team; Tom is a worker outside it;
# Jane is her daughter, in her circle of support; Margaret (support), Priya (an advocate) and Ian
# (an investor) are members who vote; the outsider has an account and no membership.


@pytest.fixture
def ruth(db):  # type: ignore[no-untyped-def]
    """Ruth Sutcliffe: gets support at home in HX7 (tests.factories.ruth_at_home)."""
    return ruth_at_home()


@pytest.fixture
def megan(ruth, staff):  # type: ignore[no-untyped-def]
    """Megan Holt: a worker in Ruth's team, checks current, free on weekdays, £15 an hour and
    £60 a night for a sleep-in."""
    return add_worker(staff, "Megan Holt", "megan@example.org", team_of=ruth, night=60_00)


@pytest.fixture
def asha(ruth, staff):  # type: ignore[no-untyped-def]
    """Asha Patel: another worker in Ruth's team, £15 an hour; she does not do sleep-ins."""
    return add_worker(staff, "Asha Patel", "asha@example.org", team_of=ruth)


@pytest.fixture
def tom(staff):  # type: ignore[no-untyped-def]
    """Tom Barker: a worker whose checks are current, who is not in Ruth's team."""
    return add_worker(staff, "Tom Barker", "tom@example.org", display_name="Tom Barker")


@pytest.fixture
def jane(ruth):  # type: ignore[no-untyped-def]
    """Jane: Ruth's daughter, in her circle of support with the power to book and see her care."""
    jane = UserFactory(email="jane@example.org")
    in_circle(ruth, jane)
    return jane


@pytest.fixture
def margaret(db):  # type: ignore[no-untyped-def]
    return MembershipFactory(
        member_class="receiver", legal_name="Margaret Greenwood", user__email="margaret@example.org"
    )


@pytest.fixture
def priya(db):  # type: ignore[no-untyped-def]
    return MembershipFactory(
        member_class="advocate", legal_name="Priya Shah", user__email="priya@example.org"
    )


@pytest.fixture
def ian(db):  # type: ignore[no-untyped-def]
    return MembershipFactory(
        member_class="investor", legal_name="Ian Crossley", user__email="ian@example.org", shares=500
    )


@pytest.fixture
def outsider(db):  # type: ignore[no-untyped-def]
    """Logged in, but not a member of the co-op."""
    return UserFactory(email="outsider@example.org")
