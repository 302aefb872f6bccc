"""What governance services share: who takes part, who may act as staff or chair, and texts within bounds."""

from django.utils.translation import gettext as _

from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError, NotAllowedError
from carecoop.permissions import is_staff
from governance import permissions
from governance.models import (
    Meeting,
)
from members import selectors as member_selectors
from members.models import Membership, User

TEXT_MAX = 10_000


STATEMENT_MAX = 3_000


DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


DOCUMENT_TYPES = (".pdf", ".odt", ".ods", ".docx", ".xlsx", ".txt", ".csv")


def membership_of(user: User) -> Membership:
    membership = member_selectors.membership_current_for_user(user=user)
    if membership is None or not member_selectors.membership_can_participate(membership=membership):
        raise NotAllowedError(
            _("Only members admitted and holding a paid share can take part."), code="not_a_member"
        )
    return membership


def clean_text(value: str, *, field: str, what: str, most: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(
            _("Please write %(what)s.") % {"what": what},
            code="required",
            fields={field: [_("This field is required.")]},
        )
    if len(value) > most:
        message = _("Please keep this to %(n)s characters.") % {"n": f"{most:,}"}
        raise ApplicationError(message, code="too_long", fields={field: [message]})
    return value


def staff_or_chair(user: User, meeting: Meeting | None, what: str, *, action: str) -> None:
    """Refuse anyone but staff and the meeting's chair; log it when staff act.

    Every caller is a service in a transaction, so the log entry is kept only if the action
    that follows commits."""
    member = None if is_staff(user) else member_selectors.membership_current_for_user(user=user)
    if not permissions.runs_meeting(user, member, meeting):
        raise NotAllowedError(
            _("Only the chair of the meeting or the co-op's staff can %(what)s.") % {"what": what},
            code="chair_only",
        )
    _staff_action_logged(user, what, action=action, meeting=meeting)


def staff_only(user: User, what: str, *, action: str) -> None:
    """Refuse anyone but staff, and log the action (see `staff_or_chair`)."""
    if not is_staff(user):
        raise NotAllowedError(_("Only the co-op's staff can %(what)s.") % {"what": what}, code="staff_only")
    _staff_action_logged(user, what, action=action)


def _staff_action_logged(user: User, what: str, *, action: str, meeting: Meeting | None = None) -> None:
    summary = what[:1].upper() + what[1:]
    if meeting is not None:
        summary = f"{summary} ({meeting.title})"
    staff_action_record(by=user, action=f"governance.{action}", summary=summary)
