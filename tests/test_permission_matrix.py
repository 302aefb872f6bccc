"""Every address of the site against every kind of visitor (issue 18): who gets the page, who is
sent to log in, who is refused and who is told it is not there. A new address fails
`test_every_address_is_in_the_matrix` until it has a row here.

The cast is the town of tests/test_query_counts.py at its small size, with the visitors this
table needs besides: an applicant, four members in Ruth's circle of support (one with each
power alone and one with none), a worker outside her team. It is built once for the module, in
a transaction rolled back at the end, with the clock at the suites' Monday; every address is
asked for by every visitor then, and each row of the table is a test of its own.

Answers: OK the page (200); LOGIN sent to log in; AWAY sent elsewhere (302); NO refused (403);
GONE not found (404: what one may not see, one cannot learn exists); ANON the API's "log in
first" (401); POST the address takes only POST (405); BAD a bad request (400)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from carecoop.tokens import token_hash
from governance.models import (
    Ballot,
    Candidate,
    Dividend,
    MeetingDocument,
    Minutes,
    Participation,
    Proxy,
    Vote,
)
from matching.models import Introduction
from members import services as member_services
from members.models import Application, CircleMember, DataRequest, Membership, User
from scheduling.models import ClosedMonth, Series, Visit, VisitExpense
from tests.clock import NOW
from tests.factories import ApplicationFactory, UserFactory, VisitFactory, add_worker
from tests.second_factor import log_in_with_second_factor
from tests.test_query_counts import Town, _cast, _grow

pytestmark = pytest.mark.django_db

OK, AWAY, BAD, ANON, NO, GONE, POST = 200, 302, 400, 401, 403, 404, 405
LOGIN = "login"
INVITATION = "matrix-invitation-token"  # a circle invitation waiting for its answer

# The columns of the table, in order.
PERSONAS = (
    "anonymous",
    "applicant",  # signed up and applied, not yet a member
    "person",  # Ruth, who gets support
    "circle",  # in Ruth's circle with no power
    "circle_care",  # ... with the power to see her care only
    "circle_book",  # ... to book for her only
    "circle_team",  # ... to manage her team only
    "worker",  # Megan, in Ruth's team
    "stranger",  # Tom, a worker outside it
    "investor",
    "staff",
)


@dataclass
class Cast:
    town: Town
    people: dict[str, User]
    visit: Visit  # Ruth's with Megan, accepted, tomorrow
    offered: Visit  # offered by Ruth to Megan
    series: Series
    expense: VisitExpense
    introduction: Introduction
    circle_member: CircleMember
    document: MeetingDocument
    proxy: Proxy
    dividend: Dividend
    data_request: DataRequest  # Ruth's, asking for a copy of her data

    @property
    def ruth(self) -> Membership:
        return self.town.ruth

    @property
    def megan(self) -> Membership:
        return self.town.megan


def log_in_staff(client: Client, user: User) -> None:
    """How staff log in, in one place: with their password and a code from their app."""
    log_in_with_second_factor(client, user)


def _log_in(client: Client, user: User | None) -> None:
    client.logout()
    if user is None:
        return
    if user.is_staff:
        log_in_staff(client, user)
    else:
        client.force_login(user)


def _in_circle(cast_town: Town, email: str, **powers: bool) -> User:
    supporter = UserFactory(email=email)
    CircleMember.objects.create(
        receiver=cast_town.ruth,
        supporter=supporter,
        email=email,
        status=CircleMember.Status.ACTIVE,
        can_view_care=powers.get("care", False),
        can_book=powers.get("book", False),
        can_manage_team=powers.get("team", False),
        token_hash=f"matrix-{email}",
        invited_by=cast_town.ruth.user,
        expires_at=NOW + datetime.timedelta(days=14),
    )
    return supporter


def _build() -> Cast:
    town = _cast()
    _grow(town, 1)
    ruth, megan = town.ruth, town.megan
    applicant = ApplicationFactory(user=UserFactory(email="newcomer@example.org")).user
    tom = add_worker(town.staff, "Tom Barker", "tom@example.org", display_name="Tom Barker")
    people = {
        "applicant": applicant,
        "person": ruth.user,
        "circle": _in_circle(town, "cleo@example.org"),
        "circle_care": _in_circle(town, "carl@example.org", care=True),
        "circle_book": _in_circle(town, "bea@example.org", book=True),
        "circle_team": _in_circle(town, "tim@example.org", team=True),
        "worker": megan.user,
        "stranger": tom.user,
        "investor": town.ian.user,
        "staff": town.staff,
    }
    assert town.upcoming is not None
    assert town.delivered is not None
    offered = VisitFactory(
        receiver=ruth, worker=megan, starts=NOW + datetime.timedelta(days=9), rate_pence=15_00
    )
    series = Series.objects.create(
        receiver=ruth,
        worker=megan,
        weekdays=[1],
        starts_at=datetime.time(9),
        ends_at=datetime.time(10),
        first_date=NOW.date() + datetime.timedelta(days=14),
        booked_by=ruth.user,
    )
    expense = VisitExpense.objects.create(
        visit=town.delivered, kind="other", amount_pence=350, note="Bus fare", added_by=megan.user
    )
    CircleMember.objects.create(
        receiver=ruth,
        email="someone@example.org",
        token_hash=token_hash(INVITATION),
        invited_by=ruth.user,
        expires_at=NOW + datetime.timedelta(days=14),
    )
    document = MeetingDocument(meeting=town.agm, title="Accounts", uploaded_by=town.staff)
    document.file.save("accounts.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    # Megan's dividend (the town's year counts hours from before she joined, so none was made).
    dividend = Dividend.objects.create(
        allocation=town.allocations[-1],
        membership=megan,
        member_class="worker",
        measure="hours_worked",
        quantity=60,
        class_quantity=600,
        class_pool_pence=500_00,
        amount_pence=50_00,
        stated_at=NOW,
    )
    Minutes.objects.create(meeting=town.agm, text="Minutes.", written_by=town.staff)
    photo = BytesIO()
    Image.new("RGB", (40, 40), "#88aa99").save(photo, format="PNG")
    member_services.profile_photo_set(
        profile=member_services.profile_get_or_create(membership=ruth),
        by=ruth.user,
        upload=BytesIO(photo.getvalue()),
        size=len(photo.getvalue()),
    )
    return Cast(
        town=town,
        people=people,
        visit=town.upcoming,
        offered=offered,
        series=series,
        expense=expense,
        introduction=Introduction.objects.filter(receiver=ruth).first(),
        circle_member=CircleMember.objects.get(receiver=ruth, supporter=town.priya.user),
        document=document,
        proxy=Proxy.objects.filter(appointer=ruth).first(),
        dividend=dividend,
        data_request=DataRequest.objects.create(user=ruth.user, kind=DataRequest.Kind.ACCESS),
    )


# --- The table -----------------------------------------------------------------------------------

Answer = int | str
Expected = tuple[Answer, ...]


@dataclass(frozen=True)
class Row:
    pattern: str  # as Django's resolver spells it
    path: Callable[[Cast], str]
    expected: Expected  # one answer for each of PERSONAS, in order
    variant: str  # for a second row of the same address (asked another way)

    @property
    def key(self) -> str:
        return f"{self.pattern or '/'}{self.variant}"


def _r(pattern: str, path: str | Callable[[Cast], str], *expected: Answer, variant: str = "") -> Row:
    route = path if callable(path) else (lambda _cast, fixed=path: fixed)
    assert len(expected) == len(PERSONAS), pattern
    return Row(pattern, route, tuple(expected), variant)


# The answers most addresses share, by who they are for.
EVERYONE = (OK,) * len(PERSONAS)
STAFF_PAGE = (LOGIN, *(NO,) * 9, OK)
STAFF_API = (ANON, *(NO,) * 9, OK)
# Members of the co-op: not an applicant, nor someone in a person's circle who is no member.
MEMBERS_PAGE = (LOGIN, GONE, OK, GONE, GONE, GONE, GONE, OK, OK, OK, OK)
MEMBERS_API = (ANON, *MEMBERS_PAGE[1:])
POST_PAGE = (LOGIN, *(POST,) * 10)  # a button's address: only POST, to whoever is logged in
POST_API = (ANON, *(POST,) * 10)


def _booking_check(c: Cast) -> str:
    query = f"for={c.ruth.number}&worker={c.megan.number}&day=2026-11-24&starts_at=14:00&ends_at=15:00"
    return f"/visits/new/check/?{query}"


def _year(c: Cast) -> int:
    assert c.town.allocations
    return c.town.allocations[-1].year_id


# fmt: off
ROWS = [
    _r("privacy/", "/privacy/", *EVERYONE),
    _r("healthz", "/healthz", *EVERYONE),
    _r("", "/",
       OK,    OK,    AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  OK),
    _r("today/", "/today/",
       LOGIN, AWAY,  OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    AWAY),
    # Membership and accounts.
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("accounts/", "/accounts/",
       LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    _r("membership/apply/", "/membership/apply/",
       LOGIN, AWAY,  AWAY,  OK,    OK,    OK,    OK,    AWAY,  AWAY,  AWAY,  OK),
    _r("membership/application/", "/membership/application/",
       LOGIN, OK,    AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY),
    _r("membership/application/withdraw/", "/membership/application/withdraw/", *POST_PAGE),
    _r("membership/documents/<slug:kind>/", "/membership/documents/rules/", *EVERYONE),
    _r("membership/documents/<slug:kind>/<int:version>/", "/membership/documents/rules/1/", *EVERYONE),
    _r("profile/", "/profile/",
       LOGIN, AWAY,  OK,    AWAY,  AWAY,  AWAY,  AWAY,  OK,    OK,    OK,    AWAY),
    # Unsure: the power to manage her team alone does not show her profile (can_view_care does).
    _r("members/<int:number>/", lambda c: f"/members/{c.ruth.number}/",
       LOGIN, GONE,  OK,    GONE,  OK,    GONE,  GONE,  OK,    GONE,  GONE,  OK),
    # Ruth keeps her photo for her team (the default): whoever sees her profile sees it.
    _r("members/<int:number>/photo/", lambda c: f"/members/{c.ruth.number}/photo/",
       LOGIN, GONE,  OK,    GONE,  OK,    GONE,  GONE,  OK,    GONE,  GONE,  OK),
    _r("members/<int:number>/circle/", lambda c: f"/members/{c.ruth.number}/circle/",
       LOGIN, GONE,  OK,    GONE,  GONE,  GONE,  GONE,  GONE,  GONE,  GONE,  OK),
    _r("members/<int:number>/emergency-contact/", lambda c: f"/members/{c.ruth.number}/emergency-contact/",
       LOGIN, GONE,  OK,    GONE,  GONE,  GONE,  GONE,  GONE,  GONE,  GONE,  OK),
    _r("circle/<int:pk>/revoke/", lambda c: f"/circle/{c.circle_member.pk}/revoke/", *POST_PAGE),
    _r("circle/invitations/<str:token>/", f"/circle/invitations/{INVITATION}/",
       LOGIN, NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO),
    # Staff: membership.
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("staff/", "/staff/", *STAFF_PAGE),
    _r("staff/applications/", "/staff/applications/", *STAFF_PAGE),
    _r("staff/applications/<int:pk>/", lambda c: f"/staff/applications/{c.town.application.pk}/",
       *STAFF_PAGE),
    _r("staff/register/", "/staff/register/", *STAFF_PAGE),
    _r("staff/members/<int:number>/", lambda c: f"/staff/members/{c.ruth.number}/", *STAFF_PAGE),
    _r("staff/documents/", "/staff/documents/", *STAFF_PAGE),
    _r("staff/vetting/", "/staff/vetting/", *STAFF_PAGE),
    _r("staff/members/<int:number>/vetting/", lambda c: f"/staff/members/{c.megan.number}/vetting/",
       *STAFF_PAGE),
    # Matching.
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("find/", "/find/",
       LOGIN, AWAY,  OK,    AWAY,  AWAY,  AWAY,  AWAY,  OK,    OK,    OK,    AWAY),
    _r("find/", lambda c: f"/find/?for={c.ruth.number}",
       LOGIN, GONE,  OK,    GONE,  GONE,  GONE,  OK,    GONE,  GONE,  GONE,  OK, variant="?for=ruth"),
    _r("suggestions/", "/suggestions/",
       LOGIN, AWAY,  OK,    AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY),
    _r("suggestions/", lambda c: f"/suggestions/?for={c.ruth.number}",
       LOGIN, GONE,  OK,    GONE,  GONE,  GONE,  OK,    GONE,  GONE,  GONE,  OK, variant="?for=ruth"),
    _r("people/", "/people/",
       LOGIN, AWAY,  GONE,  AWAY,  AWAY,  AWAY,  AWAY,  OK,    OK,    GONE,  AWAY),
    _r("peer-support/", "/peer-support/",
       LOGIN, AWAY,  OK,    AWAY,  AWAY,  AWAY,  AWAY,  OK,    OK,    OK,    AWAY),
    _r("introductions/", "/introductions/",
       LOGIN, AWAY,  OK,    AWAY,  AWAY,  AWAY,  AWAY,  OK,    OK,    OK,    AWAY),
    _r("introductions/new/<int:number>/",
       lambda c: f"/introductions/new/{c.town.nearby.number}/?for={c.ruth.number}",
       LOGIN, GONE,  OK,    GONE,  GONE,  GONE,  OK,    GONE,  GONE,  GONE,  OK),
    _r("introductions/<int:pk>/answer/", lambda c: f"/introductions/{c.introduction.pk}/answer/", *POST_PAGE),
    _r("teams/", "/teams/",
       LOGIN, AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  OK,    OK,    OK,    AWAY),
    _r("teams/<int:number>/", lambda c: f"/teams/{c.ruth.number}/",
       LOGIN, GONE,  OK,    GONE,  OK,    GONE,  OK,    OK,    GONE,  GONE,  OK),
    # Visits.
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("visits/", "/visits/",
       LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    _r("visits/new/", "/visits/new/",
       LOGIN, AWAY,  OK,    AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY),
    # Unsure: booking for Ruth without the power sends her circle and team home (AWAY) rather than 404.
    _r("visits/new/", lambda c: f"/visits/new/?for={c.ruth.number}",
       LOGIN, GONE,  OK,    GONE,  AWAY,  OK,    GONE,  AWAY,  GONE,  GONE,  OK, variant="?for=ruth"),
    _r("visits/new/check/", _booking_check,
       LOGIN, GONE,  OK,    GONE,  NO,    OK,    GONE,  NO,    GONE,  GONE,  OK),
    _r("visits/<int:pk>/", lambda c: f"/visits/{c.visit.pk}/",
       LOGIN, GONE,  OK,    GONE,  OK,    OK,    GONE,  OK,    GONE,  GONE,  OK),
    _r("visits/<int:pk>/change/", lambda c: f"/visits/{c.visit.pk}/change/",
       LOGIN, GONE,  OK,    GONE,  GONE,  OK,    GONE,  GONE,  GONE,  GONE,  OK),
    _r("visits/<int:pk>/<slug:action>/", lambda c: f"/visits/{c.offered.pk}/accept/", *POST_PAGE),
    _r("care-log/<int:number>/", lambda c: f"/care-log/{c.ruth.number}/",
       LOGIN, GONE,  OK,    GONE,  OK,    GONE,  GONE,  OK,    GONE,  GONE,  OK),
    _r("notifications/", "/notifications/",
       LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    _r("calendar-feed/", "/calendar-feed/",
       LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    _r("statements/", "/statements/",
       LOGIN, OK,    AWAY,  OK,    OK,    OK,    OK,    AWAY,  AWAY,  OK,    OK),
    # Money goes with booking: the circle with the power to book sees what she pays. (Unsure.)
    _r("statements/<int:number>/<int:year>/<int:month>/", lambda c: f"/statements/{c.ruth.number}/2026/11/",
       LOGIN, GONE,  OK,    GONE,  GONE,  OK,    GONE,  GONE,  GONE,  GONE,  OK),
    _r("statements/<int:number>/<int:year>/<int:month>/csv/",
       lambda c: f"/statements/{c.ruth.number}/2026/11/csv/",
       LOGIN, GONE,  OK,    GONE,  GONE,  OK,    GONE,  GONE,  GONE,  GONE,  OK),
    _r("statements/<int:number>/<int:year>/<int:month>/pdf/",
       lambda c: f"/statements/{c.megan.number}/2026/11/pdf/",
       LOGIN, GONE,  GONE,  GONE,  GONE,  GONE,  GONE,  OK,    GONE,  GONE,  OK),
    # Staff: hours and money.
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("staff/hours/", "/staff/hours/", *STAFF_PAGE),
    _r("staff/finance/", "/staff/finance/", *STAFF_PAGE),
    _r("staff/finance/<int:year>/<int:month>/close/", "/staff/finance/2026/10/close/",
       LOGIN, NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    POST),
    _r("staff/finance/<int:year>/<int:month>/pay-run/", "/staff/finance/2026/11/pay-run/", *STAFF_PAGE),
    _r("staff/finance/<int:year>/<int:month>/invoices/", "/staff/finance/2026/11/invoices/", *STAFF_PAGE),
    # Meetings and motions.
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("meetings/", "/meetings/", *MEMBERS_PAGE),
    _r("meetings/new/", "/meetings/new/", *STAFF_PAGE),
    _r("meetings/rules/", "/meetings/rules/", *STAFF_PAGE),
    _r("meetings/requisitions/", "/meetings/requisitions/", *MEMBERS_PAGE),
    _r("meetings/requisitions/<int:pk>/", lambda c: f"/meetings/requisitions/{c.town.requisition.pk}/",
       *MEMBERS_PAGE),
    _r("meetings/requisitions/<int:pk>/sign/",
       lambda c: f"/meetings/requisitions/{c.town.requisition.pk}/sign/", *POST_PAGE),
    _r("meetings/requisitions/<int:pk>/unsign/",
       lambda c: f"/meetings/requisitions/{c.town.requisition.pk}/unsign/", *POST_PAGE),
    _r("meetings/<int:pk>/", lambda c: f"/meetings/{c.town.agm.pk}/", *MEMBERS_PAGE),
    _r("meetings/<int:pk>/change/", lambda c: f"/meetings/{c.town.agm.pk}/change/", *STAFF_PAGE),
    _r("meetings/<int:pk>/check-in/", lambda c: f"/meetings/{c.town.agm.pk}/check-in/", *POST_PAGE),
    _r("meetings/<int:pk>/chair/", lambda c: f"/meetings/{c.town.agm.pk}/chair/", *POST_PAGE),
    _r("meetings/<int:pk>/register/", lambda c: f"/meetings/{c.town.agm.pk}/register/", *STAFF_PAGE),
    _r("meetings/<int:pk>/documents/new/", lambda c: f"/meetings/{c.town.agm.pk}/documents/new/",
       *STAFF_PAGE),
    _r("meetings/<int:pk>/documents/<int:document_pk>/",
       lambda c: f"/meetings/{c.town.agm.pk}/documents/{c.document.pk}/", *MEMBERS_PAGE),
    _r("meetings/<int:pk>/minutes/", lambda c: f"/meetings/{c.town.agm.pk}/minutes/", *STAFF_PAGE),
    _r("meetings/<int:pk>/minutes/approve/", lambda c: f"/meetings/{c.town.agm.pk}/minutes/approve/",
       *POST_PAGE),
    _r("meetings/<int:pk>/motions/new/", lambda c: f"/meetings/{c.town.agm.pk}/motions/new/", *MEMBERS_PAGE),
    _r("motions/<int:pk>/", lambda c: f"/motions/{c.town.motion.pk}/", *MEMBERS_PAGE),
    _r("motions/<int:pk>/second/", lambda c: f"/motions/{c.town.motion.pk}/second/", *POST_PAGE),
    _r("motions/<int:pk>/revise/", lambda c: f"/motions/{c.town.motion.pk}/revise/",
       LOGIN, GONE,  AWAY,  GONE,  GONE,  GONE,  GONE,  AWAY,  AWAY,  OK,    OK),
    _r("motions/<int:pk>/withdraw/", lambda c: f"/motions/{c.town.motion.pk}/withdraw/", *POST_PAGE),
    # Ballots and proxies.
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("ballots/", "/ballots/", *MEMBERS_PAGE),
    _r("ballots/new/", "/ballots/new/", *STAFF_PAGE),
    _r("ballots/<int:pk>/", lambda c: f"/ballots/{c.town.election.pk}/", *MEMBERS_PAGE),
    _r("ballots/<int:pk>/voted/", lambda c: f"/ballots/{c.town.election.pk}/voted/",
       LOGIN, GONE,  AWAY,  GONE,  GONE,  GONE,  GONE,  AWAY,  AWAY,  AWAY,  AWAY),
    _r("ballots/<int:pk>/receipt.txt", lambda c: f"/ballots/{c.town.election.pk}/receipt.txt", *POST_PAGE),
    _r("ballots/<int:pk>/results/", lambda c: f"/ballots/{c.town.election_closed.pk}/results/",
       *MEMBERS_PAGE),
    _r("ballots/<int:pk>/results.csv", lambda c: f"/ballots/{c.town.motion_closed.pk}/results.csv",
       *MEMBERS_PAGE),
    _r("ballots/<int:pk>/receipts/", lambda c: f"/ballots/{c.town.election_closed.pk}/receipts/",
       *MEMBERS_PAGE),
    _r("ballots/<int:pk>/<slug:action>/", lambda c: f"/ballots/{c.town.election.pk}/close/", *POST_PAGE),
    _r("proxies/", "/proxies/", *MEMBERS_PAGE),
    _r("proxies/<int:pk>/cancel/", lambda c: f"/proxies/{c.proxy.pk}/cancel/", *POST_PAGE),
    # Dividends.
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("dividends/", "/dividends/",
       LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    _r("staff/dividends/", "/staff/dividends/", *STAFF_PAGE),
    _r("staff/dividends/years/<int:pk>/", lambda c: f"/staff/dividends/years/{_year(c)}/", *STAFF_PAGE),
    _r("staff/dividends/years/<int:pk>/interest/", lambda c: f"/staff/dividends/years/{_year(c)}/interest/",
       LOGIN, NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    POST),
    _r("staff/dividends/interest/<int:pk>/pay/",
       lambda c: f"/staff/dividends/interest/{c.town.interest().pk}/pay/",
       LOGIN, NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    POST),
    _r("staff/dividends/interest/<int:pk>/payments.csv",
       lambda c: f"/staff/dividends/interest/{c.town.interest().pk}/payments.csv", *STAFF_PAGE),
    _r("staff/dividends/allocations/<int:pk>/",
       lambda c: f"/staff/dividends/allocations/{c.town.allocations[-1].pk}/", *STAFF_PAGE),
    _r("staff/dividends/allocations/<int:pk>/progress/",
       lambda c: f"/staff/dividends/allocations/{c.town.allocations[-1].pk}/progress/", *STAFF_PAGE),
    _r("staff/dividends/allocations/<int:pk>/payments.csv",
       lambda c: f"/staff/dividends/allocations/{c.town.allocations[-1].pk}/payments.csv", *STAFF_PAGE),
    _r("staff/dividends/allocations/<int:pk>/<slug:action>/",
       lambda c: f"/staff/dividends/allocations/{c.town.allocations[-1].pk}/pay/",
       LOGIN, NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    POST),
    # Accounts (allauth's pages).
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("accounts/login/", "/accounts/login/",
       OK,    AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY),
    # Two-factor authentication (allauth.mfa): anyone logged in may turn it on; staff must have it.
    # Asking for a code is only for the middle of a login; turning anything on or off, or making
    # recovery codes, first asks for the password again (a redirect); there is nothing to show or
    # turn off where nothing was turned on (404). Staff, here, have an app and no recovery codes.
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("accounts/2fa/", "/accounts/2fa/", LOGIN, *(OK,) * 10),
    _r("accounts/2fa/authenticate/", "/accounts/2fa/authenticate/", LOGIN, *(AWAY,) * 10),
    _r("accounts/2fa/reauthenticate/", "/accounts/2fa/reauthenticate/", LOGIN, *(AWAY,) * 9, OK),
    _r("accounts/2fa/recovery-codes/", "/accounts/2fa/recovery-codes/", LOGIN, *(GONE,) * 10),
    _r("accounts/2fa/recovery-codes/download/", "/accounts/2fa/recovery-codes/download/",
       LOGIN, *(GONE,) * 10),
    _r("accounts/2fa/recovery-codes/generate/", "/accounts/2fa/recovery-codes/generate/",
       LOGIN, *(AWAY,) * 10),
    _r("accounts/2fa/totp/activate/", "/accounts/2fa/totp/activate/", LOGIN, *(AWAY,) * 10),
    _r("accounts/2fa/totp/deactivate/", "/accounts/2fa/totp/deactivate/", LOGIN, *(GONE,) * 9, AWAY),
    # Everything held about oneself (UK GDPR): anyone with an account, member or not.
    _r("my-data/", "/my-data/", LOGIN, *(OK,) * 10),
    _r("my-data.json", "/my-data.json", LOGIN, *(OK,) * 10),
    _r("my-data/requests/", "/my-data/requests/", LOGIN, *(OK,) * 10),
    _r("api/v1/me/data/", "/api/v1/me/data/", ANON, *(OK,) * 10),
    _r("staff/data-requests/", "/staff/data-requests/", *STAFF_PAGE),
    _r("staff/data-requests/<int:pk>/", lambda c: f"/staff/data-requests/{c.data_request.pk}/", *STAFF_PAGE),
    _r("staff/log/", "/staff/log/", *STAFF_PAGE),
    _r("accounts/logout/", "/accounts/logout/",
       AWAY,  OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    _r("accounts/inactive/", "/accounts/inactive/", *EVERYONE),
    _r("accounts/signup/", "/accounts/signup/",
       OK,    AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY),
    _r("accounts/reauthenticate/", "/accounts/reauthenticate/",
       LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    _r("accounts/email/", "/accounts/email/",
       LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    _r("accounts/confirm-email/", "/accounts/confirm-email/", *EVERYONE),
    _r("accounts/password/change/", "/accounts/password/change/",
       LOGIN, OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    _r("accounts/password/set/", "/accounts/password/set/",
       LOGIN, AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY),
    _r("accounts/password/reset/", "/accounts/password/reset/", *EVERYONE),
    _r("accounts/login/code/confirm/", "/accounts/login/code/confirm/",
       LOGIN, AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY),
    _r("accounts/^confirm-email/(?P<key>[-:\\w]+)/$", "/accounts/confirm-email/not-a-key/", *EVERYONE),
    _r("accounts/password/reset/key/done/", "/accounts/password/reset/key/done/", *EVERYONE),
    _r("accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
       "/accounts/password/reset/key/1-not-a-key/", *EVERYONE),
    _r("accounts/password/reset/done/", "/accounts/password/reset/done/", *EVERYONE),
    _r("admin/", "/admin/",
       AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  AWAY,  OK),
    # The API: members.
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("api/schema/", "/api/schema/", *EVERYONE),
    _r("api/docs/", "/api/docs/", *EVERYONE),
    # POST asks for a token (no login); DELETE, logged in, gives it back: so GET is 401 anonymously.
    _r("api/v1/auth/token/", "/api/v1/auth/token/", *POST_API),
    _r("api/v1/me/", "/api/v1/me/",
       ANON,  OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    # Unsure: someone with no membership is told 400 no_membership; a 404 might say it better.
    _r("api/v1/profiles/me/", "/api/v1/profiles/me/",
       ANON,  BAD,   OK,    BAD,   BAD,   BAD,   BAD,   OK,    OK,    OK,    BAD),
    _r("api/v1/membership/applications/", "/api/v1/membership/applications/",
       ANON,  OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    _r("api/v1/membership/applications/<int:pk>/payment/",
       lambda c: f"/api/v1/membership/applications/{c.town.application.pk}/payment/",
       ANON,  NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    POST),
    _r("api/v1/membership/applications/<int:pk>/approve/",
       lambda c: f"/api/v1/membership/applications/{c.town.application.pk}/approve/",
       ANON,  NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    POST),
    _r("api/v1/membership/applications/<int:pk>/reject/",
       lambda c: f"/api/v1/membership/applications/{c.town.application.pk}/reject/",
       ANON,  NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    POST),
    _r("api/v1/members/register/", "/api/v1/members/register/", *STAFF_API),
    _r("api/v1/members/<int:number>/vetting/", lambda c: f"/api/v1/members/{c.megan.number}/vetting/",
       *STAFF_API),
    _r("api/v1/vetting/expiring/", "/api/v1/vetting/expiring/", *STAFF_API),
    # The API: matching.
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("api/v1/workers/", "/api/v1/workers/",
       ANON,  BAD,   OK,    BAD,   BAD,   BAD,   BAD,   OK,    OK,    OK,    OK),
    _r("api/v1/matches/suggestions/", "/api/v1/matches/suggestions/",
       ANON,  BAD,   OK,    BAD,   BAD,   BAD,   BAD,   BAD,   BAD,   BAD,   BAD),
    _r("api/v1/introductions/", "/api/v1/introductions/", *POST_API),
    _r("api/v1/introductions/<int:pk>/accept/",
       lambda c: f"/api/v1/introductions/{c.introduction.pk}/accept/", *POST_API),
    _r("api/v1/introductions/<int:pk>/decline/",
       lambda c: f"/api/v1/introductions/{c.introduction.pk}/decline/", *POST_API),
    _r("api/v1/introductions/<int:pk>/withdraw/",
       lambda c: f"/api/v1/introductions/{c.introduction.pk}/withdraw/", *POST_API),
    _r("api/v1/teams/<int:number>/", lambda c: f"/api/v1/teams/{c.ruth.number}/",
       ANON,  GONE,  OK,    GONE,  OK,    GONE,  OK,    OK,    GONE,  GONE,  OK),
    _r("api/v1/teams/<int:number>/roles/", lambda c: f"/api/v1/teams/{c.ruth.number}/roles/", *POST_API),
    _r("api/v1/teams/<int:number>/members/<int:member_id>/end/",
       lambda c: f"/api/v1/teams/{c.ruth.number}/members/{c.megan.pk}/end/", *POST_API),
    # The API: visits and money.
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("api/v1/visits/", "/api/v1/visits/",
       ANON,  OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    _r("api/v1/visits/<int:pk>/", lambda c: f"/api/v1/visits/{c.visit.pk}/",
       ANON,  GONE,  OK,    GONE,  OK,    OK,    GONE,  OK,    GONE,  GONE,  OK),
    _r("api/v1/visits/<int:pk>/accept/", lambda c: f"/api/v1/visits/{c.offered.pk}/accept/", *POST_API),
    _r("api/v1/visits/<int:pk>/decline/", lambda c: f"/api/v1/visits/{c.offered.pk}/decline/", *POST_API),
    _r("api/v1/series/<int:pk>/accept/", lambda c: f"/api/v1/series/{c.series.pk}/accept/", *POST_API),
    _r("api/v1/series/<int:pk>/decline/", lambda c: f"/api/v1/series/{c.series.pk}/decline/", *POST_API),
    _r("api/v1/visits/<int:pk>/cancel/", lambda c: f"/api/v1/visits/{c.visit.pk}/cancel/", *POST_API),
    _r("api/v1/visits/<int:pk>/check-in/", lambda c: f"/api/v1/visits/{c.visit.pk}/check-in/", *POST_API),
    _r("api/v1/visits/<int:pk>/check-out/", lambda c: f"/api/v1/visits/{c.visit.pk}/check-out/", *POST_API),
    _r("api/v1/visits/<int:pk>/running-late/", lambda c: f"/api/v1/visits/{c.visit.pk}/running-late/",
       *POST_API),
    _r("api/v1/visits/<int:pk>/note/", lambda c: f"/api/v1/visits/{c.visit.pk}/note/", *POST_API),
    _r("api/v1/visits/<int:pk>/tasks/<int:index>/", lambda c: f"/api/v1/visits/{c.visit.pk}/tasks/0/",
       *POST_API),
    _r("api/v1/visits/<int:pk>/confirm/", lambda c: f"/api/v1/visits/{c.town.delivered.pk}/confirm/",
       *POST_API),
    _r("api/v1/visits/<int:pk>/query/", lambda c: f"/api/v1/visits/{c.town.delivered.pk}/query/", *POST_API),
    _r("api/v1/visits/<int:pk>/settle/", lambda c: f"/api/v1/visits/{c.town.delivered.pk}/settle/",
       *POST_API),
    _r("api/v1/visits/<int:pk>/expenses/", lambda c: f"/api/v1/visits/{c.town.delivered.pk}/expenses/",
       ANON,  GONE,  OK,    GONE,  NO,    OK,    GONE,  OK,    GONE,  GONE,  OK),
    _r("api/v1/visits/<int:pk>/expenses/<int:expense_pk>/",
       lambda c: f"/api/v1/visits/{c.town.delivered.pk}/expenses/{c.expense.pk}/", *POST_API),
    _r("api/v1/statements/<int:year>/<int:month>/", "/api/v1/statements/2026/11/",
       ANON,  GONE,  OK,    GONE,  GONE,  GONE,  GONE,  OK,    OK,    GONE,  GONE),
    _r("api/v1/finance/<int:year>/<int:month>/", "/api/v1/finance/2026/11/", *STAFF_API),
    _r("api/v1/finance/<int:year>/<int:month>/close/", "/api/v1/finance/2026/10/close/",
       ANON,  NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    POST),
    _r("api/v1/calendar/feed/", "/api/v1/calendar/feed/", *POST_API),
    _r("api/v1/calendar/<slug:token>.ics", lambda c: f"/api/v1/calendar/{c.town.feed}.ics", *EVERYONE),
    # The API: governance.
    #  anon   applic person circle care   book   team   worker strngr invest staff
    _r("api/v1/meetings/", "/api/v1/meetings/", *MEMBERS_API),
    _r("api/v1/meetings/<int:pk>/", lambda c: f"/api/v1/meetings/{c.town.agm.pk}/", *MEMBERS_API),
    _r("api/v1/meetings/<int:pk>/attendance/", lambda c: f"/api/v1/meetings/{c.town.agm.pk}/attendance/",
       *MEMBERS_API),
    _r("api/v1/motions/", "/api/v1/motions/", *MEMBERS_API),
    _r("api/v1/motions/<int:pk>/", lambda c: f"/api/v1/motions/{c.town.motion.pk}/", *MEMBERS_API),
    _r("api/v1/motions/<int:pk>/second/", lambda c: f"/api/v1/motions/{c.town.motion.pk}/second/", *POST_API),
    _r("api/v1/ballots/", "/api/v1/ballots/", *MEMBERS_API),
    _r("api/v1/ballots/<int:pk>/", lambda c: f"/api/v1/ballots/{c.town.election.pk}/", *MEMBERS_API),
    _r("api/v1/ballots/<int:pk>/votes/", lambda c: f"/api/v1/ballots/{c.town.election.pk}/votes/", *POST_API),
    _r("api/v1/ballots/<int:pk>/results/", lambda c: f"/api/v1/ballots/{c.town.election_closed.pk}/results/",
       *MEMBERS_API),
    _r("api/v1/ballots/<int:pk>/receipts/",
       lambda c: f"/api/v1/ballots/{c.town.election_closed.pk}/receipts/", *MEMBERS_API),
    _r("api/v1/proxies/", "/api/v1/proxies/", *MEMBERS_API),
    _r("api/v1/proxies/<int:pk>/", lambda c: f"/api/v1/proxies/{c.proxy.pk}/", *POST_API),
    _r("api/v1/dividends/", "/api/v1/dividends/",
       ANON,  OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    _r("api/v1/dividends/<int:pk>/", lambda c: f"/api/v1/dividends/{c.dividend.pk}/",
       ANON,  GONE,  GONE,  GONE,  GONE,  GONE,  GONE,  OK,    GONE,  GONE,  GONE),
    _r("api/v1/interest/", "/api/v1/interest/",
       ANON,  OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK,    OK),
    _r("api/v1/financial-years/", "/api/v1/financial-years/", *STAFF_API),
    _r("api/v1/allocations/", "/api/v1/allocations/",
       ANON,  NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    POST),
    _r("api/v1/allocations/<int:pk>/", lambda c: f"/api/v1/allocations/{c.town.allocations[-1].pk}/",
       *STAFF_API),
    _r("api/v1/allocations/<int:pk>/approval/",
       lambda c: f"/api/v1/allocations/{c.town.allocations[-1].pk}/approval/",
       ANON,  NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    POST),
    _r("api/v1/allocations/<int:pk>/calculation/",
       lambda c: f"/api/v1/allocations/{c.town.allocations[-1].pk}/calculation/", *STAFF_API),
    _r("api/v1/allocations/<int:pk>/payment/",
       lambda c: f"/api/v1/allocations/{c.town.allocations[-1].pk}/payment/",
       ANON,  NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    NO,    POST),
]
# fmt: on


# --- Actions: who may do the things that matter, and that a refusal changes nothing ---------------


@dataclass(frozen=True)
class Act:
    name: str
    persona: str
    path: Callable[[Cast], str]
    data: Callable[[Cast], dict[str, Any]]
    state: Callable[[Cast], object]  # what the action changes, read before and after
    expected: Answer
    changes: bool


def _a(
    name: str,
    persona: str,
    state: Callable[[Cast], object],
    expected: Answer,
    *,
    changes: bool,
    data: Callable[[Cast], dict[str, Any]] = lambda _c: {},
) -> Any:
    act = Act(name, persona, lambda c: ACTIONS[name].format(c=c), data, state, expected, changes)
    return pytest.param(act, id=f"{name}-{persona}")


def _offer(c: Cast) -> str:
    return Visit.objects.get(pk=c.offered.pk).status


def _checked_in(c: Cast) -> object:
    return Visit.objects.get(pk=c.visit.pk).checked_in_at


def _ruths_visits(c: Cast) -> int:
    return Visit.objects.filter(receiver=c.ruth).count()


def _booking(c: Cast) -> dict[str, Any]:
    return {
        "receiver": c.ruth.number,
        "worker": c.megan.number,
        "starts": "2026-11-25T14:00:00",
        "ends": "2026-11-25T15:00:00",
    }


def _votes(c: Cast) -> tuple[int, int]:
    assert c.town.election is not None
    ballot = c.town.election
    return Vote.objects.filter(ballot=ballot).count(), Participation.objects.filter(ballot=ballot).count()


def _ranking(c: Cast) -> dict[str, Any]:
    return {"ranking": list(Candidate.objects.filter(ballot=c.town.election).values_list("pk", flat=True))}


def _application(c: Cast) -> tuple[object, ...]:
    assert c.town.application is not None
    return Application.objects.values_list("status", "payment_recorded_at").get(pk=c.town.application.pk)


def _payment(_c: Cast) -> dict[str, Any]:
    return {"reference": "BACS 123", "paid_on": "2026-11-20", "amount_pence": 100}


def _ballot(c: Cast) -> object:
    assert c.town.election_closed is not None
    return Ballot.objects.get(pk=c.town.election_closed.pk).declared_at


def _circle(c: Cast) -> object:
    return CircleMember.objects.get(pk=c.circle_member.pk).status


def _finance(_c: Cast) -> object:
    return ClosedMonth.objects.count()


# Where each action is asked for.
ACTIONS = {
    "accept": "/visits/{c.offered.pk}/accept/",
    "accept-api": "/api/v1/visits/{c.offered.pk}/accept/",
    "check-in": "/api/v1/visits/{c.visit.pk}/check-in/",
    "book": "/api/v1/visits/",
    "vote": "/api/v1/ballots/{c.town.election.pk}/votes/",
    "record-payment": "/api/v1/membership/applications/{c.town.application.pk}/payment/",
    "approve": "/api/v1/membership/applications/{c.town.application.pk}/approve/",
    "declare-result": "/ballots/{c.town.election_closed.pk}/declare/",
    "revoke-circle": "/circle/{c.circle_member.pk}/revoke/",
    "close-month": "/api/v1/finance/2026/10/close/",
}


ACTS = [
    _a("accept", "worker", _offer, AWAY, changes=True),
    _a("accept", "stranger", _offer, GONE, changes=False),
    _a("accept", "person", _offer, AWAY, changes=False),
    _a("accept-api", "worker", _offer, OK, changes=True),
    # Refused by the service (not offered to them): a 400 with its code, nothing changed.
    _a("accept-api", "circle_book", _offer, BAD, changes=False),
    _a("check-in", "stranger", _checked_in, GONE, changes=False),
    _a("check-in", "circle_care", _checked_in, BAD, changes=False),
    _a("book", "person", _ruths_visits, 201, changes=True, data=_booking),
    _a("book", "circle_book", _ruths_visits, 201, changes=True, data=_booking),
    _a("book", "circle_care", _ruths_visits, NO, changes=False, data=_booking),
    _a("book", "worker", _ruths_visits, NO, changes=False, data=_booking),
    _a("vote", "person", _votes, 201, changes=True, data=_ranking),
    _a("vote", "applicant", _votes, GONE, changes=False, data=_ranking),
    _a("vote", "staff", _votes, NO, changes=False, data=_ranking),
    _a("record-payment", "staff", _application, OK, changes=True, data=_payment),
    _a("record-payment", "person", _application, NO, changes=False, data=_payment),
    _a("approve", "person", _application, NO, changes=False),
    _a("approve", "applicant", _application, NO, changes=False),
    _a("declare-result", "staff", _ballot, AWAY, changes=True),
    _a("declare-result", "person", _ballot, NO, changes=False),
    _a("revoke-circle", "person", _circle, AWAY, changes=True),
    _a("revoke-circle", "circle_team", _circle, GONE, changes=False),
    _a("close-month", "worker", _finance, NO, changes=False),
]


# --- Asking ------------------------------------------------------------------------------------


def _answer(response: Any) -> Answer:
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith("/accounts/login/") else AWAY
    return int(response.status_code)


@dataclass(frozen=True)
class Done:
    answer: Answer
    changed: bool


@dataclass(frozen=True)
class Asked:
    pages: dict[str, dict[str, Answer]]  # a row's key -> persona -> answer
    acts: dict[str, Done]  # an act's id -> what came of it


def _do(client: Client, cast: Cast, act: Act) -> Done:
    """The action, undone after: each starts from the same town."""
    path = act.path(cast)
    before = act.state(cast)
    savepoint = transaction.savepoint()
    cache.clear()
    if path.startswith("/api/"):
        response = client.post(path, act.data(cast), content_type="application/json")
    else:
        response = client.post(path, act.data(cast))
    changed = act.state(cast) != before
    transaction.savepoint_rollback(savepoint)
    return Done(_answer(response), changed)


def _ask_all() -> Asked:
    client = Client()
    pages: dict[str, dict[str, Answer]] = {}
    acts: dict[str, Done] = {}
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        cast = _build()
        people: dict[str, User | None] = {"anonymous": None, **cast.people}
        for persona in PERSONAS:
            _log_in(client, people[persona])
            for row in ROWS:
                cache.clear()  # rate limits and throttles count in the cache
                pages.setdefault(row.key, {})[persona] = _answer(client.get(row.path(cast)))
        for param in ACTS:
            act: Act = param.values[0]
            _log_in(client, people[act.persona])
            acts[param.id] = _do(client, cast, act)
        transaction.set_rollback(True)
    return Asked(pages, acts)


@pytest.fixture(scope="module")
def asked(django_db_setup: None, django_db_blocker: Any) -> Asked:
    with django_db_blocker.unblock():
        return _ask_all()


_NAMES: dict[Answer, str] = {
    OK: "OK",
    AWAY: "AWAY",
    BAD: "BAD",
    ANON: "ANON",
    NO: "NO",
    GONE: "GONE",
    POST: "POST",
    LOGIN: "LOGIN",
}


def _spelled(answers: dict[str, Answer]) -> str:
    return ", ".join(_NAMES.get(answers[p], str(answers[p])) for p in PERSONAS)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.key)
def test_each_visitor_gets_the_answer_the_rules_give(asked: Asked, row: Row) -> None:
    got = asked.pages[row.key]
    wrong = {
        persona: f"expected {_NAMES[expected]}, got {_NAMES.get(got[persona], got[persona])}"
        for persona, expected in zip(PERSONAS, row.expected, strict=True)
        if got[persona] != expected
    }
    # The whole row as the app answers it, to compare with the rules (never to paste unread).
    assert not wrong, f"{wrong}\nthe app: {_spelled(got)}"


def _patterns(patterns: list[Any], prefix: str = "") -> list[str]:
    found = []
    for pattern in patterns:
        spelled = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            # The admin is Django's own, behind staff login: its front door stands for it.
            found += [spelled] if spelled == "admin/" else _patterns(pattern.url_patterns, spelled)
        elif isinstance(pattern, URLPattern):
            found.append(spelled)
    return found


@pytest.mark.parametrize("act", ACTS)
def test_an_action_is_done_by_who_may_and_a_refusal_changes_nothing(asked: Asked, act: Act) -> None:
    done = asked.acts[f"{act.name}-{act.persona}"]
    assert (_NAMES.get(done.answer, done.answer), done.changed) == (
        _NAMES.get(act.expected, act.expected),
        act.changes,
    )


def test_every_address_is_in_the_matrix() -> None:
    assert set(_patterns(get_resolver().url_patterns)) == {row.pattern for row in ROWS}
