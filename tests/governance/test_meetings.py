"""Calling meetings with notice, requisitions, motions, attendance, quorum and minutes."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from carecoop import outbox
from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from governance import rules, selectors, services
from governance.models import GovernancePolicy, MeetingNotice, Motion, Proxy
from tests.clock import NOW
from tests.concurrency import race
from tests.factories import MembershipFactory
from tests.governance.conftest import at, board_motion, call_agm
from tests.outbox import owed, send_owed

pytestmark = pytest.mark.usefixtures("now")


# --- Notice ---------------------------------------------------------------------------------------


def test_a_meeting_needs_fourteen_clear_days_notice(staff, margaret):
    # Called on Monday 23 November: the 24th to 7 December are the 14 clear days, so Tuesday
    # 8 December is the first day the meeting may be held.
    with pytest.raises(ApplicationError) as refused:
        call_agm(staff, starts=datetime.datetime(2026, 12, 7, 19, 0, tzinfo=NOW.tzinfo))
    assert refused.value.code == "notice_too_short"
    assert "Tuesday 8 December 2026" in refused.value.message
    assert "starts_at" in refused.value.fields
    assert not MeetingNotice.objects.exists()

    meeting = call_agm(staff, starts=datetime.datetime(2026, 12, 8, 19, 0, tzinfo=NOW.tzinfo))
    assert meeting.pk


def test_the_notice_period_is_a_setting(staff, margaret):
    GovernancePolicy.objects.update_or_create(pk=1, defaults={"notice_clear_days": 21})
    with pytest.raises(ApplicationError) as refused:
        call_agm(staff, starts=at(12, 14))
    assert refused.value.code == "notice_too_short"
    assert call_agm(staff, starts=at(15, 14)).pk


def test_every_member_gets_the_notice_with_the_agenda_by_email(
    staff, margaret, tom, priya, django_capture_on_commit_callbacks
):
    ceased = MembershipFactory(
        user__email="left@example.org", date_ceased=datetime.date(2026, 6, 1), cessation_reason="resigned"
    )
    with django_capture_on_commit_callbacks(execute=True):
        meeting = call_agm(staff)
    assert meeting.members_at_notice == 3
    sent_to = sorted(address for message in mail.outbox for address in message.to)
    assert sent_to == ["margaret@example.org", "priya@example.org", "tom@example.org"]
    assert ceased.user.email not in sent_to
    body = mail.outbox[0].body
    assert "Annual General Meeting 2026" in body
    assert "3. Board elections" in body
    assert f"{settings.SITE_URL}/meetings/{meeting.pk}/" in body
    assert "Dear Margaret Greenwood," in mail.outbox[0].body
    # Each member's notice is recorded, and its email sent: a second sweep sends nothing more.
    assert MeetingNotice.objects.filter(meeting=meeting).count() == 3
    assert not owed()
    assert outbox.emails_send() == 0


def _details(meeting, **changes):
    fields = ["title", "format", "starts_at", "ends_at", "place", "online_link", "agenda"]
    return {field: getattr(meeting, field) for field in fields} | changes


def test_a_corrected_place_sends_every_current_member_the_amended_notice(staff, margaret, tom):
    meeting = call_agm(staff)
    outbox.emails_send()
    tom.date_ceased, tom.cessation_reason = datetime.date(2026, 11, 23), "resigned"
    tom.save()
    joined = MembershipFactory(user__email="new@example.org", date_admitted=datetime.date(2026, 11, 23))
    mail.outbox.clear()

    # Eight days before: a new place needs no fresh notice period.
    amended = services.meeting_amend(
        meeting=meeting, user=staff, now=at(4, 10), **_details(meeting, place="Todmorden Town Hall")
    )

    assert amended.place == "Todmorden Town Hall"
    assert amended.notice_amended_at == at(4, 10)
    assert amended.members_at_notice == 2
    assert outbox.emails_send() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["margaret@example.org", "new@example.org"]
    message = mail.outbox[0]
    assert (
        message.subject
        == "[Calder Valley Care Co-op] Amended notice of Annual General Meeting 2026 on 12 December 2026"
    )
    assert "This amended notice replaces the notice of 23 November 2026" in message.body
    assert "Todmorden Town Hall" in message.body
    assert joined.user.email in [m.to[0] for m in mail.outbox]


def test_a_new_date_or_agenda_needs_the_notice_period_again_and_a_place_does_not(staff, margaret):
    meeting = call_agm(staff)  # on Saturday 12 December, called on 23 November
    late = at(4, 10)
    for changes in ({"starts_at": at(13, 14), "ends_at": at(13, 16)}, {"agenda": "1. Something new"}):
        with pytest.raises(ApplicationError) as refused:
            services.meeting_amend(meeting=meeting, user=staff, now=late, **_details(meeting, **changes))
        assert refused.value.code == "notice_too_short"
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.notice_amended_at) == (at(12, 14), None)
    moved = services.meeting_amend(
        meeting=meeting,
        user=staff,
        now=late,
        **_details(meeting, starts_at=at(19, 14, month=12), ends_at=at(19, 16, month=12)),
    )
    assert moved.starts_at == at(19, 14)


def test_a_meeting_keeps_its_date_once_a_ballot_opens_and_cannot_change_once_started(staff, margaret):
    meeting = call_agm(staff)
    services.ballot_open(
        ballot=services.ballot_create(
            user=staff,
            title="Adopt the accounts",
            motion=board_motion(staff, meeting),
            opens_at=NOW,
            closes_at=at(12, 14),
        ),
        user=staff,
        now=NOW,
    )
    with pytest.raises(ConflictError) as opened:
        services.meeting_amend(
            meeting=meeting, user=staff, **_details(meeting, starts_at=at(19, 14), ends_at=at(19, 16))
        )
    assert opened.value.code == "ballots_opened"
    with pytest.raises(ConflictError) as started:
        services.meeting_amend(
            meeting=meeting, user=staff, now=at(12, 14, 1), **_details(meeting, title="AGM")
        )
    assert started.value.code == "meeting_started"
    with pytest.raises(NotAllowedError):
        services.meeting_amend(meeting=meeting, user=margaret.user, **_details(meeting, title="AGM"))


def test_saving_an_unchanged_meeting_sends_nothing(staff, margaret):
    meeting = call_agm(staff)
    outbox.emails_send()
    again = services.meeting_amend(meeting=meeting, user=staff, **_details(meeting))
    assert again.notice_amended_at is None
    assert outbox.emails_send() == 0


def test_a_notice_amended_before_it_went_is_sent_once_as_the_amended_notice(staff, margaret, tom):
    meeting = call_agm(staff)  # its notices are owed: the mail server has not taken them yet

    services.meeting_amend(
        meeting=meeting, user=staff, now=at(4, 10), **_details(meeting, place="Todmorden Town Hall")
    )

    sent = send_owed()
    assert sorted(m.to[0] for m in sent) == ["margaret@example.org", "tom@example.org"]
    assert all(m.subject.startswith("[Calder Valley Care Co-op] Amended notice of") for m in sent)
    assert all("Todmorden Town Hall" in m.body for m in sent)


def test_only_staff_call_meetings(margaret):
    with pytest.raises(NotAllowedError):
        call_agm(margaret.user)


def test_an_in_person_meeting_needs_a_place_and_an_online_one_a_link(staff):
    with pytest.raises(ApplicationError) as refused:
        call_agm(staff, format="in_person", place="")
    assert refused.value.code == "place_needed"
    with pytest.raises(ApplicationError) as refused:
        call_agm(staff, format="online", online_link="")
    assert refused.value.code == "link_needed"


# --- Requisitions ---------------------------------------------------------------------------------


def test_a_requisition_needs_the_lesser_of_ten_percent_or_a_hundred(db):
    assert rules.lesser_of(percent=10, most=100, members=45) == 5
    assert rules.lesser_of(percent=10, most=100, members=1500) == 100
    assert rules.lesser_of(percent=10, most=100, members=3) == 1


def test_a_requisition_is_met_when_enough_members_sign_and_staff_are_told(
    staff, django_capture_on_commit_callbacks
):
    members = MembershipFactory.create_batch(20)  # 10% of 20 is 2 signatures
    with django_capture_on_commit_callbacks(execute=True):
        requisition = services.requisition_open(user=members[0].user, purpose="To discuss the hourly rates")
        assert requisition.met_at is None
        with pytest.raises(ConflictError) as twice:
            services.requisition_sign(requisition=requisition, user=members[0].user)
        assert twice.value.code == "already_signed"
        requisition = services.requisition_sign(requisition=requisition, user=members[1].user)
    assert requisition.met_at is not None
    assert requisition.signatures_needed == 2
    assert [m.to for m in mail.outbox] == [[staff.email]]
    with pytest.raises(ConflictError):
        services.requisition_sign(requisition=requisition, user=members[2].user)
    meeting = call_agm(staff, kind="general", title="Requisitioned meeting", requisition=requisition)
    assert meeting.requisition == requisition
    with pytest.raises(ConflictError):
        call_agm(staff, requisition=requisition)


# --- Motions --------------------------------------------------------------------------------------


def test_a_members_motion_needs_a_seconder_who_is_not_the_proposer(agm, margaret, tom):
    motion = services.motion_propose(
        user=margaret.user, meeting=agm, title="Paid travel time", text="That travel between visits is paid."
    )
    assert motion.status == Motion.Status.AWAITING_SECONDER
    with pytest.raises(ApplicationError) as own:
        services.motion_second(motion=motion, user=margaret.user)
    assert own.value.code == "own_motion"
    motion = services.motion_second(motion=motion, user=tom.user)
    assert (motion.status, motion.seconder) == (Motion.Status.TABLED, tom)


def test_a_board_motion_needs_no_seconder_and_only_staff_put_one(agm, staff, margaret):
    assert board_motion(staff, agm).status == Motion.Status.TABLED
    with pytest.raises(NotAllowedError):
        services.motion_propose(user=margaret.user, meeting=agm, title="x", text="y", by_board=True)


def test_the_text_of_a_motion_is_kept_in_versions(agm, margaret):
    motion = services.motion_propose(
        user=margaret.user, meeting=agm, title="Paid travel", text="That travel is paid."
    )
    services.motion_revise(
        motion=motion,
        text="That travel between visits is paid at the worker's rate.",
        user=margaret.user,
        note="Clearer",
    )
    versions = list(motion.versions.order_by("number").values_list("number", "text"))
    assert versions == [
        (1, "That travel is paid."),
        (2, "That travel between visits is paid at the worker's rate."),
    ]


def test_amendments_are_voted_before_the_motion_and_a_carried_one_becomes_its_text(agm, staff, margaret, tom):
    motion = board_motion(staff, agm)
    amendment = services.motion_propose(
        user=margaret.user,
        meeting=agm,
        title="Add the reserves policy",
        text="That the accounts and the reserves policy be adopted.",
        amends=motion,
    )
    services.motion_second(motion=amendment, user=tom.user)
    ballot = services.ballot_create(
        user=staff, title=motion.title, motion=motion, opens_at=NOW, closes_at=at(12, 16)
    )
    with pytest.raises(ConflictError) as first:
        services.ballot_open(ballot=ballot, user=staff)
    assert first.value.code == "amendments_first"

    on_amendment = services.ballot_create(
        user=staff, title=amendment.title, motion=amendment, opens_at=NOW, closes_at=at(12, 16)
    )
    services.ballot_open(ballot=on_amendment, user=staff)
    services.vote_cast(ballot=on_amendment, user=margaret.user, choice="for")
    services.vote_cast(ballot=on_amendment, user=tom.user, choice="for")
    on_amendment = services.ballot_close(ballot=on_amendment, now=at(12, 16))
    services.ballot_declare(ballot=on_amendment, user=staff)

    amendment.refresh_from_db()
    assert amendment.status == Motion.Status.CARRIED
    latest = motion.versions.order_by("-number").first()
    assert latest.text == "That the accounts and the reserves policy be adopted."
    assert "Add the reserves policy" in latest.note
    assert services.ballot_open(ballot=ballot, user=staff).status == "open"


# --- Attendance and quorum ------------------------------------------------------------------------


def test_quorum_is_the_lesser_of_ten_percent_or_twenty(staff, time_machine):
    members = MembershipFactory.create_batch(30)  # 10% of 30: 3
    meeting = call_agm(staff)
    time_machine.move_to(at(12, 14), tick=False)
    for member in members[:2]:
        services.attendance_check_in(meeting=meeting, user=member.user)
    quorum = selectors.meeting_quorum(meeting=meeting)
    assert (quorum.needed, quorum.present, quorum.met) == (3, 2, False)
    services.attendance_mark(meeting=meeting, membership=members[2], user=staff)
    assert selectors.meeting_quorum(meeting=meeting).met
    assert rules.lesser_of(percent=10, most=20, members=900) == 20


def test_proxies_count_towards_the_quorum_only_if_the_rules_say_so(staff, time_machine):
    members = MembershipFactory.create_batch(30)
    meeting = call_agm(staff)
    services.proxy_appoint(user=members[5].user, holder=members[0], meeting=meeting)
    time_machine.move_to(at(12, 14), tick=False)
    services.attendance_check_in(meeting=meeting, user=members[0].user)
    services.attendance_check_in(meeting=meeting, user=members[1].user)
    assert selectors.meeting_quorum(meeting=meeting).met  # 2 present + 1 by proxy
    GovernancePolicy.objects.update_or_create(pk=1, defaults={"quorum_counts_proxies": False})
    assert not selectors.meeting_quorum(meeting=meeting).met


def test_a_vote_at_the_meeting_is_refused_without_a_quorum(staff, time_machine):
    members = MembershipFactory.create_batch(30)
    meeting = call_agm(staff)
    motion = board_motion(staff, meeting)
    ballot = services.ballot_create(
        user=staff,
        title="Show of hands",
        motion=motion,
        method="at_meeting",
        opens_at=at(12, 14),
        closes_at=at(12, 16),
        secret=False,
    )
    time_machine.move_to(at(12, 14, 30), tick=False)
    services.attendance_check_in(meeting=meeting, user=members[0].user)
    with pytest.raises(ConflictError) as refused:
        services.ballot_open(ballot=ballot, user=staff)
    assert refused.value.code == "not_quorate"
    for member in members[1:3]:
        services.attendance_check_in(meeting=meeting, user=member.user)
    services.ballot_open(ballot=ballot, user=staff)
    # At the meeting only those present (or their proxies) vote.
    with pytest.raises(NotAllowedError) as absent:
        services.vote_cast(ballot=ballot, user=members[10].user, choice="for")
    assert absent.value.code == "not_present"
    assert services.vote_cast(ballot=ballot, user=members[0].user, choice="for")


def test_members_check_in_only_while_the_meeting_is_on(agm, margaret, time_machine):
    with pytest.raises(ApplicationError) as early:
        services.attendance_check_in(meeting=agm, user=margaret.user)
    assert early.value.code == "not_in_session"
    time_machine.move_to(at(12, 13, 35), tick=False)
    first = services.attendance_check_in(meeting=agm, user=margaret.user)
    assert services.attendance_check_in(meeting=agm, user=margaret.user).pk == first.pk


# --- Minutes --------------------------------------------------------------------------------------


def test_minutes_are_approved_at_a_later_meeting_and_then_fixed(staff, margaret, time_machine):
    agm = call_agm(staff)
    time_machine.move_to(at(12, 17), tick=False)
    minutes = services.minutes_save(
        meeting=agm, text="Present: 42 members. The accounts were adopted.", user=staff
    )
    with pytest.raises(ApplicationError):
        services.minutes_approve(minutes=minutes, at_meeting=agm, user=staff)
    later = call_agm(
        staff,
        kind="general",
        title="Spring general meeting",
        starts=at(10, 18, month=3, year=2027),
        now=at(12, 17),
    )
    with pytest.raises(ApplicationError) as not_yet:
        services.minutes_approve(minutes=minutes, at_meeting=later, user=staff)
    assert not_yet.value.code == "meeting_not_held"
    time_machine.move_to(at(10, 18, 30, month=3, year=2027), tick=False)
    minutes = services.minutes_approve(minutes=minutes, at_meeting=later, user=staff)
    assert minutes.approved_at_meeting == later
    with pytest.raises(ConflictError):
        services.minutes_save(meeting=agm, text="Changed afterwards", user=staff)


def test_proxy_holders_are_current_members_and_not_oneself(agm, margaret, tom):
    with pytest.raises(ApplicationError) as self_proxy:
        services.proxy_appoint(user=margaret.user, holder=margaret, meeting=agm)
    assert self_proxy.value.code == "proxy_self"
    first = services.proxy_appoint(
        user=margaret.user, holder=tom, meeting=agm, instructions_text="Vote for the accounts"
    )
    second = services.proxy_appoint(user=margaret.user, to_chair=True, meeting=agm)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert second.revoked_at is None
    assert Proxy.objects.filter(appointer=margaret, revoked_at__isnull=True).count() == 1


def test_the_rules_refuse_numbers_the_database_would_refuse(staff):
    with pytest.raises(ApplicationError) as refused:
        services.governance_policy_update(user=staff, quorum_percent=0)
    assert refused.value.code == "invalid_rules"
    with pytest.raises(ApplicationError):
        services.governance_policy_update(user=staff, max_proxies=0)
    assert GovernancePolicy.current().max_proxies == 5
    assert services.governance_policy_update(user=staff, max_proxies=3).max_proxies == 3


def test_a_new_text_for_a_seconded_motion_needs_seconding_again(agm, margaret, tom, priya):
    motion = services.motion_propose(
        user=margaret.user, meeting=agm, title="The office", text="Paint it blue."
    )
    services.motion_second(motion=motion, user=tom.user)
    services.motion_revise(motion=motion, text="Sell the office.", user=margaret.user)
    motion.refresh_from_db()
    assert (motion.status, motion.seconder) == (Motion.Status.AWAITING_SECONDER, None)
    assert services.motion_second(motion=motion, user=priya.user).status == Motion.Status.TABLED


def test_an_unseconded_amendment_does_not_hold_up_its_motion_and_lapses(agm, staff, margaret):
    motion = board_motion(staff, agm)
    stalled = services.motion_propose(
        user=margaret.user, meeting=agm, title="Stall", text="Something else.", amends=motion
    )
    ballot = services.ballot_create(
        user=staff, title=motion.title, motion=motion, opens_at=NOW, closes_at=at(12, 16)
    )
    assert services.ballot_open(ballot=ballot, user=staff).status == "open"
    stalled.refresh_from_db()
    assert stalled.status == Motion.Status.WITHDRAWN


@pytest.mark.django_db(transaction=True)
def test_signatures_taken_back_while_others_sign_never_leave_a_met_requisition_short():
    GovernancePolicy.objects.update_or_create(pk=1, defaults={"requisition_percent": 30})
    members = MembershipFactory.create_batch(10)  # 30% of 10: 3 signatures
    requisition = services.requisition_open(user=members[0].user, purpose="To discuss the rates")
    services.requisition_sign(requisition=requisition, user=members[1].user)

    results = race(
        [
            lambda: services.requisition_unsign(requisition=requisition, user=members[1].user),
            lambda: services.requisition_unsign(requisition=requisition, user=members[0].user),
            *[
                lambda m=m: services.requisition_sign(requisition=requisition, user=m.user)
                for m in members[2:6]
            ],
        ]
    )

    assert all(not isinstance(r, Exception) or r.code == "requisition_met" for r in results), results
    requisition.refresh_from_db()
    signed = requisition.signatures.count()
    assert requisition.met_at is not None  # four signed; at most two were taken back
    assert signed >= requisition.signatures_needed == 3
