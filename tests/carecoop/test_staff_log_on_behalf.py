"""What staff do through the services members use for themselves (a circle of support, a team,
introductions, visits, hours, a candidacy or a motion, a request about data) is logged as a staff
action on the member concerned (decision 44); the same done by a member is not."""

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from carecoop.models import StaffAction
from governance import services as governance_services
from matching import services as matching_services
from matching.models import TeamMember
from members import services as member_services
from members.models import CircleMember, DataRequest
from scheduling import services as scheduling_services
from scheduling.bookings import Booking, Repeat
from tests.factories import MembershipFactory, VisitFactory, visit_booked
from tests.governance.conftest import call_agm
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")


@dataclass
class Cast:
    ruth: Any
    megan: Any
    tom: Any
    jane: Any
    staff: Any
    time_machine: Any


@pytest.fixture
def cast(ruth, megan, tom, jane, staff, time_machine):
    return Cast(ruth, megan, tom, jane, staff, time_machine)


def _asked_tom(c):
    return matching_services.introduction_send(
        by=c.ruth.user, receiver=c.ruth, supporter=c.tom, from_receiver=True, message="Hello"
    )


def _megans_place(c):
    return TeamMember.objects.get(receiver=c.ruth, member=c.megan)


def _offered(c):
    return VisitFactory(receiver=c.ruth, worker=c.megan, starts=at(26, 9), ends=at(26, 10))


def _series(c):
    repeat = Repeat(
        weekdays=[1],
        starts_at=datetime.time(9),
        ends_at=datetime.time(10),
        first_date=at(24, 9).date(),
        count=4,
    )
    booking = Booking(receiver=c.ruth, worker=c.megan, starts=at(24, 9), ends=at(24, 10), repeat=repeat)
    return scheduling_services.booking_make(by=c.ruth.user, booking=booking).series


def _delivered(c):
    visit = visit_booked(c.ruth, c.megan, at(24, 9), at(24, 11), accepted=True)
    c.time_machine.move_to(at(24, 8, 55), tick=False)
    scheduling_services.visit_check_in(visit=visit, by=c.megan.user)
    c.time_machine.move_to(at(24, 11), tick=False)
    return scheduling_services.visit_check_out(visit=visit, by=c.megan.user, note="Tea and a walk.")


def _toms_candidacy(c):
    ballot = governance_services.ballot_create(
        user=c.staff,
        title="Board: workers' seat",
        seat_class="workers",
        seats=1,
        opens_at=at(1, 12, month=12),
        closes_at=at(8, 12, month=12),
    )
    return governance_services.candidate_stand(ballot=ballot, user=c.tom.user, statement="Rotas that work.")


def _margarets_motion(c):
    margaret = MembershipFactory(legal_name="Margaret Greenwood")
    motion = governance_services.motion_propose(
        user=margaret.user, meeting=call_agm(c.staff), title="Paid travel", text="That travel is paid."
    )
    return motion, margaret


def _nothing(c):
    return None


_REVIEW_ON = datetime.date(2027, 1, 4)


def _megans_role(c):
    return matching_services.team_role_give(
        receiver=c.ruth, holder=c.megan.user, name="rota holder", review_on=_REVIEW_ON, by=c.ruth.user
    )


def _toms_place(c):
    return matching_services.introduction_accept(introduction=_asked_tom(c), by=c.tom.user)


def _ruth(c):
    return c.ruth.user


def _tom(c):
    return c.tom.user


def _proposer(c):
    return c.proposer.user


@dataclass(frozen=True)
class OnBehalf:
    action: str  # the code logged
    member: Any  # who does it when it is not staff; and the member it is logged on
    made: Any  # what it is done to, made beforehand
    do: Any  # (cast, by, made)


ON_BEHALF = {
    "circle_invite": OnBehalf(
        "circle.invite",
        _ruth,
        _nothing,
        lambda c, by, _: member_services.circle_invite(
            receiver=c.ruth, by=by, email="kim@example.org", name="Kim"
        ),
    ),
    "circle_revoke": OnBehalf(
        "circle.revoke",
        _ruth,
        lambda c: CircleMember.objects.get(receiver=c.ruth, supporter=c.jane),
        lambda c, by, place: member_services.circle_revoke(member=place, by=by),
    ),
    "emergency_contact_save": OnBehalf(
        "emergency_contact.save",
        _ruth,
        _nothing,
        lambda c, by, _: member_services.emergency_contact_save(
            membership=c.ruth, by=by, name="Jane Sutcliffe", phone="07123 456789"
        ),
    ),
    "introduction_send": OnBehalf(
        "introduction.send",
        _ruth,
        _nothing,
        lambda c, by, _: matching_services.introduction_send(
            by=by, receiver=c.ruth, supporter=c.tom, from_receiver=True, message="Hello"
        ),
    ),
    "introduction_accept": OnBehalf(
        "introduction.accept",
        _tom,
        _asked_tom,
        lambda c, by, asked: matching_services.introduction_accept(introduction=asked, by=by),
    ),
    "introduction_decline": OnBehalf(
        "introduction.decline",
        _tom,
        _asked_tom,
        lambda c, by, asked: matching_services.introduction_decline(introduction=asked, by=by),
    ),
    "introduction_withdraw": OnBehalf(
        "introduction.withdraw",
        _ruth,
        _asked_tom,
        lambda c, by, asked: matching_services.introduction_withdraw(introduction=asked, by=by),
    ),
    "team_member_confirm": OnBehalf(
        "team.confirm",
        _ruth,
        _toms_place,
        lambda c, by, place: matching_services.team_member_confirm(member=place, by=by),
    ),
    "team_member_end": OnBehalf(
        "team.end",
        _ruth,
        _megans_place,
        lambda c, by, place: matching_services.team_member_end(member=place, by=by, reason="Moving away"),
    ),
    "team_role_give": OnBehalf(
        "team.role_give",
        _ruth,
        _nothing,
        lambda c, by, _: matching_services.team_role_give(
            receiver=c.ruth, holder=c.megan.user, name="rota holder", review_on=_REVIEW_ON, by=by
        ),
    ),
    "team_role_end": OnBehalf(
        "team.role_end",
        _ruth,
        _megans_role,
        lambda c, by, role: matching_services.team_role_end(role=role, by=by),
    ),
    "noticeboard_post": OnBehalf(
        "team.noticeboard_post",
        _ruth,
        _nothing,
        lambda c, by, _: matching_services.noticeboard_post(receiver=c.ruth, by=by, body="Tea on Friday."),
    ),
    "booking_make": OnBehalf(
        "visit.book",
        _ruth,
        _nothing,
        lambda c, by, _: scheduling_services.booking_make(
            by=by, booking=Booking(receiver=c.ruth, worker=c.megan, starts=at(24, 9), ends=at(24, 10))
        ),
    ),
    "visit_change": OnBehalf(
        "visit.change",
        _ruth,
        _offered,
        lambda c, by, visit: scheduling_services.visit_change(visit=visit, by=by, notes="Bring the list."),
    ),
    "visit_cancel": OnBehalf(
        "visit.cancel",
        _ruth,
        _offered,
        lambda c, by, visit: scheduling_services.visit_cancel(visit=visit, by=by, reason="In hospital."),
    ),
    "series_change_from": OnBehalf(
        "series.change",
        _ruth,
        _series,
        lambda c, by, series: scheduling_services.series_change_from(
            visit=series.visits.order_by("starts").first(), by=by, notes="Bring the list."
        ),
    ),
    "series_cancel": OnBehalf(
        "series.cancel",
        _ruth,
        _series,
        lambda c, by, series: scheduling_services.series_cancel(series=series, by=by, reason="In hospital."),
    ),
    "visit_hours_confirm": OnBehalf(
        "visit.hours_confirm",
        _ruth,
        _delivered,
        lambda c, by, visit: scheduling_services.visit_hours_confirm(visit=visit, by=by),
    ),
    "visit_hours_query": OnBehalf(
        "visit.hours_query",
        _ruth,
        _delivered,
        lambda c, by, visit: scheduling_services.visit_hours_query(visit=visit, by=by, reason="Left at ten."),
    ),
    "candidate_withdraw": OnBehalf(
        "governance.candidate_withdraw",
        _tom,
        _toms_candidacy,
        lambda c, by, candidate: governance_services.candidate_withdraw(candidate=candidate, user=by),
    ),
    "motion_revise": OnBehalf(
        "governance.motion_revise",
        _proposer,
        _nothing,
        lambda c, by, _: governance_services.motion_revise(
            motion=c.motion, text="That travel between visits is paid.", user=by
        ),
    ),
    "motion_withdraw": OnBehalf(
        "governance.motion_withdraw",
        _proposer,
        _nothing,
        lambda c, by, _: governance_services.motion_withdraw(motion=c.motion, user=by),
    ),
}


def _run(cast, name, *, by_staff):
    case = ON_BEHALF[name]
    if name.startswith("motion_"):
        cast.motion, cast.proposer = _margarets_motion(cast)
    made = case.made(cast)
    before = StaffAction.objects.count()
    case.do(cast, cast.staff if by_staff else case.member(cast), made)
    return case.action, case.member(cast), list(StaffAction.objects.order_by("pk")[before:])


@pytest.mark.parametrize("name", ON_BEHALF)
def test_staff_doing_it_for_a_member_is_logged_on_that_member(cast, name):
    action, concerned, logged = _run(cast, name, by_staff=True)

    assert [(entry.action, entry.by, entry.member) for entry in logged] == [(action, cast.staff, concerned)]
    assert logged[0].summary


@pytest.mark.parametrize("name", ON_BEHALF)
def test_a_member_doing_it_is_not_a_staff_action(cast, name):
    _action, _concerned, logged = _run(cast, name, by_staff=False)

    assert logged == []


def test_staff_answering_a_request_about_data_is_logged(ruth, staff):
    asked = member_services.data_request_make(user=ruth.user, kind=DataRequest.Kind.ACCESS)

    member_services.data_request_answer(data_request=asked, by=staff, status="done", answer="Sent by post.")

    entry = StaffAction.objects.get(action="data_request.answer")
    assert (entry.by, entry.member) == (staff, ruth.user)
    assert "Sent by post" not in entry.summary  # the answer is the member's to read, not the log's


def test_staff_erasing_a_former_member_is_logged_with_what_was_removed(ruth, staff):
    member_services.membership_cease(
        membership=ruth,
        by=staff,
        reason="resigned",
        ceased_on=datetime.date(2026, 11, 20),
        withdraw_shares=False,
    )
    asked = member_services.data_request_make(user=ruth.user, kind=DataRequest.Kind.ERASURE)

    governance_services.member_erase(
        data_request=asked, by=staff, today=datetime.date(2026, 11, 23), override_reason="Court order."
    )

    entry = StaffAction.objects.get(action="data_request.erase")
    assert (entry.by, entry.member) == (staff, ruth.user)
    assert "before the retention period" in entry.summary
    assert "profile" in entry.summary
