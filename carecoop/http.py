"""The request a view receives when only a logged-in user can reach it.

Django and DRF type `request.user` as the user or AnonymousUser. Behind `login_required` (or DRF's
IsAuthenticated, the API's default), the user is always a real one: these types say so once, instead
of every view re-checking what its decorator or permission already guaranteed. They are types only:
at run time the view still gets Django's HttpRequest or DRF's Request.
"""

from typing import TYPE_CHECKING

from django.http import HttpRequest
from rest_framework.request import Request

if TYPE_CHECKING:
    # django-stubs' name for settings.AUTH_USER_MODEL: its mypy plugin reads it as the project's
    # User, so this module names no app (carecoop sits below them all).
    from django.contrib.auth.models import _User


class AuthenticatedHttpRequest(HttpRequest):
    """A browser request behind `login_required` (or `staff_required`)."""

    user: "_User"


class AuthenticatedRequest(Request):
    """An API request that passed IsAuthenticated, or a permission that implies it (IsStaff)."""

    user: "_User"
