"""Staff's home (/staff/): each kind of work waiting with its count and a link to where it is
settled; for staff only; where staff land when they log in."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.models import Requisition
from governance.selectors.staff import staff_work_waiting
from members.models import Application
from scheduling.models import Visit
from tests.factories import PASSWORD, ApplicationFactory, VisitFactory, record_right_to_work
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")


def _waiting(ruth, megan, margaret, staff, *, each=1):
    """`each` of every kind of waiting work, and beside each a row that is not waiting."""
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    for _ in range(each):
        # Unfilled within 48 hours: offered to a worker, or open to the team.
        VisitFactory(receiver=ruth, worker=megan, starts=now + 24 * hour)
        VisitFactory(receiver=ruth, worker=None, is_open=True, starts=now + 47 * hour)
        # Missed check-in: accepted, started an hour ago, nobody checked in.
        VisitFactory(receiver=ruth, status=Visit.Status.ACCEPTED, starts=now - hour)
        VisitFactory(receiver=ruth, status=Visit.Status.ACCEPTED, hours=Visit.Hours.QUERIED)
        ApplicationFactory()
        Requisition.objects.create(purpose="Talk about rates", opened_by=margaret, met_at=now)
    # Not waiting: offered but three days ahead, accepted tomorrow, checked in, cancelled, decided.
    VisitFactory(receiver=ruth, worker=megan, starts=now + 72 * hour)
    VisitFactory(receiver=ruth, status=Visit.Status.ACCEPTED, starts=now + 24 * hour)
    VisitFactory(
        receiver=ruth,
        status=Visit.Status.ACCEPTED,
        starts=now - 2 * hour,
        checked_in_at=now - 2 * hour,
    )
    VisitFactory(receiver=ruth, worker=megan, status=Visit.Status.CANCELLED, starts=now + hour)
    ApplicationFactory(status=Application.Status.APPROVED)
    Requisition.objects.create(purpose="Not yet met", opened_by=margaret)


def test_the_counts_are_of_the_work_waiting_and_nothing_else(ruth, megan, margaret, staff):
    _waiting(ruth, megan, margaret, staff)
    paid = ApplicationFactory(payment_recorded_at=timezone.now())
    record_right_to_work(megan, staff, expires_on=timezone.localdate() + datetime.timedelta(days=10))

    waiting = staff_work_waiting(now=timezone.now())

    assert paid.status == Application.Status.SUBMITTED
    assert (waiting.applications, waiting.payments_to_record) == (2, 1)
    assert waiting.vetting_expiring == 1
    assert (waiting.visits_unfilled, waiting.check_ins_missed, waiting.hours_queried) == (2, 1, 1)
    assert waiting.requisitions == 1


def test_staff_see_each_count_with_a_link_to_where_it_is_settled(client, ruth, megan, margaret, staff):
    _waiting(ruth, megan, margaret, staff)
    log_in_with_second_factor(client, staff)

    html = client.get(reverse("staff_home")).content.decode()

    for text in (
        "1 application waiting for a decision",
        "1 share payment to record",
        "0 vetting checks expired or expiring within 30 days",
        "2 visits in the next 48 hours nobody has accepted",
        "1 accepted visit started with no check-in",
        "1 visit with queried hours",
        "1 requisition met, meeting not yet called",
    ):
        assert text in html
    for name in ("staff_application_queue", "staff_vetting_dashboard", "staff_hours_queried", "requisitions"):
        assert f'href="{reverse(name)}"' in html
    for name in ("staff_register", "staff_finance", "staff_dividends", "admin:index"):
        assert f'href="{reverse(name)}"' in html
    assert f'href="{reverse("staff_home")}" aria-current="page"' in html


@pytest.mark.parametrize("who", ["ruth", "megan", "margaret"])
def test_the_home_is_for_staff(client, ruth, megan, margaret, who, request):
    client.force_login(request.getfixturevalue(who).user)

    assert client.get(reverse("staff_home")).status_code == 403


def test_the_anonymous_are_asked_to_log_in(client, db):
    assert client.get(reverse("staff_home"))["Location"].startswith(reverse("account_login"))


def test_the_home_asks_the_same_queries_however_much_is_waiting(
    client, ruth, megan, margaret, staff, django_assert_max_num_queries
):
    log_in_with_second_factor(client, staff)
    _waiting(ruth, megan, margaret, staff)
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("staff_home")).status_code == 200
    _waiting(ruth, megan, margaret, staff, each=15)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("staff_home")).status_code == 200


def test_staff_land_on_their_home_when_they_log_in_and_members_on_their_day(client, ruth, staff):
    login = reverse("account_login")

    staff_lands = client.post(login, {"login": staff.email, "password": PASSWORD})
    client.logout()
    ruth_lands = client.post(login, {"login": ruth.user.email, "password": PASSWORD})

    assert staff_lands["Location"] == reverse("staff_home")
    assert ruth_lands["Location"] == reverse("today")
