"""A member gets the notice of the AGM, appoints no proxy, opens the ballot on the accounts, votes,
keeps the receipt, and after the close sees the results and finds their receipt's hash."""

import datetime
import re

from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from governance import services
from governance.models import Proxy, Vote
from governance.receipts import receipt_hash
from tests.browser.axe import PageAudit
from tests.browser.nav import nav_go
from tests.browser.test_membership_journey import _log_in
from tests.factories import MembershipFactory


def test_a_member_votes_on_the_agm_ballot_keeps_the_receipt_and_finds_it_after_the_close(
    page: Page, live_server, audit: PageAudit, staff, time_machine
):
    now = timezone.now().replace(microsecond=0)
    time_machine.move_to(now, tick=True)
    margaret = MembershipFactory(
        member_class="receiver", legal_name="Margaret Greenwood", user__email="margaret@example.org"
    )
    MembershipFactory.create_batch(3, member_class="worker")
    starts = timezone.localtime(now + datetime.timedelta(days=21)).replace(hour=18, minute=30)
    agm = services.meeting_call(
        called_by=staff,
        kind="agm",
        title="Annual General Meeting 2026",
        format="hybrid",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="Hebden Bridge Town Hall, St George's Street",
        online_link="https://meet.example.org/calder-agm",
        agenda="1. Minutes\n2. The accounts for 2025-26\n3. Board elections",
    )
    motion = services.motion_propose(
        user=staff,
        meeting=agm,
        title="Adopt the accounts for 2025-26",
        text="That the accounts for the year to 31 March 2026 be adopted.",
        by_board=True,
    )
    closes = now + datetime.timedelta(hours=2)
    ballot = services.ballot_create(
        user=staff,
        title="Adopt the accounts for 2025-26",
        motion=motion,
        opens_at=now,
        closes_at=closes,
    )
    services.ballot_open(ballot=ballot, user=staff)
    base = live_server.url

    # The notice reaches Margaret by email, with the agenda and a link to the meeting's page.
    notice = next(m for m in mail.outbox if m.to == ["margaret@example.org"])
    assert "Annual General Meeting 2026" in notice.subject
    assert "2. The accounts for 2025-26" in notice.body
    # The link is the whole address, from SITE_URL: she follows it as it is.
    link = re.search(rf"{re.escape(base)}/meetings/\d+/", notice.body).group(0)

    _log_in(page, audit, base, "margaret@example.org")
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Annual General Meeting 2026")
    expect(page.get_by_role("main")).to_contain_text("Hebden Bridge Town Hall")
    audit()
    # She can come, so she appoints no proxy, and goes to the ballot.
    page.get_by_role("link", name="Adopt the accounts for 2025-26").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Adopt the accounts for 2025-26")
    audit()
    # By keyboard alone: the choice with the space bar, the button with Enter.
    page.get_by_label("For", exact=True).focus()
    page.keyboard.press("Space")
    expect(page.get_by_label("For", exact=True)).to_be_checked()
    page.get_by_role("button", name="Cast my vote").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your vote is recorded")
    receipt = page.locator("#receipt-code").inner_text().replace("\n", "").strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", receipt), receipt
    audit()
    assert not Proxy.objects.filter(appointer=margaret).exists()
    assert Vote.objects.filter(ballot=ballot, voter__isnull=True).count() == 1

    # Before the close the results are hidden.
    page.goto(base + f"/ballots/{ballot.pk}/results/")
    expect(page.get_by_role("main")).to_contain_text("Results are shown when the ballot closes")
    expect(page.get_by_role("main")).not_to_contain_text("PASSED")
    audit()

    time_machine.move_to(closes + datetime.timedelta(minutes=1), tick=True)
    assert services.ballots_close_due() == 1

    page.goto(base + f"/ballots/{ballot.pk}/results/")
    expect(page.get_by_role("main")).to_contain_text("PASSED")
    audit()
    page.get_by_role("link", name="The receipts of the counted votes: check yours").click()
    audit()
    page.get_by_label("Your receipt").fill(receipt)
    page.get_by_role("button", name="Check").click()
    expect(page.get_by_role("status")).to_contain_text("Your vote was counted.")
    expect(page.locator("mark")).to_have_text(receipt_hash(receipt))
    audit()

    # The browser kept the receipt for the change form; logging out forgets it.
    kept = "Object.keys(localStorage).filter((key) => key.startsWith('carecoop-receipt:'))"
    assert page.evaluate(kept) == [f"carecoop-receipt:{ballot.pk}:{margaret.number}"]
    nav_go(page, "Log out", role="button")
    expect(page.get_by_role("navigation").get_by_role("link", name="Log in")).to_be_visible()
    audit()
    assert page.evaluate(kept) == []
