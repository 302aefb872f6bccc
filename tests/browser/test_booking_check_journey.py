"""A person books from their team page, by keyboard alone: Book beside a worker opens the form with
the worker chosen, their free and busy times and the cost shown; a time that clashes is warned
as it is picked, before anything is submitted; a free time is booked. At phone and desktop
widths, each page passing axe."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from scheduling.models import Visit
from tests.browser.axe import VIEWPORTS, PageAudit
from tests.browser.nav import tab_to
from tests.browser.test_membership_journey import _log_in
from tests.clock import LONDON
from tests.factories import VisitFactory, add_worker


def _next_weekday(after_days: int) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=after_days)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


@pytest.mark.parametrize("width", ["phone", "desktop"])
def test_a_person_books_from_the_team_page_warned_of_a_clash_before_booking(
    page: Page, live_server, audit: PageAudit, staff, ruth, margaret, width
):
    page.set_viewport_size(VIEWPORTS[width])
    megan = add_worker(staff, "Megan Holt", "megan@example.org", team_of=ruth)
    day = _next_weekday(2)
    # Megan is with someone else from 14:00 to 15:30 that day: the form shows it as busy, not with whom.
    clash = datetime.datetime.combine(day, datetime.time(14), tzinfo=LONDON)
    VisitFactory(
        receiver=margaret,
        worker=megan,
        starts=clash,
        ends=clash + datetime.timedelta(minutes=90),
        status=Visit.Status.ACCEPTED,
    )
    base = live_server.url

    _log_in(page, audit, base, "ruth@example.org")
    page.goto(f"{base}/teams/{ruth.number}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your team")
    audit()

    tab_to(page, "Book Megan Holt")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a visit")
    expect(page.get_by_label("Who")).to_have_value(str(megan.number))
    expect(page.get_by_role("heading", name="When Megan is free")).to_be_visible()
    audit()

    # The day: Megan's free and busy times that day appear as it is typed.
    tab_to(page, "Day", label=True)
    # Typed into the field that has the focus (the date picker's own order follows the browser's locale).
    focused = page.locator(":focus")
    focused.fill(day.isoformat())
    week = page.locator("[data-check-slot=week]")
    expect(week).to_contain_text(day.strftime("%A %-d %B"))
    expect(week).to_contain_text("Free 08:00–18:00")
    expect(week).to_contain_text("Busy 14:00–15:30")
    expect(week).not_to_contain_text("Margaret")

    # A time that clashes: warned in the live region, with the cost, and nothing submitted.
    check = page.locator("#booking-check")
    expect(check).to_have_attribute("aria-live", "polite")
    tab_to(page, "From", label=True)
    focused.fill("14:00")
    tab_to(page, "Until", label=True)
    focused.fill("15:00")
    expect(check).to_contain_text("The worker already has a visit then: they cannot accept both.")
    expect(check).to_contain_text("1 visit: £17.63 to pay.")
    assert page.url.endswith(f"/visits/new/?worker={megan.number}")
    assert not Visit.objects.filter(receiver=ruth).exists()
    audit()

    # A free time: the warning goes, and it is booked.
    page.get_by_label("From", exact=True).fill("10:00")
    tab_to(page, "Until", label=True)
    focused.fill("11:00")
    expect(check).to_contain_text("These times suit: Megan is free then and has no other visit.")
    expect(check).not_to_contain_text("already has a visit")
    audit()
    tab_to(page, "Book")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Booked: 1 visit, waiting for an answer.")
    audit()
    visit = Visit.objects.get(receiver=ruth)
    assert (visit.worker, visit.starts.astimezone(LONDON).time()) == (megan, datetime.time(10))
