"""How an outbox row becomes an email: its templates, the shared layout, and absolute links.

An email of kind "<app>.<name>" has three templates in <app>/email/: `<name>_subject.txt`
(one line), `<name>_message.txt` (what it says), and, if it wants more than the text made into
HTML, `<name>_message.html`. Both parts are wrapped in one layout (email/base.txt and
email/base.html) with the greeting, the co-op's name and the sign-off.

Rows hold plain values. A kind whose email needs more than is sensible to copy into every row
(a meeting's agenda, for 10,000 notices) registers a loader that looks it up, by the ids in the
row's context, when the email is rendered.
"""

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from carecoop.models import Email

ContextLoader = Callable[[dict[str, Any]], dict[str, Any]]

_loaders: dict[str, ContextLoader] = {}


def absolute_url(viewname: str, *args: object) -> str:
    """The address of a page, from the site's own (SITE_URL), for links that leave the site:
    an email is read away from the request that caused it, sometimes by a worker process."""
    return str(settings.SITE_URL) + reverse(viewname, args=args)


def site_address(path: str) -> str:
    """An absolute address for a path already reversed (one with parts `reverse` cannot fill)."""
    if not path.startswith("/"):
        raise ValueError(f"Not a path on this site: {path!r}")
    return str(settings.SITE_URL) + path


class NoLongerNeeded(Exception):
    """Raised by a loader when what an email says is no longer so (a proxy cancelled or over, a
    meeting already begun): the sender takes the email back instead of sending it."""


def email_context_loader(kind: str) -> Callable[[ContextLoader], ContextLoader]:
    """Register what a kind of email looks up when it is rendered (see the module's docstring).
    The loader gets the row's context and returns the context to render with."""

    def register(loader: ContextLoader) -> ContextLoader:
        _loaders[kind] = loader
        return loader

    return register


def template_prefix(kind: str) -> str:
    app, _dot, name = kind.partition(".")
    if not app or not name or "/" in kind:
        raise ValueError(f"An email's kind is '<app>.<name>', not {kind!r}")
    return f"{app}/email/{name}"


def _render_text(name: str, context: dict[str, Any]) -> str:
    # Plain text is never HTML-escaped: "O'Neill & Daughters" reads as written.
    template = get_template(name).template  # type: ignore[attr-defined]
    return str(template.render(Context(context, autoescape=False)))


_URL = re.compile(r"https?://[^\s<>\"]+")


def _html_from_text(text: str) -> SafeString:
    """The text part as HTML: everything escaped, addresses made links, blank lines paragraphs.
    (Django's urlize does more, and costs more than the rest of an email put together.)"""

    def link(match: re.Match[str]) -> str:
        url, trailing = match.group(0), ""
        while url and url[-1] in ".,;:!?)":
            url, trailing = url[:-1], url[-1] + trailing
        return f'<a href="{url}">{url}</a>{trailing}'

    linked = _URL.sub(link, str(escape(text)))
    paragraphs = [part.strip().replace("\n", "<br>\n") for part in re.split(r"\n\s*\n", linked.strip())]
    return mark_safe("\n".join(f"<p>{part}</p>" for part in paragraphs))  # noqa: S308


def email_message(email: Email) -> EmailMultiAlternatives:
    """The email a row stands for, ready for the mail server: a one-line subject with the co-op's
    prefix, and a plain-text and an HTML part in the shared layout."""
    prefix = template_prefix(email.kind)
    context: dict[str, Any] = {
        "coop_name": settings.COOP_NAME,
        "coop_contact_email": settings.COOP_CONTACT_EMAIL,
        "site_url": settings.SITE_URL,
        **email.context,
        "name": email.to_name,
        "email": email.to,
    }
    loader = _loaders.get(email.kind)
    if loader is not None:
        context = loader(context)
    subject = " ".join(_render_text(f"{prefix}_subject.txt", context).split())
    content = _render_text(f"{prefix}_message.txt", context).strip()
    try:
        html_content = mark_safe(render_to_string(f"{prefix}_message.html", context).strip())  # noqa: S308
    except TemplateDoesNotExist:
        html_content = _html_from_text(content)
    layout = {**context, "subject": subject, "content": content, "html_content": html_content}
    message = EmailMultiAlternatives(
        subject=f"[{settings.COOP_NAME}] {subject}",
        body=_render_text("email/base.txt", layout).strip() + "\n",
        to=[email.to],
        headers={"Message-ID": message_id(email)},
    )
    message.attach_alternative(render_to_string("email/base.html", layout), "text/html")
    return message


def message_id(email: Email) -> str:
    """The same Message-ID every time a row is sent: in the rare case it goes twice (a sender
    killed after the mail server took it, before marking it), mail programs see one email."""
    domain = urlsplit(str(settings.SITE_URL)).hostname or "localhost"
    return f"<outbox.{email.pk}.{int(email.created_at.timestamp())}@{domain}>"
