"""Members' requests about their own data (UK GDPR): a copy made by the office, or erasure."""

from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# What an erasure removed, as `DataRequest.removed` counts it, in words for the office.
REMOVED_LABELS = {
    "visit_notes": _("Visits with care notes emptied"),
    "visit_patterns": _("Weekly bookings with notes emptied"),
    "late_notices": _("Notes saying a worker was running late"),
    "notifications": _("Notifications"),
    "introduction_messages": _("Introductions' messages"),
    "team_leaving_reasons": _("Reasons for leaving a team"),
    "noticeboard_posts": _("Posts on their team's noticeboard"),
    "photos": _("Photos (the files too)"),
    "profile": _("Profile"),
    "profile_history": _("Earlier versions of the profile"),
    "weekly_times": _("Weekly times"),
    "emergency_contact": _("Emergency contact"),
    "emergency_contact_history": _("Earlier versions of the emergency contact"),
    "application_contact": _("Applications' phone, date of birth and reasons"),
    "applications_never_admitted": _("Name and address on applications that did not make them a member"),
    "vetting_details": _("Vetting checks' details"),
    "circle_contacts": _("Names and addresses of people invited into their circle"),
    "places_in_circles": _("Their name and address in other people's circles"),
    "email_addresses": _("Email addresses of the account"),
    "api_tokens": _("The account's API tokens"),
    "authenticators": _("The account's authenticator app and recovery codes"),
    "emails": _("Emails in the outbox"),
}


class DataRequest(models.Model):
    """A request to the co-op about the data it holds on someone, answered within one month
    (UK GDPR article 12(3)). An erasure keeps what it removed, by kind of record and how many
    rows, with who did it and when: the record of the erasure holds no erased data."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("A copy of my data from the office")
        ERASURE = "erasure", _("Erase my data")

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="data_requests")
    kind = models.CharField(_("request"), max_length=10, choices=Kind.choices)
    note = models.TextField(_("anything the office should know"), blank=True, max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    made_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True, max_length=1000)
    # Staff erased before the retention period was over: why (a court order, say).
    override_reason = models.TextField(_("why before the retention period ends"), blank=True, max_length=1000)
    # {"kind of record": rows removed or emptied}
    removed = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["made_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(status="open"),
                name="members_data_request_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.user_id})"

    @property
    def removed_shown(self) -> list[tuple[str, int]]:
        """What an erasure removed, in words, with how many rows each."""
        return [(str(REMOVED_LABELS.get(kind, kind)), count) for kind, count in self.removed.items()]

    @property
    def due_on(self) -> datetime:
        """One month from receipt (UK GDPR article 12(3))."""
        return timezone.localtime(self.made_at) + relativedelta(months=1)
