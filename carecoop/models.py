"""The one email outbox: every email the site sends, from any app, is a row here first."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Email(models.Model):
    """One email to one address, owed from the moment the change that causes it commits.

    It is written in that change's transaction, so a change rolled back owes nothing. The sender
    renders it from `kind` (its templates) and `context` (plain values: ids, names, dates as
    text) and marks it sent as soon as the mail server has taken it (carecoop/sending.py)."""

    class Status(models.TextChoices):
        OWED = "owed", _("Owed")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Cannot be sent")
        CANCELLED = "cancelled", _("No longer needed")

    # "<app>.<name>": its templates are <app>/email/<name>_subject.txt, _message.txt (and
    # _message.html if the email wants its own HTML).
    kind = models.CharField(_("kind"), max_length=100)
    to = models.EmailField(_("to"))
    # How the greeting names them, where we know it.
    to_name = models.CharField(_("name"), max_length=200, blank=True)
    context = models.JSONField(default=dict, blank=True)
    # What the email is about ("governance.proxy:12"), so that a later change can take back an
    # email not yet sent (a proxy cancelled, a notice replaced by its amended one).
    about = models.CharField(_("about"), max_length=100, blank=True)
    # News that is stale after this moment (a proxy for a meeting now over) is not sent.
    not_after = models.DateTimeField(_("not after"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OWED)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Why it failed, or why the last try did not go.
    error = models.TextField(_("error"), blank=True)
    # Refused for now by the mail server (a 4xx reply): how often, and when to try again.
    # A database default too: notices to every member are written by one INSERT … SELECT.
    attempts = models.PositiveSmallIntegerField(_("attempts refused for now"), default=0, db_default=0)
    next_try_at = models.DateTimeField(_("next try"), null=True, blank=True)

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["id"], condition=Q(status="owed"), name="email_owed"),
            models.Index(
                fields=["about"], condition=Q(status="owed") & ~Q(about=""), name="email_owed_about"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.to}"
