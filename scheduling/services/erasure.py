"""This app's part of erasing a person's data once its retention period is over: the care notes of
the visits to them (the care log), their tasks and reasons, where workers checked in at their
home, and their notifications, in the rows and in their history. What a visit cost, when it was
and who did it stay: statements and pay were made from them, and the accounts must add up."""

from typing import Any

from django.db.models import Q

from members.models import User
from scheduling.models import LateNotice, Notification, Series, Visit

BLANK_VISIT: dict[str, Any] = {
    "notes": "",
    "tasks": [],
    "visit_note": "",
    "decline_reason": "",
    "cancel_reason": "",
    "query_reason": "",
    "hours_settle_reason": "",
    "check_in_latitude": None,
    "check_in_longitude": None,
}
# A visit with any of these holds a care note (or a place) to empty.
_WITH_NOTES = ~(
    Q(notes="")
    & Q(tasks=[])
    & Q(visit_note="")
    & Q(decline_reason="")
    & Q(cancel_reason="")
    & Q(query_reason="")
    & Q(hours_settle_reason="")
    & Q(check_in_latitude__isnull=True)
)


def care_records_erase(*, user: User) -> dict[str, int]:
    """Empty the care records about the user; the caller holds the transaction and the rules.
    Notes a worker wrote on visits to other people are those people's records, not the worker's:
    they stay (and go with the person's own erasure)."""
    about_them = Q(receiver__user=user)
    removed = {
        "visit_notes": Visit.objects.filter(about_them).filter(_WITH_NOTES).update(**BLANK_VISIT),
        "visit_patterns": Series.objects.filter(about_them)
        .exclude(notes="", tasks=[])
        .update(notes="", tasks=[]),
        "late_notices": LateNotice.objects.filter(visit__receiver__user=user)
        .exclude(note="")
        .update(note=""),
        "notifications": Notification.objects.filter(user=user).delete()[0],
    }
    Visit.history.filter(receiver__user=user).update(**BLANK_VISIT)
    return {kind: count for kind, count in removed.items() if count}
