"""What every app's forms share: the browser's own date and time pickers, and a service's refusal
shown on a form."""

from typing import Any

from django import forms

from carecoop.exceptions import ApplicationError


class DateInput(forms.DateInput):
    """A date picker. Browsers read and write its value as YYYY-MM-DD, whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%Y-%m-%d")


class TimeInput(forms.TimeInput):
    """A time picker, read and written as 24-hour HH:MM."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%H:%M")


class DateTimeInput(forms.DateTimeInput):
    """A day and time picker (the browser's datetime-local), read and written as YYYY-MM-DDTHH:MM."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format=format or "%Y-%m-%dT%H:%M")


def form_add_application_error(
    form: forms.Form, error: ApplicationError, aliases: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: its message at the top, and the message for each
    field beside that field. `aliases` maps a service's argument to the form field that fed it."""
    beside_fields = set()
    for name, messages in error.fields.items():
        name = (aliases or {}).get(name, name)
        if name in form.fields:
            for message in messages:
                form.add_error(name, message)
                beside_fields.add(str(message))
    if str(error.message) not in beside_fields:  # said once, where it belongs
        form.add_error(None, error.message)


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field `name`, declared as a choice field, for choices known only per request."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a choice field")
    return field
