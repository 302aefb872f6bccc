from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _


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


class SignupForm(AllauthSignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _without_placeholders(self)
        self.fields["email"].help_text = _("We will send a link to this address to check it is yours.")
        self.fields["password2"].label = _("Confirm password")
