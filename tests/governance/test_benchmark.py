from io import StringIO

from django.core.management import call_command

from carecoop.models import Email
from governance.models import Ballot, Vote
from members.models import Membership
from tests.benchmarks import assert_timed, figure, timings


def test_the_benchmark_times_the_tally_and_the_count_and_leaves_nothing_behind(db):
    out = StringIO()

    call_command("benchmark_governance", voters=400, candidates=5, runs=2, stdout=out)

    text = out.getvalue()
    timed = timings(text)
    tally = next(t for label, t in timed.items() if label.startswith("Tallying a 400-voter ballot"))
    stv = next(t for label, t in timed.items() if label.startswith("Counting an election of 400 rankings"))
    for timing in (tally, stv):
        assert_timed(timing)
    assert figure(text, r"Opening the ballot \(fixing ([\d,]+) eligible voters\)") == 400
    assert figure(text, r"Opening the ballot .*: (\d+(?:\.\d+)?) (?:ms|s)$") > 0
    assert 0 < figure(text, r"Casting a vote through the service: median (\d+(?:\.\d+)?) ms") < 1000
    # The tally's own figures: the investors' votes are capped, so each weighs less than one.
    assert 0 < figure(text, r"each weighing (\d\.\d+)") < 1
    assert figure(text, r"Calling a meeting: notice to ([\d,]+) members") == 400
    assert figure(text, r"Calling a meeting: .*: (\d+) ms$") >= 0
    assert figure(text, r"Sending (\d+) of those notices through the outbox") == 400
    assert 0 < figure(text, r"through the outbox .*: (\d+(?:\.\d+)?) ms each") < 1000
    assert Membership.objects.count() == 0
    assert Ballot.objects.count() == 0
    assert Vote.objects.count() == 0
    assert Email.objects.count() == 0
