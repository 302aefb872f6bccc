from django import template

from carecoop import money

register = template.Library()


@register.filter
def pounds(pence: int | str | None) -> str:
    """1260 → "£12.60". Money is kept in whole pence; it is shown in pounds. A missing value
    reaches a filter as "" (or None) and is shown as nothing."""
    if pence is None or pence == "":
        return ""
    return money.pounds(int(pence))
