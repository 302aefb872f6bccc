from celery import shared_task
from django.db import transaction
from django.utils import timezone

from governance import services
from governance.models import DividendAllocation
from members.models import User


@shared_task(name="governance.ballots_open_due")
def ballots_open_due_task() -> int:
    return services.ballots_open_due()


@shared_task(name="governance.ballots_close_due")
def ballots_close_due_task() -> int:
    # A vote is refused once the closing time has passed whether or not this has run yet; this
    # counts the ballot so its results can be shown.
    return services.ballots_close_due()


@shared_task(name="governance.members_erase_after_retention")
def members_erase_after_retention_task() -> int:
    # Safe to run twice: an erased member is not erased again (decision 49).
    return len(services.members_erase_after_retention(today=timezone.localdate()))


@shared_task(name="governance.dividends_calculate", acks_late=True)
def dividends_calculate_task(*, allocation_id: int) -> None:
    # Safe to run twice or at once: the dividends are written once, each statement issued once.
    services.dividends_calculate(allocation_id=allocation_id)


def dividends_calculation_start(*, user: User, allocation: DividendAllocation) -> DividendAllocation:
    """Start the calculation (the service checks the AGM gate) and, once that commits, its task."""
    with transaction.atomic():
        allocation = services.allocation_calculation_start(user=user, allocation=allocation)
        allocation_id = allocation.pk
        transaction.on_commit(lambda: dividends_calculate_task.delay(allocation_id=allocation_id))
    return allocation
