"""The staff's forms for a year's surplus, the board's allocation, the AGM's approval and interest
on shares. Amounts are typed in pounds and kept in pence; the rules are the services'."""

from decimal import Decimal

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from carecoop.forms import DateInput
from carecoop.money import pence_from_pounds
from governance.models import Motion


class PoundsField(forms.DecimalField):
    """An amount in pounds and pence, nothing or more, read as whole pence."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(
            min_value=Decimal(0),
            max_digits=12,
            decimal_places=2,
            **kwargs,  # type: ignore[arg-type]
        )
        self.widget.attrs.update({"inputmode": "decimal", "step": "0.01"})

    def pence(self, value: Decimal) -> int:
        return pence_from_pounds(value)


class FinancialYearForm(forms.Form):
    starts = forms.DateField(label=_("First day of the year"), widget=DateInput())
    ends = forms.DateField(label=_("Last day of the year"), widget=DateInput())
    surplus = PoundsField(label=_("Surplus (£)"), help_text=_("As the year's accounts show it."))


ALLOCATION_FIELDS = (
    ("reserve_pence", _("To the reserve (£)")),
    ("community_pence", _("To the community fund (£)")),
    ("workers_pence", _("Workers' pool (£), shared by confirmed hours worked")),
    ("receivers_pence", _("Pool of people getting support (£), shared by confirmed hours received")),
    ("advocates_pence", _("Advocates' pool (£)")),
    ("investors_pence", _("Investors' pool (£)")),
)


class AllocationForm(forms.Form):
    """The board's proposal: every penny of the surplus goes somewhere."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, label in ALLOCATION_FIELDS:
            self.fields[name] = PoundsField(label=label, initial=Decimal(0))

    def pence(self) -> dict[str, int]:
        return {name: pence_from_pounds(self.cleaned_data[name]) for name, _label in ALLOCATION_FIELDS}


def _motion_label(motion: Motion) -> str:
    return f"{motion.title} ({motion.meeting.title})"


class ApprovalForm(forms.Form):
    motion = forms.ModelChoiceField(
        label=_("The AGM motion that approved it"),
        queryset=Motion.objects.none(),
        help_text=_("Carried motions of AGMs held after the year ended."),
    )

    def __init__(self, *args: object, motions: QuerySet[Motion], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["motion"]
        if not isinstance(field, forms.ModelChoiceField):
            raise TypeError("motion is a choice of motions")
        field.queryset = motions
        field.label_from_instance = _motion_label  # type: ignore[method-assign,assignment]


class InterestForm(forms.Form):
    rate_percent = forms.DecimalField(
        label=_("Interest rate (% a year)"),
        min_value=Decimal("0.01"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Paid on each investor's capital for the days they held it."),
    )
