"""What both counts share: the member classes and the error a count raises."""

from __future__ import annotations

from carecoop.exceptions import ApplicationError

# The member classes, as stored in members.models.MemberClass (a test keeps the two in step; this
# module may not import Django models).
MEMBER_CLASSES: tuple[str, ...] = ("receiver", "advocate", "worker", "investor")


class CountingError(ApplicationError):
    """A vote or ballot that cannot be counted: the message says which and why."""
