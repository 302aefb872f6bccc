import datetime
import re

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.browser.axe import PageAudit
from tests.browser.nav import nav_go
from tests.factories import PASSWORD
from tests.second_factor import code_now

PHONE = {"width": 375, "height": 812}


def _sign_up_and_log_in(page: Page, audit: PageAudit, base: str, email: str, mailoutbox) -> None:
    page.goto(base + "/accounts/signup/")
    audit()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Confirm password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    audit()
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mailoutbox[-1].body).group(0)
    page.goto(link)
    audit()
    page.get_by_role("button", name="Yes, confirm it").click()
    _log_in(page, audit, base, email, already_there=True)


def _log_in(page: Page, audit: PageAudit, base: str, email: str, already_there: bool = False) -> None:
    if not already_there:
        page.goto(base + "/accounts/login/")
    audit()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # Members land on their day; staff on their home of work waiting, once they have entered
    # the code from their authenticator app; the rest on joining.
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile("^(Today|Your membership|Staff home|Enter your code)$"))
    if heading.inner_text() == "Enter your code":
        audit()
        page.get_by_label("Code").fill(code_now())
        page.get_by_role("button", name="Log in").click()
        expect(heading).to_have_text("Staff home")
    audit()


def test_a_worker_applies_is_admitted_and_vetted_then_fills_in_their_profile_on_a_phone(
    page: Page, browser: Browser, live_server, audit, documents, staff, mailoutbox
):
    base = live_server.url

    # A visitor signs up and applies to join as a worker.
    _sign_up_and_log_in(page, audit, base, "asha.begum@example.org", mailoutbox)
    page.get_by_role("link", name="Become a member").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Become a member")
    audit()
    page.get_by_label(re.compile("^Care or support worker")).check()
    page.get_by_label("Full legal name").fill("Asha Begum")
    page.get_by_label("Postal address").fill("5 King Cross Road\nHalifax")
    page.get_by_label("Postcode").fill("hx1 2tt")
    page.get_by_label("Phone (optional)").fill("0113 496 0123")
    page.get_by_label("Date of birth").fill("1988-04-09")
    page.get_by_label("Why do you want to join?").fill("To give good care and be paid fairly for it.")
    page.get_by_label("I have read the co-op's rules and agree to them.").check()
    page.get_by_label("I have read the Members' Commitment and agree to it.").check()
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your application")
    expect(page.get_by_role("main")).to_contain_text("Waiting for a decision")
    audit()

    # Staff record the share payment, approve, and record the checks.
    staff_context = browser.new_context(locale="en-GB")
    staff_page = staff_context.new_page()
    staff_audit = PageAudit(staff_page)
    _log_in(staff_page, staff_audit, base, staff.email)
    nav_go(staff_page, "Applications")
    staff_audit()
    staff_page.get_by_role("link", name="Asha Begum").click()
    staff_audit()
    staff_page.get_by_role("button", name="Record payment").click()
    expect(staff_page.get_by_role("status")).to_contain_text("Payment recorded.")
    staff_audit()
    staff_page.get_by_role("button", name="Approve and admit…").click()
    staff_audit()
    staff_page.get_by_role("button", name="Yes, approve and admit").click()
    expect(staff_page.get_by_role("status")).to_contain_text("Asha Begum is now member number 1.")
    staff_audit()
    nav_go(staff_page, "Register")
    staff_audit()
    staff_page.get_by_role("link", name="Asha Begum").click()
    staff_audit()
    staff_page.get_by_role("link", name="Vetting checks").click()
    expect(staff_page.get_by_text("Cannot be booked")).to_be_visible()
    staff_audit()
    checked = (timezone.localdate() - datetime.timedelta(days=300)).isoformat()
    staff_page.get_by_text("Criminal-record check (DBS)", exact=True).click()
    staff_page.get_by_label("Date issued").first.fill(checked)
    staff_page.get_by_label("Certificate number (12 digits)").fill("0012 3456 7890")
    staff_page.get_by_label("Level").select_option("enhanced_barred")
    staff_page.get_by_role("button", name="Record Criminal-record check (DBS)").click()
    expect(staff_page.get_by_role("status")).to_contain_text("Check recorded.")
    staff_audit()
    staff_page.get_by_text("Right to work", exact=True).click()
    staff_page.get_by_label("Date checked").fill(checked)
    staff_page.get_by_label("Document seen").fill("British passport")
    staff_page.get_by_role("button", name="Record Right to work").click()
    expect(staff_page.get_by_text("Can be booked")).to_be_visible()
    staff_audit()
    assert not staff_audit.unaudited()
    staff_context.close()

    # The new worker, on a phone, sees their membership and fills in their profile.
    page.set_viewport_size(PHONE)
    page.goto(base + "/accounts/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Membership number")
    expect(main.locator(".big-number")).to_have_text("1")
    expect(main).to_contain_text("1 share (£1.00)")
    expect(main).to_contain_text("Your checks are up to date: you can be booked.")
    audit()
    page.get_by_role("link", name="Your profile").click()
    audit()
    page.get_by_label("Dementia", exact=True).check()
    page.get_by_label("Personal care", exact=True).check()
    page.get_by_label("Urdu").check()
    page.get_by_label("My hourly rate (£)").fill("15.50")
    page.get_by_label("How far I will travel (km)").fill("8")
    page.get_by_label("Postcode").fill("HX1 2TT")
    first_time = page.get_by_role("group", name="Time 1")
    first_time.get_by_label("Day").select_option(label="Monday")
    first_time.get_by_label("From").fill("07:00")
    first_time.get_by_label("Until").fill("13:00")
    page.get_by_label("Who can see my gender").select_option("staff")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    expect(page.get_by_label("My hourly rate (£)")).to_have_value("15.50")
    audit()


def test_a_person_getting_support_fills_in_their_profile_and_invites_their_daughter(
    page: Page, browser: Browser, live_server, audit, mailoutbox
):
    from tests.factories import MembershipFactory, UserFactory

    MembershipFactory(member_class="receiver", legal_name="Ruth Sutcliffe", user__email="ruth@example.org")
    UserFactory(email="jane@example.org")
    base = live_server.url
    page.set_viewport_size(PHONE)

    _log_in(page, audit, base, "ruth@example.org")
    page.get_by_role("link", name="Your profile").click()
    audit()
    page.get_by_label("What matters to me", exact=True).fill("My garden, and getting to chapel on Sundays.")
    page.get_by_label("Dementia", exact=True).check()
    page.get_by_label("Postcode").fill("HX7 8AH")
    needed = page.get_by_role("group", name="Time 1")
    needed.get_by_label("Day").select_option(label="Sunday")
    needed.get_by_label("From").fill("09:00")
    needed.get_by_label("Until").fill("12:00")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    audit()

    page.goto(base + "/accounts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your membership")
    audit()
    page.get_by_role("link", name="See and change your circle of support").click()
    audit()
    page.get_by_label("Their name").fill("Jane")
    page.get_by_label("Their email address").fill("jane@example.org")
    page.get_by_label("Book visits for me").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("We have emailed jane@example.org an invitation.")
    audit()

    link = re.search(r"http://\S+/circle/invitations/\S+/", mailoutbox[-1].body).group(0)
    jane_context = browser.new_context(locale="en-GB", viewport=PHONE)
    jane_page = jane_context.new_page()
    jane_audit = PageAudit(jane_page)
    _log_in(jane_page, jane_audit, base, "jane@example.org")
    jane_page.goto(link)
    expect(jane_page.get_by_role("main")).to_contain_text("Ruth Sutcliffe would like you to join")
    jane_audit()
    jane_page.get_by_role("button", name="Accept").click()
    expect(jane_page.get_by_role("status")).to_contain_text(
        "You are now in Ruth Sutcliffe's circle of support."
    )
    jane_audit()
    jane_page.get_by_role("link", name="Ruth Sutcliffe").click()
    expect(jane_page.get_by_role("main")).to_contain_text("getting to chapel on Sundays")
    jane_audit()
    assert not jane_audit.unaudited()
    jane_context.close()

    page.reload()
    expect(page.get_by_role("main")).to_contain_text("jane@example.org")
    audit()
