"""A person books a weekly visit; the worker accepts it on a phone, checks in, ticks the tasks,
writes a note and checks out; the person confirms the hours."""

import datetime
import re

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from scheduling.models import Visit
from tests.browser.axe import PageAudit
from tests.browser.nav import nav_go
from tests.browser.test_membership_journey import PHONE, _log_in
from tests.clock import LONDON
from tests.factories import add_worker


def test_a_weekly_visit_is_booked_accepted_delivered_and_its_hours_confirmed(
    page: Page, browser: Browser, live_server, audit, staff, time_machine
):
    from members import services as member_services
    from tests.factories import MembershipFactory

    ruth = MembershipFactory(
        member_class="receiver", legal_name="Ruth Sutcliffe", user__email="ruth@example.org"
    )
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=ruth),
        by=ruth.user,
        changes={"postcode": "HX7 8AH", "display_name": "Ruth"},
    )
    add_worker(staff, "Megan Holt", "megan@example.org", team_of=ruth)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    base = live_server.url

    _log_in(page, audit, base, "ruth@example.org")
    nav_go(page, "Visits")
    expect(page.get_by_role("heading", level=1)).to_have_text("Visits")
    audit()
    page.get_by_role("link", name="Book a visit").click()
    audit()
    page.get_by_label("Who").select_option(label="Megan")
    page.get_by_label("Day", exact=True).fill(tomorrow.isoformat())
    page.get_by_label("From", exact=True).fill("09:00")
    page.get_by_label("Until", exact=True).fill("10:30")
    page.get_by_label("Tasks").fill("Breakfast\nMorning tablets")
    page.get_by_label("Repeat every week").check()
    page.get_by_label(tomorrow.strftime("%A")).check()
    page.get_by_label("Number of visits").fill("4")
    # The cost first: four visits of an hour and a half at Megan's £15, with the co-op's share.
    page.get_by_role("button", name="Check the times and cost").click()
    expect(page.locator("#booking-check")).to_contain_text("4 visits: £105.76 to pay in all.")
    audit()
    assert not Visit.objects.filter(receiver=ruth).exists()
    page.get_by_role("button", name="Book", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Booked: 4 visits, waiting for an answer.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("09:00 to 10:30")
    audit()
    assert Visit.objects.filter(receiver=ruth, series__isnull=False).count() == 4
    page.get_by_role("link", name="All visits").click()
    # This week's page shows tomorrow unless today is Sunday; this month's page runs to the end
    # of the week the month ends in, so it misses tomorrow only when tomorrow is Monday the 1st.
    shown = {
        "Week": tomorrow.weekday() != 0,
        "Month": tomorrow.weekday() != 0 or tomorrow.day != 1,
        "Agenda": True,
    }
    for view in ("Week", "Month", "Agenda"):
        page.get_by_role("navigation", name="Calendar views").get_by_role("link", name=view).click()
        if shown[view]:
            expect(page.get_by_role("main")).to_contain_text("09:00–10:30")
        audit()

    megan_context = browser.new_context(
        locale="en-GB",
        viewport=PHONE,
        geolocation={"latitude": 53.742, "longitude": -2.012},
        permissions=["geolocation"],
    )
    megan_page = megan_context.new_page()
    megan_audit = PageAudit(megan_page)
    _log_in(megan_page, megan_audit, base, "megan@example.org")
    nav_go(megan_page, "Visits")
    megan_audit()
    megan_page.get_by_role("link", name=re.compile("09:00–10:30")).first.click()
    megan_audit()
    # The whole weekly booking in one step, by keyboard.
    megan_page.get_by_role("button", name="Accept all 4 visits of this weekly booking").focus()
    megan_page.keyboard.press("Enter")
    expect(megan_page.get_by_role("status")).to_contain_text(
        "You accepted 4 of 4 visits of this weekly booking."
    )
    megan_audit()

    # Five minutes before the visit: the app's clock moves on (the server runs in this process).
    arrival = datetime.datetime.combine(tomorrow, datetime.time(8, 55), tzinfo=LONDON)
    time_machine.move_to(arrival, tick=True)
    megan_page.reload()
    megan_page.get_by_role("button", name="Check in").click()
    expect(megan_page.get_by_role("status")).to_contain_text("You are checked in.")
    megan_audit()
    megan_page.get_by_role("button", name="Breakfast").click()
    expect(megan_page.get_by_role("button", name="Breakfast")).to_have_attribute("aria-pressed", "true")
    megan_page.get_by_role("button", name="Check out").click()
    expect(megan_page.get_by_role("status")).to_contain_text("Write a visit note before checking out.")
    megan_audit()
    megan_page.get_by_role("textbox", name="Visit note").fill(
        "Ruth ate well and took her tablets. We walked to the gate."
    )
    # Ticking a task while the note is half written keeps the note: the tick is saved in place.
    megan_page.get_by_role("button", name="Morning tablets").click()
    expect(megan_page.get_by_role("button", name="Morning tablets")).to_have_attribute("aria-pressed", "true")
    expect(megan_page.get_by_role("textbox", name="Visit note")).to_have_value(
        "Ruth ate well and took her tablets. We walked to the gate."
    )
    # Leaving now would be early: she is told the time counted would be the time she was there.
    expect(megan_page.get_by_role("note").filter(has_text="you will be asked to confirm it")).to_be_visible()
    # She stays to the end; at 10:25 the visit is as booked.
    time_machine.move_to(datetime.datetime.combine(tomorrow, datetime.time(10, 25), tzinfo=LONDON), tick=True)
    megan_page.get_by_role("button", name="Check out").click()
    expect(megan_page.get_by_role("status")).to_contain_text("You are checked out. Thank you.")
    megan_audit()
    assert not megan_audit.unaudited()
    megan_context.close()

    visit = Visit.objects.get(receiver=ruth, checked_out_at__isnull=False)
    assert visit.check_in_latitude is not None
    assert visit.check_in_far is False
    assert visit.tasks == [{"label": "Breakfast", "done": True}, {"label": "Morning tablets", "done": True}]

    time_machine.move_to(arrival + datetime.timedelta(hours=3), tick=True)
    nav_go(page, "Visits")
    expect(page.get_by_role("heading", name="Hours to confirm")).to_be_visible()
    audit()
    page.get_by_role("region", name="Hours to confirm").get_by_role("link").first.click()
    expect(page.get_by_role("main")).to_contain_text("Ruth ate well")
    audit()
    page.get_by_role("button", name="Confirm the hours").click()
    expect(page.get_by_role("status")).to_contain_text("Hours confirmed.")
    audit()
    visit.refresh_from_db()
    assert visit.hours == Visit.Hours.CONFIRMED
    page.get_by_role("link", name="Care log").click()
    expect(page.get_by_role("main")).to_contain_text("Ruth ate well")
    audit()


def test_the_month_fits_a_phone_and_each_day_leads_by_keyboard_to_its_visits(page: Page, live_server, audit):
    """On a phone the month is a grid of counts with nothing cut off; a day's count is a link to
    that day's visits, listed below the grid."""
    from tests.factories import MembershipFactory, VisitFactory

    megan = MembershipFactory(member_class="worker", user__email="megan@example.org")
    visit = VisitFactory(worker=megan, status=Visit.Status.ACCEPTED)
    day = timezone.localtime(visit.starts).date()
    page.set_viewport_size(PHONE)
    _log_in(page, audit, live_server.url, megan.user.email)
    page.goto(f"{live_server.url}/visits/?view=month&date={day:%Y-%m-%d}")
    count = page.get_by_role("link", name="1 visit", exact=True)
    count.focus()
    page.keyboard.press("Enter")
    listed = page.locator(f"#day-{day:%Y-%m-%d}")
    expect(listed).to_be_in_viewport()
    expect(listed.get_by_role("heading", level=3)).to_have_text(re.compile(f"{day:%A} {day.day} {day:%B}"))
    expect(listed.get_by_role("link")).to_contain_text(timezone.localtime(visit.starts).strftime("%H:%M"))
    audit()
