"""What the governance pages share: logging in, a 404 for what the user may not see,
staff-only pages, and the member and ballot in hand."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase

from carecoop.db import number_from_text
from carecoop.exceptions import ApplicationError, NotFoundError
from carecoop.forms import form_add_application_error
from carecoop.http import AuthenticatedHttpRequest
from carecoop.permissions import is_staff
from governance import permissions, selectors
from governance.models import Ballot, Motion
from members import selectors as member_selectors
from members.models import Membership

View = Callable[..., HttpResponseBase]


LIVE = (Motion.Status.AWAITING_SECONDER, Motion.Status.TABLED)


def governance_view(view: View) -> View:
    """Log in first; what the selectors do not show the user is not found."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as error:
            raise Http404(error.message) from error

    return wrapper


def staff_only(request: HttpRequest) -> None:
    """A staff page: anyone else is told they cannot open it (403, decision 18)."""
    if not is_staff(request.user):
        raise PermissionDenied


def form_error(form: Any, error: ApplicationError, aliases: dict[str, str] | None = None) -> None:
    """A refusal shown on the form: beside its field when it names one of the form's fields (the
    error summary links to it), else at the top; not both, so the summary says it once."""
    names = {(aliases or {}).get(name, name) for name in error.fields}
    if names and names <= set(form.fields):
        for name, field_messages in error.fields.items():
            for message in field_messages:
                form.add_error((aliases or {}).get(name, name), message)
    else:
        form_add_application_error(form, error, aliases)


def membership_of(request: HttpRequest) -> Membership | None:
    return member_selectors.membership_current_for_user(user=request.user)


def member_by_number(number: int) -> Membership | None:
    try:
        return member_selectors.membership_get_by_number(number=number)
    except Http404:
        return None


def act(request: HttpRequest, action: Callable[[], object], done: str) -> None:
    """Run a service for a button, and say how it went: its refusal, or `done`."""
    try:
        action()
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)


def taking_part(request: HttpRequest) -> None:
    if not selectors.can_take_part(request.user):
        raise Http404


def ballot_or_404(request: HttpRequest, pk: int) -> Ballot:
    try:
        return selectors.ballot_get_for_user(user=request.user, pk=pk)
    except NotFoundError as error:
        raise Http404 from error


def int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    if not value:
        return None
    number = number_from_text(value)
    if number is None:
        raise Http404
    return number


def runs(request: HttpRequest, ballot: Ballot, me: Membership | None) -> bool:
    """Staff, or the chair of the ballot's meeting: they open, close and declare."""
    return permissions.runs_meeting(request.user, me, ballot.meeting)
