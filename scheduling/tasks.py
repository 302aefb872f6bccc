from smtplib import SMTPException

from celery import shared_task

from scheduling import services


@shared_task(
    name="scheduling.reminders_send_due",
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def reminders_send_due_task() -> int:
    # Every minute. The rows are the truth: each sweep claims due rows with SKIP LOCKED and marks
    # them sent in the same transaction, so two sweeps at once, or a sweep run twice, send each once.
    return services.reminders_send_due()


@shared_task(name="scheduling.offers_expire")
def offers_expire_task() -> int:
    return services.offers_expire()


@shared_task(name="scheduling.hours_confirm_unanswered")
def hours_confirm_unanswered_task() -> int:
    return services.hours_confirm_unanswered()


@shared_task(name="scheduling.series_book_ahead_all")
def series_book_ahead_all_task() -> int:
    return services.series_book_ahead_all()
