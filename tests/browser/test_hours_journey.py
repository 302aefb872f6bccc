"""Hours that count: the secretary finds a query in the menu's queue, hears it on the visit's
page and settles it at the time agreed, by keyboard, and Ruth reads how and why; a worker adds
mileage on her phone after checking out, and Ruth confirms it with the hours. Each page passes
axe at phone and desktop widths."""

import datetime

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from scheduling.models import Visit
from tests.browser.axe import PageAudit
from tests.browser.nav import nav_go
from tests.browser.test_membership_journey import PHONE, _log_in
from tests.factories import VisitFactory


def test_the_secretary_settles_a_queried_visit_and_the_person_reads_why(
    page: Page, browser: Browser, live_server, audit: PageAudit, staff, ruth, megan
):
    yesterday = timezone.localtime() - datetime.timedelta(days=1)
    starts = yesterday.replace(hour=9, minute=0, second=0, microsecond=0)
    visit = VisitFactory(
        receiver=ruth,
        worker=megan,
        status=Visit.Status.ACCEPTED,
        starts=starts,
        ends=starts + datetime.timedelta(hours=2),
        rate_pence=15_00,
        checked_in_at=starts,
        checked_out_at=starts + datetime.timedelta(hours=2),
        visit_note="Porridge, tablets, a walk to the gate.",
        hours=Visit.Hours.QUERIED,
        hours_answered_by=ruth.user,
        hours_answered_at=starts + datetime.timedelta(hours=3),
        query_reason="Megan left at ten, not eleven.",
    )

    _log_in(page, audit, live_server.url, staff.email)
    nav_go(page, "Queried hours")
    expect(page.get_by_role("heading", level=1)).to_have_text("Queried hours")
    expect(page.get_by_role("main")).to_contain_text("Megan left at ten, not eleven.")
    audit()
    page.get_by_role("link", name=starts.strftime("%a %-d %b, %H:%M")).click()
    expect(page.get_by_role("heading", name="Settle the queried hours")).to_be_visible()
    audit()

    # By keyboard: the choice, the time agreed, the reason, and the button.
    page.get_by_label("Changed to the time below").focus()
    page.keyboard.press("Space")
    page.get_by_label("Hours", exact=True).fill("1")
    page.get_by_label("Minutes", exact=True).fill("0")
    page.get_by_label("How, and why (both sides are shown this)").fill(
        "Megan's phone shows she left at 10:00; Ruth and Megan agree."
    )
    page.get_by_role("button", name="Settle the hours").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The hours are settled; both sides are told.")
    audit()
    visit.refresh_from_db()
    assert (visit.hours, visit.counted_minutes) == (Visit.Hours.CONFIRMED, 60)

    ruths = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/London")
    ruth_page = ruths.new_page()
    ruth_audit = PageAudit(ruth_page)
    _log_in(ruth_page, ruth_audit, live_server.url, ruth.user.email)
    ruth_page.goto(f"{live_server.url}/visits/{visit.pk}/")
    main = ruth_page.get_by_role("main")
    expect(main).to_contain_text("Megan's phone shows she left at 10:00; Ruth and Megan agree.")
    expect(main).to_contain_text("1 hour, not the time booked.")
    expect(main).to_contain_text("You pay £17.63")
    ruth_audit()
    assert not ruth_audit.unaudited()
    ruths.close()


def test_a_worker_adds_mileage_on_a_phone_after_checking_out_and_the_person_confirms_it_with_the_hours(
    page: Page, browser: Browser, live_server, audit: PageAudit, ruth, megan
):
    now = timezone.localtime()
    starts = now - datetime.timedelta(hours=2)
    visit = VisitFactory(
        receiver=ruth,
        worker=megan,
        status=Visit.Status.ACCEPTED,
        starts=starts,
        ends=now + datetime.timedelta(minutes=5),
        rate_pence=15_00,
        checked_in_at=starts,
        tasks=[],
    )

    # Megan, on her phone: the note, checking out, then the mileage to the chemist.
    page.set_viewport_size(PHONE)
    _log_in(page, audit, live_server.url, megan.user.email)
    page.goto(f"{live_server.url}/visits/{visit.pk}/")
    audit()
    page.get_by_role("textbox", name="Visit note").fill("Collected Ruth's prescription from the chemist.")
    page.get_by_role("button", name="Check out").click()
    expect(page.get_by_role("status")).to_contain_text("You are checked out. Thank you.")
    expect(page.get_by_role("heading", name="Expenses")).to_be_visible()
    audit()
    page.get_by_text("Add mileage or another expense").click()
    page.get_by_role("radio", name="Mileage").check()
    page.get_by_label("Miles (for mileage)").fill("6.4")
    page.get_by_label("What it was for").fill("To the chemist in Hebden Bridge and back.")
    page.get_by_role("button", name="Add the expense").click()
    expect(page.get_by_role("status")).to_contain_text("Expense added.")
    expect(page.get_by_role("main")).to_contain_text("Expenses in all: £2.88")
    audit()
    assert not audit.unaudited()

    # Ruth, on hers: the expense and its total above Confirm, confirmed with the hours.
    ruths = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/London")
    ruth_page = ruths.new_page()
    ruth_audit = PageAudit(ruth_page)
    _log_in(ruth_page, ruth_audit, live_server.url, ruth.user.email)
    ruth_page.goto(f"{live_server.url}/visits/{visit.pk}/")
    main = ruth_page.get_by_role("main")
    expect(main).to_contain_text("Mileage, 6.4 miles: To the chemist in Hebden Bridge and back.")
    expect(main).to_contain_text("With them you confirm 1 expense, £2.88 in all")
    ruth_audit()
    ruth_page.get_by_role("button", name="Confirm the hours and expenses").click()
    expect(ruth_page.get_by_role("status")).to_contain_text("Hours confirmed. Thank you.")
    ruth_audit()
    assert not ruth_audit.unaudited()
    ruths.close()
    visit.refresh_from_db()
    assert visit.hours == Visit.Hours.CONFIRMED
    assert Visit.objects.with_expenses_total().get(pk=visit.pk).expenses_pence == 2_88
