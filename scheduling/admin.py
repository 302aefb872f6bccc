from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from carecoop.admin import PolicyAdmin, StaffAdminMixin
from scheduling.models import Reminder, SchedulingPolicy, Visit, VisitExpense


@admin.register(SchedulingPolicy)
class SchedulingPolicyAdmin(PolicyAdmin):
    """The co-op's timings for visits, tuned by staff (its share of each visit is the co-op
    policy's, with the rate bounds)."""


@admin.register(Visit)
class VisitAdmin(StaffAdminMixin, SimpleHistoryAdmin[Visit]):
    """Visits are read here; they change through the visit pages, where the rules are kept."""

    list_display = ("starts", "receiver", "worker", "status", "hours", "late_cancellation", "check_in_far")
    list_filter = ("status", "hours", "late_cancellation", "check_in_far", "is_open")
    date_hierarchy = "starts"
    list_select_related = ("receiver", "worker")
    search_fields = ("receiver__legal_name", "worker__legal_name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(VisitExpense)
class VisitExpenseAdmin(StaffAdminMixin, admin.ModelAdmin[VisitExpense]):
    """Expenses are read here; the worker adds them and staff strike them on the visit's page,
    where the rules (who, and until when) are kept."""

    list_display = ("created_at", "visit", "kind", "miles", "amount_pence", "struck_at")
    list_filter = ("kind",)
    list_select_related = ("visit",)
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Reminder)
class ReminderAdmin(StaffAdminMixin, admin.ModelAdmin[Reminder]):
    list_display = ("due_at", "kind", "visit", "sent_at")
    list_filter = ("kind",)
    list_select_related = ("visit",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
