"""Members in bulk for the benchmark commands and the town-size seed: rows inserted directly, not
through the services, so that thousands take seconds."""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from members.models import (
    Language,
    MemberClass,
    Membership,
    Profile,
    RegisterCounter,
    ShareTransaction,
    Skill,
    User,
    VettingCheck,
    WeeklyTime,
)

SHARE_PENCE = 100


@dataclass(frozen=True)
class NewMember:
    """One member to seed: their login, their row of the register and the £1 shares they hold."""

    email: str
    member_class: str
    legal_name: str
    address: str
    postcode: str
    admitted: date
    shares: int = 1


def members_seed_in_bulk(
    *, workers: int, receivers: int, email_domain: str, admitted_days_ago: int, checked_days_ago: int
) -> list[Membership]:
    """Admitted members, workers first, each with one paid £1 share and its user attached. The
    workers have a current DBS check and right to work, so rule 3 lets them be booked, and a
    `bookable_until` (and `checks_current_until`) 800 days ahead."""
    admitted = timezone.localdate() - timedelta(days=admitted_days_ago)
    return memberships_seed_in_bulk(
        rows=[
            NewMember(
                email=f"bench{i}@{email_domain}",
                member_class=MemberClass.WORKER if i < workers else MemberClass.RECEIVER,
                legal_name=f"Bench Member {i}",
                address="Bench",
                postcode="HX7 8AH",
                admitted=admitted,
            )
            for i in range(workers + receivers)
        ],
        checked_days_ago=checked_days_ago,
    )


def memberships_seed_in_bulk(
    *,
    rows: Sequence[NewMember],
    checked_days_ago: int,
    password: str | None = None,
    verified_by: User | None = None,
    with_history: bool = False,
) -> list[Membership]:
    """The members in `rows`, in that order, numbered after the last on the register, each with
    their shares paid and their user attached. Workers have a current DBS check and right to work
    (verified by `verified_by`, else by the first user made), so rule 3 lets them be booked.

    With a `password`, every user has it and a verified address, so each can log in; with
    `with_history`, the register keeps its history rows, as admitting members through the
    services would, and the register's counter moves on past the last number given."""
    today = timezone.localdate()
    hashed = make_password(password)
    start = (Membership.objects.aggregate(top=Max("number"))["top"] or 0) + 1
    users = User.objects.bulk_create(
        [User(email=row.email, password=hashed) for row in rows], batch_size=2000
    )
    if password is not None:
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users],
            batch_size=2000,
        )
    memberships = [
        Membership(
            number=start + i,
            user=user,
            member_class=row.member_class,
            legal_name=row.legal_name,
            address=row.address,
            postcode=row.postcode,
            date_admitted=row.admitted,
            bookable_until=today + timedelta(days=800) if row.member_class == MemberClass.WORKER else None,
            checks_current_until=today + timedelta(days=800)
            if row.member_class == MemberClass.WORKER
            else None,
        )
        for i, (row, user) in enumerate(zip(rows, users, strict=True))
    ]
    if with_history:
        memberships = bulk_create_with_history(
            memberships, Membership, batch_size=2000, default_user=verified_by
        )
        RegisterCounter.objects.update_or_create(pk=1, defaults={"last_number": start + len(rows) - 1})
    else:
        memberships = Membership.objects.bulk_create(memberships, batch_size=2000)
    ShareTransaction.objects.bulk_create(
        [
            ShareTransaction(
                membership=m,
                kind="subscription",
                shares=row.shares,
                amount_pence=row.shares * SHARE_PENCE,
                date=m.date_admitted,
            )
            for m, row in zip(memberships, rows, strict=True)
        ],
        batch_size=2000,
    )
    staff = verified_by or users[0]
    issued = today - timedelta(days=checked_days_ago)
    checks = []
    for m in memberships:
        if m.member_class != MemberClass.WORKER:
            continue
        checks.append(
            VettingCheck(
                membership=m,
                kind="dbs",
                issued_on=issued,
                expires_on=today + timedelta(days=800),
                certificate_number="001234567890",
                dbs_level="enhanced_barred",
                verified_by=staff,
            )
        )
        checks.append(
            VettingCheck(
                membership=m, kind="right_to_work", issued_on=issued, document="Passport", verified_by=staff
            )
        )
    VettingCheck.objects.bulk_create(checks, batch_size=4000)
    return memberships


@dataclass(frozen=True)
class Place:
    """Where a member lives, as a profile keeps it: a postcode, its district and a point in it."""

    postcode: str
    district: str
    latitude: float
    longitude: float


def profiles_seed_in_bulk(
    *,
    memberships: Sequence[Membership],
    rng: random.Random,
    names: Sequence[str] | None = None,
    places: Sequence[Place | None] | None = None,
) -> list[Profile]:
    """A profile for each member, as matching reads it: workers with skills, languages, a rate,
    how far they travel and when they are free; people getting support with the support they
    would like, how far a worker may come from and when they need it. Places default to a
    random point around Calderdale (Hebden Bridge to Halifax and a little beyond)."""
    profiles = Profile.objects.bulk_create(
        [
            _profile(m, rng, names[i] if names else f"Member {i}", places[i] if places else None)
            for i, m in enumerate(memberships)
        ],
        batch_size=2000,
    )
    skills = list(Skill.objects.all())
    languages = list(Language.objects.all())
    # (profile id, skill or language id): the rows of Django's through tables, made below.
    skill_rows: list[tuple[int, int]] = []
    wanted_rows: list[tuple[int, int]] = []
    language_rows: list[tuple[int, int]] = []
    times: list[WeeklyTime] = []
    for m, profile in zip(memberships, profiles, strict=True):
        is_worker = m.member_class == MemberClass.WORKER
        if is_worker or m.member_class == MemberClass.RECEIVER:
            chosen = rng.sample(skills, rng.randint(2, 5) if is_worker else rng.randint(1, 3))
            rows = skill_rows if is_worker else wanted_rows
            rows.extend((profile.pk, skill.pk) for skill in chosen)
            for day in rng.sample(range(7), rng.randint(2, 5) if is_worker else rng.randint(1, 4)):
                begins = rng.randint(6, 16)
                times.append(
                    WeeklyTime(
                        profile=profile,
                        kind="available" if is_worker else "needed",
                        weekday=day,
                        starts=f"{begins:02d}:00",
                        ends=f"{begins + rng.randint(2, 6):02d}:00",
                    )
                )
        language_rows.extend(
            (profile.pk, language.pk) for language in rng.sample(languages, rng.randint(1, 2))
        )
    Profile.skills.through.objects.bulk_create(
        [Profile.skills.through(profile_id=p, skill_id=s) for p, s in skill_rows], batch_size=5000
    )
    Profile.support_wanted.through.objects.bulk_create(
        [Profile.support_wanted.through(profile_id=p, skill_id=s) for p, s in wanted_rows],
        batch_size=5000,
    )
    Profile.languages.through.objects.bulk_create(
        [Profile.languages.through(profile_id=p, language_id=lang) for p, lang in language_rows],
        batch_size=5000,
    )
    WeeklyTime.objects.bulk_create(times, batch_size=5000)
    return profiles


# Around Calderdale: Hebden Bridge to Halifax and a little beyond.
SOUTH, NORTH, WEST, EAST = 53.60, 53.82, -2.20, -1.75


def _profile(m: Membership, rng: random.Random, name: str, place: Place | None) -> Profile:
    is_worker = m.member_class == MemberClass.WORKER
    is_receiver = m.member_class == MemberClass.RECEIVER
    return Profile(
        membership=m,
        display_name=name,
        postcode=place.postcode if place else "",
        district_id=place.district if place else None,
        latitude=place.latitude if place else rng.uniform(SOUTH, NORTH),
        longitude=place.longitude if place else rng.uniform(WEST, EAST),
        hourly_rate_pence=rng.randrange(12_60, 30_00, 10) if is_worker else None,
        travel_radius_km=rng.randint(3, 25) if is_worker else None,
        max_distance_km=rng.choice([None, 10, 15, 20]) if is_receiver else None,
        visibility={"display_name": "members"} if is_receiver else {},
    )
