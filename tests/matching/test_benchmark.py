from io import StringIO

from django.core.management import call_command

from members.models import Membership


def test_the_benchmark_prints_its_numbers_and_leaves_nothing_behind(db):
    out = StringIO()

    call_command("benchmark_matching", workers=40, receivers=40, runs=3, stdout=out)

    text = out.getvalue()
    assert "Suggestions for a person (best 20)" in text
    assert "Search: skill, distance, time (page of 20)" in text
    assert text.count("median") == 2
    assert "Rolled back" in text
    assert Membership.objects.count() == 0
