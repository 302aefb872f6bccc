from celery import shared_task

from scheduling import services


@shared_task(name="scheduling.reminders_send_due")
def reminders_send_due_task() -> int:
    # Every minute. The rows are the truth: each sweep claims due rows with SKIP LOCKED and marks
    # them sent in the same transaction as the notifications it writes, so two sweeps at once, or
    # a sweep run twice, notify once. Their emails are owed in the outbox in that transaction.
    return services.reminders_send_due()


@shared_task(name="scheduling.offers_expire")
def offers_expire_task() -> int:
    return services.offers_expire()


@shared_task(name="scheduling.visits_release_left_team")
def visits_release_left_team_task() -> int:
    return services.visits_release_left_team()


@shared_task(name="scheduling.hours_confirm_unanswered")
def hours_confirm_unanswered_task() -> int:
    return services.hours_confirm_unanswered()


@shared_task(name="scheduling.series_book_ahead_all")
def series_book_ahead_all_task() -> int:
    return services.series_book_ahead_all()
