"""Helpers for tests of emails: every email leaves through the one outbox (carecoop/outbox.py)."""

import re

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage

from carecoop import outbox
from carecoop.models import Email

LINK = re.compile(r"https?://[^\s\"'<>]+")


def send_owed() -> list[EmailMessage]:
    """Run the outbox's sweep, as Celery beat does each minute (in a test that never commits, the
    sends queued after each commit never come); return the emails it sent."""
    before = len(mail.outbox)
    outbox.emails_send()
    return list(mail.outbox[before:])


def owed(**filters: object) -> list[Email]:
    return list(Email.objects.filter(status=Email.Status.OWED, **filters).order_by("pk"))


def html_part(message: EmailMessage) -> str:
    alternatives = getattr(message, "alternatives", [])
    return next(content for content, mimetype in alternatives if mimetype == "text/html")


def site_links(message: EmailMessage) -> tuple[list[str], list[str]]:
    """The links to this site in the plain-text part and in the HTML part, each once, in order."""

    def ours(text: str) -> list[str]:
        found = [link for link in LINK.findall(text) if link.startswith(settings.SITE_URL + "/")]
        return list(dict.fromkeys(found))

    return ours(message.body), ours(html_part(message))


def invitation_token(to: str) -> str:
    """The token in the link of the circle-of-support invitation emailed to this address, as the
    invited person would follow it (the outbox first sends what is owed)."""
    send_owed()
    message = next(m for m in reversed(mail.outbox) if m.to == [to] and "/circle/invitations/" in m.body)
    found = re.search(r"/circle/invitations/([^/\s]+)/", message.body)
    assert found is not None
    return found.group(1)
