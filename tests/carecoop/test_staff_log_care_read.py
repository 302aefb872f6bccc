"""Staff reading a person's care data (their care log, a visit with its notes, their needs on their
profile, what their team says on its noticeboard), on a page or through the API, is in the staff
log: one entry for each page shown, on that person (decision 44). The person, their circle and
their team reading it are not."""

import datetime

import pytest
from django.urls import reverse

from carecoop.models import StaffAction
from matching.models import NoticeboardPost
from tests.factories import VisitFactory
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def noted(ruth, megan):
    """Megan's visit to Ruth last week, with her note."""
    starts = datetime.datetime(2026, 11, 16, 10, tzinfo=datetime.UTC)
    return VisitFactory(
        receiver=ruth,
        worker=megan,
        status="accepted",
        starts=starts,
        ends=starts + datetime.timedelta(hours=1),
        checked_in_at=starts,
        checked_out_at=starts + datetime.timedelta(hours=1),
        visit_note="Ruth ate well and we walked to the river.",
    )


def _pages(ruth, noted):
    return {
        "care_log": reverse("care_log", args=[ruth.number]),
        "visit": reverse("visit_detail", args=[noted.pk]),
        "visit_api": reverse("api-visit", args=[noted.pk]),
        "profile": reverse("member_profile", args=[ruth.number]),
        "team": reverse("team", args=[ruth.number]),
    }


@pytest.mark.parametrize("where", ["care_log", "visit", "visit_api", "profile", "team"])
def test_staff_reading_a_persons_care_is_logged_once_for_each_page_shown(client, staff, ruth, noted, where):
    NoticeboardPost.objects.create(receiver=ruth, author=ruth.user, body="Tea on Friday.")
    url = _pages(ruth, noted)[where]
    log_in_with_second_factor(client, staff)

    first = client.get(url)

    assert first.status_code == 200
    (entry,) = StaffAction.objects.filter(action="care.read")
    assert (entry.by, entry.member) == (staff, ruth.user)
    assert f"member {ruth.number}" in entry.summary
    assert "walked to the river" not in entry.summary
    client.get(url)
    assert StaffAction.objects.filter(action="care.read").count() == 2


@pytest.mark.parametrize("where", ["care_log", "visit", "visit_api", "profile", "team"])
def test_the_person_their_circle_and_their_team_reading_it_are_not_logged(
    client, ruth, megan, jane, noted, where
):
    url = _pages(ruth, noted)[where]

    for reader in (ruth.user, megan.user, jane):
        client.force_login(reader)
        assert client.get(url).status_code == 200, reader

    assert not StaffAction.objects.filter(action="care.read").exists()


def test_staff_reading_a_workers_profile_is_not_reading_care(client, staff, megan):
    log_in_with_second_factor(client, staff)

    assert client.get(reverse("member_profile", args=[megan.number])).status_code == 200

    assert not StaffAction.objects.filter(action="care.read").exists()


def test_a_page_refused_to_staff_logs_nothing(client, staff, ruth):
    log_in_with_second_factor(client, staff)

    assert client.get(reverse("visit_detail", args=[999_999])).status_code == 404
    assert client.get(reverse("care_log", args=[999_999])).status_code == 404

    assert not StaffAction.objects.filter(action="care.read").exists()
