from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from carecoop.models import Email


def _is_staff(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_authenticated and user.is_active and user.is_staff)


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The outbox, for staff to see what went, what is owed and what could not go. Read only: rows
    change only through the sender."""

    list_display = ("created_at", "status", "kind", "to", "sent_at", "error")
    list_filter = ("status", "kind")
    search_fields = ("to", "about")
    date_hierarchy = "created_at"
    fields = ("kind", "to", "to_name", "about", "status", "created_at", "not_after", "sent_at", "error")
    readonly_fields = fields
    show_full_result_count = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _is_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Email | None = None) -> bool:
        return _is_staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Email | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Email | None = None) -> bool:
        return False
