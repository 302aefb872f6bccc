"""The main menu: one row on a phone (the brand and a Menu button), a row of the day's few
destinations on a desktop with the rest under More; both open and close by keyboard, Escape gives
the focus back, every destination is reached by Tab, the unread count is in the names, and without
JavaScript every link still shows. Axe-clean at both widths."""

from playwright.sync_api import Browser, Page, expect

from scheduling.models import Notification
from tests.browser.axe import VIEWPORTS, PageAudit
from tests.browser.test_membership_journey import _log_in

PHONE, DESKTOP = VIEWPORTS["phone"], VIEWPORTS["desktop"]
FIRST = ["Home", "Visits", "Your teams", "Notifications 3 unread", "Meetings and votes"]
REST = ["People looking for support", "Statements", "Introductions", "Your membership", "Log out"]


def _unread(user, count: int) -> None:
    for i in range(count):
        Notification.objects.create(user=user, kind="visit_offered", title=f"Ruth asks you to visit ({i})")


def _focused(page: Page) -> str:
    """The accessible name, near enough: its label, or else its text without what is hidden from a
    screen reader."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            if (el.getAttribute("aria-label")) return el.getAttribute("aria-label");
            const copy = el.cloneNode(true);
            copy.querySelectorAll('[aria-hidden="true"]').forEach((n) => n.remove());
            return copy.textContent.replace(/\\s+/g, " ").trim();
        }"""
    )


def _tab_until(page: Page, name: str) -> None:
    for _ in range(30):
        page.keyboard.press("Tab")
        if _focused(page) == name:
            return
    raise AssertionError(f"The keyboard never reached {name!r}")


def _tab_through_menu(page: Page) -> list[str]:
    """Tab from the focused element until the focus leaves the menu; the names met on the way."""
    names = []
    for _ in range(30):
        page.keyboard.press("Tab")
        if not page.evaluate("() => document.activeElement.closest('.site-nav') !== null"):
            return names
        names.append(_focused(page))
    raise AssertionError("The focus never left the menu")


def _nav(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_role("navigation", name="Main")


def _header_height(page: Page) -> float:
    box = page.locator(".site-header").bounding_box()
    assert box is not None
    return box["height"]


def test_on_a_phone_the_menu_is_one_row_and_opens_and_closes_by_keyboard(
    page: Page, live_server, audit: PageAudit, megan
):
    _unread(megan.user, 3)
    page.set_viewport_size(PHONE)
    _log_in(page, audit, live_server.url, megan.user.email)

    # One row: the brand and the Menu button side by side, a fraction of the 260 px of five rows.
    assert _header_height(page) < 100
    brand = page.locator(".brand").bounding_box()
    button = page.locator(".site-nav__toggle--menu").bounding_box()
    assert brand
    assert button
    assert abs((brand["y"] + brand["height"] / 2) - (button["y"] + button["height"] / 2)) < 4
    menu = page.get_by_role("button", name="Menu 3 unread notifications")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_have_attribute("aria-controls", "site-menu")
    expect(_nav(page).get_by_role("link", name="Home")).to_be_hidden()

    _tab_until(page, "Menu 3 unread notifications")
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(_nav(page).get_by_role("link", name="Home")).to_be_visible()
    audit()
    page.keyboard.press("Tab")
    assert _focused(page) == "Home"
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(_nav(page).get_by_role("link", name="Home")).to_be_hidden()
    assert _focused(page) == "Menu 3 unread notifications"

    # Every destination, in the order shown, by Tab alone; tabbing on past the end closes the menu.
    page.keyboard.press("Space")
    expect(menu).to_have_attribute("aria-expanded", "true")
    assert _tab_through_menu(page) == FIRST + REST
    expect(menu).to_have_attribute("aria-expanded", "false")

    # The notifications page shows them; the count is gone from the menu.
    page.get_by_role("button", name="Menu").focus()
    page.keyboard.press("Enter")
    _tab_until(page, "Notifications 3 unread")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.get_by_role("button", name="Menu", exact=True)).to_be_visible()
    audit()
    assert _header_height(page) < 100


def test_on_a_desktop_the_first_few_are_a_row_and_the_rest_open_under_more(
    page: Page, live_server, audit: PageAudit, megan
):
    _unread(megan.user, 3)
    page.set_viewport_size(DESKTOP)
    _log_in(page, audit, live_server.url, megan.user.email)

    assert _header_height(page) < 80
    for name in FIRST:
        expect(_nav(page).get_by_role("link", name=name, exact=True)).to_be_visible()
    more = page.get_by_role("button", name="More")
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(_nav(page).get_by_role("link", name="Statements")).to_be_hidden()

    _tab_until(page, "Home")
    assert _tab_through_menu(page) == [*FIRST[1:], "More"]  # the rest stay folded away
    _tab_until(page, "More")
    page.keyboard.press("Enter")
    expect(more).to_have_attribute("aria-expanded", "true")
    audit()
    assert _tab_through_menu(page) == REST
    expect(more).to_have_attribute("aria-expanded", "false")

    more.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert _focused(page) == "People looking for support"
    page.keyboard.press("Escape")
    expect(more).to_have_attribute("aria-expanded", "false")
    assert _focused(page) == "More"

    # A click elsewhere closes it too.
    more.click()
    expect(_nav(page).get_by_role("link", name="Statements")).to_be_visible()
    page.get_by_role("heading", level=1).click()
    expect(_nav(page).get_by_role("link", name="Statements")).to_be_hidden()
    assert _header_height(page) < 80


def test_staff_see_their_home_first_and_reach_every_page_on_a_phone(page: Page, live_server, audit, staff):
    page.set_viewport_size(PHONE)
    _log_in(page, audit, live_server.url, staff.email)
    assert _header_height(page) < 100
    page.get_by_role("button", name="Menu").click()
    names = _tab_through_menu(page)
    assert names[:4] == ["Staff home", "Applications", "Register", "Notifications"]
    staff_pages = ["Vetting", "Queried hours", "Finance", "Dividends", "Meetings and votes", "Co-op admin"]
    assert set(staff_pages) <= set(names)
    assert names[-1] == "Log out"


def test_without_javascript_every_link_shows(page: Page, browser: Browser, live_server, audit, megan):
    _unread(megan.user, 3)
    page.set_viewport_size(PHONE)
    _log_in(page, audit, live_server.url, megan.user.email)
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    context.add_cookies(page.context.cookies())
    plain = context.new_page()
    plain.goto(live_server.url + "/visits/")
    nav = plain.get_by_role("navigation", name="Main")
    for name in FIRST + REST[:-1]:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(nav.get_by_role("button", name="Log out")).to_be_visible()
    expect(nav.get_by_role("button", name="Menu")).to_be_hidden()
    context.close()
