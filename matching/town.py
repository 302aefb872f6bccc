"""The teams of the town-size co-op (carecoop.town, `manage.py seed_town`)."""

from collections.abc import Callable

from carecoop.town import Town
from matching.benchmarking import teams_seed_in_bulk

TEAM_SIZE = 3
BUSY_TEAMS = 12  # the busy worker works in this many people's teams


def seed_teams(town: Town) -> str:
    """Every person getting support has a team of about three workers, every worker is in at
    least one team, and the busy worker is in twelve (the person persona's first)."""
    busy = town.persona_members["worker"]
    others = town.receivers[1:]
    town.busy_teams = [
        town.persona_members["person"],
        *town.rng.sample(others, min(BUSY_TEAMS - 1, len(others))),
    ]
    teams = teams_seed_in_bulk(
        # The busy worker's places are all given here, not by the spread below.
        worker_ids=town.workers[1:],
        receiver_ids=town.receivers,
        rng=town.rng,
        size=TEAM_SIZE,
        extra=[(receiver, busy) for receiver in town.busy_teams],
    )
    places = sum(len(team) for team in teams)
    return f"{len(teams):,} teams, {places:,} workers' places (the busy worker in {len(town.busy_teams)})"


STAGES: list[tuple[str, Callable[[Town], str]]] = [("teams", seed_teams)]
