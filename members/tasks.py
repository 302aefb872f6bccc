from smtplib import SMTPException

from celery import shared_task

from members import services


@shared_task(
    name="members.application_decision_email_send",
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=8,
)
def application_decision_email_send_task(*, application_id: int) -> None:
    # The service claims the application's row; a second run finds the email sent and returns.
    services.application_decision_email_send(application_id=application_id)


@shared_task(name="members.workers_bookable_refresh")
def workers_bookable_refresh_task() -> int:
    # Recomputes from the records each time: running it twice changes nothing more.
    return services.workers_bookable_refresh_all()


@shared_task(
    name="members.vetting_reminders_send",
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def vetting_reminders_send_task() -> int:
    # Each check is claimed and marked in its own transaction: a second sweep sends nothing twice.
    return services.vetting_reminders_send()
