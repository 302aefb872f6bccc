"""Money, read where it is used: a worker reads this month's statement on a phone and downloads
the PDF; the secretary reads the month on the finance page and closes it. Each page passes axe at
phone and desktop widths and fits a 320 px screen."""

import datetime

from playwright.sync_api import Browser, Page, expect

from scheduling.models import ClosedMonth, Statement
from tests.browser.axe import PageAudit
from tests.browser.nav import nav_go
from tests.browser.test_membership_journey import PHONE, _log_in
from tests.clock import LONDON
from tests.scheduling.test_statements import delivered

# Thursday 26 November 2026: the month's first four Tuesdays and Thursdays are behind Megan.
TODAY = datetime.datetime(2026, 11, 26, 18, 0, tzinfo=LONDON)


def test_a_worker_reads_this_months_statement_on_a_phone_and_downloads_the_pdf(
    browser: Browser, live_server, time_machine, ruth, megan
):
    time_machine.move_to(TODAY, tick=True)
    for day in (3, 5, 10, 12):
        delivered(ruth, megan, datetime.datetime(2026, 11, day, 9, 0, tzinfo=LONDON), minutes=90)

    phone = browser.new_context(
        viewport=PHONE, locale="en-GB", timezone_id="Europe/London", accept_downloads=True
    )
    page = phone.new_page()
    audit = PageAudit(page)
    _log_in(page, audit, live_server.url, megan.user.email)
    nav_go(page, "Statements")
    expect(page.get_by_role("heading", level=1)).to_have_text("Statement for November 2026")
    main = page.get_by_role("main")
    expect(main).to_contain_text("So far this month")
    expect(main).to_contain_text("£83.24")  # four visits of 1 h 30 min at £15, less 7.5%: 4 × £20.81
    expect(page.get_by_role("table")).to_contain_text("12 Nov")
    audit()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    pdf = download.value
    assert pdf.suggested_filename == f"statement-{megan.number}-2026-11.pdf"
    with open(pdf.path(), "rb") as saved:
        assert saved.read(5) == b"%PDF-"

    page.get_by_role("link", name="October 2026").click()
    expect(page.get_by_role("main")).to_contain_text("No confirmed visits this month.")
    audit()
    assert not audit.unaudited()
    phone.close()


def test_the_secretary_reads_a_month_and_closes_it(
    page: Page, live_server, audit: PageAudit, time_machine, staff, ruth, megan
):
    time_machine.move_to(TODAY, tick=True)
    for day in (6, 8, 13):
        delivered(ruth, megan, datetime.datetime(2026, 10, day, 9, 0, tzinfo=LONDON))

    _log_in(page, audit, live_server.url, staff.email)
    nav_go(page, "Finance")
    expect(page.get_by_role("heading", level=1)).to_have_text("Finance: November 2026")
    audit()
    page.get_by_role("link", name="October 2026").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Finance: October 2026")
    main = page.get_by_role("main")
    expect(main).to_contain_text("£52.89")  # charged: 3 × £17.63
    audit()
    page.get_by_role("button", name="Close October 2026").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("October 2026 is closed: its statements are final.")
    expect(main).to_contain_text("Closed: the statements are final")
    audit()
    assert ClosedMonth.objects.get().month == datetime.date(2026, 10, 1)
    assert Statement.objects.get(member=megan).total_pence == 3 * 1388
