from django import template

from carecoop import money
from members import pricing

register = template.Library()


@register.filter
def paid_an_hour(rate_pence: int | None, share: pricing.Share | None) -> str:
    """A worker's rate as what the person pays an hour, the figure every list and profile shows
    (members.pricing): "£17.63". Nothing when there is no rate."""
    if rate_pence is None or share is None:
        return ""
    return money.pounds(pricing.hourly(int(rate_pence), share).person_pays)


@register.filter
def got_an_hour(rate_pence: int | None, share: pricing.Share | None) -> str:
    """What the worker gets for an hour at their rate, after the co-op's share."""
    if rate_pence is None or share is None:
        return ""
    return money.pounds(pricing.hourly(int(rate_pence), share).worker_gets)


@register.filter
def paid_a_night(rate_pence: int | None, share: pricing.Share | None) -> str:
    """A worker's sleep-in rate as what the person pays a night (members.pricing.night)."""
    if rate_pence is None or share is None:
        return ""
    return money.pounds(pricing.night(int(rate_pence), share).person_pays)


@register.filter
def got_a_night(rate_pence: int | None, share: pricing.Share | None) -> str:
    """What the worker gets for a night's sleep-in, after the co-op's share."""
    if rate_pence is None or share is None:
        return ""
    return money.pounds(pricing.night(int(rate_pence), share).worker_gets)
