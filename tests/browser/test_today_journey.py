"""Today, by keyboard alone on a phone: Megan logs in and lands on her day, sees her next visit
with Check in and directions and an offer, and accepts it; Ruth logs in and sees who is coming,
with Megan's photo. Each page passes axe at phone and desktop widths (PageAudit)."""

import datetime
import io

from django.utils import timezone
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from members import services as member_services
from scheduling.models import Visit
from tests.browser.axe import PageAudit
from tests.browser.nav import tab_to
from tests.browser.test_membership_journey import PHONE
from tests.factories import PASSWORD, MembershipFactory, VisitFactory, add_worker


def _log_in_by_keyboard(page: Page, audit: PageAudit, base: str, email: str) -> None:
    page.goto(base + "/accounts/login/")
    audit()
    page.keyboard.press("Tab")  # the skip link
    page.get_by_label("Email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    assert page.url.endswith("/today/")
    audit()


def _photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (200, 200), (120, 160, 140)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_a_worker_lands_on_her_day_and_a_person_sees_who_is_coming(
    page: Page, browser: Browser, live_server, audit: PageAudit, staff
):
    ruth = MembershipFactory(
        member_class="receiver",
        legal_name="Ruth Sutcliffe",
        user__email="ruth@example.org",
        address="14 Albert Street\nHebden Bridge",
        postcode="HX7 8AH",
    )
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=ruth),
        by=ruth.user,
        changes={"display_name": "Ruth"},
    )
    megan = add_worker(staff, "Megan Holt", "megan@example.org", team_of=ruth)
    data = _photo()
    member_services.profile_photo_set(
        profile=megan.profile, by=megan.user, upload=io.BytesIO(data), size=len(data)
    )
    now = timezone.now()
    starts = now + datetime.timedelta(minutes=30)
    VisitFactory(
        receiver=ruth,
        worker=megan,
        starts=starts,
        ends=starts + datetime.timedelta(hours=1),
        status=Visit.Status.ACCEPTED,
    )
    offered = VisitFactory(
        receiver=ruth,
        worker=megan,
        starts=now + datetime.timedelta(days=3),
        ends=now + datetime.timedelta(days=3, hours=2),
    )
    base = live_server.url

    # Megan, on her phone.
    page.set_viewport_size(PHONE)
    _log_in_by_keyboard(page, audit, base, "megan@example.org")
    next_visit = page.get_by_role("region", name="Your next visit")
    expect(next_visit).to_contain_text("Visit to Ruth")
    expect(next_visit).to_contain_text("14 Albert Street")
    expect(next_visit.get_by_role("button", name="Check in")).to_be_visible()
    directions = next_visit.get_by_role("link", name="Directions")
    expect(directions).to_have_attribute(
        "href",
        "https://www.google.com/maps/dir/?api=1&destination=14+Albert+Street%2C+Hebden+Bridge%2C+HX7+8AH",
    )
    # The next visit comes first: the Check in button is the first control in the page's main part.
    page.get_by_role("main").focus()
    page.keyboard.press("Tab")
    expect(next_visit.get_by_label("Share where I am with this check-in")).to_be_focused()
    page.keyboard.press("Tab")
    expect(next_visit.get_by_role("button", name="Check in")).to_be_focused()
    box = next_visit.get_by_role("button", name="Check in").bounding_box()
    assert box is not None
    assert box["height"] >= 44
    assert box["width"] >= 300

    offers = page.get_by_role("region", name="Offers waiting for your answer")
    expect(offers).to_contain_text("visit to Ruth")
    tab_to(page, "Accept")
    page.keyboard.press("Enter")
    # Accepting plans reminders and tells Ruth: on a busy machine it may take a few seconds.
    expect(page.get_by_role("status")).to_contain_text("You accepted the visit.", timeout=20000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Today")
    expect(page.get_by_role("region", name="Offers waiting for your answer")).to_contain_text(
        "No offers are waiting."
    )
    audit()
    offered.refresh_from_db()
    assert offered.status == Visit.Status.ACCEPTED

    # Ruth, on her own phone, sees who is coming: Megan, with her photo.
    ruth_context = browser.new_context(locale="en-GB", timezone_id="Europe/London", viewport=PHONE)
    ruth_page = ruth_context.new_page()
    ruth_audit = PageAudit(ruth_page)
    _log_in_by_keyboard(ruth_page, ruth_audit, base, "ruth@example.org")
    coming = ruth_page.get_by_role("region", name="Who is coming")
    expect(coming.get_by_role("link").first).to_contain_text("Megan is coming")
    photo = coming.locator("img.face").first
    expect(photo).to_have_attribute("alt", "")
    assert ruth_page.evaluate("(img) => img.complete && img.naturalWidth > 0", photo.element_handle())
    tab_to(ruth_page, "Megan is coming")
    ruth_page.keyboard.press("Enter")
    expect(ruth_page.get_by_role("heading", level=1)).to_contain_text("Visit on")
    ruth_audit()
    ruth_page.go_back()
    tab_to(ruth_page, "Book a visit")
    ruth_page.keyboard.press("Enter")
    expect(ruth_page.get_by_role("heading", level=1)).to_contain_text("Book")
    ruth_audit()
    assert not ruth_audit.unaudited()
    ruth_context.close()
