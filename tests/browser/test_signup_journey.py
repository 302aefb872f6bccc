import re

from playwright.sync_api import Page, expect

from tests.browser.nav import nav_go
from tests.factories import PASSWORD


def test_visitor_signs_up_verifies_email_logs_in_and_sees_their_account(
    page: Page, live_server, audit, mailoutbox
):
    page.goto(live_server.url + "/")
    audit()
    expect(page.get_by_role("heading", level=1)).to_contain_text("owned by the people who give it and get it")

    page.get_by_role("main").get_by_role("link", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    audit()

    page.get_by_label("Email").fill("ruth.sutcliffe@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    audit()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ruth.sutcliffe@example.org"]
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)

    page.goto(link)
    audit()
    page.get_by_role("button", name="Yes, confirm it").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("status")).to_contain_text("ruth.sutcliffe@example.org")
    audit()

    page.get_by_label("Email").fill("ruth.sutcliffe@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/accounts/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your membership")
    expect(page.get_by_role("main")).to_contain_text("ruth.sutcliffe@example.org")
    audit()


def test_the_site_works_with_the_keyboard_alone(page: Page, live_server, audit, newcomer):
    page.goto(live_server.url + "/")
    audit()

    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # From the top of the page, Tab reaches "Log in" in the header and Enter follows it.
    page.goto(live_server.url + "/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Log in":
            break
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    audit()

    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # brand
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == "id_login":
            break
        page.keyboard.press("Tab")
    page.keyboard.type("newcomer@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/accounts/$"))
    audit()


def test_error_pages_pass_the_audit(page: Page, live_server, audit):
    page.goto(live_server.url + "/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("We can't find that page")
    audit()


def test_account_management_pages_pass_the_audit(page: Page, live_server, audit, newcomer):
    page.goto(live_server.url + "/accounts/login/")
    audit()
    page.get_by_label("Email").fill("newcomer@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/accounts/$"))
    audit()

    page.get_by_role("link", name="Change your email address").click()
    expect(page.get_by_role("radio", name=re.compile("newcomer@example.org"))).to_be_checked()
    audit()

    page.get_by_role("link", name="Back to your account").click()
    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_label("Current password")).to_be_visible()
    audit()

    nav_go(page, "Log out", role="button")
    expect(page.get_by_role("navigation").get_by_role("link", name="Log in")).to_be_visible()
    expect(page).to_have_url(live_server.url + "/")
    audit()

    page.goto(live_server.url + "/accounts/password/reset/")
    audit()
