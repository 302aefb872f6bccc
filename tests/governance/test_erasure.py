"""Erasing a former member's data after the retention period (UK GDPR article 17, decision 49):
care notes, photos and contact details go, in the rows and their history; the register of
members keeps what the Co-operative and Community Benefit Societies Act 2014 requires."""

import csv
import datetime
import io

import pytest
from allauth.account.models import EmailAddress
from dateutil.relativedelta import relativedelta
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from carecoop.models import Email, StaffAction
from governance import services
from matching import services as matching_services
from matching.models import Introduction, NoticeboardPost, TeamMember
from members import services as member_services
from members.models import (
    Application,
    CircleMember,
    DataRequest,
    EmergencyContact,
    Membership,
    Policy,
    Profile,
    ShareTransaction,
    VettingCheck,
)
from scheduling.models import Notification, Visit
from tests.concurrency import race
from tests.factories import ApplicationFactory, MembershipFactory, VisitFactory, in_circle, with_photo
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")

AFTER_RETENTION = relativedelta(years=8, days=1)


def _register_row(client, staff, number):
    log_in_with_second_factor(client, staff)
    answer = client.get(reverse("staff_register"), {"format": "csv"})
    rows = list(csv.reader(io.StringIO(answer.getvalue().decode())))
    header = rows[0]
    return next(dict(zip(header, row, strict=True)) for row in rows[1:] if row[0] == str(number))


@pytest.fixture
def ruth_gone(ruth, megan, asha, jane, staff):
    """Ruth, with her care log, photo, emergency contact and noticeboard, who has left the co-op."""
    VisitFactory(
        receiver=ruth, worker=megan, status="accepted", notes="Key in the blue pot.", visit_note="Ate well."
    )
    EmergencyContact.objects.create(
        membership=ruth, name="Jane Sutcliffe", phone="07700 900123", updated_by=staff
    )
    with_photo(Membership.objects.get(pk=ruth.pk))
    Notification.objects.create(user=ruth.user, kind="booked", title="A visit was booked")
    NoticeboardPost.objects.create(receiver=ruth, author=jane, body="Mum's birthday on Friday.")
    ruth = Membership.objects.get(pk=ruth.pk)
    member_services.membership_cease(
        membership=ruth, by=staff, reason="resigned", ceased_on=datetime.date.today(), withdraw_shares=False
    )
    return Membership.objects.get(pk=ruth.pk)


def _asked(membership):
    return member_services.data_request_make(user=membership.user, kind=DataRequest.Kind.ERASURE)


def _care_ended(membership):
    last = Visit.objects.filter(receiver=membership).latest("ends").ends
    return max(last.date(), membership.date_ceased)


def test_erasure_removes_care_notes_photos_and_contact_details_and_keeps_the_register(
    client, ruth_gone, staff, django_capture_on_commit_callbacks
):
    photo = Profile.objects.get(membership=ruth_gone).photo.name
    assert default_storage.exists(photo)
    register_before = _register_row(client, staff, ruth_gone.number)
    shares_before = list(ShareTransaction.objects.filter(membership=ruth_gone).values())

    with django_capture_on_commit_callbacks(execute=True):
        done = services.member_erase(
            data_request=_asked(ruth_gone), by=staff, today=_care_ended(ruth_gone) + AFTER_RETENTION
        )

    visit = Visit.objects.get(receiver=ruth_gone)
    assert (visit.visit_note, visit.notes, visit.tasks) == ("", "", [])
    assert not Visit.history.filter(receiver=ruth_gone).exclude(visit_note="", notes="").exists()
    profile = Profile.objects.get(membership=ruth_gone)
    assert (profile.photo.name, profile.what_matters, profile.postcode, profile.display_name) == (
        "",
        "",
        "",
        "",
    )
    assert not profile.languages.exists()
    assert (
        not Profile.history.filter(membership_id=ruth_gone.pk).exclude(what_matters="", postcode="").exists()
    )
    assert not default_storage.exists(photo)
    assert not EmergencyContact.objects.filter(membership=ruth_gone).exists()
    assert not EmergencyContact.history.filter(membership_id=ruth_gone.pk).exists()
    assert not Notification.objects.filter(user=ruth_gone.user).exists()
    assert not NoticeboardPost.objects.filter(receiver=ruth_gone).exists()
    ruth_gone.user.refresh_from_db()
    assert ruth_gone.user.email.endswith(".invalid")
    assert not ruth_gone.user.is_active
    assert not ruth_gone.user.has_usable_password()

    register_after = _register_row(client, staff, ruth_gone.number)
    assert {k: v for k, v in register_after.items() if k != "email"} == {
        k: v for k, v in register_before.items() if k != "email"
    }
    assert list(ShareTransaction.objects.filter(membership=ruth_gone).values()) == shares_before
    assert Membership.history.filter(number=ruth_gone.number).exclude(address="").exists()

    assert done.status == DataRequest.Status.DONE
    assert done.answered_by == staff
    assert done.removed["visit_notes"] == 1
    assert done.removed["photos"] == 1
    assert done.removed["emergency_contact"] == 1


def test_erasing_a_worker_keeps_the_notes_they_wrote_in_other_peoples_care_logs(ruth, megan, staff):
    VisitFactory(receiver=ruth, worker=megan, status="accepted", visit_note="Ruth ate well.")
    member_services.membership_cease(
        membership=megan, by=staff, reason="resigned", ceased_on=datetime.date.today(), withdraw_shares=False
    )
    Introduction.objects.filter(supporter=megan).update(message="Hello Ruth")

    services.member_erase(
        data_request=_asked(megan), by=staff, today=datetime.date.today() + relativedelta(years=2)
    )

    assert Visit.objects.get(receiver=ruth).visit_note == "Ruth ate well."


def test_a_current_member_is_not_erased(ruth, staff):
    with pytest.raises(ApplicationError) as refused:
        services.member_erase(
            data_request=_asked(ruth), by=staff, today=datetime.date.today() + relativedelta(years=50)
        )

    assert refused.value.code == "still_a_member"
    assert Profile.objects.get(membership=ruth).what_matters == "My garden."


def test_before_the_retention_period_is_over_erasure_needs_a_reason(ruth_gone, staff):
    kept_until = _care_ended(ruth_gone) + relativedelta(years=Policy.current().care_records_retention_years)
    asked = _asked(ruth_gone)

    with pytest.raises(ApplicationError) as refused:
        services.member_erase(data_request=asked, by=staff, today=kept_until - datetime.timedelta(days=1))
    assert refused.value.code == "retention_not_over"
    assert Visit.objects.get(receiver=ruth_gone).visit_note == "Ate well."

    done = services.member_erase(
        data_request=asked,
        by=staff,
        today=kept_until - datetime.timedelta(days=1),
        override_reason="Court order.",
    )
    assert done.override_reason == "Court order."
    assert Visit.objects.get(receiver=ruth_gone).visit_note == ""


def test_the_retention_period_is_the_policys(ruth_gone, staff):
    policy = Policy.current()
    policy.care_records_retention_years = 3
    policy.save()

    services.member_erase(
        data_request=_asked(ruth_gone), by=staff, today=_care_ended(ruth_gone) + relativedelta(years=3)
    )

    assert Visit.objects.get(receiver=ruth_gone).visit_note == ""


def test_only_staff_erase(ruth_gone):
    with pytest.raises(NotAllowedError):
        services.member_erase(
            data_request=_asked(ruth_gone), by=ruth_gone.user, today=_care_ended(ruth_gone) + AFTER_RETENTION
        )

    assert Visit.objects.get(receiver=ruth_gone).visit_note == "Ate well."


def test_staff_answer_a_request_for_a_copy_and_the_member_sees_the_answer(client, ruth, staff):
    asked = member_services.data_request_make(user=ruth.user, kind=DataRequest.Kind.ACCESS)
    log_in_with_second_factor(client, staff)

    client.post(
        reverse("staff_data_request", args=[asked.pk]),
        {"answer_request": "1", "status": "done", "answer": "Posted on 24 November."},
    )

    asked.refresh_from_db()
    assert (asked.status, asked.answered_by) == (DataRequest.Status.DONE, staff)
    client.force_login(ruth.user)
    assert "Posted on 24 November." in client.get(reverse("personal_data_requests")).content.decode()


def test_an_erasure_is_done_once(ruth_gone, staff):
    asked = _asked(ruth_gone)
    later = _care_ended(ruth_gone) + AFTER_RETENTION
    services.member_erase(data_request=asked, by=staff, today=later)

    with pytest.raises(ConflictError):
        services.member_erase(data_request=asked, by=staff, today=later)


# --- The pages: a member asks, staff see the queue and erase ---------------------------------------


def test_a_member_asks_for_erasure_and_sees_the_request_waiting(client, ruth):
    client.force_login(ruth.user)
    answer = client.post(reverse("personal_data_requests"), {"kind": "erasure", "note": "I am moving away."})

    assert answer.status_code == 302
    page = client.get(reverse("personal_data_requests")).content.decode()
    assert "Erase my data" in page
    assert "Waiting" in page
    assert "after you leave" in page


def test_asking_twice_is_a_form_error_and_changes_nothing(client, ruth):
    client.force_login(ruth.user)
    client.post(reverse("personal_data_requests"), {"kind": "erasure"})
    again = client.post(reverse("personal_data_requests"), {"kind": "erasure"})

    assert again.status_code == 200
    assert "already asked" in again.content.decode()
    assert DataRequest.objects.filter(user=ruth.user).count() == 1


def test_the_queue_is_for_staff_only(client, ruth, staff):
    asked = _asked(ruth)
    client.force_login(ruth.user)
    assert client.get(reverse("staff_data_requests")).status_code == 403
    assert client.get(reverse("staff_data_request", args=[asked.pk])).status_code == 403
    assert client.post(reverse("staff_data_request", args=[asked.pk]), {"erase": "1"}).status_code == 403


def test_staff_home_links_to_the_queue_with_its_count(client, ruth, staff):
    _asked(ruth)
    log_in_with_second_factor(client, staff)
    page = client.get(reverse("staff_home")).content.decode()

    assert reverse("staff_data_requests") in page
    assert "1 request about a member" in page


def test_the_queue_shows_due_dates_and_what_each_erasure_removed_in_constant_queries(
    client, staff, ruth_gone, django_assert_max_num_queries, time_machine
):
    _asked(ruth_gone)
    log_in_with_second_factor(client, staff)
    client.get(reverse("staff_data_requests"))  # the session and the like, once
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("staff_data_requests"))
    for n in range(8):
        _asked(MembershipFactory(legal_name=f"Member {n}"))
    with django_assert_max_num_queries(len(one)):
        page = client.get(reverse("staff_data_requests")).content.decode()

    assert "Member 7" in page
    due = (DataRequest.objects.first().made_at + relativedelta(months=1)).date()
    assert f"{due:%-d %b %Y}" in page


def test_staff_erase_from_the_request_page_and_see_what_was_removed(client, staff, ruth_gone, time_machine):
    asked = _asked(ruth_gone)
    time_machine.move_to(
        datetime.datetime.combine(_care_ended(ruth_gone) + AFTER_RETENTION, datetime.time(12))
    )
    log_in_with_second_factor(client, staff)

    answer = client.post(
        reverse("staff_data_request", args=[asked.pk]), {"erase": "1", "override_reason": ""}
    )

    assert answer.status_code == 302
    page = client.get(answer["Location"]).content.decode()
    assert "What the erasure removed" in page
    assert "Visits with care notes emptied" in page
    assert "visit_notes" not in page
    assert "Visits with care notes emptied: 1" in client.get(reverse("staff_data_requests")).content.decode()


def test_erasing_too_soon_from_the_page_is_a_form_error(client, staff, ruth_gone):
    asked = _asked(ruth_gone)
    log_in_with_second_factor(client, staff)

    answer = client.post(
        reverse("staff_data_request", args=[asked.pk]), {"erase": "1", "override_reason": ""}
    )

    assert answer.status_code == 200
    assert "Give the reason to erase before the retention period ends." in answer.content.decode()
    assert Visit.objects.get(receiver=ruth_gone).visit_note == "Ate well."


def test_erasure_empties_every_invitation_to_the_persons_circle_however_many_were_waiting(ruth_gone, staff):
    # Unanswered invitations stay waiting past their expiry: a person may leave with several.
    for email, name in (("sam@example.org", "Sam Sutcliffe"), ("lee@example.org", "Lee Sutcliffe")):
        CircleMember.objects.create(
            receiver=ruth_gone,
            email=email,
            name=name,
            token_hash=f"waiting-{email}",
            invited_by=ruth_gone.user,
            expires_at=timezone.now(),
        )

    services.member_erase(
        data_request=_asked(ruth_gone), by=staff, today=_care_ended(ruth_gone) + AFTER_RETENTION
    )

    circle = CircleMember.objects.filter(receiver=ruth_gone)
    assert not circle.filter(Q(email__startswith="sam@") | Q(email__startswith="lee@")).exists()
    assert not circle.exclude(name="").exists()
    assert not CircleMember.history.filter(receiver_id=ruth_gone.pk).exclude(name="").exists()


def test_erasing_someone_in_another_persons_circle_takes_their_name_and_address_from_it(
    margaret, priya, staff
):
    place = in_circle(margaret, priya.user)
    place.name = "Priya Shah"
    place.save()
    member_services.membership_cease(
        membership=priya, by=staff, reason="resigned", ceased_on=datetime.date.today(), withdraw_shares=False
    )

    services.member_erase(
        data_request=_asked(priya), by=staff, today=datetime.date.today() + relativedelta(years=2)
    )

    place.refresh_from_db()
    assert place.supporter == priya.user  # who could act for Margaret stays on her record
    assert "priya" not in place.email.lower()
    assert place.name == ""
    assert not CircleMember.history.filter(
        Q(email__iexact="priya@example.org") | Q(name="Priya Shah")
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_request_sent_from_two_tabs_at_once_is_made_once_and_the_other_is_a_form_error(ruth):
    def ask():
        tab = Client(raise_request_exception=False)
        tab.force_login(ruth.user)
        return tab.post(reverse("personal_data_requests"), {"kind": "erasure"}).status_code

    for _round in range(5):
        DataRequest.objects.filter(user=ruth.user).delete()
        statuses = race([ask, ask])

        assert sorted(statuses) == [200, 302]
        assert DataRequest.objects.filter(user=ruth.user).count() == 1


def test_erasing_a_worker_empties_why_a_vetting_check_stopped_counting(megan, staff):
    check = VettingCheck.objects.filter(membership=megan).first()
    member_services.vetting_check_void(
        check=check, by=staff, reason="The certificate shows a caution for theft in 2019."
    )
    member_services.membership_cease(
        membership=megan, by=staff, reason="resigned", ceased_on=datetime.date.today(), withdraw_shares=False
    )

    services.member_erase(
        data_request=_asked(megan), by=staff, today=datetime.date.today() + relativedelta(years=2)
    )

    check.refresh_from_db()
    assert check.voided_at is not None  # that it stopped counting, and when, stays
    assert check.void_reason == ""
    assert not VettingCheck.history.filter(membership_id=megan.pk).exclude(void_reason="").exists()


def test_erasure_deletes_the_emails_to_every_address_of_the_account(ruth_gone, staff):
    EmailAddress.objects.create(user=ruth_gone.user, email="ruth.work@example.org", verified=True)
    for address in ("ruth@example.org", "Ruth.Work@example.org"):
        Email.objects.create(kind="members.circle_invitation", to=address, to_name="Ruth Sutcliffe")
    Email.objects.create(kind="members.circle_invitation", to="jane@example.org")

    done = services.member_erase(
        data_request=_asked(ruth_gone), by=staff, today=_care_ended(ruth_gone) + AFTER_RETENTION
    )

    assert list(Email.objects.values_list("to", flat=True)) == ["jane@example.org"]
    assert done.removed["emails"] == 2


def test_erasure_empties_why_someone_left_the_persons_team_in_the_history_too(ruth_gone, megan, staff):
    place = TeamMember.objects.get(receiver=ruth_gone, member=megan)
    matching_services.team_member_end(
        member=place, by=ruth_gone.user, reason="Megan argued about my medication in front of my son."
    )

    services.member_erase(
        data_request=_asked(ruth_gone), by=staff, today=_care_ended(ruth_gone) + AFTER_RETENTION
    )

    place.refresh_from_db()
    assert (place.status, place.end_reason) == (TeamMember.Status.ENDED, "")
    assert not TeamMember.history.filter(receiver_id=ruth_gone.pk).exclude(end_reason="").exists()


def test_erasing_and_answering_requests_are_in_the_staff_log_without_what_was_erased(ruth_gone, staff):
    erased = services.member_erase(
        data_request=_asked(ruth_gone), by=staff, today=_care_ended(ruth_gone) + AFTER_RETENTION
    )
    copy = member_services.data_request_make(user=ruth_gone.user, kind=DataRequest.Kind.ACCESS)
    member_services.data_request_answer(data_request=copy, by=staff, status="done", answer="Posted.")

    erase, answer = StaffAction.objects.filter(action__startswith="data_request.").order_by("pk")
    assert (erase.action, erase.by, erase.member) == ("data_request.erase", staff, ruth_gone.user)
    assert f"member {ruth_gone.number}" in erase.summary
    assert str(erased.pk) in erase.summary
    assert "Sutcliffe" not in erase.summary
    assert (answer.action, answer.by, answer.member) == ("data_request.answer", staff, ruth_gone.user)


def test_erasure_empties_what_applying_told_us_and_the_name_on_an_application_that_never_admitted_them(
    ruth_gone, staff
):
    admitted = ApplicationFactory(user=ruth_gone.user, legal_name=ruth_gone.legal_name, status="approved")
    Membership.objects.filter(pk=ruth_gone.pk).update(application=admitted)
    refused = ApplicationFactory(
        user=ruth_gone.user,
        legal_name="Ruth A. Sutcliffe",
        status="rejected",
        phone="07700 900456",
        decision_reason="Lives outside Calderdale.",
    )

    done = services.member_erase(
        data_request=_asked(ruth_gone), by=staff, today=_care_ended(ruth_gone) + AFTER_RETENTION
    )

    admitted.refresh_from_db()
    refused.refresh_from_db()
    # The register keeps the name and address of the member; the application that made them one
    # keeps them too, and nothing else they told us.
    assert (admitted.legal_name, admitted.postcode) == (ruth_gone.legal_name, "HX7 8AD")
    assert (admitted.date_of_birth, admitted.reason, admitted.phone) == (None, "", "")
    assert (refused.legal_name, refused.address, refused.postcode) == ("", "", "")
    assert (refused.date_of_birth, refused.decision_reason, refused.phone) == (None, "", "")
    assert not Application.history.filter(user_id=ruth_gone.user_id).exclude(date_of_birth=None).exists()
    assert not Application.history.filter(id=refused.pk).exclude(legal_name="").exists()
    assert done.removed["applications_never_admitted"] == 1
    assert Membership.objects.get(pk=ruth_gone.pk).legal_name == ruth_gone.legal_name


def test_an_applicant_waiting_for_a_decision_is_not_erased_until_it_is_made(ruth_gone, staff):
    waiting = ApplicationFactory(user=ruth_gone.user, legal_name="Ruth Sutcliffe")
    asked = _asked(ruth_gone)

    with pytest.raises(ApplicationError) as refused:
        services.member_erase(data_request=asked, by=staff, today=_care_ended(ruth_gone) + AFTER_RETENTION)

    assert refused.value.code == "application_waiting"
    waiting.refresh_from_db()
    assert (waiting.legal_name, waiting.date_of_birth) == ("Ruth Sutcliffe", datetime.date(1960, 5, 17))
    assert DataRequest.objects.get(pk=asked.pk).status == DataRequest.Status.OPEN
    assert EmergencyContact.objects.filter(membership=ruth_gone).exists()


def test_erasure_deletes_the_accounts_api_tokens_and_authenticator(ruth_gone, staff):
    from allauth.mfa.models import Authenticator
    from knox.models import AuthToken

    AuthToken.objects.create(user=ruth_gone.user)
    Authenticator.objects.create(user=ruth_gone.user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    Authenticator.objects.create(user=ruth_gone.user, type=Authenticator.Type.RECOVERY_CODES, data={})
    AuthToken.objects.create(user=staff)

    done = services.member_erase(
        data_request=_asked(ruth_gone), by=staff, today=_care_ended(ruth_gone) + AFTER_RETENTION
    )

    assert not AuthToken.objects.filter(user=ruth_gone.user).exists()
    assert not Authenticator.objects.filter(user=ruth_gone.user).exists()
    assert AuthToken.objects.filter(user=staff).exists()
    assert (done.removed["api_tokens"], done.removed["authenticators"]) == (1, 2)
