"""Which of a secret ballot's class figures may be shown (decision 40). Pure: no database.

A class's figures give a vote away when someone who knows everything else shown (the totals,
the other classes, who is in the class) can work out how one member voted. So a class is shown
on its own only if

- at least `FEWEST_VOTERS` of its members voted: fewer, and the figures are a handful of people
  one can name (an advocate alone in their class is their own row);
- no one choice holds all its votes, or all but one: were it so, anyone who knows a member of the
  class voted knows how, and the one who chose otherwise learns how every other one voted.

The classes that fail are shown together as one row. That row must pass too, and must hold two
classes or more; if it does not, the smallest of the classes shown (one weighing as they do,
first) joins it, until it does. A class alone in the row would be the totals less the classes
shown: subtraction would bring it back. When every class ends up together, only the totals are
shown.

A vote's weight is worked out from the votes cast in each class, and the weighted totals from
each class's figures and weight, so with a class hidden they would let its figures be solved
for. When weighting changes anything (the classes that cast a vote do not all weigh the same)
and a class is hidden, the weights and weighted totals are withheld; the result, passed or not,
is still decided on the true figures and shown.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

FEWEST_VOTERS = 5


class ClassVotes(Protocol):
    @property
    def member_class(self) -> str: ...

    @property
    def votes_for(self) -> int: ...

    @property
    def votes_against(self) -> int: ...

    @property
    def abstentions(self) -> int: ...

    @property
    def weight(self) -> Decimal | None: ...


@dataclass(frozen=True)
class Shown:
    """The rows to show, each naming the classes it adds up (in the order given), and whether
    the weights and weighted totals may be shown."""

    rows: list[tuple[str, ...]]
    weights_shown: bool

    @property
    def classes_merged(self) -> bool:
        return any(len(row) > 1 for row in self.rows)


def _voters(classes: Sequence[ClassVotes]) -> int:
    return sum(c.votes_for + c.votes_against + c.abstentions for c in classes)


def figures_keep_secret(classes: Sequence[ClassVotes]) -> bool:
    """Whether these classes' figures, added up, can be shown without giving a vote away."""
    choices = [
        sum(c.votes_for for c in classes),
        sum(c.votes_against for c in classes),
        sum(c.abstentions for c in classes),
    ]
    voters = sum(choices)
    return voters >= FEWEST_VOTERS and max(choices) <= voters - 2


def rows_shown(classes: Sequence[ClassVotes]) -> Shown:
    """The rows of a secret ballot's figures by class. `classes` are those that took part (with
    eligible members or votes), in the order to show them. A class where nobody voted tells no
    vote (only that its members did not vote, as a register of who voted would) and is shown as
    it is; it never hides another."""
    voting = [c for c in classes if _voters([c])]
    hidden = [c for c in voting if not figures_keep_secret([c])]
    if not hidden:
        return Shown(rows=[(c.member_class,) for c in classes], weights_shown=True)
    alone = [c for c in voting if c not in hidden]
    while alone and (len(hidden) < 2 or not figures_keep_secret(hidden)):
        weights = {c.weight for c in hidden if c.votes_for or c.votes_against}
        joining = min(alone, key=lambda c: (c.weight not in weights, _voters([c])))
        alone.remove(joining)
        hidden.append(joining)
    rows: list[tuple[str, ...]] = []
    if alone:  # else every class that voted is in the one row: that is the totals, shown anyway
        rows = [(c.member_class,) for c in classes if c not in hidden]
        rows.append(tuple(c.member_class for c in classes if c in hidden))
    # Weighting changed nothing when every class that cast a vote weighs the same.
    weighed = {c.weight for c in classes if c.votes_for or c.votes_against}
    return Shown(rows=rows, weights_shown=len(weighed) <= 1)
