"""Reads for motions and their versions."""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from carecoop.exceptions import NotFoundError
from governance.models import (
    Meeting,
    Motion,
    MotionVersion,
)
from governance.selectors.access import seen_or_404
from members.models import User


def motions_for_meeting(*, meeting: Meeting) -> QuerySet[Motion]:
    return (
        Motion.objects.filter(meeting=meeting)
        .select_related("proposer__profile", "seconder__profile", "amends")
        .prefetch_related(Prefetch("versions", queryset=MotionVersion.objects.order_by("number")))
        .order_by("amends_id", "created_at", "pk")
    )


def motions_for_user(*, user: User | AnonymousUser) -> QuerySet[Motion]:
    seen_or_404(user)
    return (
        Motion.objects.select_related("meeting", "proposer__profile", "seconder__profile")
        .prefetch_related(Prefetch("versions", queryset=MotionVersion.objects.order_by("number")))
        .order_by("-created_at", "-pk")
    )


def motion_get_for_user(*, user: User | AnonymousUser, pk: int) -> Motion:
    motion = motions_for_user(user=user).filter(pk=pk).first()
    if motion is None:
        raise NotFoundError(_("There is no such motion."), code="not_found")
    return motion


def motion_current_version(*, motion: Motion) -> MotionVersion | None:
    return MotionVersion.objects.filter(motion=motion).order_by("-number").first()
