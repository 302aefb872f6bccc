"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from playwright.sync_api import Page

from members import reference_data
from tests.browser.axe import PageAudit
from tests.second_factor import authenticator_app_for

CHROMIUM = Path(os.environ.get("CARECOOP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# pytest-playwright's fixtures: no test outside tests/browser may use these names.
PLAYWRIGHT_NAMES = frozenset(
    {"page", "context", "browser", "browser_name", "browser_type", "browser_channel", "new_context"}
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
        elif taken := PLAYWRIGHT_NAMES & set(getattr(item, "fixturenames", ())):
            # A test outside the journeys with an argument named `page` (or another Playwright
            # fixture's name), even one it parametrizes itself, makes pytest move every journey
            # next to it, among the tests that expect the migrations' reference data.
            raise pytest.UsageError(
                f"{item.nodeid} has an argument named as a Playwright fixture ({', '.join(sorted(taken))}): "
                "rename it"
            )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        # A missing browser fails the run: skipped journeys would pass unseen.
        raise pytest.UsageError(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright() -> Iterator[None]:
    # Playwright's sync API keeps an event loop in the test thread; the live server and the
    # test's own ORM calls are still plain synchronous code.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: None) -> None:
    # Browser tests run on committed data, and the tables are emptied after each one: put back
    # what the migrations loaded (postcode districts, skills, languages and the like).
    reference_data.load(apps.get_model)


@pytest.fixture(autouse=True)
def _emails_link_to_the_live_server(live_server: Any, settings: Any) -> None:
    # Emails' links are built from SITE_URL, as in production: here it is the server under test,
    # so a journey follows a link from an email exactly as it was sent.
    settings.SITE_URL = live_server.url


@pytest.fixture(autouse=True)
def _no_content_refused_by_the_policy(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every journey fails if the browser refused anything a page asked for under its
    Content-Security-Policy (a script, a style, an image): the policy and the pages agree."""
    if "page" not in request.fixturenames:
        yield
        return
    page: Page = request.getfixturevalue("page")
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield
    assert not refused, refused


@pytest.fixture
def audit(page: Page) -> Iterator[PageAudit]:
    """Call `audit()` on each page of a journey; the test fails if a page it showed went unchecked."""
    page_audit = PageAudit(page)
    yield page_audit
    missed = page_audit.unaudited()
    assert not missed, f"These pages were shown but never audited with axe-core: {missed}"


@pytest.fixture
def staff(staff):  # type: ignore[no-untyped-def]
    """The secretary, with her authenticator app set up (tests.second_factor.TOTP_SECRET): she
    logs in through the pages with her password and then a code from it."""
    authenticator_app_for(staff)
    return staff
