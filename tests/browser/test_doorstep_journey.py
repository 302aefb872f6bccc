"""At the doorstep, by keyboard, on a phone and on a desktop: the worker opens an accepted visit,
sees where to go and whom to call, says she is running late, checks in, checks out early after
a warning she confirms, and sees the times she was there; the person is told she is late."""

import datetime
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from members import services as member_services
from scheduling import services
from scheduling.models import Visit
from tests.browser.axe import PageAudit
from tests.browser.test_membership_journey import _log_in
from tests.clock import LONDON
from tests.factories import ApplicationFactory, MembershipFactory, add_worker

SIZES = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 800}}
# Set to a folder to keep a screenshot of each step (to look at the pages, not to test them).
SHOTS = os.environ.get("CARECOOP_SCREENSHOTS", "")


def _press(page: Page, locator) -> None:  # type: ignore[no-untyped-def]
    locator.focus()
    page.keyboard.press("Enter")


def ruth_at_home():  # type: ignore[no-untyped-def]
    """Ruth, at 14 Albert Street in Hebden Bridge, with the phone she gave when applying."""
    ruth = MembershipFactory(
        member_class="receiver",
        legal_name="Ruth Sutcliffe",
        user__email="ruth@example.org",
        address="14 Albert Street\nHebden Bridge",
        postcode="HX7 8AH",
    )
    ruth.application = ApplicationFactory(user=ruth.user, legal_name=ruth.legal_name, phone="+441422842137")
    ruth.save(update_fields=["application"])
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=ruth),
        by=ruth.user,
        changes={"postcode": "HX7 8AH", "display_name": "Ruth"},
    )
    return ruth


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size", list(SIZES))
def test_a_worker_at_the_door_runs_late_checks_in_and_leaves_early_by_keyboard(
    page: Page, live_server, audit: PageAudit, staff, time_machine, size
):
    page.set_viewport_size(SIZES[size])
    ruth = ruth_at_home()
    member_services.emergency_contact_save(
        membership=ruth, by=ruth.user, name="Jane Sutcliffe", relationship="Daughter", phone="07723 418560"
    )
    megan = add_worker(staff, "Megan Holt", "megan@example.org", team_of=ruth)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    def moment(hour: int, minute: int) -> datetime.datetime:
        return datetime.datetime.combine(tomorrow, datetime.time(hour, minute), tzinfo=LONDON)

    visit = services.visit_book(
        by=ruth.user,
        receiver=ruth,
        worker=megan,
        starts=moment(9, 0),
        ends=moment(11, 0),
        tasks=["Breakfast", "Morning tablets"],
    ).visits[0]
    services.visit_accept(visit=visit, by=megan.user)
    base = live_server.url

    def shot(name: str) -> None:
        _no_sideways_scroll(page)
        if SHOTS:
            page.screenshot(path=os.path.join(SHOTS, f"doorstep-{size}-{name}.png"), full_page=True)

    # On her way, twenty minutes before the start (the app's clock: the server runs in this process).
    time_machine.move_to(moment(8, 40), tick=True)
    _log_in(page, audit, base, "megan@example.org")
    page.goto(base + "/visits/")
    audit()
    _press(page, page.get_by_role("link", name=re.compile("09:00–11:00")).first)
    expect(page.get_by_role("heading", level=1)).to_contain_text("09:00 to 11:00")
    there = page.get_by_role("region", name="Getting there")
    expect(there).to_contain_text("14 Albert Street")
    expect(there.get_by_role("link", name="Directions in maps")).to_have_attribute(
        "href", re.compile(r"^https://www\.google\.com/maps/dir/\?api=1&destination=14\+Albert\+Street")
    )
    expect(there.get_by_role("link", name="01422 842137")).to_have_attribute("href", "tel:01422842137")
    expect(there).to_contain_text("Jane Sutcliffe (Daughter)")
    expect(there.get_by_role("link", name="07723 418560")).to_have_attribute("href", "tel:07723418560")
    audit()
    shot("on-the-way")

    # Running late: opened, chosen and sent by keyboard.
    _press(page, page.get_by_text("Tell the person and the team"))
    page.get_by_role("radio", name="About 20 minutes").focus()
    page.keyboard.press("Space")
    page.get_by_label("A word for them (optional)").focus()
    page.keyboard.type("The bus is stuck at Mytholmroyd.")
    audit()
    _press(page, page.get_by_role("button", name="Send: I am running late"))
    expect(page.get_by_role("status")).to_contain_text("They are told you are running late.")
    expect(page.get_by_role("main")).to_contain_text("Megan said they are running late: about 20 minutes.")
    audit()

    # At the door: checked in, without sharing where she is.
    time_machine.move_to(moment(9, 0), tick=True)
    page.reload()
    page.get_by_label("Share where I am with this check-in").focus()
    page.keyboard.press("Space")
    _press(page, page.get_by_role("button", name="Check in"))
    expect(page.get_by_role("status")).to_contain_text("You are checked in.")
    expect(page.get_by_role("heading", name="Running late?")).to_have_count(0)
    audit()
    _press(page, page.get_by_role("button", name="Breakfast"))
    expect(page.get_by_role("button", name="Breakfast")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("textbox", name="Visit note").focus()
    page.keyboard.type("Ruth had breakfast; her daughter came at ten.")

    # Leaving forty minutes early: the check-out asks first, and says what it means.
    time_machine.move_to(moment(10, 20), tick=True)
    _press(page, page.get_by_role("button", name="Check out"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check out now?")
    expect(page.get_by_role("main")).to_contain_text(
        re.compile(
            r"You are checking out (39|40) min early: the person will be asked to confirm 1 h (19|20) min\."
        )
    )
    expect(page.get_by_role("main")).to_contain_text("1 task is not ticked:")
    expect(page.get_by_role("listitem").filter(has_text="Morning tablets")).to_be_visible()
    audit()
    shot("check-out-early")
    _press(page, page.get_by_role("button", name="Confirm: check out early"))
    expect(page.get_by_role("status")).to_contain_text("You are checked out. Thank you.")
    expect(page.get_by_role("main")).to_contain_text(
        re.compile(r"In at 09:00, out at 10:2\d \(1 hour (19|20) minutes\)")
    )
    expect(page.get_by_role("region", name="Getting there")).to_have_count(0)
    audit()
    shot("checked-out")
    visit.refresh_from_db()
    assert visit.checked_out_at is not None
    assert visit.worked_minutes in (79, 80)
    assert visit.status == Visit.Status.ACCEPTED

    # Ruth hears that Megan was running late.
    page.context.clear_cookies()
    _log_in(page, audit, base, "ruth@example.org")
    page.goto(base + "/notifications/")
    expect(page.get_by_role("main")).to_contain_text("Megan is running late (about 20 minutes)")
    expect(page.get_by_role("main")).to_contain_text("The bus is stuck at Mytholmroyd.")
    audit()
    shot("ruth-told")


@pytest.mark.parametrize("size", list(SIZES))
def test_a_person_gives_their_emergency_contact_by_keyboard(page: Page, live_server, audit: PageAudit, size):
    page.set_viewport_size(SIZES[size])
    ruth = MembershipFactory(
        member_class="receiver", legal_name="Ruth Sutcliffe", user__email="ruth@example.org"
    )
    base = live_server.url

    _log_in(page, audit, base, "ruth@example.org")
    page.goto(base + "/accounts/")
    audit()
    _press(page, page.get_by_role("link", name="Your emergency contact, for the worker at a visit"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your emergency contact")
    audit()
    page.get_by_label("Name").focus()
    page.keyboard.type("Jane Sutcliffe")
    page.keyboard.press("Tab")
    page.keyboard.type("Daughter")
    page.get_by_label("Phone").focus()
    page.keyboard.type("12")
    _press(page, page.get_by_role("button", name="Save the emergency contact"))
    expect(page.get_by_role("main")).to_contain_text("Enter a UK phone number.")
    audit()
    page.get_by_label("Phone").fill("")
    page.get_by_label("Phone").focus()
    page.keyboard.type("07723 418560")
    _press(page, page.get_by_role("button", name="Save the emergency contact"))
    expect(page.get_by_role("status")).to_contain_text("Emergency contact saved.")
    expect(page.get_by_label("Phone")).to_have_value("07723 418560")
    _no_sideways_scroll(page)
    audit()
    assert ruth.emergency_contact.relationship == "Daughter"
