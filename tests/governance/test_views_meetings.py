"""The meeting pages: who may see what, calling a meeting through the form, checking in,
motions, the register, requisitions, the rules, and query counts that do not grow."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from governance import services
from governance.models import (
    Attendance,
    GovernancePolicy,
    Meeting,
    MeetingDocument,
    Minutes,
    Motion,
    MotionVersion,
    Requisition,
)
from tests.clock import NOW
from tests.factories import MembershipFactory
from tests.governance.conftest import at, board_motion, call_agm
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")


def _messages(response) -> list[str]:
    """The messages the response added (earlier ones, not yet shown, are left out)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


@pytest.fixture
def motion(agm, margaret):
    return services.motion_propose(
        user=margaret.user,
        meeting=agm,
        title="A hardship fund",
        text="That the co-op sets aside £2,000 for members in hardship.",
    )


@pytest.fixture
def requisition(margaret):
    return services.requisition_open(user=margaret.user, purpose="To discuss the new rota rules.")


# --- Who may see what -----------------------------------------------------------------------------


def _member_paths(agm, motion, requisition) -> list[str]:
    return [
        "/meetings/",
        f"/meetings/{agm.pk}/",
        f"/meetings/{agm.pk}/motions/new/",
        f"/motions/{motion.pk}/",
        "/meetings/requisitions/",
        f"/meetings/requisitions/{requisition.pk}/",
    ]


def test_members_and_staff_read_the_meeting_pages(client, agm, motion, requisition, margaret, tom, staff):
    for user in (tom.user, staff):
        log_in_with_second_factor(client, user)
        for path in _member_paths(agm, motion, requisition):
            assert (user.email, path, client.get(path).status_code) == (user.email, path, 200)


def test_someone_who_is_not_a_member_finds_no_meeting_pages(client, agm, motion, requisition, outsider):
    client.force_login(outsider)
    for path in _member_paths(agm, motion, requisition):
        assert (path, client.get(path).status_code) == (path, 404)
    assert client.post(f"/motions/{motion.pk}/second/").status_code == 404
    assert client.post(f"/meetings/requisitions/{requisition.pk}/sign/").status_code == 404
    assert client.post(f"/meetings/requisitions/{requisition.pk}/unsign/").status_code == 404
    assert requisition.signatures.count() == 1


def test_the_meeting_pages_ask_for_a_login(client, agm, motion, requisition):
    for path in [*_member_paths(agm, motion, requisition), *_staff_paths(agm)]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def _staff_paths(agm) -> list[str]:
    return [
        "/meetings/new/",
        "/meetings/rules/",
        f"/meetings/{agm.pk}/register/",
        f"/meetings/{agm.pk}/documents/new/",
        f"/meetings/{agm.pk}/minutes/",
        f"/meetings/{agm.pk}/change/",
        "/ballots/new/",
    ]


def test_staff_pages_are_forbidden_to_everyone_but_staff(client, agm, margaret, staff, outsider):
    for user, status in [(staff, 200), (margaret.user, 403), (outsider, 403)]:
        log_in_with_second_factor(client, user)
        for path in _staff_paths(agm):
            assert (user.email, path, client.get(path).status_code) == (user.email, path, status)
    client.force_login(margaret.user)
    assert client.post(f"/meetings/{agm.pk}/chair/", {"chair-number": margaret.number}).status_code == 403
    agm.refresh_from_db()
    assert agm.chair_id is None


def test_bad_ids_are_not_found(client, agm, margaret):
    client.force_login(margaret.user)
    for path in [
        "/meetings/999999/",
        "/motions/999999/",
        "/meetings/requisitions/999999/",
        f"/meetings/{agm.pk}/motions/new/?amends=999999",
        f"/meetings/{agm.pk}/motions/new/?amends=x",
        f"/meetings/{agm.pk}/documents/999999/",
    ]:
        assert (path, client.get(path).status_code) == (path, 404)
    assert client.post("/motions/999999/second/").status_code == 404


def test_the_main_menu_offers_meetings_to_members_and_staff_only(client, agm, margaret, staff, outsider):
    client.force_login(margaret.user)
    page = client.get(f"/meetings/{agm.pk}/").content.decode()
    assert '<a href="/meetings/" aria-current="page">Meetings and votes</a>' in page
    assert 'href="/meetings/"' in client.get("/visits/").content.decode()
    log_in_with_second_factor(client, staff)
    assert 'href="/meetings/"' in client.get("/visits/").content.decode()
    client.force_login(outsider)
    assert 'href="/meetings/"' not in client.get("/visits/").content.decode()


# --- Calling a meeting ----------------------------------------------------------------------------


def _meeting_form(**changes: str) -> dict[str, str]:
    data = {
        "kind": "agm",
        "title": "Annual General Meeting 2026",
        "format": "hybrid",
        "starts_at": "2026-12-12T14:00",
        "ends_at": "2026-12-12T16:00",
        "place": "Todmorden Community College, Burnley Road",
        "online_link": "https://meet.example.org/calder-agm",
        "agenda": "1. Minutes\n2. Accounts\n3. Board elections",
    }
    return data | changes


def test_calling_a_meeting_sends_every_member_notice(
    client, staff, margaret, tom, priya, django_capture_on_commit_callbacks
):
    log_in_with_second_factor(client, staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/meetings/new/", _meeting_form())

    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/meetings/{meeting.pk}/"
    assert _messages(response) == ["The meeting is called. Notice is sent to 3 members by email."]
    sent_to = sorted(address for message in mail.outbox for address in message.to)
    assert sent_to == ["margaret@example.org", "priya@example.org", "tom@example.org"]
    assert meeting.starts_at == at(12, 14)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert '<time datetime="2026-12-12T14:00:00+00:00">Saturday 12 December 2026, 14:00</time>' in page
    assert "Todmorden Community College" in page


def test_a_meeting_inside_the_notice_period_is_a_form_error_naming_the_earliest_day(
    client, staff, margaret, django_capture_on_commit_callbacks
):
    log_in_with_second_factor(client, staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/meetings/new/", _meeting_form(starts_at="2026-12-07T19:00", ends_at="2026-12-07T21:00")
        )

    assert response.status_code == 400
    assert "Tuesday 8 December 2026" in str(response.context["form"].errors["starts_at"])
    assert 'href="#id_starts_at"' in response.content.decode()
    assert not Meeting.objects.exists()
    assert mail.outbox == []


def test_the_form_refuses_far_off_years_and_a_missing_place(client, staff):
    log_in_with_second_factor(client, staff)
    far = client.post(
        "/meetings/new/", _meeting_form(starts_at="9999-12-31T23:00", ends_at="9999-12-31T23:30")
    )
    assert far.status_code == 400
    no_place = client.post("/meetings/new/", _meeting_form(place=""))
    assert no_place.status_code == 400
    assert "Say where the meeting is held." in str(no_place.context["form"].errors["place"])
    assert not Meeting.objects.exists()


def test_a_met_requisition_is_called_from_its_page(client, staff, margaret, tom, requisition):
    log_in_with_second_factor(client, staff)
    assert Requisition.objects.get().met_at is not None  # one signature of four members is enough
    assert (
        f'href="/meetings/new/?requisition={requisition.pk}"'
        in client.get(f"/meetings/requisitions/{requisition.pk}/").content.decode()
    )

    form = client.get(f"/meetings/new/?requisition={requisition.pk}").context["form"]
    assert form.initial["agenda"] == "To discuss the new rota rules."
    response = client.post(
        f"/meetings/new/?requisition={requisition.pk}",
        _meeting_form(kind="general", requisition=str(requisition.pk)),
    )

    assert response.status_code == 302
    assert Meeting.objects.get().requisition == requisition


# --- Checking in ----------------------------------------------------------------------------------


def test_a_member_checks_in_while_the_meeting_is_on(client, agm, margaret, time_machine):
    client.force_login(margaret.user)
    early = client.post(f"/meetings/{agm.pk}/check-in/")
    assert _messages(early) == ["You can check in from half an hour before the meeting starts until it ends."]
    assert not Attendance.objects.exists()
    assert "half an hour before the start" in client.get(f"/meetings/{agm.pk}/").content.decode()

    time_machine.move_to(at(12, 13, 45), tick=False)
    client.force_login(margaret.user)  # the session of three weeks ago has expired
    page = client.get(f"/meetings/{agm.pk}/").content.decode()
    assert f'action="/meetings/{agm.pk}/check-in/"' in page
    response = client.post(f"/meetings/{agm.pk}/check-in/")

    assert response.status_code == 302
    attendance = Attendance.objects.get()
    assert (attendance.membership, attendance.how) == (margaret, "online")
    assert "You are checked in" in client.get(f"/meetings/{agm.pk}/").content.decode()


# --- Motions --------------------------------------------------------------------------------------


def test_a_member_proposes_a_motion_and_another_seconds_it(client, agm, margaret, tom):
    client.force_login(margaret.user)
    form = client.get(f"/meetings/{agm.pk}/motions/new/").context["form"]
    assert "by_board" not in form.fields

    response = client.post(
        f"/meetings/{agm.pk}/motions/new/",
        {"title": "A hardship fund", "text": "That the co-op sets aside £2,000.", "majority": "ordinary"},
    )

    motion = Motion.objects.get()
    assert response["Location"] == f"/motions/{motion.pk}/"
    assert (motion.proposer, motion.status) == (margaret, Motion.Status.AWAITING_SECONDER)
    own = client.post(f"/motions/{motion.pk}/second/")
    assert _messages(own) == ["A motion is seconded by someone other than its proposer."]

    client.force_login(tom.user)
    assert "Second this motion" in client.get(f"/meetings/{agm.pk}/").content.decode()
    seconded = client.post(f"/motions/{motion.pk}/second/", {"back": "meeting"})

    assert seconded["Location"] == f"/meetings/{agm.pk}/#motion-{motion.pk}"
    motion.refresh_from_db()
    assert (motion.seconder, motion.status) == (tom, Motion.Status.TABLED)
    page = client.get(f"/motions/{motion.pk}/").content.decode()
    assert "Tom Barker" in page
    assert "Proposed and seconded" in page


def test_an_empty_motion_is_a_form_error_and_nothing_is_proposed(client, agm, margaret):
    client.force_login(margaret.user)
    response = client.post(
        f"/meetings/{agm.pk}/motions/new/", {"title": " ", "text": "", "majority": "ordinary"}
    )
    assert response.status_code == 400
    assert 'href="#id_title"' in response.content.decode()
    assert not Motion.objects.exists()


def test_staff_put_a_board_motion_that_needs_no_seconder(client, agm, staff):
    log_in_with_second_factor(client, staff)
    form = client.get(f"/meetings/{agm.pk}/motions/new/?board=1").context["form"]
    assert form.initial["by_board"] is True
    client.post(
        f"/meetings/{agm.pk}/motions/new/",
        {
            "title": "Adopt the accounts",
            "text": "That the accounts be adopted.",
            "majority": "ordinary",
            "by_board": "on",
        },
    )
    motion = Motion.objects.get()
    assert (motion.by_board, motion.status) == (True, Motion.Status.TABLED)
    page = client.get(f"/meetings/{agm.pk}/").content.decode()
    assert f'href="/ballots/new/?motion={motion.pk}"' in page


def test_the_proposer_revises_the_text_and_every_version_is_kept(client, motion, margaret, tom):
    client.force_login(tom.user)
    assert client.get(f"/motions/{motion.pk}/revise/").status_code == 302
    refused = client.post(f"/motions/{motion.pk}/revise/", {"text": "That we spend it all.", "note": ""})
    assert refused.status_code == 400
    assert "Only the proposer" in refused.content.decode()

    client.force_login(margaret.user)
    assert (
        client.get(f"/motions/{motion.pk}/revise/")
        .context["form"]
        .initial["text"]
        .startswith("That the co-op")
    )
    response = client.post(
        f"/motions/{motion.pk}/revise/",
        {"text": "That the co-op sets aside £3,000 for members in hardship.", "note": "A larger fund"},
    )

    assert response.status_code == 302
    assert list(MotionVersion.objects.filter(motion=motion).values_list("number", "note")) == [
        (1, ""),
        (2, "A larger fund"),
    ]
    page = client.get(f"/motions/{motion.pk}/").content.decode()
    assert "Version 2" in page
    assert "Version 1" in page
    assert "£2,000" in page
    assert "A larger fund" in page


def test_the_proposer_withdraws_a_motion_and_a_stranger_cannot(client, motion, margaret, tom):
    client.force_login(tom.user)
    refused = client.post(f"/motions/{motion.pk}/withdraw/")
    assert _messages(refused) == ["Only the proposer or the co-op's staff can change a motion."]
    client.force_login(margaret.user)
    client.post(f"/motions/{motion.pk}/withdraw/")
    motion.refresh_from_db()
    assert motion.status == Motion.Status.WITHDRAWN


def test_an_amendment_starts_from_the_motions_current_text_and_is_shown_under_it(client, agm, motion, tom):
    client.force_login(tom.user)
    form = client.get(f"/meetings/{agm.pk}/motions/new/?amends={motion.pk}").context["form"]
    assert form.initial["text"] == "That the co-op sets aside £2,000 for members in hardship."
    assert "majority" not in form.fields

    client.post(
        f"/meetings/{agm.pk}/motions/new/?amends={motion.pk}",
        {"title": "Amend the sum", "text": "That the co-op sets aside £5,000 for members in hardship."},
    )

    amendment = Motion.objects.get(amends=motion)
    assert amendment.proposer == tom
    assert "Amend the sum" in client.get(f"/motions/{motion.pk}/").content.decode()
    page = client.get(f"/meetings/{agm.pk}/").content.decode()
    assert page.index("Amend the sum") > page.index("A hardship fund")


# --- Register, chair, documents and minutes -------------------------------------------------------


def test_staff_mark_members_present_and_the_quorum_is_shown(client, agm, staff, margaret, tom, time_machine):
    time_machine.move_to(at(12, 14, 5), tick=False)
    log_in_with_second_factor(client, staff)  # after the move: a session of three weeks ago has expired

    response = client.post(f"/meetings/{agm.pk}/register/", {"number": str(tom.number)})
    unknown = client.post(f"/meetings/{agm.pk}/register/", {"number": "987654"})

    assert response.status_code == 302
    attendance = Attendance.objects.get()
    assert (attendance.membership, attendance.how, attendance.recorded_by) == (tom, "in_room", staff)
    assert unknown.status_code == 400
    assert "No member has this number." in unknown.content.decode()
    page = client.get(f"/meetings/{agm.pk}/register/")
    quorum = page.context["quorum"]
    assert (quorum.needed, quorum.present, quorum.met) == (1, 1, True)
    assert "In the room" in page.content.decode()


def test_staff_find_a_member_by_name_and_mark_them_present(client, agm, staff, margaret, tom, time_machine):
    time_machine.move_to(at(12, 14, 5), tick=False)
    log_in_with_second_factor(client, staff)
    services.attendance_mark(meeting=agm, membership=margaret, user=staff)

    page = client.get(f"/meetings/{agm.pk}/register/", {"q": "barker"}).content.decode()
    assert "Tom Barker" in page
    assert f'<input type="hidden" name="number" value="{tom.number}">' in page
    assert "Margaret Greenwood" not in page.split("Members found")[1].split("</ul>")[0]
    by_number = client.get(f"/meetings/{agm.pk}/register/", {"q": str(margaret.number)}).content.decode()
    found = by_number.split("Members found")[1].split("</ul>")[0]
    assert "Margaret Greenwood" in found
    assert "present</span>" in found  # already marked: no button
    assert 'name="number"' not in found
    for odd in ("²", "①", "9" * 40):
        assert client.get(f"/meetings/{agm.pk}/register/", {"q": odd}).status_code == 200
    # A null character is refused for every page alike (decision 39).
    assert client.get(f"/meetings/{agm.pk}/register/", {"q": "12\x00"}).status_code == 400
    nobody = client.get(f"/meetings/{agm.pk}/register/", {"q": "Nobody Here"}).content.decode()
    assert "No member found for “Nobody Here”." in nobody

    client.post(f"/meetings/{agm.pk}/register/", {"number": str(tom.number)})
    assert Attendance.objects.filter(meeting=agm, membership=tom, how="in_room").exists()


def test_marking_before_the_meeting_is_refused_on_the_form(client, agm, staff, tom):
    log_in_with_second_factor(client, staff)
    page = client.get(f"/meetings/{agm.pk}/register/").content.decode()
    assert "from half an hour before the start (13:30 on Saturday 12 December)" in page
    assert "Mark present" not in page  # no button that cannot work yet
    response = client.post(f"/meetings/{agm.pk}/register/", {"number": str(tom.number)})
    assert response.status_code == 400
    assert "Members are marked present while the meeting is on." in response.content.decode()
    assert not Attendance.objects.exists()


def _amend_form(meeting, **changes):
    values = {
        "title": meeting.title,
        "format": meeting.format,
        "starts_at": "2026-12-12T14:00",
        "ends_at": "2026-12-12T16:00",
        "place": meeting.place,
        "online_link": meeting.online_link,
        "agenda": meeting.agenda,
    }
    return values | changes


def test_staff_correct_a_meetings_place_and_members_are_sent_the_amended_notice(
    client, agm, staff, margaret, django_capture_on_commit_callbacks
):
    log_in_with_second_factor(client, staff)
    page = client.get(f"/meetings/{agm.pk}/").content.decode()
    assert f'href="/meetings/{agm.pk}/change/"' in page
    form = client.get(f"/meetings/{agm.pk}/change/").content.decode()
    assert "Hebden Bridge Town Hall, St George&#x27;s Street" in form
    assert 'name="kind"' not in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/meetings/{agm.pk}/change/", _amend_form(agm, place="Halifax Central Library, Square Road")
        )

    assert response.status_code == 302
    agm.refresh_from_db()
    assert agm.place == "Halifax Central Library, Square Road"
    assert [m.subject for m in mail.outbox if "Amended notice" in m.subject]
    shown = client.get(f"/meetings/{agm.pk}/").content.decode()
    assert "amended notice sent on 23 November 2026 to 1 member." in shown


def test_a_bad_change_to_a_meeting_is_a_form_error_and_changes_nothing(client, agm, staff, margaret):
    log_in_with_second_factor(client, staff)
    response = client.post(f"/meetings/{agm.pk}/change/", _amend_form(agm, ends_at="2026-12-12T13:00"))
    assert response.status_code == 400
    assert "The meeting must end after it starts." in response.content.decode()
    short = client.post(
        f"/meetings/{agm.pk}/change/",
        _amend_form(agm, starts_at="2026-11-30T14:00", ends_at="2026-11-30T16:00"),
    )
    assert short.status_code == 400
    assert "clear days" in short.content.decode()
    agm.refresh_from_db()
    assert (agm.notice_amended_at, agm.starts_at.day) == (None, 12)
    client.force_login(margaret.user)
    assert client.get(f"/meetings/{agm.pk}/change/").status_code == 403
    assert f'href="/meetings/{agm.pk}/change/"' not in client.get(f"/meetings/{agm.pk}/").content.decode()


def test_staff_find_the_chair_by_name(client, agm, staff, priya, margaret):
    log_in_with_second_factor(client, staff)
    page = client.get(f"/meetings/{agm.pk}/", {"chair": "shah"}).content.decode()
    assert "No chair is chosen yet." in page
    found = page.split('aria-label="Members found"')[1].split("</ul>")[0]
    assert "Priya Shah" in found
    assert "Margaret Greenwood" not in found
    assert f'<input type="hidden" name="chair-number" value="{priya.number}">' in found

    client.post(f"/meetings/{agm.pk}/chair/", {"chair-number": str(priya.number)})

    agm.refresh_from_db()
    assert agm.chair == priya
    shown = client.get(f"/meetings/{agm.pk}/").content.decode()
    assert f"Priya Shah (member {priya.number}) chairs this meeting." in shown
    assert client.get(f"/meetings/{agm.pk}/", {"chair": "²"}).status_code == 200
    client.force_login(margaret.user)
    assert "Members found" not in client.get(f"/meetings/{agm.pk}/", {"chair": "shah"}).content.decode()


def test_staff_set_the_chair_by_membership_number(client, agm, staff, priya):
    log_in_with_second_factor(client, staff)
    client.post(f"/meetings/{agm.pk}/chair/", {"chair-number": str(priya.number)})
    agm.refresh_from_db()
    assert agm.chair == priya
    refused = client.post(f"/meetings/{agm.pk}/chair/", {"chair-number": "987654"})
    assert _messages(refused) == ["No member has the number 987654."]
    agm.refresh_from_db()
    assert agm.chair == priya


def test_papers_are_attached_by_staff_and_downloaded_by_members_only(client, agm, staff, margaret, outsider):
    log_in_with_second_factor(client, staff)
    bad = client.post(
        f"/meetings/{agm.pk}/documents/new/",
        {"title": "Accounts", "file": SimpleUploadedFile("accounts.exe", b"MZ")},
    )
    assert bad.status_code == 400
    assert not MeetingDocument.objects.exists()
    client.post(
        f"/meetings/{agm.pk}/documents/new/",
        {"title": "Accounts 2025-26", "file": SimpleUploadedFile("accounts.pdf", b"%PDF-1.4 accounts")},
    )
    document = MeetingDocument.objects.get()

    client.force_login(margaret.user)
    assert (
        f"/meetings/{agm.pk}/documents/{document.pk}/" in client.get(f"/meetings/{agm.pk}/").content.decode()
    )
    download = client.get(f"/meetings/{agm.pk}/documents/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 accounts"
    client.force_login(outsider)
    assert client.get(f"/meetings/{agm.pk}/documents/{document.pk}/").status_code == 404


def test_minutes_are_written_after_the_meeting_and_approved_at_a_later_one(client, agm, staff, time_machine):
    log_in_with_second_factor(client, staff)
    early = client.post(f"/meetings/{agm.pk}/minutes/", {"text": "Present: 14 members."})
    assert early.status_code == 400
    assert not Minutes.objects.exists()

    time_machine.move_to(at(12, 17), tick=False)
    log_in_with_second_factor(client, staff)
    client.post(f"/meetings/{agm.pk}/minutes/", {"text": "Present: 14 members. The accounts were adopted."})
    later = call_agm(
        staff, starts=at(20, 14, month=1, year=2027), now=at(12, 17), title="General meeting, January"
    )
    time_machine.move_to(at(20, 15, month=1, year=2027), tick=False)
    log_in_with_second_factor(client, staff)
    assert client.get(f"/meetings/{agm.pk}/").context["approve_form"] is not None
    client.post(f"/meetings/{agm.pk}/minutes/approve/", {"approve-at_meeting": str(later.pk)})

    minutes = Minutes.objects.get()
    assert minutes.approved_at_meeting == later
    page = client.get(f"/meetings/{agm.pk}/").content.decode()
    assert "The accounts were adopted." in page
    assert "General meeting, January" in page


# --- Requisitions ---------------------------------------------------------------------------------


def test_members_sign_a_requisition_until_it_has_enough(client, margaret, tom, priya, ian, staff):
    GovernancePolicy.objects.update_or_create(pk=1, defaults={"requisition_percent": 50})  # 2 of 4
    client.force_login(margaret.user)
    opened = client.post("/meetings/requisitions/", {"purpose": "To discuss the travel allowance."})
    requisition = Requisition.objects.get()
    assert opened["Location"] == f"/meetings/requisitions/{requisition.pk}/"
    page = client.get(opened["Location"])
    assert page.context["needed"] == 2
    assert "You have signed" in page.content.decode()

    client.force_login(tom.user)
    assert "Add my signature" in client.get(opened["Location"]).content.decode()
    client.post(f"/meetings/requisitions/{requisition.pk}/sign/")
    requisition.refresh_from_db()
    assert requisition.met_at is not None

    client.force_login(priya.user)
    late = client.post(f"/meetings/requisitions/{requisition.pk}/sign/")
    assert "already has the signatures it needs" in _messages(late)[0]
    assert requisition.signatures.count() == 2
    log_in_with_second_factor(client, staff)
    assert "Call this meeting" in client.get(opened["Location"]).content.decode()


def test_a_signature_is_taken_back_until_the_requisition_is_met(client, margaret, tom, priya, ian):
    GovernancePolicy.objects.update_or_create(pk=1, defaults={"requisition_percent": 75})  # 3 of 4
    requisition = services.requisition_open(user=margaret.user, purpose="To discuss the travel allowance.")
    services.requisition_sign(requisition=requisition, user=tom.user)
    client.force_login(tom.user)
    page = client.get(f"/meetings/requisitions/{requisition.pk}/").content.decode()
    signed = page[page.index("Signed by 2 members") :]
    assert signed.index("Margaret Greenwood") < signed.index("Tom Barker")
    assert "Take my signature back" in page

    taken = client.post(f"/meetings/requisitions/{requisition.pk}/unsign/")
    assert _messages(taken) == ["Your signature is taken off the requisition."]
    assert list(requisition.signatures.values_list("membership", flat=True)) == [margaret.pk]
    again = client.post(f"/meetings/requisitions/{requisition.pk}/unsign/")
    assert _messages(again) == ["You have not signed this requisition."]

    for member in (tom, priya):
        services.requisition_sign(requisition=requisition, user=member.user)
    requisition.refresh_from_db()
    assert requisition.met_at is not None
    refused = client.post(f"/meetings/requisitions/{requisition.pk}/unsign/")
    assert "a signature can no longer be taken back" in _messages(refused)[0]
    assert requisition.signatures.count() == 3
    assert (
        "Take my signature back"
        not in client.get(f"/meetings/requisitions/{requisition.pk}/").content.decode()
    )


def test_an_empty_requisition_is_a_form_error(client, margaret):
    client.force_login(margaret.user)
    response = client.post("/meetings/requisitions/", {"purpose": ""})
    assert response.status_code == 400
    assert not Requisition.objects.exists()


# --- The rules ------------------------------------------------------------------------------------


def _rules_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "notice_clear_days": 21,
        "requisition_percent": 10,
        "requisition_max_signatures": 100,
        "quorum_percent": 10,
        "quorum_max_members": 20,
        "quorum_counts_proxies": "on",
        "max_proxies": 3,
        "weighting": "class_shares",
        "investor_cap_percent": 10,
        "share_receivers_percent": 45,
        "share_workers_percent": 45,
        "share_investors_percent": 10,
        "seats_receivers": 5,
        "seats_workers": 5,
        "seats_investors": 2,
    }
    return data | changes


def test_staff_change_the_meeting_rules(client, staff, margaret):
    log_in_with_second_factor(client, staff)
    response = client.post("/meetings/rules/", _rules_form())
    assert response.status_code == 302
    policy = GovernancePolicy.current()
    assert (policy.notice_clear_days, policy.max_proxies, policy.weighting) == (21, 3, "class_shares")
    assert policy.share_investors_percent == 10
    rules = client.get("/meetings/rules/").content.decode()
    assert "Used only with fixed shares; the three add up to 100." in rules
    latest = rules[rules.index("Latest changes") :]
    assert "secretary@example.org" in latest
    assert "clear days&#x27; notice of a general meeting: 14 → 21" in latest
    assert "→ Fixed shares of the vote for each class" in latest

    client.force_login(margaret.user)
    page = client.get("/meetings/").content.decode()
    assert "at least 21 clear days before it" in page
    assert "Nobody holds more than 3 proxies." in page


def test_shares_that_do_not_add_up_are_a_form_error_and_nothing_is_saved(client, staff):
    log_in_with_second_factor(client, staff)
    response = client.post("/meetings/rules/", _rules_form(share_workers_percent=50))
    assert response.status_code == 400
    assert "The three shares must add up to 100%." in str(
        response.context["form"].errors["share_workers_percent"]
    )
    assert 'href="#id_share_workers_percent"' in response.content.decode()
    policy = GovernancePolicy.current()
    assert (policy.notice_clear_days, policy.share_workers_percent) == (14, 50)
    assert policy.weighting == "class_cap"


def test_numbers_the_database_would_refuse_are_form_errors(client, staff):
    log_in_with_second_factor(client, staff)
    response = client.post("/meetings/rules/", _rules_form(quorum_percent=0, investor_cap_percent=100))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"quorum_percent", "investor_cap_percent"}
    assert GovernancePolicy.current().quorum_percent == 10


# --- Query counts ---------------------------------------------------------------------------------


def test_the_meetings_list_asks_the_same_number_of_queries_as_meetings_grow(
    client, staff, margaret, django_assert_max_num_queries
):
    client.force_login(margaret.user)

    def hold(count: int, offset: int) -> None:
        for n in range(count):
            starts = at(12, 14) + datetime.timedelta(days=offset + n)
            meeting = call_agm(staff, starts=starts, title=f"Meeting {offset + n}")
            if n % 2:
                Minutes.objects.create(meeting=meeting, text="Minutes", written_by=staff)
        services.requisition_open(user=MembershipFactory().user, purpose=f"Requisition {offset}")

    hold(3, 0)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/meetings/").status_code == 200
    hold(30, 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/meetings/")
    assert response.content.decode().count('class="meeting-item"') >= 33


def test_a_meetings_page_asks_the_same_number_of_queries_as_motions_grow(
    client, agm, staff, margaret, tom, django_assert_max_num_queries
):
    client.force_login(margaret.user)

    def propose(count: int) -> None:
        for _ in range(count):
            motion = services.motion_propose(
                user=tom.user, meeting=agm, title="A motion", text="That the co-op does a thing."
            )
            services.motion_second(motion=motion, user=margaret.user)
            services.motion_revise(motion=motion, text="That the co-op does another thing.", user=tom.user)
            services.motion_propose(
                user=margaret.user,
                meeting=agm,
                title="An amendment",
                text="That it does a third.",
                amends=motion,
            )
            services.ballot_create(
                user=staff,
                title="On the board's motion",
                motion=board_motion(staff, agm),
                opens_at=at(12, 14),
                closes_at=at(12, 16),
                method="at_meeting",
            )

    propose(1)
    with django_assert_max_num_queries(30) as few:
        assert client.get(f"/meetings/{agm.pk}/").status_code == 200
    propose(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/meetings/{agm.pk}/")
    assert response.content.decode().count('class="motion"') == 22
    log_in_with_second_factor(client, staff)
    with django_assert_max_num_queries(len(few.captured_queries) + 3):
        assert client.get(f"/meetings/{agm.pk}/").status_code == 200


def test_the_pages_added_for_proxies_signatures_search_and_rules_keep_their_query_counts(
    client, agm, staff, margaret, tom, django_assert_max_num_queries
):
    # Every member must sign, so the requisition keeps collecting signatures as members join.
    GovernancePolicy.objects.update_or_create(pk=1, defaults={"requisition_percent": 100})
    requisition = services.requisition_open(user=margaret.user, purpose="To discuss the rates")
    cousins = MembershipFactory.create_batch(5, legal_name="Greenwood Cousin")  # on the ballot's list
    ballot_motion = board_motion(staff, agm)
    ballot = services.ballot_open(
        ballot=services.ballot_create(
            user=staff, title="Adopt", motion=ballot_motion, opens_at=NOW, closes_at=at(12, 14)
        ),
        user=staff,
        now=NOW,
    )

    def grow(count: int) -> None:
        for n in range(count):
            member = MembershipFactory(legal_name="Greenwood Relative")
            services.requisition_sign(requisition=requisition, user=member.user)
            services.governance_policy_update(user=staff, quorum_max_members=30 + n)
        for member in [cousins.pop() for _ in range(count)]:
            services.proxy_appoint(user=member.user, holder=tom, meeting=agm)

    pages = {
        tom.user: [
            f"/meetings/requisitions/{requisition.pk}/",
            "/proxies/",
            f"/meetings/{agm.pk}/",
            "/today/",
            f"/ballots/{ballot.pk}/",
        ],
        staff: [
            "/meetings/rules/",
            f"/meetings/{agm.pk}/?chair=greenwood",
            f"/meetings/{agm.pk}/register/?q=greenwood",
            f"/meetings/{agm.pk}/change/",
        ],
    }
    grow(1)
    counts = {}
    for user, paths in pages.items():
        log_in_with_second_factor(client, user)
        for path in paths:
            with django_assert_max_num_queries(40) as few:
                assert client.get(path).status_code == 200
            counts[path] = len(few.captured_queries)
    grow(4)  # Tom holds 5 proxies; 5 more signatures, members found and changes to the rules
    for user, paths in pages.items():
        log_in_with_second_factor(client, user)
        for path in paths:
            with django_assert_max_num_queries(counts[path]):
                response = client.get(path)
            assert response.status_code == 200
    client.force_login(tom.user)
    account = client.get("/today/").content.decode()
    assert account.count("Greenwood Cousin") == 5  # the votes he owes as proxy, all listed
    assert client.get("/proxies/").content.decode().count("<strong>Greenwood Cousin</strong>") == 5
