"""Faces and trust: a person opens their suggestions, sees the workers' photos and the "checks up
to date" badge, opens a worker's profile and asks to meet them, all by keyboard, at phone and
desktop widths; each page passes axe."""

import datetime
from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from members import services as member_services
from members.models import Skill
from tests.browser.axe import PageAudit
from tests.browser.nav import tab_to
from tests.browser.test_membership_journey import PHONE, _log_in
from tests.factories import MembershipFactory, make_bookable

DESKTOP = {"width": 1280, "height": 800}


def _worker(staff, name: str, email: str, postcode: str, *, photo: bool):
    worker = make_bookable(
        MembershipFactory(member_class="worker", legal_name=name, user__email=email), staff
    )
    profile = member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=worker),
        by=worker.user,
        changes={
            "display_name": name.split()[0],
            "postcode": postcode,
            "skills": list(Skill.objects.filter(name="Dementia")),
            "hourly_rate_pence": 16_00,
            "travel_radius_km": 10,
            "gender": "woman",
        },
        weekly_times=[(1, datetime.time(8), datetime.time(12))],
    )
    if photo:
        buffer = BytesIO()
        Image.new("RGB", (120, 120), "#7fa496").save(buffer, format="PNG")
        member_services.profile_photo_set(
            profile=profile, by=worker.user, upload=BytesIO(buffer.getvalue()), size=len(buffer.getvalue())
        )
    return worker


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_person_sees_faces_and_checks_then_asks_to_meet_a_worker_by_keyboard(
    page: Page, live_server, audit: PageAudit, staff, viewport
):
    page.set_viewport_size(viewport)
    ruth = MembershipFactory(
        member_class="receiver", legal_name="Ruth Sutcliffe", user__email="ruth@example.org"
    )
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=ruth),
        by=ruth.user,
        changes={
            "display_name": "Ruth",
            "postcode": "HX7 8AH",
            "support_wanted": list(Skill.objects.filter(name__in=["Dementia", "Companionship"])),
        },
        weekly_times=[(1, datetime.time(9), datetime.time(11)), (6, datetime.time(9), datetime.time(11))],
    )
    megan = _worker(staff, "Megan Holt", "megan@example.org", "HX7 8BQ", photo=True)
    _worker(staff, "Asha Begum", "asha@example.org", "HX7 6AA", photo=False)
    base = live_server.url

    _log_in(page, audit, base, "ruth@example.org")
    page.goto(base + "/suggestions/")
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_have_text("Workers we suggest")
    photo = main.locator(f'img[src="/members/{megan.number}/photo/"]')
    expect(photo).to_be_visible()
    photo.scroll_into_view_if_needed()
    page.wait_for_function(
        "src => [...document.images].some(i => i.getAttribute('src') === src && i.naturalWidth > 0)",
        arg=f"/members/{megan.number}/photo/",
    )
    expect(main.locator(".avatar--initials")).to_have_text("A")  # Asha has no photo yet
    expect(main.get_by_text("Checks up to date")).to_have_count(2)
    expect(main).to_contain_text("Not a match on: Companionship, Sunday mornings")
    audit()

    tab_to(page, "About Megan")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Megan")
    main = page.get_by_role("main")
    expect(main.locator(f'img[src="/members/{megan.number}/photo/"]')).to_be_visible()
    expect(main).to_contain_text("Checks up to date")
    expect(main).to_contain_text("Woman")
    audit()

    tab_to(page, "Ask to meet Megan")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Your message")).to_be_visible()
    audit()
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "message":
            break
    expect(page.get_by_label("Your message")).to_be_focused()
    page.keyboard.type("Hello Megan, I would like help on Tuesday mornings.")
    tab_to(page, "Send my request")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your request is sent to Megan")
    audit()

    page.goto(base + f"/members/{megan.number}/")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Introduction asked")
    expect(main.get_by_role("link", name="Ask to meet Megan")).to_have_count(0)
    audit()
