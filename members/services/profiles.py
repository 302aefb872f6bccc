"""Members' profiles: details with per-detail privacy, place, weekly times and photo."""

import uuid
from datetime import time
from io import BytesIO
from itertools import pairwise
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from carecoop.exceptions import ApplicationError
from carecoop.money import pounds
from members import geo, profiles
from members.models import (
    Audience,
    Gender,
    MemberClass,
    Membership,
    Policy,
    Profile,
    User,
    WeeklyTime,
)
from members.services.rules import postcode_clean

PHOTO_MAX_BYTES = 8 * 1024 * 1024


PHOTO_MAX_PIXELS = 40_000_000  # a 48-megapixel phone photo is 8000 x 6000; decoding more can exhaust memory


PHOTO_MAX_SIDE = 600


RADIUS_LIMIT_KM = 100


COMMON_PROFILE_FIELDS = frozenset(
    {"display_name", "bio", "interests", "postcode", "languages", "offers_peer_support", "lived_experience"}
)


CLASS_PROFILE_FIELDS: dict[str, frozenset[str]] = {
    MemberClass.WORKER: frozenset(
        {
            "skills",
            "gender",
            "gender_self_described",
            "hourly_rate_pence",
            "sleep_in_rate_pence",
            "travel_radius_km",
        }
    ),
    MemberClass.RECEIVER: frozenset(
        {"what_matters", "support_wanted", "worker_preferences", "max_distance_km"}
    ),
}


MANY_TO_MANY_FIELDS = frozenset({"languages", "lived_experience", "skills", "support_wanted"})


def profile_fields_for(member_class: str) -> frozenset[str]:
    return COMMON_PROFILE_FIELDS | CLASS_PROFILE_FIELDS.get(member_class, frozenset())


@transaction.atomic
def profile_get_or_create(*, membership: Membership) -> Profile:
    profile, _created = Profile.objects.get_or_create(
        membership=membership, defaults={"display_name": membership.legal_name.split()[0]}
    )
    return profile


def _check_range(name: str, value: int | None, low: int, high: int, message: str) -> None:
    if value is not None and not low <= value <= high:
        raise ApplicationError(message, code=f"invalid_{name}", fields={name: [message]})


def _check_gender(profile: Profile, changes: dict[str, Any]) -> None:
    """A gender from the list; own words only with "Prefer to self-describe" (and then needed)."""
    gender = str(changes.get("gender", profile.gender) or "")
    if gender not in Gender.values and gender != "":
        message = _("Choose one of: %(choices)s.") % {"choices": ", ".join(str(c.label) for c in Gender)}
        raise ApplicationError(message, code="invalid_gender", fields={"gender": [message]})
    words = str(changes.get("gender_self_described", profile.gender_self_described) or "").strip()
    if gender == Gender.SELF_DESCRIBE and not words:
        message = _("Say how you describe your gender, or choose another answer.")
        raise ApplicationError(
            message, code="gender_self_described_required", fields={"gender_self_described": [message]}
        )
    changes["gender"] = gender
    changes["gender_self_described"] = words[:60] if gender == Gender.SELF_DESCRIBE else ""


@transaction.atomic
def profile_update(
    *, profile: Profile, by: User, visibility: dict[str, str] | None = None, **changes: Any
) -> Profile:
    """Change a profile. Only the fields of the member's class may change; `by` is who did it
    (the member, someone in their circle of support, or staff), kept in the profile's history."""
    profile = Profile.objects.select_for_update().select_related("membership").get(pk=profile.pk)
    member_class = profile.membership.member_class
    unknown = set(changes) - profile_fields_for(member_class)
    if unknown:
        raise ApplicationError(
            _("These details are not part of this profile: %(fields)s")
            % {"fields": ", ".join(sorted(unknown))},
            code="unknown_profile_fields",
        )
    policy = Policy.current()
    if "display_name" in changes:
        changes["display_name"] = str(changes["display_name"] or "").strip()
        if not changes["display_name"]:
            raise ApplicationError(
                _("Give a name to show."),
                code="display_name_required",
                fields={"display_name": [_("Enter a name.")]},
            )
    if "hourly_rate_pence" in changes:
        low, high = policy.hourly_rate_min_pence, policy.hourly_rate_max_pence
        message = _("Choose a rate between %(low)s and %(high)s an hour.") % {
            "low": pounds(low),
            "high": pounds(high),
        }
        if changes["hourly_rate_pence"] is None:
            raise ApplicationError(
                message, code="invalid_hourly_rate_pence", fields={"hourly_rate_pence": [message]}
            )
        _check_range("hourly_rate_pence", changes["hourly_rate_pence"], low, high, message)
    if "sleep_in_rate_pence" in changes:
        # None: the worker does not do sleep-ins (and cannot be booked for one).
        _check_range(
            "sleep_in_rate_pence",
            changes["sleep_in_rate_pence"],
            policy.sleep_in_rate_min_pence,
            policy.sleep_in_rate_max_pence,
            _("Choose a sleep-in rate between %(low)s and %(high)s a night, or leave it empty.")
            % {"low": pounds(policy.sleep_in_rate_min_pence), "high": pounds(policy.sleep_in_rate_max_pence)},
        )
    if "gender" in changes or "gender_self_described" in changes:
        _check_gender(profile, changes)
    for name in ("travel_radius_km", "max_distance_km"):
        if name in changes:
            _check_range(
                name,
                changes[name],
                1,
                RADIUS_LIMIT_KM,
                _("Choose a distance from 1 to %(limit)s km.") % {"limit": RADIUS_LIMIT_KM},
            )
    if "postcode" in changes:
        _profile_place(profile, str(changes.pop("postcode") or ""))
    if visibility is not None:
        profile.visibility = _checked_visibility(member_class, {**profile.visibility, **visibility})

    many = {name: changes.pop(name) for name in list(changes) if name in MANY_TO_MANY_FIELDS}
    for name, value in changes.items():
        setattr(profile, name, value)
    profile._history_user = by  # type: ignore[attr-defined]
    if by.pk != profile.membership.user_id:
        profile._change_reason = _("Changed by %(who)s on behalf of %(name)s") % {  # type: ignore[attr-defined]
            "who": by.email,
            "name": profile.membership.legal_name,
        }
    profile.save()
    for name, value in many.items():
        getattr(profile, name).set(value)
    return profile


def _profile_place(profile: Profile, postcode: str) -> None:
    if not postcode.strip():
        profile.postcode, profile.district, profile.latitude, profile.longitude = "", None, None, None
        return
    postcode = postcode_clean(postcode)
    point = geo.geocoder().locate(postcode)
    if point is None:
        message = _(
            "We do not know where %(postcode)s is yet. Check it, or ask the office to add your area."
        ) % {"postcode": postcode}
        raise ApplicationError(message, code="unknown_postcode", fields={"postcode": [message]})
    profile.postcode = postcode
    profile.district_id = geo.outward_code(postcode)
    profile.latitude, profile.longitude = point.latitude, point.longitude


def _checked_visibility(member_class: str, chosen: dict[str, str]) -> dict[str, str]:
    allowed = profiles.private_fields_for(member_class)
    bad = [
        name for name, audience in chosen.items() if name not in allowed or audience not in Audience.values
    ]
    if bad:
        raise ApplicationError(
            _("Choose who sees each detail: all members, your team, or only staff."),
            code="invalid_visibility",
            fields={
                "visibility": [_("Unknown detail or audience: %(names)s") % {"names": ", ".join(sorted(bad))}]
            },
        )
    return profiles.visibility_with_defaults(member_class, chosen)


@transaction.atomic
def profile_weekly_times_set(
    *, profile: Profile, by: User, kind: str, times: list[tuple[int, time, time]]
) -> list[WeeklyTime]:
    """Replace the times a worker is free (or a person needs support) with these."""
    if kind not in WeeklyTime.Kind.values:
        raise ApplicationError(_("Unknown kind of time."), code="invalid_weekly_time_kind")
    ordered = sorted(times)
    for weekday, starts, ends in ordered:
        if weekday not in WeeklyTime.Weekday.values or starts >= ends:
            raise ApplicationError(
                _("Each time needs a day, and a start before its end."), code="invalid_weekly_time"
            )
    for (day_a, _start_a, end_a), (day_b, start_b, _end_b) in pairwise(ordered):
        if day_a == day_b and start_b < end_a:
            raise ApplicationError(
                _("Two of the times on %(day)s overlap.") % {"day": WeeklyTime.Weekday(day_a).label},
                code="overlapping_weekly_times",
            )
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    profile.weekly_times.filter(kind=kind).delete()
    return WeeklyTime.objects.bulk_create(
        WeeklyTime(profile=profile, kind=kind, weekday=weekday, starts=starts, ends=ends)
        for weekday, starts, ends in ordered
    )


@transaction.atomic
def profile_photo_set(*, profile: Profile, by: User, upload: IO[bytes], size: int) -> Profile:
    """Keep a photo: checked to be an image, turned upright, shrunk to 600 px and re-saved as
    JPEG, which also drops its metadata (such as where it was taken)."""
    message = _("Choose a photo (JPEG, PNG or WebP) smaller than 8 MB.")
    if size > PHOTO_MAX_BYTES:
        raise ApplicationError(message, code="photo_too_large", fields={"photo": [message]})
    try:
        with Image.open(upload) as original:  # reads the header only; pixels are decoded below
            if original.format not in ("JPEG", "PNG", "WEBP"):
                raise ApplicationError(message, code="photo_not_an_image", fields={"photo": [message]})
            width, height = original.size
            if width * height > PHOTO_MAX_PIXELS:
                raise ApplicationError(
                    _("That photo is too big to use (%(w)s × %(h)s pixels). Choose a smaller one.")
                    % {"w": width, "h": height},
                    code="photo_too_large",
                    fields={"photo": [message]},
                )
            upright = ImageOps.exif_transpose(original).convert("RGB")
            upright.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            buffer = BytesIO()
            upright.save(buffer, format="JPEG", quality=85)
    except (
        UnidentifiedImageError,
        OSError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise ApplicationError(message, code="photo_not_an_image", fields={"photo": [message]}) from exc
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    old = profile.photo.name
    profile.photo.save(f"{uuid.uuid4().hex}.jpg", ContentFile(buffer.getvalue()), save=False)
    profile._history_user = by  # type: ignore[attr-defined]
    profile.save(update_fields=["photo", "updated_at"])
    if old:
        transaction.on_commit(lambda: profile.photo.storage.delete(old))
    return profile


@transaction.atomic
def profile_photo_remove(*, profile: Profile, by: User) -> Profile:
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    old = profile.photo.name
    if old:
        profile.photo = ""
        profile._history_user = by  # type: ignore[attr-defined]
        profile.save(update_fields=["photo", "updated_at"])
        storage = profile.photo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return profile


@transaction.atomic
def profile_save(
    *,
    profile: Profile,
    by: User,
    changes: dict[str, Any],
    visibility: dict[str, str] | None = None,
    weekly_times: list[tuple[int, time, time]] | None = None,
    photo: tuple[IO[bytes], int] | None = None,
    remove_photo: bool = False,
) -> Profile:
    """Everything the profile page saves, together: all of it, or (on any refusal) none of it."""
    profile = profile_update(profile=profile, by=by, visibility=visibility, **changes)
    if weekly_times is not None:
        kind = (
            WeeklyTime.Kind.NEEDED
            if profile.membership.member_class == MemberClass.RECEIVER
            else WeeklyTime.Kind.AVAILABLE
        )
        profile_weekly_times_set(profile=profile, by=by, kind=kind, times=weekly_times)
    if photo is not None:
        profile = profile_photo_set(profile=profile, by=by, upload=photo[0], size=photo[1])
    elif remove_photo:
        profile = profile_photo_remove(profile=profile, by=by)
    return profile
