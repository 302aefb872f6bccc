"""Checks every membership service shares: refusals tied to a field, postcodes, phone numbers, ages."""

from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from localflavor.gb.forms import GBPostcodeField
from phonenumber_field.formfields import PhoneNumberField as PhoneNumberFormField

from carecoop.exceptions import ApplicationError


def refuse(message: str, code: str, field: str) -> ApplicationError:
    """A refusal whose message belongs beside one field of the form (or of the API input)."""
    return ApplicationError(message, code=code, fields={field: [message]})


def postcode_clean(value: str) -> str:
    """A UK postcode in its standard form ("hx78ah" → "HX7 8AH"), or a refusal saying why."""
    try:
        return str(GBPostcodeField().clean(value))
    except DjangoValidationError as exc:
        raise ApplicationError(
            _("Enter a full UK postcode, like HX7 8AH."),
            code="invalid_postcode",
            fields={"postcode": [_("Enter a full UK postcode, like HX7 8AH.")]},
        ) from exc


def phone_clean(value: str) -> str:
    """A phone number in international form, "" when none is given, or a refusal saying why."""
    if not str(value or "").strip():
        return ""
    try:
        return str(PhoneNumberFormField(region="GB").clean(value))
    except DjangoValidationError as exc:
        raise ApplicationError(
            _("Enter a phone number we can call, like 01422 123456 or 07123 456789."),
            code="invalid_phone",
            fields={"phone": [_("Enter a UK phone number.")]},
        ) from exc


ADDRESS_MAX_LENGTH = 500


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
