"""What a visit costs, by the one rule: the worker's rate for the minutes that count; the worker
gets it less the co-op's deduction, the person pays it plus the co-op's addition, each rounded half
up to the penny, once per visit; the co-op keeps the difference (decisions 14 and 20). A sleep-in
is paid a flat rate for the night instead, shared by the same rule (decision 25).

Pure arithmetic in Decimal over whole pence, never float. The percentages are the co-op's policy
(members.Policy, with its history), asked once by the caller."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol


class Share(Protocol):
    """The co-op's share of each visit: members.Policy."""

    coop_deduction_percent: Decimal
    coop_addition_percent: Decimal


@dataclass(frozen=True)
class Cost:
    """Money for one visit (or one hour), in pence."""

    worker_gets: int
    person_pays: int

    @property
    def coop_keeps(self) -> int:
        return self.person_pays - self.worker_gets


def _pence(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


NOTHING = Cost(worker_gets=0, person_pays=0)


def cost_of(*, rate_pence: int, minutes: int, share: Share) -> Cost:
    return _shared(Decimal(rate_pence) * minutes / 60, share)


def _shared(gross: Decimal, share: Share) -> Cost:
    return Cost(
        worker_gets=_pence(gross * (1 - Decimal(share.coop_deduction_percent) / 100)),
        person_pays=_pence(gross * (1 + Decimal(share.coop_addition_percent) / 100)),
    )


def night(rate_pence: int, share: Share) -> Cost:
    """A sleep-in: the worker's flat rate for the night, whatever its length; the worker gets it
    less the co-op's deduction, the person pays it plus its addition, each rounded half up to the
    penny. What profiles show the person as a night's cost, and what a sleep-in visit costs."""
    return _shared(Decimal(rate_pence), share)


def hourly(rate_pence: int, share: Share) -> Cost:
    """An hour at this rate: what search, suggestions and profiles show the person (they pay
    `person_pays` an hour) and an offer shows the worker."""
    return cost_of(rate_pence=rate_pence, minutes=60, share=share)


def highest_rate_within(person_pays_pence: int, share: Share) -> int:
    """The highest worker's rate whose hour costs the person at most this: a search for workers
    "up to £20 an hour" means £20 paid by the person, not £20 of the worker's rate."""
    rate = int(Decimal(person_pays_pence) * 100 / (100 + Decimal(share.coop_addition_percent)))
    while hourly(rate + 1, share).person_pays <= person_pays_pence:
        rate += 1
    while rate > 0 and hourly(rate, share).person_pays > person_pays_pence:
        rate -= 1
    return rate


def mileage(miles: Decimal, pence_per_mile: int) -> int:
    """Mileage in pence: the miles at the co-op's rate a mile, rounded half up to the penny. Paid
    to the worker and charged to the person in full, with no co-op share (decision 25)."""
    return _pence(Decimal(miles) * pence_per_mile)
