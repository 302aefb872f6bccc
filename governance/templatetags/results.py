from decimal import Decimal

from django import template

from governance import results

register = template.Library()


@register.filter
def figure(value: Decimal | int | None) -> str:
    """A count's figure as people read it: 12.50000 → "12.5", 1200 → "1,200"."""
    return "–" if value is None else results.figure(value)


@register.filter
def total_of(totals: dict[int, Decimal], candidate_id: int) -> Decimal:
    """A candidate's votes at one stage of the count (none is nought)."""
    return totals.get(candidate_id, Decimal(0))
