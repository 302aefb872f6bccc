"""Answers kept for the rest of one request (decision 35).

One page asks the same question many times: the menu, the page and each permission check it
makes want the member who is logged in. `remember` keeps the first answer for the rest of the
request, so the database is asked once. Outside a request (a Celery task, a management command,
a test calling a service) nothing is kept and every call asks the database: a long-lived process
never reads a stale answer.

Two rules keep it right. A service that changes what is remembered calls `forget()` after its
write, so a later question in the same request reads the change. And an answer read inside a
transaction the request opened (a service's `atomic` block) is not kept: the transaction may yet
be rolled back, and the service is reading what it is about to change.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import connection
from django.http import HttpRequest, HttpResponseBase

_T = TypeVar("_T")


@dataclass
class _Memo:
    # How deep in transactions the request began (a test's own transaction, or none): answers
    # read deeper, inside a transaction the request opened, are not kept.
    depth: int
    answers: dict[Hashable, Any] = field(default_factory=dict)


# A context variable rather than an attribute of the request, so that selectors called with only
# a user (deep in a page's permission checks) find the same memo; and rather than an attribute of
# the user, so that a user object held by a test or a task never carries an answer from before.
_memo: ContextVar[_Memo | None] = ContextVar("carecoop_request_memo", default=None)


def remember(key: Hashable, answer: Callable[[], _T]) -> _T:
    """The answer to `key` already found in this request, else `answer()` (kept, if in one and
    not inside a transaction it opened)."""
    memo = _memo.get()
    if memo is None or len(connection.atomic_blocks) > memo.depth:
        return answer()
    if key not in memo.answers:
        memo.answers[key] = answer()
    return memo.answers[key]  # type: ignore[no-any-return]


def forget() -> None:
    """Drop everything kept in this request: call after a write that changes a kept answer."""
    memo = _memo.get()
    if memo is not None:
        memo.answers.clear()


@contextmanager
def request_scope() -> Iterator[None]:
    """Keep answers from here to the end of the block (one request)."""
    token = _memo.set(_Memo(depth=len(connection.atomic_blocks)))
    try:
        yield
    finally:
        _memo.reset(token)


class RequestMemoMiddleware:
    """Opens a fresh memo for each request and closes it when the view's response is made."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with request_scope():
            return self.get_response(request)
