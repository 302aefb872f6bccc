"""Requests that take effect once, however often they are sent (docs/decisions/0046-sent-once.md).

Two doors, one table (SentOnce):
- the API: a POST sent with an `Idempotency-Key` header (`@idempotent` on the view's `post`). The
  same user sending the same key and body again gets the first answer again, and nothing is done
  twice; the same key with another request is refused (422); a duplicate that arrives while the
  first is still running is answered 409 `request_in_progress`, to be tried again in a moment.
- the browser: a form that creates something carries a one-time token (`{% sent_once %}`, and
  `@submitted_once` on its view). Posting the same rendered form twice (a double click, the back
  button and send again) does not create a second thing: the second lands where the first did.

Requests without a key or token behave as they always did.
"""

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from carecoop.api import error_body
from carecoop.exceptions import ApplicationError, UnprocessableError
from carecoop.models import SentOnce

KEY_HEADER = "Idempotency-Key"
FORM_FIELD = "sent_once"
# How long a key answers with its first result; after that it may be used afresh.
KEPT_FOR = timedelta(hours=24)
# A first request still unanswered after this long died without answering (its worker was
# killed): its key may be tried again. Far beyond the web server's timeout for a request.
ABANDONED_AFTER = timedelta(minutes=5)
# A form's second post waits this long for the first to finish, to land where it landed.
FORM_WAIT_SECONDS = 10.0
_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # printable ASCII, no spaces: a UUID fits
IN_PROGRESS = "request_in_progress"
# A duplicate that finds the first request still running is told to wait this long: most
# requests are answered well within it, and a client that waits is not sent away again and again.
RETRY_AFTER_SECONDS = 1

KEY_PARAMETER = OpenApiParameter(
    name=KEY_HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Makes the request safe to send again (after a timeout, a lost connection, a double click): "
        "a unique value (a UUID) per operation. The same key with the same body within 24 hours "
        "answers the first request's status and body again, and does nothing twice "
        "(the header `Idempotent-Replayed: true` says so). The same key with another body is "
        "refused with 422 `idempotency_key_reused`; while the first request is still running, a "
        "second answers 409 `request_in_progress` with a `Retry-After` header (seconds to wait before "
        "sending it again). Keys are the sending user's own. Printable ASCII, at most 255 characters."
    ),
)


# --- The table -----------------------------------------------------------------------------------


def sent_once_claim(*, user_id: int, door: str, key: str, fingerprint: str) -> tuple[SentOnce | None, bool]:
    """Claim `key` for this request: `(row, True)` when this request is the first and must run,
    `(row, False)` when another had it (answered, or still running), `(None, False)` when another
    had it and has just let go of it.

    The claim is committed at once (call outside a transaction), so that a duplicate running at the
    same moment finds it: PostgreSQL makes a second insert of the same key wait for the first."""
    now = timezone.now()
    mine = SentOnce.objects.filter(user_id=user_id, door=door, key=key)
    mine.filter(
        Q(created_at__lt=now - KEPT_FOR) | Q(answer_status__isnull=True, created_at__lt=now - ABANDONED_AFTER)
    ).delete()
    try:
        with transaction.atomic():
            row = SentOnce.objects.create(user_id=user_id, door=door, key=key, fingerprint=fingerprint)
    except IntegrityError:
        return mine.first(), False
    return row, True


def sent_once_answer(*, row: SentOnce, status: int, answer: Any) -> None:
    SentOnce.objects.filter(pk=row.pk).update(answer_status=status, answer=answer)


def sent_once_let_go(*, row: SentOnce) -> None:
    """The first request failed or was refused, so it changed nothing: the key may be sent again."""
    SentOnce.objects.filter(pk=row.pk).delete()


def sent_once_forget() -> int:
    """Remove the keys past their time (a periodic task; a claim also ignores them)."""
    deleted, _by_model = SentOnce.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    return deleted


def _fingerprint(*parts: Any) -> str:
    def plain(value: Any) -> str:
        if isinstance(value, UploadedFile):
            return f"{value.name}:{value.size}"
        return str(value)

    text = json.dumps(parts, sort_keys=True, default=plain)
    return hashlib.sha256(text.encode()).hexdigest()


# --- The API door --------------------------------------------------------------------------------

Handler = Callable[..., Response]


def _request_data(request: Request) -> Any:
    data = request.data
    if hasattr(data, "lists"):  # a form-encoded or multipart body: each name's values, in order
        return dict(sorted(data.lists()))
    return data


def idempotent(handler: Handler) -> Handler:
    """For an API view's POST: honour an `Idempotency-Key` header (see the module's docstring).

    Only a successful answer (2xx) is kept: a refusal changed nothing, so the same key may be sent
    again once its cause is fixed."""

    @extend_schema(parameters=[KEY_PARAMETER])
    @wraps(handler)
    def post(view: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get(KEY_HEADER)
        if key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        if not _KEY.fullmatch(key):
            raise ApplicationError(
                _("The Idempotency-Key must be 1 to 255 printable characters, without spaces."),
                code="idempotency_key_invalid",
            )
        fingerprint = _fingerprint(request.method, request.path, _request_data(request))
        row, claimed = sent_once_claim(
            user_id=request.user.pk, door=SentOnce.Door.API, key=key, fingerprint=fingerprint
        )
        if row is None or not claimed:
            return _api_answer_again(row, fingerprint)
        try:
            response = handler(view, request, *args, **kwargs)
        except BaseException:
            sent_once_let_go(row=row)
            raise
        if 200 <= response.status_code < 300:
            answer = json.loads(json.dumps(response.data, cls=JSONEncoder))
            sent_once_answer(row=row, status=response.status_code, answer=answer)
        else:
            sent_once_let_go(row=row)
        return response

    post.takes_idempotency_key = True  # type: ignore[attr-defined]
    return post


_IN_PROGRESS_DESCRIPTION = (
    f"`{IN_PROGRESS}`: a request with the same Idempotency-Key is still being handled; send it again "
    "after Retry-After seconds."
)
_RETRY_AFTER_HEADER = {
    "schema": {"type": "integer"},
    "description": f"Seconds to wait before sending the request again (sent with `{IN_PROGRESS}`).",
}


def add_in_progress_responses(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular hook: every operation that takes an Idempotency-Key may answer 409
    `request_in_progress` with Retry-After; an operation that already answers 409 for its own
    conflicts gains the header, sent only with this code. Runs before carecoop.api's hook, which
    gives every 4xx its error body."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not any(
                parameter.get("name") == KEY_HEADER and parameter.get("in") == "header"
                for parameter in operation.get("parameters", [])
            ):
                continue
            conflict = operation.setdefault("responses", {}).setdefault("409", {})
            own = conflict.get("description")
            conflict["description"] = (
                f"{own} Or {_IN_PROGRESS_DESCRIPTION}" if own else _IN_PROGRESS_DESCRIPTION
            )
            conflict.setdefault("headers", {})["Retry-After"] = _RETRY_AFTER_HEADER
    return result


def _api_answer_again(row: SentOnce | None, fingerprint: str) -> Response:
    if row is not None and row.fingerprint != fingerprint:
        raise UnprocessableError(
            _("This Idempotency-Key was already used for another request: use a new key for a new request."),
            code="idempotency_key_reused",
        )
    if row is None or row.answer_status is None:
        return Response(
            error_body(
                detail=_(
                    "A request with this Idempotency-Key is still being handled: try again in a moment."
                ),
                code=IN_PROGRESS,
            ),
            status=409,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    return Response(row.answer, status=row.answer_status, headers={"Idempotent-Replayed": "true"})


# --- The browser door ----------------------------------------------------------------------------

BrowserView = Callable[..., HttpResponse]


def form_token() -> str:
    return uuid.uuid4().hex


def submitted_once(view: BrowserView) -> BrowserView:
    """For a browser view whose POST creates something: the same rendered form (its one-time token,
    `{% sent_once %}`) posted again does not create a second thing. The second post waits for the
    first to finish and lands where it landed, with a message.

    Only an answer that moved on (a redirect) is kept: a form shown again with its errors changed
    nothing, and may be corrected and sent again."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = request.POST.get(FORM_FIELD) if request.method == "POST" else None
        if not token or not _KEY.fullmatch(token) or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        deadline = time.monotonic() + FORM_WAIT_SECONDS
        while True:
            row, claimed = sent_once_claim(
                user_id=request.user.pk,
                door=SentOnce.Door.FORM,
                key=token,
                fingerprint=_fingerprint(request.path),
            )
            if claimed or (row is not None and row.answer_status is not None) or time.monotonic() > deadline:
                break
            time.sleep(0.1)  # the first post is still running: wait for where it lands
        if row is None or not claimed:
            return _form_answer_again(request, row)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            sent_once_let_go(row=row)
            raise
        if response.status_code in (301, 302, 303) and response.has_header("Location"):
            sent_once_answer(row=row, status=response.status_code, answer={"location": response["Location"]})
        else:
            sent_once_let_go(row=row)
        return response

    return wrapper


def _form_answer_again(request: HttpRequest, row: SentOnce | None) -> HttpResponse:
    if row is None or row.answer is None:
        messages.warning(
            request, _("This form is still being sent. Check the page in a moment before sending it again.")
        )
        return redirect(request.get_full_path())
    messages.info(
        request, _("This form had already been sent, so it was not sent again. Here is what it did.")
    )
    return redirect(row.answer["location"])
