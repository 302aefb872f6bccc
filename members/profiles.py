"""Who may see which detail of a profile.

Each detail in PRIVATE_FIELDS has a default audience for each class of member; the person can
change it. Care data (what matters to a person, the support they want, their preferences)
starts at "team": only their team, their circle of support and staff see it. A person getting
support is not even listed to other members (their name starts at "team") until they choose to
be; lived experience, often about health, starts at "team" too. The person and staff always
see everything.
"""

from typing import Final

from members.models import Audience, MemberClass

# field name → default audience, for each class of member
PRIVATE_FIELDS: Final[dict[str, dict[str, str]]] = {
    MemberClass.WORKER: {
        "photo": Audience.MEMBERS,
        "bio": Audience.MEMBERS,
        "gender": Audience.MEMBERS,
        "languages": Audience.MEMBERS,
        "interests": Audience.MEMBERS,
        "area": Audience.MEMBERS,
        "weekly_times": Audience.MEMBERS,
        "lived_experience": Audience.TEAM,
    },
    MemberClass.RECEIVER: {
        "display_name": Audience.TEAM,
        "photo": Audience.TEAM,
        "bio": Audience.TEAM,
        "what_matters": Audience.TEAM,
        "support_wanted": Audience.TEAM,
        "worker_preferences": Audience.TEAM,
        "languages": Audience.TEAM,
        "interests": Audience.TEAM,
        "area": Audience.TEAM,
        "weekly_times": Audience.TEAM,
        "lived_experience": Audience.TEAM,
    },
    MemberClass.ADVOCATE: {
        "display_name": Audience.TEAM,
        "photo": Audience.MEMBERS,
        "bio": Audience.MEMBERS,
        "languages": Audience.MEMBERS,
        "interests": Audience.MEMBERS,
        "area": Audience.TEAM,
        "lived_experience": Audience.TEAM,
    },
    MemberClass.INVESTOR: {
        "display_name": Audience.MEMBERS,
        "photo": Audience.MEMBERS,
        "bio": Audience.MEMBERS,
        "interests": Audience.MEMBERS,
        "area": Audience.STAFF,
        "lived_experience": Audience.TEAM,
    },
}

# Shown to every member whatever the choices: what being found needs.
ALWAYS_SHOWN_TO_MEMBERS: Final[dict[str, frozenset[str]]] = {
    MemberClass.WORKER: frozenset(
        {"display_name", "skills", "hourly_rate", "sleep_in_rate", "travel_radius_km", "offers_peer_support"}
    ),
    MemberClass.RECEIVER: frozenset({"offers_peer_support"}),
    MemberClass.ADVOCATE: frozenset({"offers_peer_support"}),
    MemberClass.INVESTOR: frozenset({"offers_peer_support"}),
}

# Who sees what, from most to least trusted. A viewer sees a field when the audience chosen for
# it is at or below the viewer's place in this order.
VIEWER_REACH: Final[dict[str, frozenset[str]]] = {
    "self": frozenset({Audience.MEMBERS, Audience.TEAM, Audience.STAFF}),
    "staff": frozenset({Audience.MEMBERS, Audience.TEAM, Audience.STAFF}),
    "team": frozenset({Audience.MEMBERS, Audience.TEAM}),
    "member": frozenset({Audience.MEMBERS}),
}


def private_fields_for(member_class: str) -> dict[str, str]:
    return PRIVATE_FIELDS.get(member_class, {})


def visibility_with_defaults(member_class: str, chosen: dict[str, str]) -> dict[str, str]:
    defaults = private_fields_for(member_class)
    return {name: chosen.get(name, default) for name, default in defaults.items()}


def visible_fields(member_class: str, chosen: dict[str, str], viewer: str | None) -> frozenset[str]:
    """The details of a profile a viewer ("self", "staff", "team", "member" or None) may see."""
    if viewer is None:
        return frozenset()
    reach = VIEWER_REACH[viewer]
    visibility = visibility_with_defaults(member_class, chosen)
    shown = {name for name, audience in visibility.items() if audience in reach}
    return frozenset(shown | ALWAYS_SHOWN_TO_MEMBERS.get(member_class, frozenset()))
