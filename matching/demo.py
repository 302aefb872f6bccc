"""The demo co-op's teams (see the seed_demo command): Ruth has chosen Megan, on trial; Tom has
asked to meet Arthur; Samina is listed for workers to find; Liam offers peer support."""

from django.db import transaction

from matching import services
from matching.models import Introduction, TeamMember
from members import selectors as member_selectors
from members import services as member_services
from members.models import Membership


def _member(name: str) -> Membership:
    return Membership.objects.current().get(legal_name=name)


@transaction.atomic
def seed() -> list[object]:
    ruth, megan = _member("Ruth Sutcliffe"), _member("Megan Holt")
    arthur, tom = _member("Arthur Greenwood"), _member("Tom Ackroyd")
    samina, liam = _member("Samina Akhtar"), _member("Liam Brennan")

    for person, choices in (
        (arthur, {"display_name": "members", "support_wanted": "members"}),
        (samina, {"display_name": "members", "support_wanted": "members", "area": "members"}),
    ):
        profile = member_selectors.profile_get_for_membership(membership=person)
        if profile is not None:
            member_services.profile_update(profile=profile, by=person.user, visibility=choices)
    if not TeamMember.objects.filter(receiver=ruth, member=megan).exists():
        introduction = services.introduction_send(
            by=ruth.user,
            receiver=ruth,
            supporter=megan,
            from_receiver=True,
            message="Hello Megan, I would like some company on weekday mornings, and help with my tablets.",
        )
        services.introduction_accept(introduction=introduction, by=megan.user)
    if not Introduction.objects.filter(receiver=arthur, supporter=tom).exists():
        services.introduction_send(
            by=tom.user,
            receiver=arthur,
            supporter=tom,
            from_receiver=False,
            message="Hello Arthur, I drive and I like football: I could take you to appointments and the shops.",
        )
    liam_profile = member_selectors.profile_get_for_membership(membership=liam)
    if liam_profile is not None:
        member_services.profile_update(
            profile=liam_profile, by=liam.user, visibility={"lived_experience": "members"}
        )
    return []
