"""A new staff member sets up two-factor login the first time they open a staff page, keeps
their recovery codes, and reads the log of staff actions. Every page passes axe, by keyboard."""

from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from tests.browser.axe import PageAudit
from tests.browser.nav import tab_to
from tests.factories import PASSWORD, UserFactory
from tests.second_factor import code_now


def test_new_staff_set_up_their_authenticator_app_then_reach_the_staff_pages(
    page: Page, live_server, audit: PageAudit
):
    treasurer = UserFactory(email="treasurer@example.org", is_staff=True)
    page.goto(live_server.url + "/accounts/login/")
    audit()
    page.get_by_label("Email").fill(treasurer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")

    # Sent to set up two factors; first, the password once more, as for any change to logging in.
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your password again")
    expect(page.get_by_role("main")).to_contain_text("Staff accounts need two-factor authentication")
    audit()
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    audit()
    secret_box = page.get_by_label("Secret for your authenticator app")
    page.set_viewport_size({"width": 320, "height": 640})  # to type it in by hand, all of it is seen
    assert secret_box.evaluate(
        "box => box.scrollWidth <= box.clientWidth && box.scrollHeight <= box.clientHeight"
    )
    secret = secret_box.input_value()
    tab_to(page, "Authenticator code", label=True)
    page.keyboard.type(code_now(secret))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    expect(page.get_by_label("Unused codes")).not_to_be_empty()
    audit()
    assert Authenticator.objects.filter(user=treasurer, type="totp").exists()

    page.goto(live_server.url + "/staff/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff home")
    audit()
    tab_to(page, "Log of staff actions")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log of staff actions")
    audit()


def test_staff_log_in_with_their_code_and_land_where_they_were_going(
    page: Page, live_server, audit: PageAudit, staff
):
    page.goto(live_server.url + "/staff/log/")
    audit()
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    audit()
    page.get_by_label("Code").fill("000000" if code_now() != "000000" else "111111")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    audit()
    page.get_by_label("Code").fill(code_now())
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Log of staff actions")
    audit()
