from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from members.models import User


def is_staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_read_register(user: User) -> bool:
    return is_staff(user)


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A staff page: log in first; anyone else is told there is no such page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff(request.user):  # type: ignore[arg-type]
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
