"""What governance's emails look up when they are sent (see carecoop/emails.py)."""

from typing import Any

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from carecoop.emails import NoLongerNeeded, email_context_loader
from governance.models import Meeting, Proxy


@email_context_loader("governance.meeting_notice")
def _meeting_notice(context: dict[str, Any]) -> dict[str, Any]:
    # One row per member holds only the meeting's id: its details and agenda are read here, as
    # they stand when the notice goes (an amended notice takes the place of one not yet sent).
    meeting = Meeting.objects.get(pk=context["meeting"])
    if meeting.starts_at <= timezone.now():
        raise NoLongerNeeded(_("The meeting had begun before its notice could be sent."))
    return {**context, "meeting": meeting}


@email_context_loader("governance.proxy_held")
def _proxy_held(context: dict[str, Any]) -> dict[str, Any]:
    # The proxy as it stands when the email goes: still in force (not cancelled, replaced, or
    # for a meeting over or a ballot closed), and the meeting's day as it is now.
    proxy = (
        Proxy.objects.in_force(timezone.now())
        .select_related("meeting", "ballot")
        .filter(pk=int(context.get("proxy") or 0))
        .first()
    )
    if proxy is None:
        raise NoLongerNeeded(_("The proxy was no longer in force when its email could be sent."))
    if proxy.ballot is not None:
        return {**context, "ballot": proxy.ballot.pk, "ballot_title": proxy.ballot.title}
    if proxy.meeting is None:
        raise NoLongerNeeded(_("The proxy is for no meeting or ballot."))
    starts = timezone.localtime(proxy.meeting.starts_at)
    return {
        **context,
        "meeting": proxy.meeting.pk,
        "meeting_title": proxy.meeting.title,
        "day": dateformat.format(starts, "l j F Y"),
        "at": dateformat.format(starts, "H:i"),
    }
