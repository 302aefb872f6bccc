"""Patronage dividends: a year's surplus, the board's allocation, the AGM's approval, the
calculation (a Celery task, in batches, safe to run twice or at once) and payment (decision 23)."""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop import outbox
from carecoop.exceptions import ApplicationError, ConflictError
from governance import sharing
from governance.models import (
    CLASS_POOLS,
    Ballot,
    Dividend,
    DividendAllocation,
    DividendPolicy,
    FinancialYear,
    Measure,
    Meeting,
    Motion,
)
from governance.selectors import dividends as dividend_selectors
from governance.services.common import staff_only
from members.models import User

# Statements issued (and the progress moved) this many at a time, each batch its own transaction.
STATEMENT_BATCH = 500


def _pence(value: object, field: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        message = _("Give an amount of money of nothing or more.")
        raise ApplicationError(message, code="invalid_amount", fields={field: [message]})
    return value


@transaction.atomic
def financial_year_record(
    *, user: User, starts: date, ends: date, surplus_pence: int, today: date | None = None
) -> FinancialYear:
    """Staff record a financial year that has ended, and its surplus (from its accounts)."""
    staff_only(user, _("record a year's surplus"), action="financial_year_record")
    today = today or timezone.localdate()
    surplus_pence = _pence(surplus_pence, "surplus")
    if ends <= starts:
        message = _("A year's last day comes after its first.")
        raise ApplicationError(message, code="ends_before_start", fields={"ends": [message]})
    if (ends - starts).days > 540:
        message = _("A financial year is at most eighteen months long.")
        raise ApplicationError(message, code="year_too_long", fields={"ends": [message]})
    if ends >= today:
        message = _("A year's surplus is recorded once the year is over.")
        raise ApplicationError(message, code="year_not_over", fields={"ends": [message]})
    # Years never overlap: a day's hours belong to one year's dividend only. Two secretaries
    # recording at once take turns on the dividend rules' one row, so the check below sees the other.
    DividendPolicy.objects.select_for_update().get(pk=DividendPolicy.current().pk)
    if FinancialYear.objects.filter(starts__lte=ends, ends__gte=starts).exists():
        message = _("This year overlaps a year already recorded.")
        raise ConflictError(message, code="year_overlaps", fields={"starts": [message]})
    return FinancialYear.objects.create(
        starts=starts, ends=ends, surplus_pence=surplus_pence, recorded_by=user
    )


@transaction.atomic
def allocation_propose(
    *,
    user: User,
    year: FinancialYear,
    reserve_pence: int,
    community_pence: int,
    workers_pence: int,
    receivers_pence: int,
    advocates_pence: int,
    investors_pence: int,
) -> DividendAllocation:
    """The board's proposal for sharing a year's surplus: every penny of it goes somewhere. The
    dividend rules in force (how advocates and investors share, ceased members) are fixed in it."""
    staff_only(user, _("propose an allocation"), action="allocation_propose")
    year = FinancialYear.objects.select_for_update().get(pk=year.pk)
    amounts = {
        "reserve_pence": _pence(reserve_pence, "reserve_pence"),
        "community_pence": _pence(community_pence, "community_pence"),
        "workers_pence": _pence(workers_pence, "workers_pence"),
        "receivers_pence": _pence(receivers_pence, "receivers_pence"),
        "advocates_pence": _pence(advocates_pence, "advocates_pence"),
        "investors_pence": _pence(investors_pence, "investors_pence"),
    }
    if sum(amounts.values()) != year.surplus_pence:
        message = _("The allocation must add up to the year's surplus, to the penny.")
        raise ApplicationError(message, code="does_not_add_up", fields={"reserve_pence": [message]})
    policy = DividendPolicy.current()
    for measure, field, who in (
        (policy.advocates_measure, "advocates_pence", _("advocates")),
        (policy.investors_measure, "investors_pence", _("investors")),
    ):
        if measure == Measure.NONE and amounts[field]:
            message = _("The rules give the %(who)s no dividend.") % {"who": who}
            raise ApplicationError(message, code="class_not_sharing", fields={field: [message]})
    if year.allocations.filter(motion__isnull=False).exists():
        raise ConflictError(
            _("This year's surplus already has an approved allocation."), code="already_approved"
        )
    return DividendAllocation.objects.create(
        year=year,
        advocates_measure=policy.advocates_measure,
        investors_measure=policy.investors_measure,
        ceased_members=policy.ceased_members,
        proposed_by=user,
        **amounts,
    )


# --- The AGM gate --------------------------------------------------------------------------------


def motion_refusal(*, motion: Motion | None, year: FinancialYear) -> ApplicationError | None:
    """Why this motion does not approve an allocation of this year's surplus, or None: it must be
    a motion of an AGM held after the year ended, carried on a ballot closed, passed and declared."""
    refused = ApplicationError(
        _("An allocation is paid only once an AGM motion approving it has passed."), code="not_approved"
    )
    if motion is None:
        return refused
    meeting = Meeting.objects.get(pk=motion.meeting_id)
    if meeting.kind != Meeting.Kind.AGM or motion.amends_id is not None:
        return refused
    if timezone.localdate(meeting.starts_at) <= year.ends:
        return refused
    if motion.status != Motion.Status.CARRIED:
        return refused
    ballot = Ballot.objects.filter(motion=motion).first()
    if (
        ballot is None
        or ballot.status != Ballot.Status.CLOSED
        or ballot.declared_at is None
        or not (ballot.result or {}).get("passed")
    ):
        return refused
    return None


def approval_refusal(allocation: DividendAllocation) -> ApplicationError | None:
    motion = Motion.objects.filter(pk=allocation.motion_id).first() if allocation.motion_id else None
    return motion_refusal(motion=motion, year=FinancialYear.objects.get(pk=allocation.year_id))


@transaction.atomic
def allocation_approve(
    *, user: User, allocation: DividendAllocation, motion: Motion, now: datetime | None = None
) -> DividendAllocation:
    """Record the AGM motion that approved this allocation (its ballot's result says it passed)."""
    staff_only(user, _("record the AGM's approval"), action="allocation_approve")
    allocation = DividendAllocation.objects.select_for_update().get(pk=allocation.pk)
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if allocation.motion_id is not None:
        raise ConflictError(_("This allocation is already approved."), code="already_approved")
    refusal = motion_refusal(motion=motion, year=allocation.year)
    if refusal is not None:
        message = _(
            "That motion cannot approve this allocation: it must be carried at an AGM held after "
            "the year ended, on a ballot whose result was declared."
        )
        raise ApplicationError(message, code="not_approved", fields={"motion": [message]})
    allocation.motion, allocation.approved_by, allocation.approved_at = motion, user, now or timezone.now()
    try:
        with transaction.atomic():
            allocation.save(update_fields=["motion", "approved_by", "approved_at"])
    except IntegrityError:
        # The database's word: one approved allocation a year, one allocation a motion.
        raise ConflictError(
            _("This year, or that motion, already has an approved allocation."), code="already_approved"
        ) from None
    return allocation


# --- The calculation ------------------------------------------------------------------------------


@transaction.atomic
def allocation_calculation_start(
    *, user: User, allocation: DividendAllocation, now: datetime | None = None
) -> DividendAllocation:
    """Mark the calculation started (or, after a worker died mid-way, to carry on). The doors call
    it through `governance.tasks.dividends_calculation_start`, which also queues the task."""
    staff_only(user, _("calculate dividends"), action="allocation_calculation_start")
    allocation = DividendAllocation.objects.select_for_update().get(pk=allocation.pk)
    refusal = approval_refusal(allocation)
    if refusal is not None:
        raise refusal
    if allocation.status not in (DividendAllocation.Status.PROPOSED, DividendAllocation.Status.CALCULATING):
        raise ConflictError(_("These dividends are already calculated."), code="already_calculated")
    if allocation.status == DividendAllocation.Status.PROPOSED:
        allocation.status = DividendAllocation.Status.CALCULATING
        allocation.calculation_started_at = now or timezone.now()
        allocation.save(update_fields=["status", "calculation_started_at"])
    return allocation


def dividends_calculate(*, allocation_id: int, batches: int | None = None) -> DividendAllocation | None:
    """The calculation (the task's body). First every member's dividend is worked out and written,
    in one transaction; then their statements are issued a batch at a time, each batch its own
    transaction moving the progress on. Safe to run twice, or two at once: the dividends are
    written once (the first run holds the allocation's lock; the database allows one dividend per
    member), and each batch of statements is claimed with SKIP LOCKED. `batches` stops after so
    many batches (a run cut short, as a killed worker would leave it); None runs to the end."""
    if not _dividends_share(allocation_id):
        return DividendAllocation.objects.filter(pk=allocation_id).first()
    done = 0
    while batches is None or done < batches:
        if not _statements_issue(allocation_id):
            break
        done += 1
    return _calculation_finish(allocation_id)


@transaction.atomic
def _dividends_share(allocation_id: int) -> bool:
    allocation = (
        DividendAllocation.objects.select_for_update(of=("self",))
        .select_related("year")
        .filter(pk=allocation_id)
        .first()
    )
    if allocation is None or allocation.status != DividendAllocation.Status.CALCULATING:
        return False
    if allocation.shared_at is not None:
        return True  # shared out already (by a run that then stopped, or one racing this)
    if approval_refusal(allocation) is not None:
        return False  # the gate is checked again where it matters, and cannot be passed by a task
    measures = dividend_selectors.allocation_measures(allocation=allocation)
    rows, leftover, now = [], 0, timezone.now()
    for member_class, _field in CLASS_POOLS:
        pool = allocation.pool_for(member_class)
        shared = sharing.share_out(pool=pool, measures=measures.get(member_class, {}))
        leftover += shared.leftover
        measure = allocation.measure_for(member_class)
        for membership_id, amount in shared.amounts.items():
            rows.append(
                Dividend(
                    allocation_id=allocation.pk,
                    membership_id=membership_id,
                    member_class=member_class,
                    measure=measure,
                    quantity=measures[member_class][membership_id],
                    class_quantity=shared.total_measure,
                    class_pool_pence=pool,
                    amount_pence=amount,
                    created_at=now,
                )
            )
    Dividend.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    allocation.leftover_pence = leftover
    allocation.progress_total = Dividend.objects.filter(allocation_id=allocation.pk).count()
    allocation.progress_done = 0
    allocation.shared_at = now
    allocation.save(update_fields=["leftover_pence", "progress_total", "progress_done", "shared_at"])
    return True


@transaction.atomic
def _statements_issue(allocation_id: int) -> bool:
    """Issue one batch of statements: each by email (the one outbox) and on the member's account.
    Returns False when there were none left to claim."""
    dividends = list(
        Dividend.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(allocation_id=allocation_id, stated_at__isnull=True)
        .select_related("membership__user", "membership__profile", "allocation__year")
        .order_by("pk")[:STATEMENT_BATCH]
    )
    if not dividends:
        return False
    now = timezone.now()
    emails = []
    for dividend in dividends:
        statement = dividend_selectors.dividend_statement(dividend)
        emails.append(
            outbox.Outgoing(
                kind="governance.dividend_statement",
                to=dividend.membership.user.email,
                name=dividend.membership.shown_name,
                context={
                    "amount": statement.amount,
                    "reason": statement.reason,
                    "year": dividend.allocation.year.label,
                },
                about=f"dividend:{dividend.pk}",
            )
        )
    outbox.emails_queue(emails=emails)
    Dividend.objects.filter(pk__in=[d.pk for d in dividends]).update(stated_at=now)
    DividendAllocation.objects.filter(pk=allocation_id).update(
        progress_done=F("progress_done") + len(dividends)
    )
    return True


@transaction.atomic
def _calculation_finish(allocation_id: int) -> DividendAllocation | None:
    allocation = DividendAllocation.objects.select_for_update().filter(pk=allocation_id).first()
    if allocation is None or allocation.status != DividendAllocation.Status.CALCULATING:
        return allocation
    if allocation.shared_at is None or allocation.dividends.filter(stated_at__isnull=True).exists():
        return allocation  # another run is issuing the rest, or this one was cut short
    allocation.status = DividendAllocation.Status.CALCULATED
    allocation.calculated_at = timezone.now()
    allocation.progress_done = allocation.progress_total
    allocation.save(update_fields=["status", "calculated_at", "progress_done"])
    return allocation


# --- Payment --------------------------------------------------------------------------------------


@transaction.atomic
def allocation_pay(
    *, user: User, allocation: DividendAllocation, now: datetime | None = None
) -> DividendAllocation:
    """Staff mark the dividends paid (after paying the payment file). Refused, with `not_approved`,
    unless an AGM motion approving this allocation has passed."""
    staff_only(user, _("pay dividends"), action="allocation_pay")
    allocation = DividendAllocation.objects.select_for_update().get(pk=allocation.pk)
    refusal = approval_refusal(allocation)
    if refusal is not None:
        raise refusal
    if allocation.status == DividendAllocation.Status.PAID:
        raise ConflictError(_("These dividends are already paid."), code="already_paid")
    if allocation.status != DividendAllocation.Status.CALCULATED:
        raise ConflictError(_("Calculate the dividends before paying them."), code="not_calculated")
    allocation.status = DividendAllocation.Status.PAID
    allocation.paid_at, allocation.paid_by = now or timezone.now(), user
    allocation.save(update_fields=["status", "paid_at", "paid_by"])
    return allocation
