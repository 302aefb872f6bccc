"""Joining and voting, by keyboard, at phone and desktop widths: an applicant applies and sees how
to pay for their share; a member opens a ballot, reads its paper, votes with the form first on the
phone, and downloads the receipt."""

import datetime
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from governance import services
from governance.models import Vote
from tests.browser.axe import PageAudit
from tests.browser.test_membership_journey import PHONE, _log_in, _sign_up_and_log_in
from tests.factories import MembershipFactory
from tests.outbox import send_owed


def _type(page: Page, field: Locator, text: str) -> None:
    field.focus()
    page.keyboard.type(text)


def _press(page: Page, control: Locator, key: str = "Space") -> None:
    control.focus()
    page.keyboard.press(key)


def test_an_applicant_applies_by_keyboard_and_sees_how_to_pay(
    page: Page, live_server, audit: PageAudit, documents, settings, mailoutbox
):
    settings.COOP_BANK_ACCOUNT_NAME = "Calder Valley Care Co-op Ltd"
    settings.COOP_BANK_SORT_CODE = "00-00-00"
    settings.COOP_BANK_ACCOUNT_NUMBER = "12345678"
    page.set_viewport_size(PHONE)
    base = live_server.url

    _sign_up_and_log_in(page, audit, base, "jane.smith@example.org", mailoutbox)
    _press(page, page.get_by_role("link", name="Become a member"), "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Become a member")
    audit()
    _press(page, page.get_by_label(re.compile("^Person getting support")))
    _type(page, page.get_by_label("Full legal name"), "Jane Smith")
    _type(page, page.get_by_label("Postal address"), "3 Bridge Gate, Hebden Bridge")
    _type(page, page.get_by_label("Postcode"), "HX7 8EX")
    page.get_by_label("Date of birth").fill("1951-06-14")  # a date field: typed as the browser formats it
    _type(page, page.get_by_label("Why do you want to join?"), "To choose who helps me at home.")
    _press(page, page.get_by_label("I have read the co-op's rules and agree to them."))
    _press(page, page.get_by_label("I have read the Members' Commitment and agree to it."))
    _press(page, page.get_by_role("button", name="Send my application"), "Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your application")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="How to pay for your shares")).to_be_visible()
    for text in ("Calder Valley Care Co-op Ltd", "00-00-00", "12345678", "£1.00"):
        expect(main).to_contain_text(text)
    reference = main.locator(".summary__row", has_text="Reference").locator("dd").inner_text().strip()
    assert re.fullmatch(r"APP-\d{5}", reference), reference
    audit()

    # The acknowledgement arrives once, with the same reference.
    send_owed()
    acknowledged = [m for m in mailoutbox if m.to == ["jane.smith@example.org"] and reference in m.subject]
    assert len(acknowledged) == 1
    assert "sort code 00-00-00, account number 12345678" in acknowledged[0].body


def test_a_member_reads_the_paper_votes_form_first_on_a_phone_and_downloads_the_receipt(
    page: Page, live_server, audit: PageAudit, staff, time_machine, tmp_path
):
    now = timezone.now().replace(microsecond=0)
    time_machine.move_to(now, tick=True)
    MembershipFactory(
        member_class="receiver", legal_name="Margaret Greenwood", user__email="margaret@example.org"
    )
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
        agenda="1. Minutes\n2. The accounts for 2025-26",
    )
    services.document_attach(
        meeting=agm,
        title="The accounts for the year to 31 March 2026",
        file=SimpleUploadedFile("accounts-2025-26.txt", b"Surplus for the year: 34,400 pounds."),
        user=staff,
    )
    motion = services.motion_propose(
        user=staff,
        meeting=agm,
        title="Adopt the accounts for 2025-26",
        text="That the accounts for the year to 31 March 2026 be adopted.",
        by_board=True,
    )
    ballot = services.ballot_create(
        user=staff,
        title="Adopt the accounts for 2025-26",
        motion=motion,
        opens_at=now,
        closes_at=now + datetime.timedelta(hours=2),
    )
    services.ballot_open(ballot=ballot, user=staff)
    base = live_server.url
    page.set_viewport_size(PHONE)

    _log_in(page, audit, base, "margaret@example.org")
    page.goto(base + f"/ballots/{ballot.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Adopt the accounts for 2025-26")
    audit()

    # On the phone the vote form comes before the facts, in the page's own order.
    form_top = page.locator("form[data-vote-form]").bounding_box()["y"]
    facts_top = page.get_by_role("heading", name="About this ballot").bounding_box()["y"]
    assert form_top < facts_top

    # She reads the paper: the link, followed by keyboard, downloads it.
    paper = page.get_by_role("link", name="The accounts for the year to 31 March 2026")
    with page.expect_download() as downloading:
        _press(page, paper, "Enter")
    saved = tmp_path / "paper.txt"
    downloading.value.save_as(saved)
    assert "Surplus for the year" in saved.read_text()

    # She votes by keyboard.
    _press(page, page.get_by_label("For", exact=True))
    expect(page.get_by_label("For", exact=True)).to_be_checked()
    _press(page, page.get_by_role("button", name="Cast my vote"), "Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your vote is recorded")
    said = "You voted For on the motion “Adopt the accounts for 2025-26”."
    expect(page.get_by_role("main")).to_contain_text(said)
    receipt = page.locator("#receipt-code").inner_text().replace("\n", "").strip()
    audit()

    with page.expect_download() as downloading:
        _press(page, page.get_by_role("button", name="Download the receipt"), "Enter")
    download = downloading.value
    assert download.suggested_filename == f"vote-receipt-ballot-{ballot.pk}.txt"
    kept = tmp_path / "receipt.txt"
    download.save_as(kept)
    text = kept.read_text()
    assert receipt in text
    assert "The vote: For" in text
    assert Vote.objects.filter(ballot=ballot, voter__isnull=True).count() == 1
    # The page is still the receipt, and still passes.
    expect(page.get_by_role("heading", level=1)).to_have_text("Your vote is recorded")
    audit()
