from io import StringIO

from django.core.management import call_command

from carecoop.models import Email
from governance.models import Ballot, Vote
from members.models import Membership


def test_the_benchmark_prints_its_numbers_and_leaves_nothing_behind(db):
    out = StringIO()

    call_command("benchmark_governance", voters=400, candidates=5, runs=2, stdout=out)

    text = out.getvalue()
    assert "Calling a meeting: notice to 400 members" in text
    assert "Sending 400 of those notices through the outbox" in text
    assert "Opening the ballot (fixing 400 eligible voters)" in text
    assert "Tallying a 400-voter ballot weighted with the investors' cap: median" in text
    assert "Counting an election of 400 rankings over 5 candidates by STV" in text
    assert text.count("95th percentile") == 3
    assert "Rolled back" in text
    assert Membership.objects.count() == 0
    assert Ballot.objects.count() == 0
    assert Vote.objects.count() == 0
    assert Email.objects.count() == 0
