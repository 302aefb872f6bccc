"""What governance's emails look up when they are sent (see carecoop/emails.py)."""

from typing import Any

from carecoop.emails import email_context_loader
from governance.models import Meeting


@email_context_loader("governance.meeting_notice")
def _meeting_notice(context: dict[str, Any]) -> dict[str, Any]:
    # One row per member holds only the meeting's id: its details and agenda are read here, as
    # they stand when the notice goes (an amended notice takes the place of one not yet sent).
    return {**context, "meeting": Meeting.objects.get(pk=context["meeting"])}
