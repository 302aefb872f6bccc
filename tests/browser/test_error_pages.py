"""The pages shown when something fails or is refused before the usual page can be made (the
server's error, the database down, a body too large) pass the same audit as every other page:
each is asked for as the app would answer it, with its real status, and served to the browser
at a site address so its stylesheet loads."""

import pytest
from django.test import RequestFactory, override_settings
from playwright.sync_api import Page, expect

from carecoop import views


def _answers():
    request = RequestFactory().get("/somewhere/")
    try:
        raise RuntimeError("a failure")
    except RuntimeError:
        failed = views.server_error(request)
    return {
        "500": (failed, "Sorry, something went wrong on our side"),
        "503": (views.database_unavailable(request), "Sorry, the site is unavailable for a moment"),
        "413": (views.too_large(request), "What you sent is too large"),
    }


@pytest.mark.parametrize("status", ["500", "503", "413"])
@override_settings(COOP_CONTACT_PHONE="01422 000000")
def test_a_page_for_a_failure_passes_the_audit(page: Page, live_server, audit, db, status):
    response, heading = _answers()[status]
    assert str(response.status_code) == status
    page.route(
        f"{live_server.url}/failure/",
        lambda route: route.fulfill(
            status=response.status_code, body=response.content, content_type="text/html; charset=utf-8"
        ),
    )
    page.goto(f"{live_server.url}/failure/")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    # Its stylesheet came from the site: the page looks like the rest of it.
    assert page.evaluate("() => getComputedStyle(document.querySelector('main')).maxWidth") != "none"
    audit()
