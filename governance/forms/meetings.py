"""The browser's forms for meetings, motions, requisitions and the meeting rules. They check the
shape of what is typed; the rules themselves are the services' (their refusals come back onto
the form through carecoop.forms.form_add_application_error)."""

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from carecoop.forms import DateTimeInput, choice_field
from governance.models import GovernancePolicy, Majority, Meeting


class MeetingTimeField(forms.DateTimeField):
    """A time a meeting can be at: far-off years would only overflow the date arithmetic."""

    widget = DateTimeInput()

    def validate(self, value: Any) -> None:
        super().validate(value)
        if isinstance(value, datetime) and not 1900 <= value.year <= 2999:
            raise forms.ValidationError(_("Choose a day within the next few years."), code="out_of_range")


class MeetingForm(forms.Form):
    """Call a general meeting."""

    kind = forms.ChoiceField(label=_("Kind of meeting"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    format = forms.ChoiceField(
        label=_("Where it happens"), choices=Meeting.Format.choices, widget=forms.RadioSelect
    )
    starts_at = MeetingTimeField(
        label=_("Starts"), help_text=_("Members must have the notice the rules ask for before this day.")
    )
    ends_at = MeetingTimeField(label=_("Ends"))
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The room and address. Needed unless the meeting is online only."),
    )
    online_link = forms.URLField(
        label=_("Link to join online"),
        required=False,
        assume_scheme="https",
        help_text=_("Needed unless the meeting is in person only."),
    )
    agenda = forms.CharField(
        label=_("Agenda"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One item a line. Every member is sent it with the notice."),
    )
    requisition = forms.IntegerField(required=False, widget=forms.HiddenInput)


class MeetingAmendForm(MeetingForm):
    """Correct a called meeting's details. Its kind, and the requisition it answers, stay."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]
        del self.fields["requisition"]
        self.fields["starts_at"].help_text = _(
            "A new date needs the notice the rules ask for, counted from today."
        )
        self.fields["agenda"].help_text = _(
            "A changed agenda is new notice: it needs the clear days the rules ask for, counted from today."
        )


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(
        label=_("File"), help_text=_("A PDF, OpenDocument, Word, Excel, text or CSV file of 20 MB or less.")
    )


class MembershipNumberForm(forms.Form):
    """A member named by their membership number, as on their card and the register."""

    number = forms.IntegerField(
        label=_("Membership number"), min_value=1, max_value=2_147_483_647, widget=forms.NumberInput()
    )

    def __init__(self, *args: Any, label: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["number"].label = label
        self.fields["number"].widget.attrs.update({"inputmode": "numeric", "class": "input--short"})


class ChairForm(MembershipNumberForm):
    prefix = "chair"
    number = forms.IntegerField(
        label=_("Membership number of the chair"),
        min_value=1,
        max_value=2_147_483_647,
        required=False,
        help_text=_("Leave empty for no chair yet."),
    )


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("Minutes"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 16}))


class MinutesApproveForm(forms.Form):
    prefix = "approve"
    at_meeting = forms.TypedChoiceField(label=_("Approved at"), coerce=int)

    def __init__(self, *args: Any, meetings: list[Meeting], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "at_meeting").choices = [
            (m.pk, f"{m.title} ({timezone.localtime(m.starts_at):%-d %B %Y})") for m in meetings
        ]


class MotionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text of the motion"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Usually it begins “That …”."),
    )
    majority = forms.ChoiceField(
        label=_("Kind of resolution"),
        choices=Majority.choices,
        initial=Majority.ORDINARY,
        widget=forms.RadioSelect,
        help_text=_("Changes to the rules need a special resolution."),
    )
    by_board = forms.BooleanField(
        label=_("Proposed by the board"),
        required=False,
        help_text=_("A board motion needs no seconder; it goes on the agenda as the board's."),
    )

    def __init__(self, *args: Any, staff: bool, amendment: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["by_board"]
        if amendment:
            # An amendment is decided by a simple majority; it gives the whole text as amended.
            del self.fields["majority"]
            self.fields["text"].label = _("The motion's whole text, as amended")
            self.fields["text"].help_text = _("Change the text below to read as you propose it should.")


class MotionReviseForm(forms.Form):
    text = forms.CharField(label=_("New text"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 8}))
    note = forms.CharField(
        label=_("What changed (optional)"),
        required=False,
        max_length=200,
        help_text=_("For example: “Corrected the year of the accounts.”"),
    )


class RequisitionForm(forms.Form):
    purpose = forms.CharField(
        label=_("What the meeting is for"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Say what members would decide. Your signature is added at once."),
    )


# --- The meeting and voting rules -----------------------------------------------------------------

POLICY_BOUNDS: dict[str, tuple[int, int]] = {
    "notice_clear_days": (0, 365),
    "requisition_percent": (1, 100),
    "requisition_max_signatures": (1, 100_000),
    "quorum_percent": (1, 100),
    "quorum_max_members": (1, 100_000),
    "max_proxies": (1, 100),
    "investor_cap_percent": (1, 99),
    "share_receivers_percent": (0, 100),
    "share_workers_percent": (0, 100),
    "share_investors_percent": (0, 100),
    "seats_receivers": (0, 100),
    "seats_workers": (0, 100),
    "seats_investors": (0, 100),
}
POLICY_FIELDS = [
    "notice_clear_days",
    "requisition_percent",
    "requisition_max_signatures",
    "quorum_percent",
    "quorum_max_members",
    "quorum_counts_proxies",
    "max_proxies",
    "weighting",
    "investor_cap_percent",
    "share_receivers_percent",
    "share_workers_percent",
    "share_investors_percent",
    "seats_receivers",
    "seats_workers",
    "seats_investors",
]
POLICY_GROUPS = [
    (
        _("Notice and requisitions"),
        ["notice_clear_days", "requisition_percent", "requisition_max_signatures"],
    ),
    (
        _("Quorum and proxies"),
        ["quorum_percent", "quorum_max_members", "quorum_counts_proxies", "max_proxies"],
    ),
    (
        _("Weighting of votes"),
        [
            "weighting",
            "investor_cap_percent",
            "share_receivers_percent",
            "share_workers_percent",
            "share_investors_percent",
        ],
    ),
    (_("Board seats"), ["seats_receivers", "seats_workers", "seats_investors"]),
]


class GovernancePolicyForm(forms.Form):
    """Every number of the meeting and voting rules. A plain form (not a ModelForm), so that the
    service, not the model's constraints, says what is wrong with the shares."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(GovernancePolicy, fields=POLICY_FIELDS))
        for name, (low, high) in POLICY_BOUNDS.items():
            made = self.fields[name]
            self.fields[name] = forms.IntegerField(
                label=made.label, help_text=made.help_text, min_value=low, max_value=high
            )
            self.fields[name].widget.attrs.update({"class": "input--short", "inputmode": "numeric"})
        # The stubs give the getter the setter's wide type; Django has made the choices a list.
        choices = choice_field(self, "weighting").choices
        self.fields["weighting"].widget = forms.RadioSelect(choices=choices)  # type: ignore[arg-type]
        self.fields["investor_cap_percent"].help_text = _("Used only with the investors' cap.")
        for name in ("share_receivers_percent", "share_workers_percent", "share_investors_percent"):
            self.fields[name].help_text = _("Used only with fixed shares; the three add up to 100.")

    def groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(title), [self[name] for name in names]) for title, names in POLICY_GROUPS]
