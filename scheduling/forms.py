from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from carecoop.forms import DateInput, TimeInput, choice_field
from carecoop.money import pence_from_pounds, pounds
from members.models import Membership, WeeklyTime
from scheduling.models import LateNotice, VisitExpense

OPEN = "open"


class VisitDayField(forms.DateField):
    """A day a visit can be on: far-off years would only overflow the calendar arithmetic."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not 1900 <= value.year <= 2999:
            raise forms.ValidationError(_("Choose a day within the next few years."), code="out_of_range")


class VisitForm(forms.Form):
    """Book a visit, once or every week."""

    worker = forms.ChoiceField(
        label=_("Who"), help_text=_("Someone in your team, or anyone in it who is free (an open visit).")
    )
    day = VisitDayField(label=_("Day"), widget=DateInput())
    starts_at = forms.TimeField(label=_("From"), widget=TimeInput())
    ends_at = forms.TimeField(
        label=_("Until"),
        widget=TimeInput(),
        help_text=_("Earlier than the start means the next morning."),
    )
    sleep_in = forms.BooleanField(label=_("This is a sleep-in"), required=False)
    tasks = forms.CharField(
        label=_("Tasks"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line, for example: Breakfast, Morning medication."),
    )
    notes = forms.CharField(
        label=_("Notes for the worker"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    repeat = forms.BooleanField(label=_("Repeat every week"), required=False)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On these days"),
        choices=WeeklyTime.Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    every_weeks = forms.IntegerField(
        label=_("Every so many weeks"), min_value=1, max_value=8, initial=1, required=False
    )
    until = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=DateInput(),
        help_text=_("Or give a number of visits."),
    )
    count = forms.IntegerField(label=_("Number of visits"), min_value=1, max_value=500, required=False)

    def __init__(self, *args: Any, workers: list[tuple[Membership, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "worker").choices = [(OPEN, _("Anyone in the team (open visit)"))] + [
            (str(worker.number), name) for worker, name in workers
        ]
        self.workers = {str(worker.number): worker for worker, _name in workers}

    def clean_tasks(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["tasks"].splitlines() if line.strip()]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("repeat"):
            if not data.get("weekdays") and data.get("day"):
                data["weekdays"] = [data["day"].weekday()]
            if not data.get("until") and not data.get("count"):
                self.add_error("until", _("Say when the visits end: a date or a number of visits."))
        return data

    def chosen_worker(self) -> Membership | None:
        return self.workers.get(self.cleaned_data["worker"])


class VisitChangeForm(forms.Form):
    day = VisitDayField(label=_("Day"), widget=DateInput())
    starts_at = forms.TimeField(label=_("From"), widget=TimeInput())
    ends_at = forms.TimeField(label=_("Until"), widget=TimeInput())
    tasks = forms.CharField(
        label=_("Tasks"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line."),
    )
    notes = forms.CharField(
        label=_("Notes for the worker"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    scope = forms.ChoiceField(
        label=_("Change"),
        choices=[("this", _("This visit only")), ("following", _("This visit and the following ones"))],
        initial="this",
        widget=forms.RadioSelect,
    )

    def clean_tasks(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["tasks"].splitlines() if line.strip()]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class SeriesCancelForm(forms.Form):
    """Cancelling every visit still to come of a repeating booking: said twice, as it is a lot."""

    prefix = "series"
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    confirm = forms.BooleanField(label=_("Yes, cancel every visit still to come in this booking"))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class RunningLateForm(forms.Form):
    minutes = forms.TypedChoiceField(
        label=_("How late will you be?"),
        choices=LateNotice.Minutes.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("A word for them (optional)"),
        required=False,
        max_length=300,
        help_text=_("The person, their circle and the team see it."),
        widget=forms.TextInput(),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Visit note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}), required=False
    )


class HoursSettleForm(forms.Form):
    """Staff settle queried hours: as they were, or changed, with a reason both sides see."""

    AS_THEY_WERE, CHANGED = "as_they_were", "changed"

    prefix = "settle"
    outcome = forms.ChoiceField(
        label=_("Settle the hours"),
        choices=[(AS_THEY_WERE, _("As they were")), (CHANGED, _("Changed to the time below"))],
        widget=forms.RadioSelect,
        initial=AS_THEY_WERE,
    )
    hours = forms.IntegerField(
        label=_("Hours"),
        min_value=0,
        max_value=24,
        required=False,
        widget=forms.NumberInput(attrs={"class": "input--short"}),
    )
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=0,
        max_value=59,
        required=False,
        widget=forms.NumberInput(attrs={"class": "input--short"}),
    )
    reason = forms.CharField(
        label=_("How, and why (both sides are shown this)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    strike = forms.TypedMultipleChoiceField(
        label=_("Strike these expenses (neither paid nor charged, for the reason above)"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, expenses: Sequence[VisitExpense] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        standing = [expense for expense in expenses if not expense.is_struck]
        if standing:
            choice_field(self, "strike").choices = [
                (expense.pk, f"{pounds(expense.amount_pence)}: {expense.get_kind_display()}, {expense.note}")
                for expense in standing
            ]
        else:
            del self.fields["strike"]

    def struck(self) -> list[int]:
        return list(self.cleaned_data.get("strike") or [])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == self.CHANGED and data.get("hours") is None and data.get("minutes") is None:
            self.add_error("hours", _("Give the time that counts, in hours and minutes."))
        return data

    def counted_minutes(self) -> int | None:
        """The minutes that count, or None for the hours as they were."""
        data = self.cleaned_data
        if data["outcome"] != self.CHANGED:
            return None
        return 60 * (data.get("hours") or 0) + (data.get("minutes") or 0)


class ExpenseForm(forms.Form):
    """The worker adds an expense after the visit, on their phone: mileage or another cost."""

    prefix = "expense"
    kind = forms.ChoiceField(
        label=_("Expense"),
        choices=VisitExpense.Kind.choices,
        widget=forms.RadioSelect,
        initial=VisitExpense.Kind.MILEAGE,
    )
    miles = forms.DecimalField(
        label=_("Miles (for mileage)"),
        min_value=Decimal("0.1"),
        max_value=Decimal(500),
        decimal_places=1,
        max_digits=4,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.1", "class": "input--short", "inputmode": "decimal"}),
    )
    amount = forms.DecimalField(
        label=_("Amount (£, for another expense)"),
        min_value=Decimal("0.01"),
        max_value=Decimal(500),
        decimal_places=2,
        max_digits=5,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "class": "input--short", "inputmode": "decimal"}),
    )
    note = forms.CharField(
        label=_("What it was for"),
        max_length=300,
        help_text=_("For example: to the chemist and back; bus fare; milk and bread for Ruth."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("kind") == VisitExpense.Kind.MILEAGE
            and data.get("miles") is None
            and "miles" not in self.errors
        ):
            self.add_error("miles", _("Give the miles."))
        if (
            data.get("kind") == VisitExpense.Kind.OTHER
            and data.get("amount") is None
            and "amount" not in self.errors
        ):
            self.add_error("amount", _("Give the amount."))
        return data

    def amount_pence(self) -> int | None:
        amount = self.cleaned_data.get("amount")
        return pence_from_pounds(amount) if amount is not None else None


class EmailChoicesForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Email me about"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: Sequence[tuple[str, StrOrPromise]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "kinds").choices = choices


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
