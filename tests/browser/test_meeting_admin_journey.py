"""The secretary finds the chair by name, corrects the AGM's place (members get the amended
notice), sees the rules' history, and on the day finds a member by name in the register and marks
them present; a member named as proxy is told by email and finds the proxy on the proxies page.
Each page passes axe."""

import datetime

from django.utils import timezone
from playwright.sync_api import Page, expect

from carecoop import outbox
from governance import services
from governance.models import Attendance, GovernancePolicy
from tests.browser.axe import PageAudit
from tests.browser.nav import nav_go
from tests.browser.test_membership_journey import _log_in
from tests.factories import MembershipFactory


def test_the_secretary_corrects_the_notice_and_keeps_the_register_and_a_proxy_finds_their_proxy(
    page: Page, live_server, audit: PageAudit, staff, time_machine, mailoutbox
):
    now = timezone.now().replace(microsecond=0)
    time_machine.move_to(now, tick=True)
    margaret = MembershipFactory(
        member_class="receiver", legal_name="Margaret Greenwood", user__email="margaret@example.org"
    )
    tom = MembershipFactory(member_class="worker", legal_name="Tom Ackroyd", user__email="tom@example.org")
    starts = timezone.localtime(now + datetime.timedelta(days=21)).replace(hour=18, minute=30, second=0)
    agm = services.meeting_call(
        called_by=staff,
        kind="agm",
        title="Annual General Meeting 2026",
        format="hybrid",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="Hebden Bridge Town Hall",
        online_link="https://meet.example.org/calder-agm",
        agenda="1. Minutes\n2. Accounts",
    )
    outbox.emails_send()  # the minute's sweep: nothing is left owed, the commit sent them
    GovernancePolicy.objects.update_or_create(pk=1, defaults={"requisition_percent": 100})
    requisition = services.requisition_open(user=margaret.user, purpose="To discuss weekend rates")
    base = live_server.url

    # The secretary puts the place right; every member is sent the amended notice.
    _log_in(page, audit, base, staff.email)
    page.goto(base + f"/meetings/{agm.pk}/")
    audit()
    # Tom will chair it: found by name.
    page.get_by_role("search", name="Find the chair").get_by_label(
        "Find a member by name or membership number"
    ).fill("ackroyd")
    page.get_by_role("search", name="Find the chair").get_by_role("button", name="Find").click()
    expect(page.get_by_role("list", name="Members found")).to_contain_text("Tom Ackroyd")
    audit()
    page.get_by_role("button", name="Make chair Tom Ackroyd").click()
    expect(page.get_by_role("status")).to_contain_text("Tom Ackroyd will chair the meeting.")
    expect(page.get_by_role("main")).to_contain_text("Tom Ackroyd (member")
    audit()
    page.get_by_role("link", name="Change the meeting's details").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change the meeting")
    audit()
    page.get_by_label("Place").fill("Todmorden Town Hall, Halifax Road")
    page.get_by_role("button", name="Save and send the amended notice").click()
    expect(page.get_by_role("status")).to_contain_text("The amended notice is sent to 2 members by email.")
    expect(page.get_by_role("main")).to_contain_text("Todmorden Town Hall, Halifax Road")
    audit()
    amended = [m for m in mailoutbox if "Amended notice" in m.subject]
    assert sorted(m.to[0] for m in amended) == ["margaret@example.org", "tom@example.org"]

    # The rules page shows its latest changes.
    page.goto(base + "/meetings/rules/")
    page.get_by_label("Most proxies one person may hold").fill("4")
    page.get_by_role("button", name="Save the rules").click()
    expect(page.get_by_role("status")).to_contain_text("The meeting and voting rules are saved.")
    page.goto(base + "/meetings/rules/")
    expect(page.get_by_role("region", name="Latest changes")).to_contain_text("5 → 4")
    audit()

    # Margaret names Tom as her proxy; Tom is told and finds it.
    services.proxy_appoint(
        user=margaret.user, holder=tom, meeting=agm, instructions_text="Back the accounts."
    )
    outbox.emails_send()  # sent after the commit, in the test's own transaction here
    told = next(m for m in mailoutbox if m.to == ["tom@example.org"] and "proxy" in m.subject)
    assert "Margaret Greenwood has appointed you as their proxy" in told.subject
    tom_context = page.context.browser.new_context(locale="en-GB", timezone_id="Europe/London")
    tom_page = tom_context.new_page()
    tom_audit = PageAudit(tom_page)
    _log_in(tom_page, tom_audit, base, "tom@example.org")
    nav_go(tom_page, "Meetings and votes")
    tom_audit()
    # The email's link to every proxy held goes to this site's proxies page.
    assert f"{base}/proxies/" in told.body
    tom_page.goto(f"{base}/proxies/")
    held = tom_page.get_by_role("region", name="Proxies you hold")
    expect(held).to_contain_text("Margaret Greenwood")
    expect(held).to_contain_text("Instructions: “Back the accounts.”")
    tom_audit()
    # Tom signs Margaret's requisition (every member's signature is needed: three now), then takes
    # his signature back.
    MembershipFactory(legal_name="Grace Mitchell")
    tom_page.goto(base + f"/meetings/requisitions/{requisition.pk}/")
    tom_page.get_by_role("button", name="Add my signature").click()
    expect(tom_page.get_by_role("region", name="Signed by 2 members")).to_contain_text("Tom Ackroyd")
    tom_audit()
    tom_page.get_by_role("button", name="Take my signature back").click()
    expect(tom_page.get_by_role("status")).to_contain_text("Your signature is taken off the requisition.")
    tom_audit()
    assert requisition.signatures.count() == 1
    assert not tom_audit.unaudited()
    tom_context.close()

    # On the day, the secretary finds Margaret by name and marks her present, by keyboard.
    time_machine.move_to(starts - datetime.timedelta(minutes=10), tick=True)
    _log_in(page, audit, base, staff.email)  # three weeks on, the session has expired
    page.goto(base + f"/meetings/{agm.pk}/register/")
    audit()
    page.get_by_label("Find a member by name or membership number").fill("greenw")
    page.keyboard.press("Enter")
    found = page.get_by_role("list", name="Members found")
    expect(found).to_contain_text("Margaret Greenwood")
    audit()
    found.get_by_role("button", name="Mark present Margaret Greenwood").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Margaret Greenwood is marked present.")
    audit()
    assert Attendance.objects.filter(meeting=agm, membership=margaret, how="in_room").exists()
