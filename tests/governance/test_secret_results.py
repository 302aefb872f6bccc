"""A secret ballot's figures by class never give a vote away (decision 40): on the results page,
in the CSV and through the API, a small class, a class that chose alike, and a class that
subtraction would bring back are shown only added up with others; the result stands on every vote.
A named ballot keeps every class's figures."""

import csv
import datetime
import io

import pytest

from governance import services
from governance.models import GovernancePolicy
from governance.secrecy import rows_shown
from tests.factories import MembershipFactory
from tests.governance.conftest import call_agm, open_motion_ballot

pytestmark = pytest.mark.usefixtures("now")

# The four classes, and how their members vote.
MIXED_RECEIVERS = [("receiver", "for")] * 4 + [("receiver", "against")] * 2
MANY_RECEIVERS = [("receiver", "for")] * 5 + [("receiver", "against")] * 3 + [("receiver", "abstain")]
MIXED_WORKERS = [("worker", "for")] * 3 + [("worker", "against")] * 2 + [("worker", "abstain")]
ONE_ADVOCATE = [("advocate", "for")]
TWO_INVESTORS_ALIKE = [("investor", "for")] * 2


def _closed_ballot(staff, voters, *, secret=True):
    members = [(MembershipFactory(member_class=c), choice) for c, choice in voters]
    ballot = open_motion_ballot(staff, call_agm(staff), secret=secret)
    for member, choice in members:
        services.vote_cast(ballot=ballot, user=member.user, choice=choice)
    services.ballot_close(ballot=ballot, now=ballot.closes_at + datetime.timedelta(seconds=1))
    ballot.refresh_from_db()
    return ballot, members[0][0]


def _shown(client, api_client, ballot, member):
    """The rows by class as the page, the CSV and the API show them: {classes: (for, against, abstain)}."""
    client.force_login(member.user)
    page = client.get(f"/ballots/{ballot.pk}/results/").content.decode()
    table = page[page.index('<tbody role="rowgroup">') : page.index("</tbody>")]
    on_page = {
        cells[0]: tuple(int(n) for n in cells[2:5])
        for cells in (
            [part.split(">")[-1] for part in row.split("</t")[:-1]] for row in table.split("<tr")[1:]
        )
    }
    rows = list(csv.reader(io.StringIO(client.get(f"/ballots/{ballot.pk}/results.csv").content.decode())))
    header = next(i for i, row in enumerate(rows) if row[:1] == ["member_class"])
    in_csv = {}
    for row in rows[header + 1 :]:
        if row[0] == "all":
            break
        in_csv[row[1]] = tuple(int(n) for n in row[3:6])
    api_client.force_authenticate(member.user)
    result = api_client.get(f"/api/v1/ballots/{ballot.pk}/results/").json()["result"]
    in_api = {tuple(r["member_classes"]): (r["for"], r["against"], r["abstain"]) for r in result["by_class"]}
    return on_page, in_csv, in_api, result


def _true(ballot, member_class):
    row = next(r for r in ballot.result["by_class"] if r["member_class"] == member_class)
    return (row["for"], row["against"], row["abstain"])


def _recoverable(in_api, result, member_class, true_figures):
    """Whether the figures shown give this class's figures: its own row, or the totals less every
    other row."""
    if in_api.get((member_class,)) == true_figures:
        return True
    others = [figures for classes, figures in in_api.items() if member_class not in classes]
    totals = (result["for"], result["against"], result["abstain"])
    remainder = tuple(total - sum(f[i] for f in others) for i, total in enumerate(totals))
    return remainder == true_figures


@pytest.mark.parametrize(
    ("hidden", "voters"),
    [
        ("investor", MIXED_RECEIVERS + MIXED_WORKERS + TWO_INVESTORS_ALIKE),  # small, all alike
        ("advocate", MIXED_RECEIVERS + MIXED_WORKERS + ONE_ADVOCATE),  # a class of one, alone hidden
        ("advocate", MIXED_RECEIVERS + MIXED_WORKERS + ONE_ADVOCATE + TWO_INVESTORS_ALIKE),
    ],
    ids=["small-class-all-alike", "class-of-one-the-only-one-hidden", "class-of-one-beside-another"],
)
def test_a_class_that_would_give_a_vote_away_cannot_be_read_or_worked_out(
    client, api_client, staff, hidden, voters
):
    ballot, member = _closed_ballot(staff, voters)

    on_page, in_csv, in_api, result = _shown(client, api_client, ballot, member)

    assert not _recoverable(in_api, result, hidden, _true(ballot, hidden))
    # Whatever is added up is added up alike on the page, in the CSV and in the API...
    assert sorted(on_page.values()) == sorted(in_csv.values()) == sorted(in_api.values())
    assert len(on_page) == len(in_api) >= 2
    # ...and every row still adds up to the totals.
    assert tuple(sum(f[i] for f in in_api.values()) for i in range(3)) == (
        result["for"],
        result["against"],
        result["abstain"],
    )
    assert result["classes_merged"] is True
    client.force_login(member.user)
    assert "To keep the ballot secret" in client.get(f"/ballots/{ballot.pk}/results/").content.decode()


def test_a_large_class_that_voted_several_ways_is_shown_as_it_voted(client, api_client, staff):
    # The advocate is hidden, and the workers (the smaller class) are added up with them.
    ballot, member = _closed_ballot(staff, MANY_RECEIVERS + MIXED_WORKERS + ONE_ADVOCATE)

    on_page, in_csv, in_api, _result = _shown(client, api_client, ballot, member)

    assert on_page["Person getting support"] == in_csv["Person getting support"] == (5, 3, 1)
    assert in_api[("receiver",)] == _true(ballot, "receiver")


def test_a_class_that_would_give_no_vote_away_is_shown_and_nothing_is_merged(client, api_client, staff):
    ballot, member = _closed_ballot(staff, MIXED_RECEIVERS + MIXED_WORKERS)

    on_page, _in_csv, in_api, result = _shown(client, api_client, ballot, member)

    voted = {classes: figures for classes, figures in in_api.items() if any(figures)}
    assert voted == {("receiver",): (4, 2, 0), ("worker",): (3, 2, 1)}
    assert len(on_page) == 2
    assert (result["classes_merged"], result["weights_withheld"]) == (False, False)


def test_when_weights_would_tell_a_hidden_class_they_are_withheld_and_the_result_still_counts_them(
    client, api_client, staff
):
    # Two investors of 17 voters are over their 10% cap, so each weighs less than one: with the
    # weights and weighted totals shown, their figures could be solved for.
    GovernancePolicy.objects.update_or_create(
        pk=1, defaults={"weighting": "class_cap", "investor_cap_percent": 10}
    )
    ballot, member = _closed_ballot(staff, MIXED_RECEIVERS + MIXED_WORKERS + TWO_INVESTORS_ALIKE)
    assert ballot.result["weighted_for"] != str(ballot.result["for"])  # the cap changed the count

    _on_page, _in_csv, _in_api, result = _shown(client, api_client, ballot, member)

    assert result["weights_withheld"] is True
    assert (result["weighted_for"], result["weighted_against"], result["percent_for"]) == (None, None, None)
    assert all(row["weight"] is None for row in result["by_class"])
    assert result["passed"] is ballot.result["passed"]
    downloaded = client.get(f"/ballots/{ballot.pk}/results.csv").content.decode()
    rows = {row[0]: row[1:] for row in csv.reader(io.StringIO(downloaded)) if row}
    assert rows["weighted_for"] == rows["percent_for"] == [""]
    page = client.get(f"/ballots/{ballot.pk}/results/").content.decode()
    assert ballot.result["weighted_for"].rstrip("0") not in page
    assert "the weighted figures are not shown" in page


def test_a_named_ballot_keeps_every_class_s_figures(client, api_client, staff):
    ballot, member = _closed_ballot(staff, MIXED_RECEIVERS + MIXED_WORKERS + ONE_ADVOCATE, secret=False)

    on_page, in_csv, in_api, result = _shown(client, api_client, ballot, member)

    assert in_api[("advocate",)] == (1, 0, 0)
    advocates = "Family member, friend or advocate"
    assert on_page[advocates] == in_csv[advocates] == (1, 0, 0)
    assert result["classes_merged"] is False


# --- The rule, by hand ------------------------------------------------------------------------------


class _Votes:
    def __init__(self, member_class, votes_for, votes_against, abstentions, weight=1):
        self.member_class = member_class
        self.votes_for, self.votes_against, self.abstentions = votes_for, votes_against, abstentions
        self.weight = weight


@pytest.mark.parametrize(
    ("classes", "rows"),
    [
        # Five or more voters, at least two of them not with the rest: shown as they are.
        ([_Votes("receiver", 4, 2, 0), _Votes("worker", 3, 1, 1)], [("receiver",), ("worker",)]),
        # All but one alike: the one who differs would learn every other vote.
        ([_Votes("receiver", 4, 2, 0), _Votes("worker", 9, 1, 0)], []),
        # Four voters, or two, are too few to show on their own; together they pass. A class where
        # nobody voted tells no vote, and is shown as it is.
        (
            [
                _Votes("receiver", 4, 2, 0),
                _Votes("advocate", 2, 2, 0),
                _Votes("worker", 0, 0, 0),
                _Votes("investor", 0, 1, 1),
            ],
            [("receiver",), ("worker",), ("advocate", "investor")],
        ),
        # The one hidden class takes the smallest shown one with it, one that weighs as it does first.
        (
            [
                _Votes("receiver", 4, 2, 0),
                _Votes("advocate", 1, 0, 0),
                _Votes("worker", 30, 20, 0),
                _Votes("investor", 3, 3, 0, weight=0.5),
            ],
            [("worker",), ("investor",), ("receiver", "advocate")],
        ),
    ],
)
def test_the_rows_a_secret_ballot_shows(classes, rows):
    assert rows_shown(classes).rows == rows
