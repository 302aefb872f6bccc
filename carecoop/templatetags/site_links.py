"""{% site_url "meeting_detail" meeting %}: like {% url %}, but the whole address, for emails."""

from django import template

from carecoop.emails import absolute_url

register = template.Library()


@register.simple_tag
def site_url(viewname: str, *args: object) -> str:
    return absolute_url(viewname, *args)
