"""On a phone, staff read the log of staff actions and the queue of requests about members' data
without scrolling sideways: each entry stacks, what was done (or who asked) first, each figure
beside its column's name; what an erasure removed is said in words. Each page passes axe."""

import datetime

from dateutil.relativedelta import relativedelta
from playwright.sync_api import Page, expect

from governance import services as governance_services
from members import services as member_services
from tests.browser.axe import PageAudit
from tests.browser.test_membership_journey import _log_in
from tests.factories import VisitFactory

PHONE = {"width": 375, "height": 812}


def _fits_the_screen(page: Page, text: str) -> None:
    """The first thing in the page's table that says `text` is seen whole, without scrolling sideways."""
    box = page.get_by_role("table").get_by_text(text).first.bounding_box()
    assert box is not None
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"], f"{text!r} ends at {box['x'] + box['width']} px"


def test_staff_read_the_log_and_the_queue_of_data_requests_on_a_phone(
    page: Page, live_server, audit: PageAudit, staff, ruth, megan
):
    VisitFactory(receiver=ruth, worker=megan, status="accepted", visit_note="Ruth ate well today.")
    member_services.membership_cease(
        membership=ruth, by=staff, reason="resigned", ceased_on=datetime.date.today(), withdraw_shares=False
    )
    asked = member_services.data_request_make(user=ruth.user, kind="erasure")
    governance_services.member_erase(
        data_request=asked, by=staff, today=datetime.date.today() + relativedelta(years=9)
    )
    page.set_viewport_size(PHONE)
    _log_in(page, audit, live_server.url, staff.email)

    page.goto(live_server.url + "/staff/log/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log of staff actions")
    audit()
    page.set_viewport_size(PHONE)
    _fits_the_screen(page, f"Ended member {ruth.number}'s membership")
    _fits_the_screen(page, f"{ruth.number} Ruth Sutcliffe")
    _fits_the_screen(page, staff.email)

    page.goto(live_server.url + "/staff/data-requests/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests about members' data")
    audit()
    page.set_viewport_size(PHONE)
    _fits_the_screen(page, f"{ruth.number} Ruth Sutcliffe")
    _fits_the_screen(page, "Visits with care notes emptied: 1")
