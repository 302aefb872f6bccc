"""Votes in bulk for the benchmark commands and the town-size seed: a Participation and a Vote
for each voter, written directly rather than through vote_cast, so that thousands take a second.
The two rows are kept apart as the service keeps them (rule 7): only the receipt joins them."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection

from governance import receipts
from governance.models import Ballot, Participation, Vote


@dataclass(frozen=True)
class Voter:
    membership_id: int
    member_class: str
    # Who pressed the button: the member, their proxy or (in a benchmark) the secretary.
    cast_by_id: int
    proxy_id: int | None = None
    voted_at: datetime | None = None  # None: now


def votes_seed_in_bulk(*, ballot: Ballot, voters: Iterable[Voter], vote: Callable[[], dict[str, Any]]) -> int:
    """A vote for each voter on `ballot`, each chosen by calling `vote()` (its choice or
    ranking). Returns how many."""
    participations, votes = [], []
    for voter in voters:
        receipt = receipts.receipt_new()
        participations.append(
            Participation(
                ballot=ballot,
                membership_id=voter.membership_id,
                cast_by_id=voter.cast_by_id,
                proxy_id=voter.proxy_id,
                change_key_hash=receipts.change_key_hash(receipt),
                **({"voted_at": voter.voted_at} if voter.voted_at else {}),
            )
        )
        votes.append(
            Vote(
                ballot=ballot,
                member_class=voter.member_class,
                receipt_hash=receipts.receipt_hash(receipt),
                **vote(),
            )
        )
    Participation.objects.bulk_create(participations, batch_size=2000)
    Vote.objects.bulk_create(votes, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE governance_vote")
    return len(votes)
