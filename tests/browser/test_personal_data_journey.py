"""A member reads everything held about them and asks for erasure; staff find the request in
their queue and are told they cannot erase a current member. Each page passes axe at phone and
desktop widths."""

import re

from playwright.sync_api import Page, expect

from members import services as member_services
from tests.browser.axe import PageAudit
from tests.browser.test_membership_journey import _log_in
from tests.factories import VisitFactory


def test_a_person_reads_their_data_and_asks_for_it_to_be_erased(
    page: Page, live_server, audit: PageAudit, ruth, megan
):
    VisitFactory(receiver=ruth, worker=megan, status="accepted", visit_note="Ruth ate well today.")
    _log_in(page, audit, live_server.url, ruth.user.email)
    page.goto(live_server.url + "/accounts/")
    audit()

    page.get_by_role("link", name="See and download everything we hold about you").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
    expect(page.get_by_role("main")).to_contain_text("Ruth ate well today.")
    audit()
    # A long page: its contents lead to each kind of record.
    contents = page.get_by_role("navigation", name="What is here")
    contents.get_by_role("link", name="Visits to you, with their care-log notes").click()
    expect(page).to_have_url(re.compile("#data-visits_received$"))
    expect(
        page.get_by_role("heading", name=re.compile("^Visits to you, with their care-log notes"))
    ).to_be_in_viewport()

    page.get_by_role("link", name="Ask the office for a copy, or for your data to be erased").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your requests about your data")
    audit()
    page.get_by_label("Erase my data").check()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("main")).to_contain_text("Waiting")
    audit()


def test_staff_find_a_request_in_their_queue_and_cannot_erase_a_current_member(
    page: Page, live_server, audit: PageAudit, staff, ruth
):
    member_services.data_request_make(user=ruth.user, kind="erasure")
    _log_in(page, audit, live_server.url, staff.email)

    page.get_by_role("link", name="Requests about members' data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests about members' data")
    audit()
    page.get_by_role("link", name=f"{ruth.number} Ruth Sutcliffe").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request: “Erase my data”")
    audit()
    page.get_by_role("button", name="Erase their data").click()
    expect(page.get_by_role("main")).to_contain_text("They are still a member")
    audit()
