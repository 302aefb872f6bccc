from decimal import Decimal
from typing import Any

from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import ChangePasswordForm as AllauthChangePasswordForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import ResetPasswordKeyForm as AllauthResetPasswordKeyForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from localflavor.gb.forms import GBPostcodeField
from phonenumber_field.formfields import PhoneNumberField

from members.models import GoverningDocument, MemberClass, Membership

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


# --- Applying -----------------------------------------------------------------------------------

CLASS_HINTS = {
    MemberClass.RECEIVER: _(
        "You get care or support, and want to choose your workers and lead your own team."
    ),
    MemberClass.ADVOCATE: _("You are family, a friend or an advocate of someone who gets support."),
    MemberClass.WORKER: _("You give care or support, and want to be chosen and set your own rate."),
    MemberClass.INVESTOR: _("You want to invest in community shares. Investors vote too."),
}


class DateInput(forms.DateInput):
    input_type = "date"


class ApplicationForm(forms.Form):
    member_class = forms.ChoiceField(
        label=_("How do you want to join?"), choices=MemberClass.choices, widget=forms.RadioSelect
    )
    legal_name = forms.CharField(
        label=_("Full legal name"),
        max_length=200,
        help_text=_("As it should appear in the register of members."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    address = forms.CharField(
        label=_("Postal address"),
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
    agree_rules = forms.BooleanField(label=_("I have read the co-op's rules and agree to them."))
    agree_commitment = forms.BooleanField(label=_("I have read the Members' Commitment and agree to it."))

    def __init__(self, *args: Any, investor_bounds: tuple[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        low, high = investor_bounds
        self.fields["investment"].help_text = _(
            "Everyone else buys one £1 share. Investors choose between £%(low)s and £%(high)s."
        ) % {"low": f"{low / 100:,.0f}", "high": f"{high / 100:,.0f}"}

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
        return int(amount * 100)


# --- Staff: deciding applications --------------------------------------------------------------


class PaymentForm(forms.Form):
    reference = forms.CharField(label=_("Payment reference"), max_length=100)
    paid_on = forms.DateField(label=_("Date the money arrived"), widget=DateInput)
    amount = forms.DecimalField(label=_("Amount received (£)"), min_value=Decimal("0.01"), decimal_places=2)

    def amount_pence(self) -> int:
        return int(self.cleaned_data["amount"] * 100)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the applicant is told it)"), widget=forms.Textarea(attrs={"rows": 3})
    )


# --- Staff: the register ------------------------------------------------------------------------


class RegisterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, help_text=_("Name, number, email, address or postcode")
    )
    member_class = forms.ChoiceField(
        label=_("Class"), required=False, choices=[("", _("All classes")), *MemberClass.choices]
    )
    standing = forms.ChoiceField(
        label=_("Members"),
        required=False,
        choices=[("", _("Current and former")), ("current", _("Current only")), ("ceased", _("Former only"))],
    )


class ChangeClassForm(forms.Form):
    member_class = forms.ChoiceField(label=_("New class"), choices=MemberClass.choices)
    reason = forms.CharField(label=_("Reason for the change"), widget=forms.Textarea(attrs={"rows": 2}))


class CeaseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why the membership ended"), choices=Membership.CessationReason.choices
    )
    ceased_on = forms.DateField(label=_("Date it ended"), widget=DateInput)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
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
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 16}))
