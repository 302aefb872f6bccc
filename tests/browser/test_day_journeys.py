"""A day's use of the co-op, by keyboard alone, at phone and desktop widths, each page passing axe
and fitting the screen (PageAudit):

- a worker logs in, sees her next visit on the home page, accepts a whole weekly booking in one
  step, checks in with directions at hand, checks out early and confirms the shorter time;
- a person logs in, sees who is coming, and books from the team page with the cost and the
  worker's free times shown before booking.

Staff reaching each waiting item from their home is test_staff_home_journey."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from scheduling import services
from scheduling.models import Visit
from tests.browser.axe import VIEWPORTS, PageAudit
from tests.browser.nav import tab_to
from tests.browser.test_doorstep_journey import ruth_at_home
from tests.browser.test_today_journey import _log_in_by_keyboard
from tests.clock import LONDON
from tests.factories import add_worker

WIDTHS = list(VIEWPORTS)


def _weekday_after(days: int) -> datetime.date:
    day = timezone.localdate() + datetime.timedelta(days=days)
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


@pytest.mark.parametrize("width", WIDTHS)
def test_a_worker_starts_her_day_at_home_and_leaves_a_visit_early_by_keyboard(
    page: Page, live_server, audit: PageAudit, staff, time_machine, width
):
    page.set_viewport_size(VIEWPORTS[width])
    ruth = ruth_at_home()
    megan = add_worker(staff, "Megan Holt", "megan@example.org", team_of=ruth)
    day = _weekday_after(1)

    def at(hour: int, minute: int, on: datetime.date = day) -> datetime.datetime:
        return datetime.datetime.combine(on, datetime.time(hour, minute), tzinfo=LONDON)

    visit = services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(9, 0), ends=at(11, 0), tasks=["Breakfast"]
    ).visits[0]
    services.visit_accept(visit=visit, by=megan.user)
    weekly = services.series_create(
        by=ruth.user,
        receiver=ruth,
        worker=megan,
        weekdays=[day.weekday()],
        starts_at=datetime.time(14),
        ends_at=datetime.time(15),
        first_date=day + datetime.timedelta(days=7),
        count=4,
    ).series
    base = live_server.url

    # Twenty minutes before the visit, Megan opens the app: her home leads with it.
    time_machine.move_to(at(8, 40), tick=True)
    _log_in_by_keyboard(page, audit, base, "megan@example.org")
    next_visit = page.get_by_role("region", name="Your next visit")
    expect(next_visit).to_contain_text("Visit to Ruth")
    expect(next_visit).to_contain_text("09:00–11:00")
    expect(next_visit).to_contain_text("14 Albert Street")
    expect(next_visit.get_by_role("link", name=re.compile("^Directions"))).to_have_attribute(
        "href", re.compile(r"^https://www\.google\.com/maps/dir/\?api=1&destination=14\+Albert\+Street")
    )

    # The weekly booking waits as one offer, answered in one step.
    offers = page.get_by_role("region", name="Offers waiting for your answer")
    expect(offers).to_contain_text("a weekly booking")
    tab_to(page, "Answer the whole booking")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="The whole weekly booking")).to_be_visible()
    audit()
    tab_to(page, "Accept all 4 visits of this weekly booking")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("4", timeout=20000)
    audit()
    assert set(weekly.visits.values_list("status", flat=True)) == {Visit.Status.ACCEPTED}

    # At the door at nine: back home, and checked in from there, without sharing where she is.
    time_machine.move_to(at(9, 0), tick=True)
    page.goto(base + "/today/")
    expect(page.get_by_role("region", name="Offers waiting for your answer")).to_contain_text(
        "No offers are waiting."
    )
    audit()
    next_visit = page.get_by_role("region", name="Your next visit")
    next_visit.get_by_label("Share where I am with this check-in").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("You are checked in.")
    audit()

    # At the door the visit's page keeps the way there and whom to call.
    there = page.get_by_role("region", name="Getting there")
    expect(there.get_by_role("link", name="Directions in maps")).to_be_visible()
    expect(there.get_by_role("link", name="01422 842137")).to_have_attribute("href", "tel:01422842137")

    # Leaving forty minutes early: asked first, then the shorter time counts.
    time_machine.move_to(at(10, 20), tick=True)
    tab_to(page, "Breakfast", exact=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Breakfast")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("textbox", name="Visit note").focus()
    page.keyboard.type("Ruth had porridge; her daughter came at ten.")
    tab_to(page, "Check out", exact=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check out now?")
    expect(page.get_by_role("main")).to_contain_text(
        re.compile(r"checking out (39|40) min early: the person will be asked to confirm 1 h (19|20) min\.")
    )
    audit()
    tab_to(page, "Confirm: check out early")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("You are checked out. Thank you.")
    expect(page.get_by_role("main")).to_contain_text(
        re.compile(r"In at 09:00, out at 10:2\d \(1 hour (19|20) minutes\)")
    )
    audit()
    visit.refresh_from_db()
    assert visit.checked_out_at is not None
    assert visit.checked_out_at < visit.ends


@pytest.mark.parametrize("width", WIDTHS)
def test_a_person_sees_who_is_coming_and_books_from_the_team_page_by_keyboard(
    page: Page, live_server, audit: PageAudit, staff, width
):
    page.set_viewport_size(VIEWPORTS[width])
    ruth = ruth_at_home()
    megan = add_worker(staff, "Megan Holt", "megan@example.org", team_of=ruth)
    tomorrow = _weekday_after(1)
    coming = services.visit_book(
        by=ruth.user,
        receiver=ruth,
        worker=megan,
        starts=datetime.datetime.combine(tomorrow, datetime.time(9), tzinfo=LONDON),
        ends=datetime.datetime.combine(tomorrow, datetime.time(10), tzinfo=LONDON),
    ).visits[0]
    services.visit_accept(visit=coming, by=megan.user)
    day = _weekday_after(3)
    base = live_server.url

    _log_in_by_keyboard(page, audit, base, "ruth@example.org")
    expect(page.get_by_role("region", name="Who is coming")).to_contain_text("Megan is coming")
    tab_to(page, "Your team's page")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your team")
    audit()

    tab_to(page, "Book Megan Holt")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Book a visit")
    expect(page.get_by_role("heading", name="When Megan is free")).to_be_visible()
    audit()
    tab_to(page, "Day", label=True)
    page.locator(":focus").fill(day.isoformat())
    expect(page.locator("[data-check-slot=week]")).to_contain_text("Free 08:00–18:00")
    tab_to(page, "From", label=True)
    page.locator(":focus").fill("10:00")
    tab_to(page, "Until", label=True)
    page.locator(":focus").fill("11:00")
    check = page.locator("#booking-check")
    expect(check).to_contain_text("These times suit: Megan is free then and has no other visit.")
    expect(check).to_contain_text(re.compile(r"1 visit: £\d+\.\d\d to pay\."))
    audit()
    tab_to(page, "Book", exact=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Booked: 1 visit, waiting for an answer.")
    audit()
    booked = Visit.objects.exclude(pk=coming.pk).get(receiver=ruth)
    assert (booked.worker, booked.starts.astimezone(LONDON)) == (
        megan,
        datetime.datetime.combine(day, datetime.time(10), tzinfo=LONDON),
    )
