"""What the governance API's views share: members only, ids named in a body, staff-only creation."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from carecoop.exceptions import ApplicationError, NotFoundError
from carecoop.permissions import IsStaff
from governance import selectors
from members import selectors as member_selectors
from members.models import Membership

T = TypeVar("T")


class StaffPostMixin(APIView):
    """Members and staff read; only staff create (checked before the input, so a member is told
    403 rather than what is wrong with a body they may not send)."""

    def get_permissions(self) -> list[permissions.BasePermission]:
        if self.request.method == "POST":
            return [permissions.IsAuthenticated(), IsStaff()]
        return [permissions.IsAuthenticated()]


def members_only(request: Request) -> None:
    if not selectors.can_take_part(request.user):
        raise NotFoundError(_("Not found."), code="not_found")


def named(get: Callable[..., T], request: Request, pk: int, field: str) -> T:
    """A meeting, motion, ballot or requisition the body names by id. An id that names nothing the
    caller may see is bad input in that field (400); a caller who may see nothing gets 404."""
    members_only(request)
    try:
        return get(user=request.user, pk=pk)
    except NotFoundError as error:
        raise ApplicationError(error.message, code="not_found", fields={field: [error.message]}) from error


def member_numbered(number: int, *, field: str, message: str, code: str) -> Membership:
    try:
        return member_selectors.membership_get_by_number(number=number)
    except Http404:
        raise ApplicationError(message, code=code, fields={field: [message]}) from None


def valid(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
