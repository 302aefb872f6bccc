from celery import shared_task

from members import services


@shared_task(name="members.workers_bookable_refresh")
def workers_bookable_refresh_task() -> int:
    # Recomputes from the records each time: running it twice changes nothing more.
    return services.workers_bookable_refresh_all()


@shared_task(name="members.vetting_reminders_send")
def vetting_reminders_send_task() -> int:
    # Each check is claimed and marked in its own transaction, with its emails owed in the outbox:
    # a second sweep owes nothing twice.
    return services.vetting_reminders_send()
