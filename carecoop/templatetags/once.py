"""{% sent_once %}: inside a form that creates something, its one-time token (carecoop/once.py).

The page's send-once.js finds it too: the form's button is disabled after the first press, and
"Sending…" is said to screen readers."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from carecoop.once import FORM_FIELD, form_token

register = template.Library()


@register.simple_tag
def sent_once() -> SafeString:
    return format_html(
        '<input type="hidden" name="{}" value="{}" data-sending="{}">',
        FORM_FIELD,
        form_token(),
        _("Sending…"),
    )
