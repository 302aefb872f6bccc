from io import StringIO

from django.core.management import call_command

from members.models import Membership
from tests.benchmarks import assert_timed, timings


def test_the_benchmark_times_suggestions_and_search_and_leaves_nothing_behind(db):
    out = StringIO()

    call_command("benchmark_matching", workers=40, receivers=40, runs=3, stdout=out)

    timed = timings(out.getvalue())
    assert set(timed) == {"Suggestions for a person (best 20)", "Search: skill, distance, time (page of 20)"}
    for timing in timed.values():
        assert_timed(timing)
    assert Membership.objects.count() == 0
