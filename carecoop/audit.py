"""The log of staff actions (decision 44): who did what, when, and to which member.

Services call `staff_action_record` inside their own transaction, after their change: the entry
commits with the change, or neither does. Only what a staff member does is logged; the same
service run by a member for themselves (or by a scheduled task) is not a staff action. Reading
is logged too where it is a person's care (rule 9): the pages and API answers that show it call
`staff_care_read`, once for each time they are shown."""

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from carecoop.models import StaffAction
from carecoop.permissions import is_staff


@transaction.atomic(savepoint=False)
def staff_action_record(*, by: Any, action: str, summary: str, member: Any = None) -> StaffAction | None:
    """Log what staff member `by` did; `member` is the account acted on, if one was."""
    if by is None or not is_staff(by):
        return None
    return StaffAction.objects.create(by=by, action=action, summary=summary[:300], member=member)


def staff_care_read(*, by: Any, person: Any, what: str) -> StaffAction | None:
    """Log that staff member `by` was shown `what` of `person`'s care (a membership): their care
    log, a visit with its notes. Nobody else is logged, nor staff reading their own."""
    if by is None or not is_staff(by) or by.pk == person.user_id:
        return None
    return StaffAction.objects.create(
        by=by,
        action="care.read",
        summary=f"Read {what} of member {person.number}"[:300],
        member_id=person.user_id,
    )


_ADMIN_VERBS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


def _account_of(obj: models.Model | None) -> Any:
    """The member's account a changed row belongs to, where there plainly is one."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    if isinstance(obj, user_model):
        return obj
    for path in ("user", "membership", "receiver", "worker"):
        related = getattr(obj, path, None)
        if isinstance(related, user_model):
            return related
        if isinstance(getattr(related, "user", None), user_model):
            return related.user  # type: ignore[union-attr]
    return None


def staff_action_from_admin(entry: LogEntry) -> StaffAction | None:
    """A change made in the admin, as Django logs it, also goes into the staff log."""
    verb = _ADMIN_VERBS.get(entry.action_flag, "changed")
    model = (
        ContentType.objects.get_for_id(entry.content_type_id).model_class() if entry.content_type_id else None
    )
    what = model._meta.verbose_name if model is not None else "row"
    obj = None
    if entry.action_flag != DELETION:
        try:
            obj = entry.get_edited_object()
        except models.ObjectDoesNotExist:
            obj = None
    # By its id, not its name: the log is kept for good and can never be changed, so it holds
    # nothing an erasure would have to remove (an account's address, a member's name).
    summary = f"In the admin, {verb} {what} {entry.object_id}"
    message = entry.get_change_message()
    if message:
        summary = f"{summary}: {message}"
    return staff_action_record(
        by=entry.user, action=f"admin.{verb}", summary=summary, member=_account_of(obj)
    )


def _on_admin_log_entry(sender: type[LogEntry], instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if created:
        staff_action_from_admin(instance)


def connect_signals() -> None:
    # Django's admin writes its own LogEntry for every change it makes; this is where every admin
    # page, present and future, can be followed without each one having to remember to.
    models.signals.post_save.connect(_on_admin_log_entry, sender=LogEntry, dispatch_uid="carecoop-staff-log")
