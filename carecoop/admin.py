"""What every app's admin pages share: staff use them as they use the staff pages, nothing kept
is deleted, and the co-op's policies are one row each with their history."""

from typing import Any, TypeVar

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin
from solo.admin import SingletonModelAdmin

from carecoop.permissions import is_staff

M = TypeVar("M", bound=Model)


class StaffAdminMixin:
    """The co-op's staff (is_staff) may use these pages without per-model permissions, as they
    use the staff pages; nobody deletes anything kept here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_staff(request.user)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_staff(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return is_staff(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class KeptForeverAdmin(StaffAdminMixin, admin.ModelAdmin[M]):
    """Rows of the register are never deleted, here or anywhere."""


class PolicyAdmin(StaffAdminMixin, SingletonModelAdmin, SimpleHistoryAdmin):  # type: ignore[type-arg]
    """One of the co-op's policies: the one row is edited in place (django-solo) and every change
    is listed in its history (django-simple-history)."""

    object_history_template = "simple_history/object_history.html"

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # the row is made on first use
