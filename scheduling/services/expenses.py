"""A visit's expenses: mileage and other costs the worker had, added after the visit while its
hours wait for the person's answer, and confirmed or queried with the hours (decision 25).

Adding, removing and answering all lock the visit's row first, so an answer covers exactly the
expenses there were when it was given, and nothing is added to hours already answered."""

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.exceptions import ApplicationError, ConflictError
from members import pricing
from members.models import Policy, User
from scheduling import permissions
from scheduling.models import SchedulingPolicy, Visit, VisitExpense
from scheduling.services.notifications import notify_expense_added
from scheduling.services.rules import clean_text, refuse, visit_lock

# Caps that keep a slip of the finger (50000 for 50.00) from reaching a bill.
MILES_MOST = Decimal(500)
AMOUNT_MOST_PENCE = 500_00
NOTE_MAX = 300
EXPENSES_MOST = 20


def _check_open(visit: Visit) -> None:
    """The visit's expenses may still change: delivered, hours not answered, still in time."""
    if visit.checked_out_at is None:
        raise ConflictError(_("Expenses are added once the visit is finished."), code="not_delivered")
    if visit.hours != Visit.Hours.PENDING:
        raise ConflictError(
            _("The hours are answered: their expenses can no longer change."), code="hours_answered"
        )
    if not permissions.expenses_open(visit, now=timezone.now(), policy=SchedulingPolicy.current()):
        raise ConflictError(_("The time to answer the hours has passed."), code="too_late")


def _miles(value: object) -> Decimal:
    message = _("Give the miles, from 0.1 to %(most)s, to one decimal place.") % {"most": MILES_MOST}
    try:
        miles = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise refuse(message, "bad_miles", "miles") from None
    if (
        not miles.is_finite()
        or not Decimal("0.1") <= miles <= MILES_MOST
        or miles != miles.quantize(Decimal("0.1"))
    ):
        raise refuse(message, "bad_miles", "miles")
    return miles.quantize(Decimal("0.1"))


@transaction.atomic
def visit_expense_add(
    *,
    visit: Visit,
    by: User,
    kind: str,
    note: str,
    miles: Decimal | str | None = None,
    amount_pence: int | None = None,
) -> VisitExpense:
    """The visit's worker adds mileage (miles, paid at the co-op's rate a mile, worked out now) or
    another expense (an amount in pence), each with a note the person reads."""
    visit = visit_lock(visit)
    if not permissions.is_visit_worker(by, visit):
        raise refuse(_("Only the worker who did the visit adds its expenses."), "not_allowed")
    _check_open(visit)
    if kind not in VisitExpense.Kind.values:
        raise refuse(_("Choose mileage or another expense."), "bad_kind", "kind")
    note = clean_text(note, NOTE_MAX, "note")
    if not note:
        raise refuse(_("Say what the expense was for: the person reads it."), "note_required", "note")
    if kind == VisitExpense.Kind.MILEAGE:
        if miles is None:
            raise refuse(_("Give the miles."), "bad_miles", "miles")
        counted = _miles(miles)
        amount = pricing.mileage(counted, Policy.current().mileage_pence_per_mile)
        if amount <= 0:
            raise refuse(_("Too few miles to claim."), "bad_miles", "miles")
    else:
        counted = None
        if (
            amount_pence is None
            or isinstance(amount_pence, bool)
            or not isinstance(amount_pence, int)
            or not 1 <= amount_pence <= AMOUNT_MOST_PENCE
        ):
            raise refuse(
                _("Give an amount from 1p to £%(most)s.") % {"most": AMOUNT_MOST_PENCE // 100},
                "bad_amount",
                "amount_pence",
            )
        amount = amount_pence
    if visit.expenses.count() >= EXPENSES_MOST:
        raise ConflictError(
            _("A visit has at most %(n)s expenses.") % {"n": EXPENSES_MOST}, code="too_many_expenses"
        )
    expense = VisitExpense.objects.create(
        visit=visit, kind=kind, miles=counted, amount_pence=amount, note=note, added_by=by
    )
    notify_expense_added(visit, expense, total_pence=expenses_total(visit))
    return expense


@transaction.atomic
def visit_expense_remove(*, expense: VisitExpense, by: User) -> None:
    """The worker who added an expense takes it back, while the hours still wait for an answer."""
    visit = visit_lock(expense.visit)
    found = VisitExpense.objects.filter(pk=expense.pk, visit=visit).first()
    if found is None:
        raise ConflictError(_("This expense is already removed."), code="expense_gone")
    expense = found
    if expense.added_by_id != by.pk:
        raise refuse(_("Only the worker who added an expense removes it."), "not_allowed")
    _check_open(visit)
    VisitExpense.objects.filter(pk=expense.pk).delete()


def expenses_total(visit: Visit) -> int:
    """The visit's expenses not struck, in pence."""
    return sum(VisitExpense.objects.standing().filter(visit=visit).values_list("amount_pence", flat=True))


def check_expenses_seen(visit: Visit, seen: list[int] | None) -> None:
    """An answer covers the expenses its giver was shown: if any was added or removed since (the
    caller holds the visit's lock), it is refused, to be given again on what there is now."""
    if seen is None:
        return
    now = set(VisitExpense.objects.standing().filter(visit=visit).values_list("pk", flat=True))
    if now != set(seen):
        raise ConflictError(
            _("The expenses changed since you looked: see them again before you answer."),
            code="expenses_changed",
        )


def strike_expenses(visit: Visit, *, ids: list[int], by: User) -> list[VisitExpense]:
    """Staff settling a query strike these of the visit's expenses: neither paid nor charged.
    The caller holds the visit's lock, and gives the reason (the settlement's)."""
    if not ids:
        return []
    expenses = list(VisitExpense.objects.standing().filter(visit=visit, pk__in=ids))
    if len(expenses) != len(set(ids)):
        raise ApplicationError(
            _("Strike only expenses of this visit that still stand."),
            code="bad_expense",
            fields={"strike": [_("Not an expense of this visit.")]},
        )
    now = timezone.now()
    VisitExpense.objects.filter(pk__in=[e.pk for e in expenses]).update(struck_at=now, struck_by=by)
    for expense in expenses:
        expense.struck_at, expense.struck_by = now, by
    return expenses
