"""The one email outbox: every email the site sends, from any app, is a row here first."""

from django.conf import settings
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


class StaffAction(models.Model):
    """One thing a staff member did: who, what, when, and to which member's account (decision 44).

    Written in the same transaction as the change it records, so it is there exactly when the
    change is. Never changed or deleted: the database itself refuses an UPDATE or a DELETE of a
    row (the trigger in migration 0003), whatever the code above it does."""

    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    # A stable code for programs ("application.approve"); the summary is for people.
    action = models.CharField(_("action"), max_length=60)
    summary = models.CharField(_("what"), max_length=300)
    # The member (or applicant) acted on; none for what concerns the whole co-op (a meeting).
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("member"),
    )

    class Meta:
        verbose_name = _("staff action")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="staffaction_newest"),
            models.Index(fields=["member", "-at", "-id"], name="staffaction_member_newest"),
            models.Index(fields=["by", "-at", "-id"], name="staffaction_by_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class SentOnce(models.Model):
    """A request that must take effect once: an API call sent with an `Idempotency-Key`, or a
    form posted with its one-time token (docs/decisions/0046-sent-once.md).

    The row is committed before the request's work starts, so a duplicate arriving meanwhile finds
    it (the unique constraint makes the second insert wait for the first and then fail). It keeps
    the answer of the first, which a duplicate gets again instead of running a second time."""

    class Door(models.TextChoices):
        API = "api", _("API")
        FORM = "form", _("Form")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    door = models.CharField(_("door"), max_length=4, choices=Door.choices)
    key = models.CharField(_("key"), max_length=255)
    # A hash of the method, path and body: the same key with another request is a client's mistake.
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    # Empty while the first request is still running.
    answer_status = models.PositiveSmallIntegerField(_("answer's status"), null=True, blank=True)
    # The API's JSON body, or {"location": ...} where a form's answer was a redirect.
    answer = models.JSONField(_("answer"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "door", "key"], name="sent_once_per_user_door_key")
        ]

    def __str__(self) -> str:
        return f"{self.door} {self.key}"
