"""Fixtures every suite shares, and the people the tests speak of."""

import datetime
import os

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import GoverningDocumentFactory, MembershipFactory, UserFactory


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
def _fresh_cache() -> None:
    # Rate limits and throttles count in the cache; each test starts with none used.
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
def on_23_november_2026(time_machine):  # type: ignore[no-untyped-def]
    """The clock stands at 10:00 on Monday 23 November 2026, the day such tests are written about."""
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.UTC), tick=False)


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
    """An admitted member (a person getting support) with one paid £1 share."""
    return MembershipFactory(user__email="member@example.org", legal_name="Margaret Greenwood")
