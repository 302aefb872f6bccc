import datetime

from members import services as member_services
from members.models import Skill
from tests.factories import MembershipFactory, make_bookable

T = datetime.time


def nearby_worker(staff, name="Megan Holt", postcode="HX7 8BQ"):
    """A bookable worker with a dementia skill, free on Tuesday mornings, travelling 10 km."""
    worker = make_bookable(MembershipFactory(member_class="worker", legal_name=name), staff)
    member_services.profile_save(
        profile=member_services.profile_get_or_create(membership=worker),
        by=worker.user,
        changes={
            "display_name": name.split()[0],
            "postcode": postcode,
            "hourly_rate_pence": 15_00,
            "travel_radius_km": 10,
            "skills": list(Skill.objects.filter(name="Dementia")),
        },
        weekly_times=[(1, T(8), T(12))],
    )
    return worker


def listed(membership, **choices):
    """Choose who sees which of the member's details (their name on the list of people looking,
    say)."""
    profile = member_services.profile_get_or_create(membership=membership)
    member_services.profile_update(profile=profile, by=membership.user, visibility=choices)
    return profile
