"""Checks on what members type that any app's forms and API share."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Unicode categories that show nothing by themselves: controls and format characters (zero-width
# spaces, direction overrides and isolates), spaces and separators, marks that combine with a
# character before them, private-use and unassigned code points.
_SHOWS_NOTHING = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Co", "Cn"}
# Characters of other categories that are drawn blank.
_BLANK = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def has_something_to_see(text: str) -> bool:
    return any(ch not in _BLANK and unicodedata.category(ch) not in _SHOWS_NOTHING for ch in text)


def visible_name(value: str) -> None:
    """A name must have at least one character that can be seen: one made only of invisible or
    direction-control characters shows as nothing beside a visit or on the register, or turns
    the text around it backwards."""
    if value and not has_something_to_see(value):
        raise ValidationError(_("Give a name with letters that can be seen."), code="invisible_name")
