"""Finding each other: searching workers, ranked suggestions with reasons, teams.

Distance is filtered in the database: first a bounding box on the indexed latitude and
longitude, then the great-circle distance, so no query loads every profile into Python.
"""

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Greatest, Sqrt
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carecoop.db import ListOf, number_from_text
from carecoop.personal_data import Section, sections
from matching.models import Introduction, MatchingPolicy, NoticeboardPost, TeamMember, TeamRole
from members import geo
from members import selectors as member_selectors
from members.models import (
    Audience,
    Gender,
    Language,
    MemberClass,
    Membership,
    Policy,
    Profile,
    Skill,
    User,
    WeeklyTime,
)

RADIUS_LIMIT_KM = 100
# A gender one may look for: words from the list (a self-description is the person's own, not a filter).
SEARCHABLE_GENDERS = frozenset({Gender.WOMAN, Gender.MAN, Gender.NON_BINARY})
SUGGESTIONS = 20
DAY_PARTS = (
    (time(0), time(12), "morning"),
    (time(12), time(17), "afternoon"),
    (time(17), time(23, 59), "evening"),
)


@dataclass(frozen=True)
class TimeWanted:
    weekday: int
    starts: time
    ends: time


@dataclass
class WorkerCriteria:
    """What someone looks for in a worker. Every part is optional."""

    skills: list[Skill] = field(default_factory=list)
    language: Language | None = None
    near: geo.Point | None = None
    within_km: int | None = None
    available: list[TimeWanted] = field(default_factory=list)
    max_rate_pence: int | None = None
    gender: str = ""
    peer_support: bool = False
    sort: str = "distance"


def _distance_km(point: geo.Point) -> Any:
    """Distance from a point to a profile's district, as a database expression.

    A flat-earth (equirectangular) distance: within the 100 km a search may reach it differs from
    the great-circle distance by well under 1 %, far less than the kilometre or two that district
    centroids are good to, and it needs no trigonometry on every row (tested against
    `geo.distance_km`)."""
    km_per_degree = geo.EARTH_RADIUS_KM * math.pi / 180
    north = Value(km_per_degree) * (F("latitude") - Value(point.latitude))
    east = Value(km_per_degree * math.cos(math.radians(point.latitude))) * (
        F("longitude") - Value(point.longitude)
    )
    return ExpressionWrapper(Sqrt(north * north + east * east), output_field=FloatField())


def _free_at(wanted: TimeWanted) -> Exists:
    return Exists(
        WeeklyTime.objects.filter(
            profile=OuterRef("pk"),
            kind=WeeklyTime.Kind.AVAILABLE,
            weekday=wanted.weekday,
            starts__lt=wanted.ends,
            ends__gt=wanted.starts,
        )
    )


def _skill_names() -> ListOf:
    """The names of the skills a worker offers, in order, read in the same query."""
    return ListOf(
        Profile.skills.through.objects.filter(profile=OuterRef("pk"))
        .order_by("skill__name")
        .values(v=F("skill__name"))
    )


def worker_profiles(*, on: date) -> QuerySet[Profile]:
    """Profiles of the workers who may be booked that day (rule 3): the only ones to find.

    Uses each membership's kept `bookable_until` (an indexed date) rather than re-deriving rule 3
    for every worker in every search; introductions and booking ask the exact rule."""
    return Profile.objects.filter(
        membership__member_class=MemberClass.WORKER,
        membership__date_admitted__lte=on,
        membership__bookable_until__gte=on,
    ).filter(Q(membership__date_ceased__isnull=True) | Q(membership__date_ceased__gt=on))


def _with_asking(profiles: QuerySet[Profile], receiver: Membership | None) -> QuerySet[Profile]:
    """Each worker with `in_team` and `asked` (an introduction waiting) for the person looking,
    so that a card offers "Ask to meet" only where it can be asked."""
    if receiver is None:
        return profiles.annotate(in_team=Value(False), asked=Value(False))
    return profiles.annotate(
        in_team=Exists(
            TeamMember.objects.active().filter(receiver=receiver, member_id=OuterRef("membership_id"))
        ),
        asked=Exists(
            Introduction.objects.filter(
                receiver=receiver,
                supporter_id=OuterRef("membership_id"),
                kind=Introduction.Kind.CARE,
                status=Introduction.Status.PENDING,
            )
        ),
    )


# A profile's free texts: never shown in a list of results.
_PROFILE_TEXTS = ("bio", "interests", "what_matters", "worker_preferences")


def worker_search(
    *, criteria: WorkerCriteria, on: date, receiver: Membership | None = None
) -> QuerySet[Profile]:
    """Workers matching every criterion given, each with `skill_names`, `checks_current` (for the
    "checks up to date" badge), `in_team` and `asked` for the person looking (see _with_asking),
    and `distance_km` when `near` is given."""
    profiles = _with_asking(
        worker_profiles(on=on)
        .select_related("membership")
        # What a result shows is the worker's name, rates, skills and how far they are; what
        # they wrote about themselves is for their profile's page.
        .defer(*_PROFILE_TEXTS)
        .annotate(
            skill_names=_skill_names(),
            checks_current=member_selectors.checks_current_kept(on, via="membership__"),
        ),
        receiver,
    )
    for skill in criteria.skills:
        profiles = profiles.filter(
            Exists(Profile.skills.through.objects.filter(profile=OuterRef("pk"), skill=skill))
        )
    if criteria.language is not None:
        profiles = profiles.filter(
            Exists(
                Profile.languages.through.objects.filter(profile=OuterRef("pk"), language=criteria.language)
            )
        )
    for wanted in criteria.available:
        profiles = profiles.filter(_free_at(wanted))
    if criteria.max_rate_pence is not None:
        profiles = profiles.filter(hourly_rate_pence__lte=criteria.max_rate_pence)
    if criteria.gender:
        # Only a gender the worker shows to members can be searched for.
        shown = Q(visibility__gender=Audience.MEMBERS) | ~Q(visibility__has_key="gender")
        profiles = profiles.filter(shown, gender=criteria.gender)
    if criteria.peer_support:
        profiles = profiles.filter(offers_peer_support=True)
    if criteria.near is not None:
        limit = min(criteria.within_km or RADIUS_LIMIT_KM, RADIUS_LIMIT_KM)
        south, north, west, east = geo.bounding_box(criteria.near, limit)
        # Within the searcher's limit, and within the distance the worker says they travel.
        profiles = (
            profiles.filter(latitude__range=(south, north), longitude__range=(west, east))
            .annotate(distance_km=_distance_km(criteria.near))
            .filter(distance_km__lte=limit)
            .filter(distance_km__lte=F("travel_radius_km"))
        )
    order = {
        "distance": ("distance_km", "hourly_rate_pence", "display_name", "pk")
        if criteria.near
        else ("display_name", "pk"),
        "rate": ("hourly_rate_pence", "display_name", "pk"),
        "name": ("display_name", "pk"),
    }.get(criteria.sort, ("display_name", "pk"))
    return profiles.order_by(*order)


# --- Suggestions ------------------------------------------------------------------------------


@dataclass
class Suggestion:
    profile: Profile
    score: int
    distance_km: float | None
    reasons: list[str]
    misfits: list[str]


def _times_needed(profile: Profile) -> list[TimeWanted]:
    return [
        TimeWanted(t.weekday, t.starts, t.ends)
        for t in profile.weekly_times.all()
        if t.kind == WeeklyTime.Kind.NEEDED
    ]


def suggestions_for(*, receiver: Profile, on: date, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """Workers ranked for a person getting support, best first, each with a score from 0 to 100
    and, in plain words, what fits and what does not. The same input gives the same order.

    Candidates are the bookable workers whose travel radius reaches the person (and within the
    person's own limit); the score is computed in the database and only the best are loaded.
    """
    if receiver.latitude is None or receiver.longitude is None:
        return []
    policy = MatchingPolicy.current()
    coop = Policy.current()
    point = geo.Point(receiver.latitude, receiver.longitude)
    wanted_skills = list(receiver.support_wanted.all())
    preferred = list(receiver.languages.all())
    times = _times_needed(receiver)
    in_team = TeamMember.objects.filter(receiver_id=receiver.membership_id).active().values("member_id")
    candidates = worker_search(
        criteria=WorkerCriteria(near=point, within_km=receiver.max_distance_km),
        on=on,
        receiver=receiver.membership,
    ).exclude(membership_id__in=in_team)

    skill_hits: Any = Value(0)
    for skill in wanted_skills:
        offers = Exists(Profile.skills.through.objects.filter(profile=OuterRef("pk"), skill=skill))
        skill_hits = skill_hits + Case(When(offers, then=Value(1)), default=Value(0))
    time_hits: Any = Value(0)
    for wanted in times:
        time_hits = time_hits + Case(When(_free_at(wanted), then=Value(1)), default=Value(0))
    language_hit: Any = Value(1)
    if preferred:
        language_hit = Case(
            When(
                Exists(
                    Profile.languages.through.objects.filter(profile=OuterRef("pk"), language__in=preferred)
                ),
                then=Value(1),
            ),
            default=Value(0),
        )
    limit_km = float(min(receiver.max_distance_km or RADIUS_LIMIT_KM, RADIUS_LIMIT_KM))
    rate_span = float(max(coop.hourly_rate_max_pence - coop.hourly_rate_min_pence, 1))
    weights = {
        "skills": policy.weight_skills,
        "availability": policy.weight_availability,
        "distance": policy.weight_distance,
        "languages": policy.weight_languages,
        "rate": policy.weight_rate,
    }
    total = float(sum(weights.values()) or 1)
    parts = [
        Value(weights["skills"] / total / max(len(wanted_skills), 1)) * Cast(skill_hits, FloatField())
        if wanted_skills
        else Value(weights["skills"] / total),
        Value(weights["availability"] / total / max(len(times), 1)) * Cast(time_hits, FloatField())
        if times
        else Value(weights["availability"] / total),
        Value(weights["distance"] / total)
        * Greatest(Value(0.0), Value(1.0) - F("distance_km") / Value(max(limit_km, 1.0))),
        Value(weights["languages"] / total) * Cast(language_hit, FloatField()),
        Value(weights["rate"] / total)
        * Greatest(
            Value(0.0),
            Value(1.0)
            - Cast(
                Coalesce(F("hourly_rate_pence"), Value(coop.hourly_rate_max_pence))
                - Value(coop.hourly_rate_min_pence),
                FloatField(),
            )
            / Value(rate_span),
        ),
    ]
    score: Any = parts[0]
    for part in parts[1:]:
        score = score + part
    # What the reasons need is read in the same query, as arrays and flags; PostgreSQL works
    # them out for the best rows only, after the sort and limit.
    ranked = (
        candidates.annotate(score=ExpressionWrapper(Value(100.0) * score, output_field=FloatField()))
        .annotate(
            skill_ids=ListOf(
                Profile.skills.through.objects.filter(profile=OuterRef("pk")).values(v=F("skill_id"))
            ),
            language_ids=ListOf(
                Profile.languages.through.objects.filter(profile=OuterRef("pk")).values(v=F("language_id"))
            ),
            free_slots=ListOf(
                WeeklyTime.objects.filter(profile=OuterRef("pk"), kind=WeeklyTime.Kind.AVAILABLE).values(
                    v=Concat(
                        Cast("weekday", CharField()),
                        Value(" "),
                        Cast("starts", CharField()),
                        Value(" "),
                        Cast("ends", CharField()),
                    )
                )
            ),
        )
        .order_by("-score", "distance_km", "pk")[:limit]
    )
    # Words that are the same for every suggestion are translated once.
    time_words = {wanted: _describe_time(wanted) for wanted in times}
    return [
        _explain(
            profile, wanted_skills=wanted_skills, preferred=preferred, times=times, time_words=time_words
        )
        for profile in ranked
    ]


def _part_of_day(starts: time) -> str:
    for begins, ends, name in DAY_PARTS:
        if begins <= starts < ends:
            return name
    return "evening"


def _describe_time(wanted: TimeWanted) -> str:
    day = WeeklyTime.Weekday(wanted.weekday).label
    part = {"morning": _("mornings"), "afternoon": _("afternoons"), "evening": _("evenings")}[
        _part_of_day(wanted.starts)
    ]
    return f"{day} {part}"


def _slot(text: str) -> tuple[int, time, time]:
    """A free time as the suggestions query gives it: "weekday starts ends"."""
    weekday, starts, ends = text.split()
    return int(weekday), time.fromisoformat(starts), time.fromisoformat(ends)


def _explain(
    profile: Profile,
    *,
    wanted_skills: list[Skill],
    preferred: list[Language],
    times: list[TimeWanted],
    time_words: dict[TimeWanted, str],
) -> Suggestion:
    # What fits, in the order people weigh it: the support, the language, how near, when; what
    # does not fit, as short names for one line ("Not a match on: Welsh, Sunday mornings").
    reasons: list[str] = []
    misfits: list[str] = []
    offered = set(getattr(profile, "skill_ids"))  # noqa: B009 (annotated by the query, unknown to mypy)
    for skill in wanted_skills:
        if skill.pk in offered:
            reasons.append(_("%(skill)s experience") % {"skill": skill.name})
        else:
            misfits.append(skill.name)
    spoken = set(getattr(profile, "language_ids"))  # noqa: B009
    for language in preferred:
        if language.pk in spoken and language.name != "English":
            reasons.append(_("speaks %(language)s") % {"language": language.name})
    if preferred and not spoken & {language.pk for language in preferred}:
        misfits.append(_(" or ").join(language.name for language in preferred))
    distance = getattr(profile, "distance_km", None)
    if distance is not None:
        km = round(distance)
        reasons.append(
            _("less than 1 km away")
            if km < 1
            else ngettext("%(km)s km away", "%(km)s km away", km) % {"km": km}
        )
    free = [_slot(text) for text in getattr(profile, "free_slots")]  # noqa: B009
    for wanted in times:
        fits = any(
            weekday == wanted.weekday and starts < wanted.ends and ends > wanted.starts
            for weekday, starts, ends in free
        )
        words = time_words[wanted]
        if fits:
            reasons.append(_("free on %(when)s, when you need support") % {"when": words})
        else:
            misfits.append(words)
    score = round(getattr(profile, "score", 0.0))
    return Suggestion(
        profile=profile,
        score=max(0, min(100, score)),
        distance_km=distance,
        reasons=list(dict.fromkeys(reasons)),
        misfits=list(dict.fromkeys(misfits)),
    )


# --- People looking for support, as workers see them ------------------------------------------


def receivers_listed(*, on: date) -> QuerySet[Profile]:
    """People getting support who chose to be listed to members (their name shown to members)."""
    return (
        Profile.objects.filter(
            membership__member_class="receiver",
            membership__date_admitted__lte=on,
            membership__date_ceased__isnull=True,
            visibility__display_name=Audience.MEMBERS,
        )
        .select_related("membership")
        .prefetch_related("support_wanted", "weekly_times")
        .order_by("display_name", "pk")
    )


# --- Teams ----------------------------------------------------------------------------------------


def team_for(*, receiver: Membership, on: date | None = None) -> list[TeamMember]:
    """The team, each place with `checks_current` (for the badge) when a day is given."""
    places = (
        TeamMember.objects.filter(receiver=receiver)
        .active()
        .select_related("member__user", "member__profile")
        .order_by("joined_on", "pk")
    )
    if on is not None:
        places = places.annotate(checks_current=member_selectors.checks_current_kept(on, via="member__"))
    return list(places)


def team_workers_for(*, receiver_ids: set[int]) -> dict[int, list[User]]:
    """For each of these people, the workers now in their team: one query however many people."""
    found: dict[int, list[User]] = {pk: [] for pk in receiver_ids}
    for place in (
        TeamMember.objects.working()
        .filter(receiver_id__in=receiver_ids)
        .select_related("member__user")
        .order_by("receiver_id", "joined_on", "pk")
    ):
        found[place.receiver_id].append(place.member.user)
    return found


def teams_of(*, member: Membership) -> list[TeamMember]:
    """The teams a worker or peer supporter is in."""
    return list(
        TeamMember.objects.filter(member=member)
        .active()
        .select_related("receiver__user", "receiver__profile")
        .order_by("receiver__legal_name")
    )


def in_team(*, user: User | AnonymousUser, receiver: Membership) -> bool:
    if not user.is_authenticated:
        return False
    return TeamMember.objects.filter(receiver=receiver, member__user=user).active().exists()


def in_teams_among(*, user: User | AnonymousUser, receiver_ids: Iterable[int]) -> set[int]:
    """Which of these people have the user in their team now: in_team for a list, in one query."""
    if not user.is_authenticated:
        return set()
    return set(
        TeamMember.objects.filter(receiver_id__in=list(receiver_ids), member__user=user)
        .active()
        .values_list("receiver_id", flat=True)
    )


def team_roles_for(*, receiver: Membership) -> list[TeamRole]:
    return list(
        TeamRole.objects.filter(receiver=receiver, ended_at__isnull=True)
        .select_related("holder")
        .order_by("name")
    )


def noticeboard_for(*, receiver: Membership, limit: int = 50) -> list[NoticeboardPost]:
    return list(NoticeboardPost.objects.filter(receiver=receiver).select_related("author")[:limit])


# --- Introductions --------------------------------------------------------------------------------


def introductions_for(*, membership: Membership) -> QuerySet[Introduction]:
    """Introductions a member sent or received, newest first."""
    return (
        Introduction.objects.filter(Q(receiver=membership) | Q(supporter=membership))
        .select_related("receiver__profile", "supporter__profile", "receiver__user", "supporter__user")
        .order_by("-created_at", "-pk")
    )


def introduction_get_for_user(*, user: User, pk: int) -> Introduction:
    """An introduction the user is part of (as either side, or acting for the person); else 404."""
    introduction = (
        Introduction.objects.select_related(
            "receiver__user", "supporter__user", "receiver__profile", "supporter__profile"
        )
        .filter(pk=pk)
        .first()
    )
    if introduction is None:
        raise Http404
    if user.pk in (introduction.receiver.user_id, introduction.supporter.user_id):
        return introduction
    if member_selectors.circle_power(user=user, receiver=introduction.receiver, power="can_manage_team"):
        return introduction
    raise Http404


def peer_supporters(*, topic: Any = None, exclude: Membership | None = None) -> QuerySet[Profile]:
    """Members of any class who offer peer support and show their lived experience to members."""
    # Listed: a worker's name always shows to members; an investor's unless they hid it; a
    # person getting support or an advocate only if they chose to show it.
    name_shown = (
        Q(membership__member_class=MemberClass.WORKER)
        | Q(visibility__display_name=Audience.MEMBERS)
        | (Q(membership__member_class=MemberClass.INVESTOR) & ~Q(visibility__has_key="display_name"))
    )
    profiles = (
        Profile.objects.filter(offers_peer_support=True, membership__date_ceased__isnull=True)
        .filter(membership__date_admitted__lte=date.today())
        .filter(name_shown, visibility__lived_experience=Audience.MEMBERS)
        .select_related("membership")
        .prefetch_related("lived_experience")
        .order_by("display_name", "pk")
    )
    if topic is not None:
        profiles = profiles.filter(lived_experience=topic)
    if exclude is not None:
        profiles = profiles.exclude(membership=exclude)
    return profiles


@dataclass(frozen=True)
class AskToMeet:
    """On a worker's profile: a person the viewer may ask to meet the worker for, and whether an
    introduction is already waiting (then the page says so instead of offering to ask again)."""

    receiver: Membership
    asked: bool


def asks_to_meet(
    *,
    user: User,
    worker: Membership,
    number: int | str | None,
    allowed: Callable[[User, Membership], bool],
    on: date,
) -> list[AskToMeet]:
    """Whom the user may ask to meet this worker for: themself if they get support, or each person
    whose team they manage from the circle (with `number`, only that person). Never for someone
    with the worker already in their team, and nobody when the worker cannot be introduced."""
    if worker.member_class != MemberClass.WORKER:
        return []
    try:
        chosen = receiver_acted_for(user=user, number=number, allowed=allowed)
    except Http404:
        return []
    if chosen is not None:
        receivers = [chosen]
    elif number in (None, ""):
        receivers = [
            place.receiver
            for place in member_selectors.supporting_for_user(user=user)
            if place.can_manage_team and place.receiver.is_current
        ]
    else:
        receivers = []
    if not receivers or not member_selectors.worker_is_bookable(membership=worker, on=on):
        return []
    ids = [receiver.pk for receiver in receivers]
    in_team = set(
        TeamMember.objects.active()
        .filter(receiver_id__in=ids, member=worker)
        .values_list("receiver_id", flat=True)
    )
    asked = set(
        Introduction.objects.filter(
            receiver_id__in=ids,
            supporter=worker,
            kind=Introduction.Kind.CARE,
            status=Introduction.Status.PENDING,
        ).values_list("receiver_id", flat=True)
    )
    return [AskToMeet(receiver=r, asked=r.pk in asked) for r in receivers if r.pk not in in_team]


def receiver_acted_for(
    *,
    user: User,
    number: int | str | None,
    allowed: Callable[[User, Membership], bool],
) -> Membership | None:
    """The person getting support the user acts for: themself when no number is given (None if
    they are not a person getting support), or the one with that number for whom `allowed` lets
    the user act (matching.permissions.manages_team, say); 404 for anyone
    else, and for a number that is not one."""
    if number is None or number == "":
        own = member_selectors.membership_current_for_user(user=user)
        return own if own and own.member_class == MemberClass.RECEIVER else None
    wanted = number_from_text(number)
    if wanted is None:
        raise Http404
    receiver = (
        Membership.objects.current()
        .filter(number=wanted, member_class=MemberClass.RECEIVER)
        .select_related("user")
        .first()
    )
    if receiver is None or not allowed(user, receiver):
        raise Http404
    return receiver


# --- Today: the teams and introductions of the people a member acts for ----------------------------


def teams_for(*, receiver_ids: list[int]) -> dict[int, list[TeamMember]]:
    """For each of these people, their team now (workers and peer supporters, with profiles, in
    the order they joined): one query however many people."""
    found: dict[int, list[TeamMember]] = {pk: [] for pk in receiver_ids}
    if not receiver_ids:
        return found
    for place in (
        TeamMember.objects.filter(receiver_id__in=receiver_ids)
        .active()
        .select_related("member__profile")
        .only(*(f.name for f in TeamMember._meta.concrete_fields), *member_selectors.face_fields("member"))
        .order_by("receiver_id", "joined_on", "pk")
    ):
        found[place.receiver_id].append(place)
    return found


def introductions_waiting_for(*, membership_ids: list[int], limit: int = 20) -> list[Introduction]:
    """Introductions still waiting for an answer, in which any of these members is either side,
    soonest to expire first: one query."""
    return list(
        Introduction.objects.filter(
            Q(receiver_id__in=membership_ids) | Q(supporter_id__in=membership_ids),
            status=Introduction.Status.PENDING,
        )
        .select_related("receiver__profile", "supporter__profile")
        .only(
            *(f.name for f in Introduction._meta.concrete_fields),
            *member_selectors.face_fields("receiver"),
            *member_selectors.face_fields("supporter"),
        )
        .order_by("expires_at", "pk")[:limit]
    )


def personal_data_for(*, user: User) -> list[Section]:
    """Introductions, team places and roles, and noticeboard posts, on either side."""
    return sections(
        [
            (
                "introductions",
                _("Introductions, asked for and answered"),
                Introduction.objects.filter(Q(receiver__user=user) | Q(supporter__user=user)),
            ),
            (
                "team_places",
                _("Team places: your team, and the teams you are in"),
                TeamMember.objects.filter(Q(receiver__user=user) | Q(member__user=user)),
            ),
            ("team_roles", _("Team roles"), TeamRole.objects.filter(Q(receiver__user=user) | Q(holder=user))),
            (
                "noticeboard_posts",
                _("Noticeboard posts on your team's board or written by you"),
                NoticeboardPost.objects.filter(Q(receiver__user=user) | Q(author=user)),
            ),
        ]
    )
