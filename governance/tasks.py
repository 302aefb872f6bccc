from smtplib import SMTPException

from celery import shared_task

from governance import services


@shared_task(
    name="governance.meeting_notices_send",
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def meeting_notices_send_task(*, meeting_id: int | None = None) -> int:
    # Sent after the meeting is called, and every minute for any notice still owed: the rows are
    # claimed with SKIP LOCKED and marked sent as they go, so a second run sends nothing twice.
    return services.meeting_notices_send(meeting_id=meeting_id)


@shared_task(name="governance.ballots_open_due")
def ballots_open_due_task() -> int:
    return services.ballots_open_due()


@shared_task(name="governance.ballots_close_due")
def ballots_close_due_task() -> int:
    # A vote is refused once the closing time has passed whether or not this has run yet; this
    # counts the ballot so its results can be shown.
    return services.ballots_close_due()


@shared_task(
    name="governance.proxy_emails_send",
    autoretry_for=(SMTPException, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def proxy_emails_send_task() -> int:
    # Sent after a proxy is appointed, and every minute for any email still owed.
    return services.proxy_emails_send()
