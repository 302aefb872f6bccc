from celery import shared_task

from governance import services


@shared_task(name="governance.ballots_open_due")
def ballots_open_due_task() -> int:
    return services.ballots_open_due()


@shared_task(name="governance.ballots_close_due")
def ballots_close_due_task() -> int:
    # A vote is refused once the closing time has passed whether or not this has run yet; this
    # counts the ballot so its results can be shown.
    return services.ballots_close_due()
