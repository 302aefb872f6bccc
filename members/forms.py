from decimal import Decimal
from typing import Any

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib.auth.hashers import make_password
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrPromise
from localflavor.gb.forms import GBPostcodeField
from phonenumber_field.formfields import PhoneNumberField

from carecoop.forms import DateInput, TimeInput
from carecoop.money import pence_from_pounds, pounds
from carecoop.validators import visible_name
from members.models import (
    Audience,
    Gender,
    GoverningDocument,
    Language,
    LivedExperience,
    MemberClass,
    Membership,
    Skill,
    TrainingCourse,
    User,
    VettingCheck,
    WeeklyTime,
)

# --- Accounts ---------------------------------------------------------------------------------


def _without_placeholders(form: forms.Form) -> None:
    # A placeholder repeating the label vanishes as soon as someone types, and is read twice
    # by screen readers; labels and hints carry the words instead.
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)


class LoginForm(AllauthLoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _without_placeholders(self)
        # allauth puts a "forgot your password?" link between the two fields, where it takes
        # a Tab press on the way to the password; the page offers it after the button instead.
        self.fields["password"].help_text = ""
        if "remember" in self.fields:
            self.fields["remember"].label = _("Keep me logged in on this device")


class ChangePasswordForm(AllauthChangePasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _without_placeholders(self)
        # allauth links "forgot your password?" from inside the form; the page offers it after the button.
        self.fields["oldpassword"].help_text = ""
        self.fields["oldpassword"].label = _("Current password")
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("Confirm new password")


class ResetPasswordForm(AllauthResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _without_placeholders(self)


class ResetPasswordKeyForm(AllauthResetPasswordKeyForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _without_placeholders(self)
        self.fields["password1"].label = _("New password")
        self.fields["password2"].label = _("Confirm new password")


class AddEmailForm(AllauthAddEmailForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _without_placeholders(self)


class SignupForm(AllauthSignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _without_placeholders(self)
        self.fields["email"].help_text = _("We will send a link to this address to check it is yours.")
        self.fields["password2"].label = _("Confirm password")

    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        """An address already registered gets an email saying so and the same page as a new one
        (allauth's ACCOUNT_PREVENT_ENUMERATION); it must take as long too. Hashing the password is
        nearly all of making an account (the answer came 15 times sooner without it), so it is
        hashed, and thrown away, either way."""
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
        return super().try_save(request)


# --- Applying -----------------------------------------------------------------------------------

CLASS_HINTS = {
    MemberClass.RECEIVER: _(
        "You get care or support, and want to choose your workers and lead your own team."
    ),
    MemberClass.ADVOCATE: _("You are family, a friend or an advocate of someone who gets support."),
    MemberClass.WORKER: _("You give care or support, and want to be chosen and set your own rate."),
    MemberClass.INVESTOR: _("You want to invest in community shares. Investors vote too."),
}


class ApplicationForm(forms.Form):
    member_class = forms.ChoiceField(
        label=_("How do you want to join?"), choices=MemberClass.choices, widget=forms.RadioSelect
    )
    legal_name = forms.CharField(
        label=_("Full legal name"),
        max_length=200,
        validators=[visible_name],
        help_text=_("As it should appear in the register of members."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    address = forms.CharField(
        label=_("Postal address"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
        help_text=_("Without the postcode."),
    )
    postcode = GBPostcodeField(
        label=_("Postcode"),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "input--short"}),
    )
    phone = PhoneNumberField(
        label=_("Phone (optional)"),
        required=False,
        region="GB",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        widget=DateInput(attrs={"autocomplete": "bday"}),
        help_text=_("Care and support workers must be 18 or over."),
    )
    reason = forms.CharField(
        label=_("Why do you want to join?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("A few sentences are plenty."),
    )
    investment = forms.DecimalField(
        label=_("Amount to invest, in pounds (investors only)"),
        required=False,
        min_value=Decimal("1"),
        max_digits=9,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "input--short"}),
    )
    rules_version = forms.IntegerField(widget=forms.HiddenInput)
    commitment_version = forms.IntegerField(widget=forms.HiddenInput)
    agree_rules = forms.BooleanField(
        label=_("I have read the co-op's rules and agree to them."),
        error_messages={"required": _("To join, read the co-op's rules and tick to agree to them.")},
    )
    agree_commitment = forms.BooleanField(
        label=_("I have read the Members' Commitment and agree to it."),
        error_messages={"required": _("To join, read the Members' Commitment and tick to agree to it.")},
    )

    def __init__(self, *args: Any, investor_bounds: tuple[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        low, high = investor_bounds
        self.fields["investment"].help_text = _(
            "Everyone else buys one £1 share. Investors choose between %(low)s and %(high)s."
        ) % {"low": pounds(low, whole=True), "high": pounds(high, whole=True)}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("member_class") == MemberClass.INVESTOR and data.get("investment") is None:
            self.add_error("investment", _("Enter how much you want to invest."))
        if data.get("date_of_birth") and data["date_of_birth"] > timezone.localdate():
            self.add_error("date_of_birth", _("Enter your date of birth: it cannot be in the future."))
        return data

    def investment_pence(self) -> int | None:
        amount = self.cleaned_data.get("investment")
        if self.cleaned_data.get("member_class") != MemberClass.INVESTOR or amount is None:
            return None
        return pence_from_pounds(amount)


# --- Staff: deciding applications --------------------------------------------------------------


class PaymentForm(forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=100)
    paid_on = forms.DateField(label=_("Date the money arrived"), widget=DateInput)
    amount = forms.DecimalField(label=_("Amount received (£)"), min_value=Decimal("0.01"), decimal_places=2)

    def amount_pence(self) -> int:
        return pence_from_pounds(self.cleaned_data["amount"])


class RefundForm(forms.Form):
    reference = forms.CharField(label=_("Refund reference"), max_length=100)
    refunded_on = forms.DateField(label=_("Date refunded"), widget=DateInput)


class RegisterDetailsForm(forms.Form):
    legal_name = forms.CharField(label=_("Name"), max_length=200, validators=[visible_name])
    address = forms.CharField(label=_("Address"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    postcode = GBPostcodeField(label=_("Postcode"), widget=forms.TextInput(attrs={"class": "input--short"}))
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the applicant is told it)"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- Staff: the register ------------------------------------------------------------------------


class RegisterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Name, number, email, address or postcode"),
    )
    member_class = forms.ChoiceField(
        label=_("Class"), required=False, choices=[("", _("All classes")), *MemberClass.choices]
    )
    standing = forms.ChoiceField(
        label=_("Members"),
        required=False,
        choices=[("", _("Current and former")), ("current", _("Current only")), ("ceased", _("Former only"))],
    )


class StaffActionFilterForm(forms.Form):
    member = forms.IntegerField(label=_("Member number"), required=False, min_value=1, max_value=2**31 - 1)
    by = forms.ModelChoiceField(
        label=_("Staff member"), required=False, queryset=User.objects.none(), empty_label=_("All staff")
    )

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["by"].queryset = staff  # type: ignore[attr-defined]


class ChangeClassForm(forms.Form):
    member_class = forms.ChoiceField(label=_("New class"), choices=MemberClass.choices)
    reason = forms.CharField(
        label=_("Reason for the change"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class CeaseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why the membership ended"), choices=Membership.CessationReason.choices
    )
    ceased_on = forms.DateField(label=_("Date it ended"), widget=DateInput)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    withdraw_shares = forms.BooleanField(
        label=_("Record the member's shares as withdrawn on the same date"), required=False, initial=True
    )


class ShareTransactionForm(forms.Form):
    shares = forms.IntegerField(label=_("Number of shares"), min_value=1)
    paid_on = forms.DateField(label=_("Date"), widget=DateInput)
    reference = forms.CharField(label=_("Reference (optional)"), required=False, max_length=100)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=GoverningDocument.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=100_000, widget=forms.Textarea(attrs={"rows": 16}))


# --- Profiles -----------------------------------------------------------------------------------


class ProfileForm(forms.Form):
    """The profile page. Built for one member's class: only the fields of that class appear."""

    display_name = forms.CharField(
        label=_("Name to show"),
        max_length=80,
        validators=[visible_name],
        help_text=_("Your first name is enough."),
    )
    photo = forms.ImageField(
        label=_("Photo (optional)"), required=False, help_text=_("A clear, friendly photo of your face.")
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)
    bio = forms.CharField(
        label=_("About me"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    what_matters = forms.CharField(
        label=_("What matters to me"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    support_wanted = forms.ModelMultipleChoiceField(
        label=_("Support I would like"),
        queryset=Skill.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    worker_preferences = forms.CharField(
        label=_("What I look for in a worker"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: a woman, someone who speaks Urdu, someone who likes gardening."),
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("What I can help with"),
        queryset=Skill.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    hourly_rate = forms.DecimalField(
        label=_("My hourly rate (£)"),
        decimal_places=2,
        max_digits=5,
        min_value=Decimal("0"),
        widget=forms.NumberInput(attrs={"step": "0.10", "class": "input--short", "inputmode": "decimal"}),
    )
    sleep_in_rate = forms.DecimalField(
        label=_("My sleep-in rate, a night (£, optional)"),
        decimal_places=2,
        max_digits=5,
        min_value=Decimal("0"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "1", "class": "input--short", "inputmode": "decimal"}),
    )
    travel_radius_km = forms.IntegerField(
        label=_("How far I will travel (km)"),
        min_value=1,
        max_value=100,
        widget=forms.NumberInput(attrs={"class": "input--short"}),
    )
    max_distance_km = forms.IntegerField(
        label=_("Furthest a worker may come from (km, optional)"),
        min_value=1,
        max_value=100,
        required=False,
        widget=forms.NumberInput(attrs={"class": "input--short"}),
    )
    gender = forms.ChoiceField(
        label=_("Gender (optional)"),
        choices=[("", _("Not given")), *Gender.choices],
        required=False,
    )
    gender_self_described = forms.CharField(
        label=_("My gender, in my own words"),
        max_length=60,
        required=False,
        help_text=_("Only if you chose “Prefer to self-describe”."),
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages"),
        queryset=Language.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    interests = forms.CharField(
        label=_("Interests (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example: gardening, football, knitting, local history."),
    )
    postcode = GBPostcodeField(
        label=_("Postcode"),
        required=False,
        help_text=_("Only the area (like HX7) is ever shown; the full postcode stays with the office."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "input--short"}),
    )
    offers_peer_support = forms.BooleanField(
        label=_("I would like to offer peer support to other members"), required=False
    )
    lived_experience = forms.ModelMultipleChoiceField(
        label=_("What I know from my own life"),
        queryset=LivedExperience.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("To be found for peer support, let all members see your lived experience (below)."),
    )

    CLASS_FIELDS: dict[str, tuple[str, ...]] = {
        MemberClass.WORKER: (
            "skills",
            "hourly_rate",
            "sleep_in_rate",
            "travel_radius_km",
            "gender",
            "gender_self_described",
        ),
        MemberClass.RECEIVER: ("what_matters", "support_wanted", "worker_preferences", "max_distance_km"),
    }
    CLASS_ONLY = frozenset(
        {
            "skills",
            "hourly_rate",
            "sleep_in_rate",
            "travel_radius_km",
            "gender",
            "gender_self_described",
            "what_matters",
            "support_wanted",
            "worker_preferences",
            "max_distance_km",
        }
    )

    def __init__(
        self,
        *args: Any,
        member_class: str,
        rate_bounds: tuple[int, int],
        sleep_in_bounds: tuple[int, int] = (0, 0),
        private: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.member_class = member_class
        keep = set(self.CLASS_FIELDS.get(member_class, ()))
        for name in self.CLASS_ONLY - keep:
            del self.fields[name]
        if member_class == MemberClass.RECEIVER:
            self.fields["languages"].label = _("Languages I would like my workers to speak")
            self.fields["bio"].help_text = _("A little about you, for the workers in your team.")
        elif member_class == MemberClass.WORKER:
            self.fields["languages"].label = _("Languages I speak")
            self.fields["bio"].help_text = _("What people see when they choose a worker.")
            low, high = rate_bounds
            self.fields["hourly_rate"].help_text = _(
                "Between %(low)s and %(high)s. The co-op keeps a share, shown on every visit."
            ) % {"low": pounds(low), "high": pounds(high)}
            low, high = sleep_in_bounds
            self.fields["sleep_in_rate"].help_text = _(
                "A flat rate for a night's sleep-in, between %(low)s and %(high)s. "
                "Leave it empty if you do not do sleep-ins."
            ) % {"low": pounds(low), "high": pounds(high)}
        # Who sees what: one choice for each private detail of this class.
        for name, default in private.items():
            self.fields[f"visibility_{name}"] = forms.ChoiceField(
                label=VISIBILITY_LABELS.get(name, name),
                choices=Audience.choices,
                initial=default,
                required=False,  # left out: the choice stays as it was
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("gender") == Gender.SELF_DESCRIBE
            and not (data.get("gender_self_described") or "").strip()
        ):
            self.add_error(
                "gender_self_described", _("Say how you describe your gender, or choose another answer.")
            )
        return data

    def visibility_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("visibility_")]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        changes = {
            name: data[name]
            for name in (
                "display_name",
                "bio",
                "interests",
                "postcode",
                "languages",
                "offers_peer_support",
                "lived_experience",
                *self.CLASS_FIELDS.get(self.member_class, ()),
            )
            if name in self.fields
        }
        if "hourly_rate" in changes:
            changes["hourly_rate_pence"] = pence_from_pounds(changes.pop("hourly_rate"))
        if "sleep_in_rate" in changes:
            night = changes.pop("sleep_in_rate")
            changes["sleep_in_rate_pence"] = None if night is None else pence_from_pounds(night)
        return changes

    def visibility(self) -> dict[str, str]:
        return {
            name.removeprefix("visibility_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("visibility_") and value
        }


VISIBILITY_LABELS = {
    "display_name": _("Who can see my name and find my profile"),
    "photo": _("Who can see my photo"),
    "bio": _("Who can see “About me”"),
    "gender": _("Who can see my gender"),
    "languages": _("Who can see my languages"),
    "interests": _("Who can see my interests"),
    "area": _("Who can see my area (like HX7)"),
    "weekly_times": _("Who can see my times"),
    "lived_experience": _("Who can see my lived experience"),
    "what_matters": _("Who can see what matters to me"),
    "support_wanted": _("Who can see the support I would like"),
    "worker_preferences": _("Who can see what I look for in a worker"),
}


class WeeklyTimeForm(forms.Form):
    weekday = forms.TypedChoiceField(
        label=_("Day"),
        choices=[("", _("Choose a day")), *WeeklyTime.Weekday.choices],
        coerce=int,
        required=False,
        empty_value=None,
    )
    starts = forms.TimeField(label=_("From"), widget=TimeInput, required=False)
    ends = forms.TimeField(label=_("Until"), widget=TimeInput, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = [
            data.get("weekday") is not None,
            data.get("starts") is not None,
            data.get("ends") is not None,
        ]
        if any(filled) and not all(filled):
            raise forms.ValidationError(_("Give the day, and the times from and until."))
        if all(filled) and data["starts"] >= data["ends"]:
            self.add_error("ends", _("The end must be after the start."))
        return data


WeeklyTimeFormSet = forms.formset_factory(WeeklyTimeForm, extra=2, can_delete=True, max_num=21)


# --- Staff: vetting -----------------------------------------------------------------------------


class VettingCheckForm(forms.Form):
    """One kind of check; built with only the fields that kind needs."""

    issued_on = forms.DateField(label=_("Date issued"), widget=DateInput)
    certificate_number = forms.CharField(label=_("Certificate number (12 digits)"), max_length=20)
    dbs_level = forms.ChoiceField(label=_("Level"), choices=VettingCheck.DbsLevel.choices)
    update_service = forms.BooleanField(label=_("On the DBS Update Service"), required=False)
    update_service_checked_on = forms.DateField(
        label=_("Update Service status checked on (if on it)"), required=False, widget=DateInput
    )
    document = forms.CharField(
        label=_("Document seen"), max_length=120, help_text=_("For example: British passport, share code.")
    )
    course = forms.ModelChoiceField(label=_("Course"), queryset=TrainingCourse.objects.filter(is_active=True))
    referee_name = forms.CharField(label=_("Referee"), max_length=120, validators=[visible_name])
    referee_relationship = forms.CharField(
        label=_("How they know the worker"), max_length=120, required=False
    )
    satisfactory = forms.TypedChoiceField(
        label=_("Was the reference satisfactory?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    expires_on = forms.DateField(
        label=_("Expires on (leave empty if it does not expire)"), required=False, widget=DateInput
    )
    notes = forms.CharField(
        label=_("Notes (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    FIELDS: dict[str, tuple[str, ...]] = {
        VettingCheck.Kind.DBS: (
            "issued_on",
            "certificate_number",
            "dbs_level",
            "update_service",
            "update_service_checked_on",
            "notes",
        ),
        VettingCheck.Kind.RIGHT_TO_WORK: ("issued_on", "document", "expires_on", "notes"),
        VettingCheck.Kind.TRAINING: ("course", "issued_on", "expires_on", "notes"),
        VettingCheck.Kind.REFERENCE: (
            "referee_name",
            "referee_relationship",
            "satisfactory",
            "issued_on",
            "notes",
        ),
    }
    ISSUED_LABELS: dict[str, StrPromise] = {
        VettingCheck.Kind.DBS: _("Date issued"),
        VettingCheck.Kind.RIGHT_TO_WORK: _("Date checked"),
        VettingCheck.Kind.TRAINING: _("Date completed"),
        VettingCheck.Kind.REFERENCE: _("Date received"),
    }

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = self.FIELDS[kind]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.fields["issued_on"].label = self.ISSUED_LABELS[kind]


class CircleInviteForm(forms.Form):
    name = forms.CharField(
        label=_("Their name"),
        max_length=120,
        validators=[visible_name],
        help_text=_("As you call them, so your team knows who they are."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("Their email address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    can_view_care = forms.BooleanField(label=_("See my profile and care log"), required=False, initial=True)
    can_book = forms.BooleanField(label=_("Book visits for me"), required=False)
    can_manage_team = forms.BooleanField(label=_("Manage my team"), required=False)


class EmergencyContactForm(forms.Form):
    """Optional: all three left empty removes the contact. The phone is checked by the service."""

    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=120,
        validators=[visible_name],
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    relationship = forms.CharField(
        label=_("Relationship"),
        required=False,
        max_length=80,
        help_text=_("For example: daughter, neighbour, GP."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "class": "input--short"}),
    )
