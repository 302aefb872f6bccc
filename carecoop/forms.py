from django import forms

from carecoop.exceptions import ApplicationError


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
