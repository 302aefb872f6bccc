"""A form that creates something is sent once: after the first press on Book its button is disabled
and "Sending…" is said (static/js/send-once.js)."""

from playwright.sync_api import Page

from tests.browser.axe import PageAudit
from tests.browser.test_membership_journey import _log_in
from tests.factories import add_worker


def test_the_form_says_it_is_sending_and_disables_its_button(
    page: Page, live_server, audit: PageAudit, staff, ruth
):
    megan = add_worker(staff, "Megan Holt", "megan@example.org", team_of=ruth)
    _log_in(page, audit, live_server.url, "ruth@example.org")
    page.goto(f"{live_server.url}/visits/new/?worker={megan.number}")
    audit()
    # The post is held, so that the page can be read while it is on its way.
    page.route(
        "**/visits/new/?*", lambda route: None if route.request.method == "POST" else route.continue_()
    )

    # Read just after the press, while the post is on its way (locators wait for the navigation).
    disabled, said = page.get_by_role("button", name="Book", exact=True).evaluate(
        """button => new Promise(resolve => {
            button.click();
            setTimeout(() => resolve([
                button.disabled, button.form.querySelector("[data-send-once-status]")?.textContent,
            ]), 50);
        })"""
    )

    assert (disabled, said) == (True, "Sending…")
