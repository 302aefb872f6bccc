"""Staff's home: the secretary logs in, lands on the work waiting, and reaches each kind of it
by keyboard alone. Each page passes axe at phone and desktop widths."""

import datetime

from django.utils import timezone
from playwright.sync_api import Page, expect

from governance.models import Requisition
from scheduling.models import Visit
from tests.browser.axe import PageAudit
from tests.browser.nav import tab_to
from tests.browser.test_membership_journey import _log_in
from tests.factories import ApplicationFactory, VisitFactory

WAITING = [
    ("1 application waiting for a decision", "Membership applications"),
    ("1 share payment to record", "Membership applications"),
    ("vetting checks expired or expiring within 30 days", "Vetting"),
    ("1 visit with queried hours", "Queried hours"),
    ("1 requisition met, meeting not yet called", "Asking for a general meeting"),
]


def test_the_secretary_lands_on_the_work_waiting_and_reaches_each_by_keyboard(
    page: Page, live_server, audit: PageAudit, staff, ruth, margaret
):
    now = timezone.now()
    ApplicationFactory()
    Requisition.objects.create(purpose="Talk about rates", opened_by=margaret, met_at=now)
    VisitFactory(receiver=ruth, starts=now + datetime.timedelta(hours=24))
    VisitFactory(receiver=ruth, status=Visit.Status.ACCEPTED, starts=now - datetime.timedelta(hours=1))
    VisitFactory(
        receiver=ruth,
        status=Visit.Status.ACCEPTED,
        starts=now - datetime.timedelta(days=1),
        checked_in_at=now - datetime.timedelta(days=1),
        checked_out_at=now - datetime.timedelta(hours=23),
        hours=Visit.Hours.QUERIED,
    )

    _log_in(page, audit, live_server.url, staff.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff home")
    main = page.get_by_role("main")
    expect(main).to_contain_text("1 visit in the next 48 hours nobody has accepted")
    expect(main).to_contain_text("1 accepted visit started with no check-in")
    audit()

    for text, heading in WAITING:
        tab_to(page, text)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        audit()
        page.go_back()
        expect(page.get_by_role("heading", level=1)).to_have_text("Staff home")
