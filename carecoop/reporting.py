"""Errors reach someone, without the members' personal data (decision 42).

Two ways out: Django's error emails to ADMINS, and Sentry when SENTRY_DSN is set. A report says
where the code failed and what kind of request it was; it never carries what a member typed or
is (a care note, a password, a name, an email address), nor what identifies their session.
"""

import logging
import re
import time
import traceback
from typing import TYPE_CHECKING, Any, cast

import sentry_sdk
from django.http import HttpRequest, QueryDict
from django.views import debug
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.transport import Transport

if TYPE_CHECKING:
    from sentry_sdk._types import Event

REMOVED = "[removed]"
EMAIL_ADDRESS = re.compile(r"[^\s@<>()\[\]\"',;:]+@[^\s@<>()\[\]\"',;:]+\.[A-Za-z]{2,}")
# The request headers a report keeps: what kind of client asked, and nothing that identifies who.
HEADERS_KEPT = {"accept", "accept-language", "content-length", "content-type", "host", "user-agent"}


def without_email_addresses(text: str) -> str:
    return EMAIL_ADDRESS.sub("[email]", text)


# --- Sentry ----------------------------------------------------------------------------------


def sentry_init(*, dsn: str, environment: str, transport: Transport | None = None) -> None:
    """Report errors (in web requests and Celery tasks) to Sentry, scrubbed by `sentry_scrub`.

    Sentry's own defaults would send the request's body and query string, and the local
    variables of every frame (a form's care note, a member's address): all are turned off, and
    `sentry_scrub` takes out whatever is left (an email address in an error's message)."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        transport=transport,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # What Sentry's integrations collect by themselves (this supersedes send_default_pii):
        # no user, cookies, bodies, query strings, SQL values, task arguments or local variables.
        data_collection={
            "user_info": False,
            "cookies": {"mode": "off"},
            "http_headers": {"request": {"mode": "allowlist", "terms": sorted(HEADERS_KEPT)}},
            "http_bodies": [],
            "url_query_params": {"mode": "off"},
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
            "gen_ai": {"inputs": False, "outputs": False},
        },
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=sentry_scrub,
    )


def sentry_scrub(event: "Event", hint: dict[str, Any]) -> "Event":
    """Sentry's `before_send`: the event without the request's body, cookies and query string,
    without any user but their id, with breadcrumbs' data dropped and every email address
    replaced, wherever it appears (an exception's message, a log line)."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        url = request.get("url")
        if isinstance(url, str):
            request["url"] = url.split("?", 1)[0]
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {k: v for k, v in headers.items() if k.lower() in HEADERS_KEPT}
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    breadcrumbs = event.get("breadcrumbs")
    for crumb in breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else []:
        crumb.pop("data", None)
    return cast("Event", _scrubbed(event))


def _scrubbed(value: Any) -> Any:
    if isinstance(value, str):
        return without_email_addresses(value)
    if isinstance(value, dict):
        return {key: _scrubbed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item) for item in value]
    return value


# --- Django's error emails -------------------------------------------------------------------


class ReporterFilter(debug.SafeExceptionReporterFilter):
    """Django's filter for error reports, hiding more when DEBUG is off: every value posted (a
    care note, an address, a password), every cookie, every local variable, and the settings and
    request headers that hold a secret, an address (postal, email or internet) or a query string."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|COOKIE|DSN|URL|URI|LOCATION|QUERY_STRING|REFERER"
        "|EMAIL|ADMINS|MANAGERS|BANK"
        # The member's internet address (personal data), as the server or a proxy in front saw it.
        "|ADDR|FORWARDED|REAL_IP|CLIENT_IP|CONNECTING_IP|REMOTE_HOST",
        flags=re.IGNORECASE,
    )

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        return self._all_hidden(request.POST)

    def get_cleansed_multivaluedict(self, request: HttpRequest, multivaluedict: QueryDict) -> Any:
        if not self.is_active(request):
            return super().get_cleansed_multivaluedict(request, multivaluedict)
        return self._all_hidden(multivaluedict)

    def get_safe_cookies(self, request: HttpRequest) -> dict[str, Any]:
        if not self.is_active(request):
            return super().get_safe_cookies(request)
        return dict.fromkeys(getattr(request, "COOKIES", {}), self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: HttpRequest, tb_frame: Any) -> Any:
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]

    def _all_hidden(self, values: QueryDict) -> QueryDict:
        hidden = values.copy()
        for key in hidden:
            hidden[key] = self.cleansed_substitute
        return hidden


class ExceptionReporter(debug.ExceptionReporter):
    """Django's error report, when DEBUG is off naming the member by id (not by email), showing
    the query string's names without their values, and with every email address in its message
    replaced."""

    def get_traceback_data(self) -> dict[str, Any]:
        data: dict[str, Any] = super().get_traceback_data()
        if not self.filter.is_active(self.request):
            return data
        if self.request is not None:
            data["user_str"] = _user_id(self.request)
            data["request_GET_items"] = [(key, REMOVED) for key in self.request.GET]
            data["request_insecure_uri"] = data["request_insecure_uri"].split("?", 1)[0]
        if "exception_value" in data:
            data["exception_value"] = without_email_addresses(data["exception_value"])
        return data


def _user_id(request: HttpRequest) -> str | None:
    try:
        pk = getattr(getattr(request, "user", None), "pk", None)
    except Exception:  # the user is loaded lazily: the database may be what failed
        return "[unable to retrieve the current user]"
    return f"user {pk}" if pk is not None else None


class OnceInAWhile(logging.Filter):
    """Lets one record of each kind through in `INTERVAL_SECONDS` (in each process): the same
    error, raised at the same place, answered with the same status. A database outage fails
    every request; the admins need one email about it, not one for each page asked for."""

    INTERVAL_SECONDS = 10 * 60
    _last_let_through: dict[tuple[object, ...], float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        kind = self._kind(record)
        now = time.monotonic()
        last = self._last_let_through.get(kind)
        if last is not None and now - last < self.INTERVAL_SECONDS:
            return False
        self._last_let_through[kind] = now
        return True

    @classmethod
    def forget(cls) -> None:
        cls._last_let_through.clear()

    @staticmethod
    def _kind(record: logging.LogRecord) -> tuple[object, ...]:
        status = getattr(record, "status_code", None)
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            where = traceback.extract_tb(error.__traceback__)[-1:]
            place = (where[0].filename, where[0].lineno) if where else None
            return (record.name, status, type(error).__qualname__, place)
        return (record.name, status, record.msg)
