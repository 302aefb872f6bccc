"""Dividends: the secretary starts the calculation of an allocation the AGM approved and watches
its progress bar move to done; a worker reads her dividend statement on her phone. Each page
passes axe at phone and desktop widths."""

from unittest import mock

from playwright.sync_api import Browser, Page, expect

from governance import services, tasks
from governance.services import dividends as dividend_services
from tests.browser.axe import PageAudit
from tests.browser.nav import nav_go
from tests.browser.test_membership_journey import PHONE, _log_in
from tests.clock import NOW
from tests.factories import MembershipFactory
from tests.governance.dividends import approved_allocation, calculate, confirmed_visit, in_year


def test_the_secretary_runs_the_dividend_calculation_and_watches_it_move_to_done(
    page: Page, live_server, audit: PageAudit, staff, margaret, tom, ruth, time_machine, monkeypatch
):
    time_machine.move_to(NOW, tick=True)
    workers = MembershipFactory.create_batch(5, member_class="worker")
    for n, worker in enumerate(workers):
        confirmed_visit(ruth, worker, in_year(5, n + 1), hours=n + 1)
    allocation = approved_allocation(staff, [margaret, tom], workers_pence=1500_00, receivers_pence=500_00)
    monkeypatch.setattr(dividend_services, "STATEMENT_BATCH", 2)

    _log_in(page, audit, live_server.url, staff.email)
    nav_go(page, "Dividends")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dividends and interest")
    audit()
    page.get_by_role("link", name="1 Apr 2025 – 31 Mar 2026").click()
    audit()
    page.get_by_role("link", name="Calculated", exact=False).or_(
        page.get_by_role("link", name="Proposed")
    ).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dividends for 1 Apr 2025 – 31 Mar 2026")
    audit()

    # The task is queued, not run, when the button is pressed: here the test is the worker, a
    # batch of statements at a time, so the page can be seen moving.
    with mock.patch.object(tasks.dividends_calculate_task, "delay"):
        page.get_by_role("button", name="Calculate the dividends").press("Enter")
        expect(page.get_by_role("status").first).to_contain_text("The calculation has started.")
    progress = page.get_by_label("Progress")
    audit()

    services.dividends_calculate(allocation_id=allocation.pk, batches=1)
    expect(page.locator("#calculation-status")).to_have_text("Issuing statements: 2 of 6.")
    expect(progress).to_have_js_property("value", 2)
    expect(progress).to_have_js_property("max", 6)
    services.dividends_calculate(allocation_id=allocation.pk, batches=1)
    expect(page.locator("#calculation-status")).to_have_text("Issuing statements: 4 of 6.")
    expect(progress).to_have_js_property("value", 4)
    services.dividends_calculate(allocation_id=allocation.pk)
    # Done: the page shows itself again, finished, with the payment file to download.
    expect(page.get_by_role("heading", name="Payment")).to_be_visible(timeout=10_000)
    expect(page.locator("#calculation-status")).to_have_text("Done: 6 statements issued.")
    audit()
    page.get_by_role("button", name="Mark the dividends paid").press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("The dividends are marked paid.")
    audit()


def test_a_worker_reads_her_dividend_statement_on_her_phone(
    browser: Browser, live_server, staff, margaret, tom, ruth, megan, time_machine
):
    time_machine.move_to(NOW, tick=True)
    confirmed_visit(ruth, megan, in_year(5, 1), hours=3)
    confirmed_visit(ruth, tom, in_year(5, 2), hours=1)
    calculate(staff, approved_allocation(staff, [margaret, tom], workers_pence=400_00))

    context = browser.new_context(viewport=PHONE, locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    audit = PageAudit(page)
    _log_in(page, audit, live_server.url, megan.user.email)
    page.get_by_role("main").get_by_role("link", name="Your membership").click()
    audit()
    page.get_by_role("link", name="Your dividends and interest on shares").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your dividends")
    expect(page.get_by_role("main")).to_contain_text(
        "Your dividend is £300.00: you worked 3 of the 4 hours the co-op's workers worked this year"
    )
    audit()
    assert not audit.unaudited()
    context.close()
