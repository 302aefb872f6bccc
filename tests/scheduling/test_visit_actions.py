"""A visit's next actions are asked in one place: what the visit page and the API offer each
person is exactly what the services then let them do, in every state of a visit."""

import pytest
from django.db import transaction
from django.utils import timezone

from carecoop.exceptions import ApplicationError
from scheduling import permissions, services
from scheduling.models import SchedulingPolicy
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")


class _Undo(Exception):
    pass


ATTEMPTS = {
    "accept": lambda visit, user: services.visit_accept(visit=visit, by=user),
    "decline": lambda visit, user: services.visit_decline(visit=visit, by=user),
    "cancel": lambda visit, user: services.visit_cancel(visit=visit, by=user, reason="Unwell today"),
    "change": lambda visit, user: services.visit_change(visit=visit, by=user, notes="Bring the list"),
    "check_in": lambda visit, user: services.visit_check_in(visit=visit, by=user),
    "deliver": lambda visit, user: services.visit_note_save(visit=visit, by=user, note="Tea and a chat."),
    "answer_hours": lambda visit, user: services.visit_hours_confirm(visit=visit, by=user),
    "settle_hours": lambda visit, user: services.visit_hours_settle(
        visit=visit, by=user, minutes=None, reason="As they were."
    ),
    "add_expenses": lambda visit, user: services.visit_expense_add(
        visit=visit, by=user, kind="mileage", miles="4.0", note="To the shops and back."
    ),
    "answer_series": lambda visit, user: services.series_answer(
        series=_series_of(visit), by=user, accept=True
    ),
    "running_late": lambda visit, user: services.visit_running_late(visit=visit, by=user, minutes=10),
}


def _series_of(visit):
    if visit.series is None:
        raise ApplicationError("Not part of a repeating booking.", code="not_in_series")
    return visit.series


def _service_lets(action, visit, user) -> bool:
    """Whether the service does it: tried for real, then undone."""
    try:
        with transaction.atomic():
            ATTEMPTS[action](visit, user)
            raise _Undo
    except _Undo:
        return True
    except ApplicationError:
        return False


def _offered(actions: permissions.VisitActions) -> set[str]:
    offered = set(actions.names())
    if actions.check_in_opens is not None:
        offered.discard("check_in")  # shown with when it opens, not as a button
    return offered


def _book(ruth, megan, *, open_visit=False):
    return services.visit_book(
        by=ruth.user,
        receiver=ruth,
        worker=None if open_visit else megan,
        starts=at(24, 9),
        ends=at(24, 11),
        tasks=["Breakfast"],
    ).visits[0]


BOOKERS = {"ruth": {"cancel", "change"}, "jane": {"cancel", "change"}, "staff": {"cancel", "change"}}
# Who may do what, by the visit's state; anyone not named may do nothing (Asha is in the team but
# the visit is Megan's, Tom is not in the team, the stranger is nobody's).
EXPECTED: dict[str, dict[str, set[str]]] = {
    "offered": BOOKERS | {"megan": {"accept", "decline"}},
    "offered in a weekly booking": BOOKERS | {"megan": {"accept", "decline", "answer_series"}},
    "open": BOOKERS | {"megan": {"accept"}, "asha": {"accept"}},
    "accepted": BOOKERS | {"megan": {"cancel"}},
    "at the door": BOOKERS | {"megan": {"cancel", "check_in", "running_late"}},
    "checked in": {"megan": {"deliver"}},
    "checked out": {
        "ruth": {"answer_hours"},
        "jane": {"answer_hours"},
        "staff": {"answer_hours"},
        "megan": {"add_expenses"},
    },
    "hours queried": {"staff": {"settle_hours"}},
    "cancelled": {},
}
STATES = list(EXPECTED)


def _visit_in(state, ruth, megan, time_machine):
    if state == "offered in a weekly booking":
        return services.series_create(
            by=ruth.user,
            receiver=ruth,
            worker=megan,
            weekdays=[1],
            starts_at=at(24, 9).time(),
            ends_at=at(24, 11).time(),
            first_date=at(24, 9).date(),
            count=2,
            tasks=["Breakfast"],
        ).visits[0]
    visit = _book(ruth, megan, open_visit=state == "open")
    if state in ("offered", "open"):
        return visit
    if state == "cancelled":
        return services.visit_cancel(visit=visit, by=ruth.user, reason="Away")
    visit = services.visit_accept(visit=visit, by=megan.user)
    if state == "accepted":
        return visit
    time_machine.move_to(at(24, 8, 55), tick=False)
    if state == "at the door":
        return visit
    visit = services.visit_check_in(visit=visit, by=megan.user)
    if state == "checked in":
        return visit
    time_machine.move_to(at(24, 11), tick=False)
    visit = services.visit_check_out(visit=visit, by=megan.user, note="Breakfast and a walk.")
    if state == "checked out":
        return visit
    return services.visit_hours_query(visit=visit, by=ruth.user, reason="Megan left at 10:00.")


@pytest.mark.parametrize("state", STATES)
def test_every_person_is_offered_exactly_what_the_services_let_them_do(
    state, ruth, megan, asha, tom, jane, staff, outsider, time_machine
):
    visit = _visit_in(state, ruth, megan, time_machine)
    people = {"ruth": ruth.user, "jane": jane, "megan": megan.user, "asha": asha.user, "tom": tom.user}
    people |= {"staff": staff, "stranger": outsider}
    policy = SchedulingPolicy.current()

    for name, user in people.items():
        visit.refresh_from_db()
        offered = _offered(permissions.visit_actions(user, visit, now=timezone.now(), policy=policy))
        allowed = {action for action in ATTEMPTS if _service_lets(action, visit, user)}
        assert (state, name, offered) == (state, name, allowed)
        assert (state, name, offered) == (state, name, EXPECTED[state].get(name, set()))


def test_the_visit_page_and_the_api_offer_the_same_actions(client, api_client, ruth, megan, time_machine):
    visit = services.visit_accept(visit=_book(ruth, megan), by=megan.user)
    time_machine.move_to(at(24, 8, 55), tick=False)

    api_client.force_authenticate(megan.user)
    assert api_client.get(f"/api/v1/visits/{visit.pk}/").json()["actions"] == [
        "cancel",
        "check_in",
        "running_late",
    ]
    client.force_login(megan.user)
    page = client.get(f"/visits/{visit.pk}/").content.decode()
    assert "Check in</button>" in page
    assert "Accept the visit" not in page

    api_client.force_authenticate(ruth.user)
    assert api_client.get(f"/api/v1/visits/{visit.pk}/").json()["actions"] == ["cancel", "change"]


def test_a_worker_whose_checks_lapsed_is_not_offered_what_accepting_would_refuse(ruth, megan, staff):
    from members import services as member_services

    visit = _book(ruth, megan)
    member_services.vetting_check_void(
        check=megan.vetting_checks.get(kind="dbs"), by=staff, reason="Certificate withdrawn"
    )
    actions = permissions.visit_actions(
        megan.user, visit, now=timezone.now(), policy=SchedulingPolicy.current()
    )

    assert "accept" not in actions.names()
    assert not _service_lets("accept", visit, megan.user)
    assert "decline" in actions.names()  # she may still say no


def test_a_worker_no_longer_in_the_team_is_not_offered_check_in(ruth, megan, time_machine):
    from matching.models import TeamMember

    visit = services.visit_accept(visit=_book(ruth, megan), by=megan.user)
    time_machine.move_to(at(24, 8, 55), tick=False)
    TeamMember.objects.filter(receiver=ruth, member=megan).update(status=TeamMember.Status.ENDED)
    actions = permissions.visit_actions(
        megan.user, visit, now=timezone.now(), policy=SchedulingPolicy.current()
    )

    assert "check_in" not in actions.names()
    assert not _service_lets("check_in", visit, megan.user)
