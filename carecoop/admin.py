"""What every app's admin pages share: staff use them as they use the staff pages, nothing kept
is deleted, and the co-op's policies are one row each with their history; and the email outbox."""

from typing import Any, TypeVar, cast

from django.contrib import admin
from django.contrib.admin.models import DELETION, LogEntry
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin
from solo.admin import SingletonModelAdmin

from carecoop.models import Email, StaffAction
from carecoop.permissions import is_staff

M = TypeVar("M", bound=Model)


class DeletionsLoggedOneByOne:
    """The admin logs each row it deletes, and the staff log follows the admin's log as each of its
    entries is saved (carecoop/audit.py). Django writes the entries of rows deleted together in one
    bulk insert, which no signal follows: here each is written on its own, so each is logged."""

    def log_deletions(self, request: HttpRequest, queryset: "QuerySet[Any]") -> list[LogEntry] | LogEntry:
        user_id = cast(int, request.user.pk)  # the admin is for logged-in staff only
        return [
            LogEntry.objects.log_actions(
                user_id=user_id, queryset=[row], action_flag=DELETION, single_object=True
            )
            for row in queryset
        ]


class StaffAdminMixin(DeletionsLoggedOneByOne):
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


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin[Email]):
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
        return is_staff(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Email | None = None) -> bool:
        return is_staff(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Email | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Email | None = None) -> bool:
        return False


@admin.register(StaffAction)
class StaffActionAdmin(StaffAdminMixin, admin.ModelAdmin[StaffAction]):
    """The log of staff actions, to read: nobody adds, changes or deletes an entry here (and the
    database refuses a change or a deletion from anywhere)."""

    list_display = ("at", "by", "action", "summary", "member")
    list_filter = ("action",)
    search_fields = ("summary", "by__email", "member__email")
    date_hierarchy = "at"
    list_select_related = ("by", "member")

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
