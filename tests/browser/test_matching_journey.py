import re

from playwright.sync_api import Browser, Page, expect

from members import services as member_services
from members.models import Skill
from tests.browser.axe import PageAudit
from tests.browser.nav import nav_go
from tests.browser.test_membership_journey import PHONE, _log_in
from tests.factories import MembershipFactory, make_bookable


def test_a_person_finds_a_worker_through_suggestions_and_they_agree_to_meet(
    page: Page, browser: Browser, live_server, audit, staff
):
    import datetime

    ruth = MembershipFactory(
        member_class="receiver", legal_name="Ruth Sutcliffe", user__email="ruth@example.org"
    )
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=ruth),
        by=ruth.user,
        changes={"postcode": "HX7 8AH", "support_wanted": list(Skill.objects.filter(name="Dementia"))},
        weekly_times=[(1, datetime.time(9), datetime.time(11))],
    )
    megan = make_bookable(
        MembershipFactory(member_class="worker", legal_name="Megan Holt", user__email="megan@example.org"),
        staff,
    )
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=megan),
        by=megan.user,
        changes={
            "display_name": "Megan",
            "postcode": "HX7 8BQ",
            "skills": list(Skill.objects.filter(name="Dementia")),
            "hourly_rate_pence": 16_80,
            "travel_radius_km": 10,
        },
        weekly_times=[(1, datetime.time(8), datetime.time(12))],
    )
    base = live_server.url

    _log_in(page, audit, base, "ruth@example.org")
    nav_go(page, "Find workers")
    expect(page.get_by_role("heading", level=1)).to_have_text("Workers we suggest")
    expect(page.get_by_role("main")).to_contain_text("Dementia experience")
    expect(page.get_by_role("main")).to_contain_text("free on Tuesday mornings, when you need support")
    audit()
    page.get_by_role("link", name="Ask to meet Megan").click()
    audit()
    page.get_by_label("Your message").fill("Hello Megan, I would like help on Tuesday mornings.")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_role("status")).to_contain_text("Your request is sent to Megan")
    expect(page.get_by_role("main")).not_to_contain_text("megan@example.org")
    audit()

    megan_context = browser.new_context(locale="en-GB", viewport=PHONE)
    megan_page = megan_context.new_page()
    megan_audit = PageAudit(megan_page)
    _log_in(megan_page, megan_audit, base, "megan@example.org")
    nav_go(megan_page, "Introductions")
    expect(megan_page.get_by_role("main")).to_contain_text("Ruth would like to meet")
    expect(megan_page.get_by_role("main")).not_to_contain_text("ruth@example.org")
    megan_audit()
    megan_page.get_by_role("button", name="Accept").click()
    expect(megan_page.get_by_role("heading", level=1)).to_have_text(re.compile("team"))
    expect(megan_page.get_by_role("main")).to_contain_text("ruth@example.org")
    megan_audit()
    nav_go(megan_page, "Your teams")
    expect(megan_page.get_by_role("main")).to_contain_text("Ruth Sutcliffe")
    megan_audit()
    assert not megan_audit.unaudited()
    megan_context.close()

    nav_go(page, "Your team")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your team")
    expect(page.get_by_role("main")).to_contain_text("Megan Holt")
    expect(page.get_by_role("main")).to_contain_text("megan@example.org")
    expect(page.get_by_role("main")).to_contain_text("on trial until")
    audit()
    page.get_by_label("Message to the team").fill("Thank you Megan, see you on Tuesday.")
    page.get_by_role("button", name="Post to the team").click()
    expect(page.get_by_role("status")).to_contain_text("Posted.")
    audit()
