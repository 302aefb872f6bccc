from smtplib import SMTPException

from celery import shared_task
from django.core.management import call_command

from carecoop import once, sending


@shared_task(
    name="carecoop.emails_send",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
    # Well past EMAIL_TIMEOUT for a batch; a sender stuck past it lets go (its row stays owed).
    soft_time_limit=600,
)
def emails_send_task(*, email_ids: list[int] | None = None) -> int:
    # After each commit that owes emails (with their ids), and every minute for all still owed:
    # a message lost with Redis, or a mail server that failed, is made good by the next sweep.
    # Each row is claimed and marked on its own, so running this twice sends nothing twice.
    return sending.emails_send(ids=email_ids)


@shared_task(name="carecoop.backups_make", soft_time_limit=3600)
def backups_make_task() -> None:
    """Each night: the database (pg_dump's own format) and the uploaded files (a tar), both
    compressed, into the backup storage; the oldest beyond DBBACKUP_CLEANUP_KEEP go.
    docs/operations.md says how to restore them."""
    call_command("dbbackup", "--clean", "--compress", "--noinput")
    call_command("mediabackup", "--clean", "--compress", "--noinput")


@shared_task(name="carecoop.sent_once_forget")
def sent_once_forget_task() -> int:
    # Keys past their time are ignored by a claim anyway; this keeps the table small.
    return once.sent_once_forget()
