"""Following the main menu as a person does: what is folded under "More" (or, on a phone, under
"Menu") is opened first."""

from playwright.sync_api import Locator, Page


def menu_item(page: Page, name: str, *, role: str = "link") -> Locator:
    """The menu's link (or button) named `name`, opening the menu first when it is folded away."""
    nav = page.get_by_role("navigation", name="Main")
    item = nav.get_by_role(role, name=name)  # type: ignore[arg-type]
    if not item.is_visible():
        nav.locator("[data-menu-toggle]:visible").first.click()
    return item


def nav_go(page: Page, name: str, *, role: str = "link") -> None:
    menu_item(page, name, role=role).click()


def tab_to(page: Page, text: str, *, label: bool = False, exact: bool = False) -> None:
    """Press Tab until the focused control's text (or, with `label`, its label's) holds `text`
    (or, with `exact`, is it), as someone using the keyboard alone would."""
    for _ in range(120):
        page.keyboard.press("Tab")
        found = page.evaluate(
            """(label) => {
                const el = document.activeElement;
                if (label) return el.labels && el.labels[0] ? el.labels[0].textContent : "";
                return el.textContent;
            }""",
            label,
        )
        found = (found or "").strip()
        if found == text or (not exact and text in found):
            return
    raise AssertionError(f"The keyboard never reached {text!r}")
