from django.contrib import admin

from carecoop.admin import PolicyAdmin
from matching.models import MatchingPolicy


@admin.register(MatchingPolicy)
class MatchingPolicyAdmin(PolicyAdmin):
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
