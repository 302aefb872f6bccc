from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecoop.forms import DateInput, choice_field
from carecoop.validators import visible_name
from matching.selectors import SEARCHABLE_GENDERS as SEARCHABLE
from members.models import Gender, Language, LivedExperience, Skill, WeeklyTime

PARTS_OF_DAY = [
    ("", _("Any time")),
    ("morning", _("Morning (until 12)")),
    ("afternoon", _("Afternoon (12 to 5)")),
    ("evening", _("Evening (after 5)")),
]


class WorkerSearchForm(forms.Form):
    skills = forms.ModelMultipleChoiceField(
        label=_("Can help with"),
        queryset=Skill.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ModelChoiceField(
        label=_("Speaks"),
        queryset=Language.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any language"),
    )
    within_km = forms.IntegerField(
        label=_("Within (km)"),
        min_value=1,
        max_value=100,
        required=False,
        widget=forms.NumberInput(attrs={"class": "input--short"}),
    )
    day = forms.TypedChoiceField(
        label=_("Free on"),
        choices=[("", _("Any day")), *WeeklyTime.Weekday.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    part = forms.ChoiceField(label=_("At"), choices=PARTS_OF_DAY, required=False)
    max_rate = forms.DecimalField(
        label=_("Paying up to (£ an hour)"),
        min_value=Decimal("1"),
        max_digits=5,
        decimal_places=2,
        required=False,
        widget=forms.NumberInput(attrs={"class": "input--short", "step": "0.10"}),
    )
    gender = forms.ChoiceField(
        label=_("Gender"),
        choices=[("", _("Any")), *((value, label) for value, label in Gender.choices if value in SEARCHABLE)],
        required=False,
    )
    peer_support = forms.BooleanField(label=_("Offers peer support"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[("distance", _("Nearest first")), ("rate", _("Lowest rate first")), ("name", _("Name"))],
    )


class IntroductionForm(forms.Form):
    message = forms.CharField(
        label=_("Your message"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say hello, and what you are looking for. Up to 500 characters."),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class TeamRoleForm(forms.Form):
    holder = forms.ChoiceField(label=_("Who"))
    name = forms.CharField(
        label=_("Role"),
        max_length=80,
        validators=[visible_name],
        help_text=_("For example: rota holder, medication record holder."),
    )
    review_on = forms.DateField(label=_("Review on"), widget=DateInput)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "holder").choices = people
        self.fields["review_on"].initial = timezone.localdate() + timedelta(days=90)


class NoticeboardForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the team"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PeerSearchForm(forms.Form):
    topic = forms.ModelChoiceField(
        label=_("Lived experience"),
        queryset=LivedExperience.objects.filter(is_active=True),
        required=False,
        empty_label=_("Any"),
    )
