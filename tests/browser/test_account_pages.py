import re

from django.core.cache import cache
from playwright.sync_api import Page, expect


def test_a_member_resets_a_forgotten_password_from_the_emailed_link(
    page: Page, live_server, audit, newcomer, mailoutbox
):
    page.goto(live_server.url + "/accounts/login/")
    audit()
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    audit()
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    audit()

    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mailoutbox[-1].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    audit()
    page.get_by_label("New password", exact=True).fill("a-brand-new-passphrase")
    page.get_by_label("Confirm new password").fill("a-brand-new-passphrase")
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    audit()

    page.get_by_role("main").get_by_role("link", name="Log in").click()
    audit()
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Password").fill("a-brand-new-passphrase")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your membership")
    audit()


def test_a_form_with_mistakes_lists_them_and_says_so_in_the_title(page: Page, live_server, audit, db):
    page.goto(live_server.url + "/accounts/signup/")
    audit()
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_title(re.compile(r"^Error: Sign up"))
    expect(page.get_by_text("This field is required.").first).to_be_visible()
    audit()


def test_too_many_attempts_gets_a_page_that_explains(page: Page, live_server, audit, db):
    cache.clear()
    page.goto(live_server.url + "/accounts/signup/")
    audit()
    for _ in range(21):
        page.get_by_role("button", name="Create account").click()
        if page.get_by_role("heading", name="Too many attempts").count():
            break
    expect(page.get_by_role("heading", level=1)).to_have_text("Too many attempts")
    audit()


def test_the_api_documentation_passes_the_audit(page: Page, live_server, audit, db):
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".opblock")
    audit()
    # Every operation opened at once (Swagger UI animates each as it opens: one by one, the
    # clicks wait on each other's animations, for minutes on a busy machine).
    page.eval_on_selector_all(".opblock-summary-control", "controls => controls.forEach((c) => c.click())")
    expect(page.locator(".opblock-body").first).to_be_visible()
    audit()


def test_the_privacy_notice_passes_the_audit(page: Page, live_server, audit, db):
    page.goto(live_server.url + "/")
    audit()
    page.get_by_role("link", name="Privacy").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How we look after your information")
    audit()
