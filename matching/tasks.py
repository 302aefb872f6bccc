from celery import shared_task

from matching import services


@shared_task(name="matching.introductions_expire")
def introductions_expire_task() -> int:
    # One UPDATE of the rows still pending past their time: running it twice changes nothing more.
    return services.introductions_expire()


@shared_task(name="matching.trial_reminders_send")
def trial_reminders_send_task() -> int:
    # Each place is claimed and marked with its emails owed in the outbox, in one transaction.
    return services.trial_reminders_send()
