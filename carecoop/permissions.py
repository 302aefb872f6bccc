"""Staff: one test of who is staff, and one answer for anyone else (decision 18).

A page or API action only staff may use answers 403 to any other logged-in person, with a
plain message; the anonymous are asked to log in (401 from the API). What stays 404 is a row
the user may not see (a visit, a member's record): whether it exists is not theirs to learn.
Which pages are staff pages is no secret, the code is open, so hiding them behind 404 taught a
member who followed a link nothing but that the site was broken."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext_lazy
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView


def is_staff(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_staff", False))


_Response = TypeVar("_Response", bound=HttpResponseBase)


def staff_required(view: Callable[..., _Response]) -> Callable[..., _Response]:
    """A staff page: log in first; anyone else is told they cannot open it (403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> _Response:
        if not is_staff(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class IsStaff(permissions.BasePermission):
    """The API's staff-only actions: 403 with the code the services use for the same refusal."""

    message = gettext_lazy("Only the co-op's staff can do this.")
    code = "staff_only"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_staff(request.user)
