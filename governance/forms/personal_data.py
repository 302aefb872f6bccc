"""Forms for members' requests about their data, and staff's answers."""

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import DataRequest

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


def _text(label: "_StrPromise") -> forms.CharField:
    """An optional text of a few lines (the models' 1,000 characters at most)."""
    return forms.CharField(
        label=label, required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class DataRequestForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What are you asking for?"), choices=DataRequest.Kind.choices, widget=forms.RadioSelect
    )
    note = _text(_("Anything the office should know (optional)"))


class EraseForm(forms.Form):
    override_reason = _text(_("Why erase before the retention period ends (only if it has not ended)"))


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (DataRequest.Status.DONE, _("Done: a copy sent")),
            (DataRequest.Status.REFUSED, _("Refused")),
        ],
        widget=forms.RadioSelect,
    )
    answer = _text(_("What the member is told"))
