from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from matching.models import MatchingPolicy
from members.admin import StaffAdminMixin
from members.permissions import is_staff


@admin.register(MatchingPolicy)
class MatchingPolicyAdmin(StaffAdminMixin, SimpleHistoryAdmin[MatchingPolicy]):
    """The weights of suggestions and the limits on introductions, tuned by staff."""

    fieldsets = (
        (
            "Suggestions",
            {
                "fields": (
                    "weight_skills",
                    "weight_availability",
                    "weight_distance",
                    "weight_languages",
                    "weight_rate",
                )
            },
        ),
        ("Introductions and trials", {"fields": ("introduction_days", "daily_pending_limit", "trial_weeks")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_staff(request.user) and not MatchingPolicy.objects.exists()
