"""Faces on cards: a member's photo where the viewer may see it, else their initials in a circle.

Decided from what the card's query already loaded (the profile, its membership and its
visibility), so a page of cards asks nothing more of the database; a photo shown is one whose file
is still kept (a lost one shows as initials).
"""

from typing import Any

from django import template
from django.urls import reverse

from members import profiles
from members import selectors as member_selectors
from members.models import Profile

register = template.Library()


def _initials(name: str) -> str:
    words = [word for word in name.replace("-", " ").split() if word[:1].isalpha()]
    return "".join(word[0] for word in words[:2]).upper() or "?"


@register.inclusion_tag("includes/avatar.html", takes_context=True)
def avatar(
    context: dict[str, Any],
    profile: Profile | None,
    name: str = "",
    size: int = 64,
    shown: bool | None = None,
) -> dict[str, Any]:
    """The photo is shown as a member would see it (or to the member themself and staff): a card
    never shows more than the profile page, whose photo address checks again on every view.
    `shown` is for a page that has already asked (members.selectors.photos_visible_to) with what
    it knows of the user, such as being in the person's team. Decorative (alt="") since the name
    is always beside it."""
    user = context.get("user")
    src = ""
    if shown is not None:
        if shown and profile is not None:
            src = reverse("profile_photo", args=[profile.membership.number])
    elif profile and profile.photo:
        membership = profile.membership
        if user is not None and user.is_authenticated and membership.user_id == user.pk:
            viewer = "self"
        elif user is not None and user.is_staff:
            viewer = "staff"
        else:
            viewer = "member"
        if "photo" in profiles.visible_fields(
            membership.member_class, profile.visibility, viewer
        ) and member_selectors.profile_photo_kept(profile=profile):
            src = reverse("profile_photo", args=[membership.number])
    shown_name = name or (profile.display_name if profile else "")
    return {"src": src, "initials": _initials(shown_name), "size": size}
