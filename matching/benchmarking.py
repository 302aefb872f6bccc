"""Teams in bulk for the benchmark commands and the town-size seed: rows inserted directly, not
through introductions and trials, so that thousands take a second."""

import random
from collections.abc import Sequence
from datetime import timedelta

from django.utils import timezone

from matching.models import TeamMember


def teams_seed_in_bulk(
    *,
    worker_ids: Sequence[int],
    receiver_ids: Sequence[int],
    rng: random.Random,
    size: int = 3,
    extra: Sequence[tuple[int, int]] = (),
    joined_days_ago: int = 760,
) -> list[set[int]]:
    """Confirmed workers' places in the teams of the people in `receiver_ids`: every worker in
    at least one team (worker w in person w mod R's), every team with `size` workers (or all of
    them, if there are fewer), and the (receiver, worker) places in `extra` besides. Returns
    each person's team, as worker ids, in the order of `receiver_ids`."""
    today = timezone.localdate()
    teams: list[set[int]] = [set() for _ in receiver_ids]
    for w, worker in enumerate(worker_ids):
        teams[w % len(receiver_ids)].add(worker)
    for team in teams:
        while len(team) < min(size, len(worker_ids)):
            team.add(worker_ids[rng.randrange(len(worker_ids))])
    index = {receiver: r for r, receiver in enumerate(receiver_ids)}
    for receiver, worker in extra:
        teams[index[receiver]].add(worker)
    TeamMember.objects.bulk_create(
        [
            TeamMember(
                receiver_id=receiver,
                member_id=worker,
                role=TeamMember.Role.WORKER,
                status=TeamMember.Status.CONFIRMED,
                joined_on=today - timedelta(days=joined_days_ago),
                trial_ends_on=today - timedelta(days=joined_days_ago - 28),
                confirmed_at=timezone.now() - timedelta(days=joined_days_ago - 28),
            )
            for receiver, team in zip(receiver_ids, teams, strict=True)
            for worker in sorted(team)
        ],
        batch_size=5000,
    )
    return teams
