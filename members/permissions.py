from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse

from members.models import Membership, User


def is_staff(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_read_register(user: User) -> bool:
    return is_staff(user)


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A staff page: log in first; anyone else is told there is no such page."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_staff(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def can_manage_circle(user: User, receiver: Membership) -> bool:
    """The person themselves, or staff: nobody else changes who acts for someone."""
    return bool(user.is_authenticated and (user.pk == receiver.user_id or is_staff(user)))


def can_act_for(user: User, receiver: Membership, power: str) -> bool:
    """The person, staff, or someone in their circle with this power (can_view_care, can_book,
    can_manage_team). What they then do is recorded as done by them on the person's behalf."""
    from members import selectors

    if can_manage_circle(user, receiver):
        return True
    return selectors.circle_power(user=user, receiver=receiver, power=power)
