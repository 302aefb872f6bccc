"""A visit's expenses: the worker adds mileage or another cost after the visit, while its hours
wait for the person's answer; the person confirms or queries them with the hours; staff settling
a query may strike them; they are paid and charged in full, with no co-op share (decision 25)."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from carecoop.exceptions import ApplicationError
from members.models import Policy
from scheduling import services
from scheduling.models import Notification, Visit, VisitEvent, VisitExpense
from tests.concurrency import race
from tests.factories import visit_booked
from tests.outbox import owed
from tests.scheduling.conftest import at
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")

VISITS = "/api/v1/visits/"


def _delivered(ruth, megan, time_machine, day=24):
    """Megan's visit to Ruth, 09:00 to 11:00 on the day, done; the hours wait for Ruth's answer."""
    visit = visit_booked(ruth, megan, at(day, 9), at(day, 11), accepted=True)
    time_machine.move_to(at(day, 8, 55), tick=False)
    services.visit_check_in(visit=visit, by=megan.user)
    time_machine.move_to(at(day, 11), tick=False)
    return services.visit_check_out(visit=visit, by=megan.user, note="Ruth had porridge.")


@pytest.fixture
def delivered(ruth, megan, time_machine):
    return _delivered(ruth, megan, time_machine)


def _mileage(visit, by, miles="12.5", note="To the chemist and back."):
    return services.visit_expense_add(visit=visit, by=by, kind="mileage", miles=miles, note=note)


def _other(visit, by, pence=3_40, note="Bus fare to town with Ruth."):
    return services.visit_expense_add(visit=visit, by=by, kind="other", amount_pence=pence, note=note)


# --- Adding and removing ---------------------------------------------------------------------


def test_the_worker_adds_mileage_at_the_policys_rate_and_another_expense_and_ruths_side_is_told(
    delivered, megan, ruth, jane
):
    mileage = _mileage(delivered, megan.user)
    fare = _other(delivered, megan.user)

    assert (mileage.kind, mileage.miles, mileage.amount_pence) == ("mileage", Decimal("12.5"), 5_63)
    assert (fare.kind, fare.miles, fare.amount_pence) == ("other", None, 3_40)
    told = Notification.objects.filter(kind=VisitEvent.EXPENSE_ADDED, visit=delivered).order_by("pk")
    assert {n.user for n in told} == {ruth.user, jane}
    assert told.last().title.startswith("Megan added an expense of £3.40 (other expense) to the visit of")
    assert "come to £9.03" in told.last().body
    # The note (it may say what was bought for the person) stays in the app.
    emailed = owed(about__in=[f"scheduling.notification:{n.pk}" for n in told])
    assert emailed
    assert all("Bus fare" not in str(e.context) for e in emailed)


def test_mileage_follows_the_rate_in_the_policy_when_it_is_added(delivered, megan):
    first = _mileage(delivered, megan.user, miles="10")
    Policy.objects.update_or_create(pk=1, defaults={"mileage_pence_per_mile": 50})
    second = _mileage(delivered, megan.user, miles="10")

    assert (first.amount_pence, second.amount_pence) == (4_50, 5_00)
    assert VisitExpense.objects.get(pk=first.pk).amount_pence == 4_50


def test_no_expense_before_the_visit_is_finished(ruth, megan):
    visit = visit_booked(ruth, megan, at(24, 9), at(24, 11), accepted=True)

    with pytest.raises(ApplicationError) as refused:
        _mileage(visit, megan.user)

    assert refused.value.code == "not_delivered"
    assert not VisitExpense.objects.exists()


@pytest.mark.parametrize(
    ("kind", "values", "code", "field"),
    [
        ("mileage", {"miles": None}, "bad_miles", "miles"),
        ("mileage", {"miles": "0"}, "bad_miles", "miles"),
        ("mileage", {"miles": "-3"}, "bad_miles", "miles"),
        ("mileage", {"miles": "500.1"}, "bad_miles", "miles"),
        ("mileage", {"miles": "1.25"}, "bad_miles", "miles"),
        ("mileage", {"miles": "NaN"}, "bad_miles", "miles"),
        ("mileage", {"miles": "lots"}, "bad_miles", "miles"),
        ("other", {"amount_pence": 0}, "bad_amount", "amount_pence"),
        ("other", {"amount_pence": 500_01}, "bad_amount", "amount_pence"),
        ("other", {"amount_pence": None}, "bad_amount", "amount_pence"),
        ("taxi", {"amount_pence": 5_00}, "bad_kind", "kind"),
        ("other", {"amount_pence": 5_00, "note": "   "}, "note_required", "note"),
        ("other", {"amount_pence": 5_00, "note": "x" * 301}, "too_long", "note"),
    ],
)
def test_bad_expenses_are_refused_clearly_and_change_nothing(delivered, megan, kind, values, code, field):
    values = {"note": "For Ruth.", **values}

    with pytest.raises(ApplicationError) as refused:
        services.visit_expense_add(visit=delivered, by=megan.user, kind=kind, **values)

    assert (refused.value.code, list(refused.value.fields)) == (code, [field])
    assert not VisitExpense.objects.exists()
    assert not Notification.objects.filter(kind=VisitEvent.EXPENSE_ADDED).exists()


def test_a_mileage_too_small_to_come_to_a_penny_is_refused(delivered, megan):
    Policy.objects.update_or_create(pk=1, defaults={"mileage_pence_per_mile": 1})

    with pytest.raises(ApplicationError) as refused:
        _mileage(delivered, megan.user, miles="0.1")

    assert refused.value.code == "bad_miles"


def test_a_visit_has_at_most_twenty_expenses(delivered, megan):
    for _ in range(20):
        _other(delivered, megan.user, pence=1_00)

    with pytest.raises(ApplicationError) as refused:
        _other(delivered, megan.user, pence=1_00)

    assert refused.value.code == "too_many_expenses"
    assert delivered.expenses.count() == 20


def test_the_database_refuses_an_expense_of_nothing_or_mileage_without_miles(delivered, megan):
    base = {"visit": delivered, "note": "x", "added_by": megan.user}
    with pytest.raises(IntegrityError, match="visit_expense_amount_positive"), transaction.atomic():
        VisitExpense.objects.create(kind="other", amount_pence=0, **base)
    with pytest.raises(IntegrityError, match="visit_expense_miles_for_mileage"), transaction.atomic():
        VisitExpense.objects.create(kind="mileage", amount_pence=1_00, **base)
    with pytest.raises(IntegrityError, match="visit_expense_amount_cap"), transaction.atomic():
        VisitExpense.objects.create(kind="other", amount_pence=1_000_01, **base)


@pytest.mark.parametrize("who", ["ruth", "jane", "asha", "tom", "staff", "outsider"])
def test_only_the_visits_worker_adds_expenses(delivered, who, request):
    person = request.getfixturevalue(who)
    user = getattr(person, "user", person)

    with pytest.raises(ApplicationError) as refused:
        _mileage(delivered, user)

    assert refused.value.code == "not_allowed"


def test_the_worker_removes_an_expense_they_added_while_the_hours_wait(delivered, megan):
    expense = _mileage(delivered, megan.user)

    services.visit_expense_remove(expense=expense, by=megan.user)

    assert not VisitExpense.objects.exists()


@pytest.mark.parametrize("who", ["ruth", "jane", "asha", "staff"])
def test_nobody_else_removes_an_expense(delivered, megan, who, request):
    expense = _mileage(delivered, megan.user)
    person = request.getfixturevalue(who)

    with pytest.raises(ApplicationError) as refused:
        services.visit_expense_remove(expense=expense, by=getattr(person, "user", person))

    assert refused.value.code == "not_allowed"
    assert VisitExpense.objects.filter(pk=expense.pk).exists()


@pytest.mark.parametrize("answer", ["confirm", "query"])
def test_once_the_hours_are_answered_their_expenses_are_frozen(delivered, megan, ruth, answer):
    expense = _mileage(delivered, megan.user)
    if answer == "confirm":
        services.visit_hours_confirm(visit=delivered, by=ruth.user)
    else:
        services.visit_hours_query(visit=delivered, by=ruth.user, reason="Too many miles.")

    with pytest.raises(ApplicationError) as adding:
        _other(delivered, megan.user)
    with pytest.raises(ApplicationError) as removing:
        services.visit_expense_remove(expense=expense, by=megan.user)

    assert (adding.value.code, removing.value.code) == ("hours_answered", "hours_answered")
    assert list(delivered.expenses.values_list("pk", flat=True)) == [expense.pk]


def test_after_the_time_to_answer_expenses_can_no_longer_be_added(delivered, megan, time_machine):
    time_machine.move_to(at(26, 11, 1), tick=False)  # 48 hours and a minute after check-out

    with pytest.raises(ApplicationError) as refused:
        _mileage(delivered, megan.user)

    assert refused.value.code == "too_late"


# --- Answered with the hours ------------------------------------------------------------------


def test_a_confirmation_covers_exactly_the_expenses_it_was_shown(delivered, megan, ruth):
    shown = _mileage(delivered, megan.user)
    added_since = _other(delivered, megan.user)

    with pytest.raises(ApplicationError) as refused:
        services.visit_hours_confirm(visit=delivered, by=ruth.user, expenses_seen=[shown.pk])

    assert refused.value.code == "expenses_changed"
    assert Visit.objects.get(pk=delivered.pk).hours == Visit.Hours.PENDING
    services.visit_hours_confirm(visit=delivered, by=ruth.user, expenses_seen=[shown.pk, added_since.pk])
    assert Visit.objects.get(pk=delivered.pk).hours == Visit.Hours.CONFIRMED


def test_a_query_shown_no_expenses_is_refused_once_one_is_added(delivered, megan, ruth):
    _mileage(delivered, megan.user)

    with pytest.raises(ApplicationError) as refused:
        services.visit_hours_query(visit=delivered, by=ruth.user, reason="Wrong", expenses_seen=[])

    assert refused.value.code == "expenses_changed"


def test_staff_settling_a_query_strike_named_expenses_and_keep_the_rest(delivered, megan, jane, staff):
    miles = _mileage(delivered, megan.user)
    fare = _other(delivered, megan.user)
    services.visit_hours_query(visit=delivered, by=jane, reason="Ruth did not go to town.")

    services.visit_hours_settle(
        visit=delivered, by=staff, minutes=None, reason="No trip to town that day.", strike=[fare.pk]
    )

    fare.refresh_from_db()
    assert (fare.struck_by, fare.struck_at is not None) == (staff, True)
    assert VisitExpense.objects.get(pk=miles.pk).struck_at is None
    assert Visit.objects.with_expenses_total().get(pk=delivered.pk).expenses_pence == 5_63
    told = Notification.objects.filter(kind=VisitEvent.HOURS_SETTLED, visit=delivered)
    assert all("Expenses struck, neither paid nor charged: £3.40." in n.body for n in told)
    assert "expenses struck" in Visit.objects.get(pk=delivered.pk).history.first().history_change_reason


def test_staff_cannot_strike_an_expense_of_another_visit(delivered, megan, ruth, jane, staff, time_machine):
    other_visit = _delivered(ruth, megan, time_machine, day=25)
    elsewhere = _mileage(other_visit, megan.user)
    services.visit_hours_query(visit=delivered, by=jane, reason="Wrong.")

    with pytest.raises(ApplicationError) as refused:
        services.visit_hours_settle(
            visit=delivered, by=staff, minutes=None, reason="x", strike=[elsewhere.pk]
        )

    assert (refused.value.code, list(refused.value.fields)) == ("bad_expense", ["strike"])
    assert Visit.objects.get(pk=delivered.pk).hours == Visit.Hours.QUERIED
    assert VisitExpense.objects.get(pk=elsewhere.pk).struck_at is None


def test_expenses_carry_no_coop_share_and_the_visits_cost_is_unchanged(delivered, megan):
    before = delivered.cost(Policy.current())
    _mileage(delivered, megan.user)

    assert Visit.objects.get(pk=delivered.pk).cost(Policy.current()) == before


def test_the_expenses_total_is_added_up_in_the_database_for_statements(
    delivered, megan, ruth, jane, staff, time_machine, django_assert_num_queries
):
    _mileage(delivered, megan.user)  # 5.63
    _other(delivered, megan.user)  # 3.40
    services.visit_hours_confirm(visit=delivered, by=ruth.user)
    queried = _delivered(ruth, megan, time_machine, day=25)
    struck = _other(queried, megan.user, pence=10_00)
    services.visit_hours_query(visit=queried, by=jane, reason="Not bought.")
    services.visit_hours_settle(
        visit=queried, by=staff, minutes=None, reason="Not bought.", strike=[struck.pk]
    )
    none = _delivered(ruth, megan, time_machine, day=26)

    with django_assert_num_queries(1):
        totals = dict(Visit.objects.with_expenses_total().values_list("pk", "expenses_pence"))
    assert totals == {delivered.pk: 9_03, queried.pk: 0, none.pk: 0}
    # It composes with sums over the visits: a month's total is one query.
    month = Visit.objects.filter(hours=Visit.Hours.CONFIRMED).with_expenses_total()
    assert month.aggregate(total=Sum("expenses_pence"))["total"] == 9_03
    assert VisitExpense.objects.confirmed().aggregate(total=Sum("amount_pence"))["total"] == 9_03


# --- A race: an expense added while the person confirms --------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_expense_added_as_the_person_confirms_is_either_refused_or_refuses_the_confirmation(
    ruth, megan, time_machine
):
    visits = [_delivered(ruth, megan, time_machine, day=day) for day in (24, 25, 26)]
    # At the last check-out: still in time (48 hours) to answer all three.
    time_machine.move_to(at(26, 11), tick=False)
    for visit in visits:
        _mileage(visit, megan.user)

    for _round in range(3):
        for visit in visits:
            if Visit.objects.get(pk=visit.pk).hours != Visit.Hours.PENDING:
                continue
            seen = list(VisitExpense.objects.filter(visit=visit).values_list("pk", flat=True))
            race(
                [
                    lambda visit=visit: _other(visit, megan.user, pence=2_00),
                    lambda visit=visit, seen=seen: services.visit_hours_confirm(
                        visit=visit, by=ruth.user, expenses_seen=seen
                    ),
                ]
            )
            visit.refresh_from_db()
            now = set(VisitExpense.objects.filter(visit=visit).values_list("pk", flat=True))
            if visit.hours == Visit.Hours.CONFIRMED:
                # The confirmation covers exactly what it showed: the add was refused.
                assert now == set(seen)
            else:
                assert len(now) == len(seen) + 1


# --- The API --------------------------------------------------------------------------------


def _url(visit, expense=None):
    return f"{VISITS}{visit.pk}/expenses/" + (f"{expense.pk}/" if expense else "")


def test_the_worker_adds_lists_and_removes_expenses_through_the_api(api_client, delivered, megan):
    api_client.force_authenticate(megan.user)

    added = api_client.post(
        _url(delivered), {"kind": "mileage", "miles": "12.5", "note": "To the chemist."}, format="json"
    )
    other = api_client.post(
        _url(delivered), {"kind": "other", "amount_pence": 3_40, "note": "Bus fare."}, format="json"
    )

    assert (added.status_code, other.status_code) == (201, 201), added.json()
    assert added.json() | {"id": 0, "created_at": ""} == {
        "id": 0,
        "kind": "mileage",
        "miles": "12.5",
        "amount_pence": 5_63,
        "note": "To the chemist.",
        "created_at": "",
        "struck": False,
    }
    listed = api_client.get(_url(delivered)).json()["results"]
    assert [e["amount_pence"] for e in listed] == [5_63, 3_40]
    detail = api_client.get(f"{VISITS}{delivered.pk}/").json()
    assert (detail["expenses_pence"], len(detail["expenses"])) == (9_03, 2)
    assert "add_expenses" in detail["actions"]
    expense = VisitExpense.objects.get(pk=added.json()["id"])
    assert api_client.delete(_url(delivered, expense)).status_code == 204
    assert [e["amount_pence"] for e in api_client.get(_url(delivered)).json()["results"]] == [3_40]


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"kind": "mileage", "note": "x"}, 400, "invalid", "miles"),
        ({"kind": "mileage", "miles": "0", "note": "x"}, 400, "invalid", "miles"),
        ({"kind": "mileage", "miles": "99999", "note": "x"}, 400, "invalid", "miles"),
        ({"kind": "mileage", "miles": "1.25", "note": "x"}, 400, "invalid", "miles"),
        ({"kind": "other", "note": "x"}, 400, "invalid", "amount_pence"),
        ({"kind": "other", "amount_pence": 10**12, "note": "x"}, 400, "invalid", "amount_pence"),
        ({"kind": "other", "amount_pence": "lots", "note": "x"}, 400, "invalid", "amount_pence"),
        ({"kind": "other", "amount_pence": 5_00, "note": ""}, 400, "invalid", "note"),
        ({"kind": "other", "amount_pence": 5_00, "note": "   "}, 400, "invalid", "note"),
        ({"kind": "taxi", "amount_pence": 5_00, "note": "x"}, 400, "invalid", "kind"),
        ({}, 400, "invalid", "kind"),
    ],
)
def test_bad_expenses_through_the_api_are_4xx_json_and_change_nothing(
    api_client, delivered, megan, body, status, code, field
):
    api_client.force_authenticate(megan.user)

    response = api_client.post(_url(delivered), body, format="json")

    assert response.status_code == status
    assert (response.json()["code"], field in response.json()) == (code, True), response.json()
    assert response.json()["detail"]
    assert not VisitExpense.objects.exists()


def test_expenses_on_answered_hours_are_409_hours_answered(api_client, delivered, megan, ruth):
    expense = _mileage(delivered, megan.user)
    services.visit_hours_confirm(visit=delivered, by=ruth.user)
    api_client.force_authenticate(megan.user)

    added = api_client.post(
        _url(delivered), {"kind": "other", "amount_pence": 1_00, "note": "x"}, format="json"
    )
    removed = api_client.delete(_url(delivered, expense))

    assert (added.status_code, added.json()["code"]) == (409, "hours_answered")
    assert (removed.status_code, removed.json()["code"]) == (409, "hours_answered")


def test_confirming_through_the_api_after_an_expense_was_added_is_409_expenses_changed(
    api_client, delivered, megan, ruth
):
    api_client.force_authenticate(ruth.user)
    seen = api_client.get(f"{VISITS}{delivered.pk}/").json()["expenses"]
    _mileage(delivered, megan.user)

    refused = api_client.post(
        f"{VISITS}{delivered.pk}/confirm/", {"expenses": [e["id"] for e in seen]}, format="json"
    )
    bad = api_client.post(f"{VISITS}{delivered.pk}/confirm/", {"expenses": ["x"]}, format="json")

    assert (refused.status_code, refused.json()["code"]) == (409, "expenses_changed")
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")
    assert Visit.objects.get(pk=delivered.pk).hours == Visit.Hours.PENDING
    fresh = [e["id"] for e in api_client.get(f"{VISITS}{delivered.pk}/").json()["expenses"]]
    assert (
        api_client.post(f"{VISITS}{delivered.pk}/confirm/", {"expenses": fresh}, format="json").status_code
        == 200
    )


def test_staff_strike_an_expense_through_the_api(api_client, delivered, megan, jane, staff):
    expense = _other(delivered, megan.user)
    services.visit_hours_query(visit=delivered, by=jane, reason="Not bought.")
    api_client.force_authenticate(staff)

    bad = api_client.post(
        f"{VISITS}{delivered.pk}/settle/", {"reason": "x", "strike": [expense.pk + 100]}, format="json"
    )
    settled = api_client.post(
        f"{VISITS}{delivered.pk}/settle/", {"reason": "Not bought.", "strike": [expense.pk]}, format="json"
    )

    assert (bad.status_code, bad.json()["code"], "strike" in bad.json()) == (400, "bad_expense", True)
    assert settled.status_code == 200
    assert api_client.get(_url(delivered)).json()["results"][0]["struck"] is True


# Who reads a visit's expenses (as its cost: the worker, the person, their circle with the power to
# book, staff), who adds them (the worker); the rest of the team sees the visit but not its money
# (403), and everyone else is told nothing exists (404).
READERS = {"ruth": 200, "jane": 200, "megan": 200, "asha": 403, "staff": 200}


@pytest.mark.parametrize(
    "who", ["ruth", "jane", "megan", "asha", "staff", "tom", "margaret", "priya", "ian", "member", "outsider"]
)
def test_every_persona_reads_adds_and_removes_expenses_as_rule_9_says(
    api_client, delivered, megan, who, request
):
    person = request.getfixturevalue(who)
    user = getattr(person, "user", person)
    expense = _mileage(delivered, megan.user)
    api_client.force_authenticate(user)

    read = api_client.get(_url(delivered))
    added = api_client.post(
        _url(delivered), {"kind": "other", "amount_pence": 1_00, "note": "x"}, format="json"
    )
    removed = api_client.delete(_url(delivered, expense))

    reads = READERS.get(who, 404)
    assert read.status_code == reads
    if who == "megan":
        assert (added.status_code, removed.status_code) == (201, 204)
    elif reads in (200, 403):
        assert (added.status_code, added.json()["code"]) == (403, "not_allowed")
        assert (removed.status_code, removed.json()["code"]) == (403, "not_allowed")
    else:
        assert (added.status_code, removed.status_code) == (404, 404)
    if who != "megan":
        assert list(VisitExpense.objects.values_list("pk", flat=True)) == [expense.pk]


def test_anonymous_callers_are_refused(api_client, delivered, megan):
    expense = _mileage(delivered, megan.user)

    assert api_client.get(_url(delivered)).status_code in (401, 403)
    assert api_client.delete(_url(delivered, expense)).status_code in (401, 403)


def test_an_expense_of_another_visit_is_404_under_this_one(api_client, delivered, ruth, megan, time_machine):
    other_visit = _delivered(ruth, megan, time_machine, day=25)
    elsewhere = _mileage(other_visit, megan.user)
    api_client.force_authenticate(megan.user)

    assert api_client.delete(_url(delivered, elsewhere)).status_code == 404
    assert VisitExpense.objects.filter(pk=elsewhere.pk).exists()


def test_the_expenses_are_in_the_openapi_schema_with_their_errors(api_client, staff):
    api_client.force_authenticate(staff)
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/visits/{id}/expenses/"])
    assert "delete" in paths["/api/v1/visits/{id}/expenses/{expense_pk}/"]
    assert "hours_answered" in paths["/api/v1/visits/{id}/expenses/"]["post"]["description"]
    assert "Expense" in schema["components"]["schemas"]


# --- The visit page --------------------------------------------------------------------------


def test_the_worker_adds_and_removes_mileage_on_the_visit_page(client, delivered, megan):
    client.force_login(megan.user)

    page = client.get(f"/visits/{delivered.pk}/").content.decode()
    assert "Add mileage or another expense" in page
    client.post(
        f"/visits/{delivered.pk}/expense-add/",
        {"expense-kind": "mileage", "expense-miles": "12.5", "expense-note": "To the chemist."},
    )
    expense = VisitExpense.objects.get()
    assert expense.amount_pence == 5_63
    page = client.get(f"/visits/{delivered.pk}/").content.decode()
    assert "Expenses in all: £5.63" in page
    client.post(f"/visits/{delivered.pk}/expense-remove/", {"expense": str(expense.pk)})
    assert not VisitExpense.objects.exists()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"expense-kind": "mileage", "expense-note": "x"}, "Give the miles."),
        ({"expense-kind": "other", "expense-note": "x"}, "Give the amount."),
        (
            {"expense-kind": "other", "expense-amount": "5000", "expense-note": "x"},
            "less than or equal to 500",
        ),
        ({"expense-kind": "mileage", "expense-miles": "3"}, "This field is required."),
    ],
)
def test_a_bad_expense_on_the_page_is_shown_on_its_field_and_nothing_changes(
    client, delivered, megan, form, message
):
    client.force_login(megan.user)

    response = client.post(f"/visits/{delivered.pk}/expense-add/", form)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not VisitExpense.objects.exists()


def test_the_person_sees_the_expenses_and_their_total_above_confirm_and_confirms_them(
    client, delivered, megan, ruth
):
    _mileage(delivered, megan.user)
    _other(delivered, megan.user)
    client.force_login(ruth.user)

    page = client.get(f"/visits/{delivered.pk}/").content.decode()

    assert page.index("Expenses in all: £9.03") < page.index("Confirm the hours and expenses</button>")
    assert "With them you confirm 2 expenses, £9.03 in all" in page
    assert "Add mileage" not in page
    ids = [str(pk) for pk in VisitExpense.objects.values_list("pk", flat=True)]
    client.post(f"/visits/{delivered.pk}/confirm/", {"expenses-shown": "1", "expense": ids})
    assert Visit.objects.get(pk=delivered.pk).hours == Visit.Hours.CONFIRMED


def test_a_confirmation_from_a_page_that_showed_fewer_expenses_is_refused(client, delivered, megan, ruth):
    shown = _mileage(delivered, megan.user)
    _other(delivered, megan.user)
    client.force_login(ruth.user)

    response = client.post(
        f"/visits/{delivered.pk}/confirm/", {"expenses-shown": "1", "expense": [str(shown.pk)]}, follow=True
    )

    assert "The expenses changed since you looked" in response.content.decode()
    assert Visit.objects.get(pk=delivered.pk).hours == Visit.Hours.PENDING


def test_staff_strike_an_expense_on_the_settle_form(client, delivered, megan, jane, staff):
    fare = _other(delivered, megan.user)
    services.visit_hours_query(visit=delivered, by=jane, reason="No bus that day.")
    log_in_with_second_factor(client, staff)

    page = client.get(f"/visits/{delivered.pk}/").content.decode()
    assert "Strike these expenses" in page
    client.post(
        f"/visits/{delivered.pk}/settle/",
        {
            "settle-outcome": "as_they_were",
            "settle-reason": "No bus that day.",
            "settle-strike": [str(fare.pk)],
        },
    )

    assert VisitExpense.objects.get(pk=fare.pk).struck_by == staff
    assert "(struck)" in client.get(f"/visits/{delivered.pk}/").content.decode()


def test_the_visit_page_keeps_its_queries_however_many_expenses(
    client, delivered, megan, ruth, django_assert_max_num_queries
):
    client.force_login(ruth.user)
    _mileage(delivered, megan.user)
    with django_assert_max_num_queries(60) as few:
        assert client.get(f"/visits/{delivered.pk}/").status_code == 200
    for _ in range(15):
        _other(delivered, megan.user, pence=1_00)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(f"/visits/{delivered.pk}/").status_code == 200


def test_the_api_visit_keeps_its_queries_however_many_expenses(
    api_client, delivered, megan, ruth, django_assert_max_num_queries
):
    api_client.force_authenticate(ruth.user)
    _mileage(delivered, megan.user)
    with django_assert_max_num_queries(60) as few:
        api_client.get(f"{VISITS}{delivered.pk}/")
        api_client.get(_url(delivered))
    for _ in range(15):
        _other(delivered, megan.user, pence=1_00)
    with django_assert_max_num_queries(len(few.captured_queries)):
        api_client.get(f"{VISITS}{delivered.pk}/")
        api_client.get(_url(delivered))


def test_staff_read_expenses_in_the_admin_and_nobody_changes_them_there(client, delivered, megan, staff):
    expense = _mileage(delivered, megan.user)
    log_in_with_second_factor(client, staff)

    listing = client.get("/admin/scheduling/visitexpense/")
    assert listing.status_code == 200
    assert "563" in listing.content.decode()
    assert client.get("/admin/scheduling/visitexpense/add/").status_code == 403
    assert (
        client.post(f"/admin/scheduling/visitexpense/{expense.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert VisitExpense.objects.filter(pk=expense.pk).exists()


def test_the_rest_of_the_team_sees_the_visit_but_not_its_expenses(client, api_client, delivered, megan, asha):
    _mileage(delivered, megan.user)
    client.force_login(asha.user)
    page = client.get(f"/visits/{delivered.pk}/")
    assert page.status_code == 200
    assert "Mileage" not in page.content.decode()
    api_client.force_authenticate(asha.user)
    body = api_client.get(f"{VISITS}{delivered.pk}/").json()
    assert (body["expenses"], body["expenses_pence"]) == ([], None)
