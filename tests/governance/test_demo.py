import pytest
from django.core.management import call_command

from governance.models import Ballot, Meeting, MeetingNotice, Minutes, Motion, Proxy
from members.models import Membership


def test_the_demo_has_an_agm_with_notice_open_ballots_and_a_past_meeting_with_results(db, capsys):
    call_command("seed_demo")

    agm = Meeting.objects.get(title="Annual General Meeting 2026")
    assert agm.kind == "agm"
    assert "Hebden Bridge" in agm.place
    assert MeetingNotice.objects.filter(meeting=agm).count() == Membership.objects.current().count()
    open_ballots = Ballot.objects.filter(meeting=agm, status="open")
    assert sorted(open_ballots.values_list("kind", flat=True)) == ["election", "motion"]
    assert Motion.objects.get(title="Paid travel time between visits").status == "tabled"
    assert list(agm.documents.values_list("title", flat=True)) == [
        "The accounts for the year to 31 March 2026"
    ]
    proxies = Proxy.objects.filter(revoked_at__isnull=True).order_by("pk")
    assert [(p.appointer.legal_name, p.holder.legal_name if p.holder else "the chair") for p in proxies] == [
        ("Margaret Fielden", "Tom Ackroyd"),
        ("David Lord", "the chair"),
    ]

    past = Ballot.objects.get(title="Adopt the rates policy")
    assert past.status == "closed"
    assert past.declared_at is not None
    assert (past.result["for"], past.result["against"], past.result["abstain"]) == (9, 2, 1)
    assert past.result["passed"] is True
    assert Minutes.objects.filter(meeting=past.meeting, approved_at_meeting__isnull=True).exists()

    call_command("seed_demo")  # safe to run again
    assert Meeting.objects.count() == 3  # with the first AGM, which approved the dividends


def test_the_demo_has_a_past_years_dividends_approved_at_an_agm(db):
    from governance import services
    from governance.models import Dividend, DividendAllocation, InterestDeclaration

    call_command("seed_demo")
    allocation = DividendAllocation.objects.select_related("motion__meeting").get()
    assert allocation.motion.meeting.kind == "agm"
    assert services.approval_refusal(allocation) is None
    assert allocation.status == "calculated"
    paid = sum(Dividend.objects.filter(allocation=allocation).values_list("amount_pence", flat=True))
    assert paid + allocation.leftover_pence == allocation.pool_pence
    megan = Membership.objects.get(legal_name="Megan Holt")
    assert Dividend.objects.get(membership=megan).amount_pence > 0
    assert InterestDeclaration.objects.get().total_pence > 0

    call_command("seed_demo")  # safe to run again
    assert DividendAllocation.objects.count() == 1
    assert Dividend.objects.filter(membership=megan).count() == 1


def test_the_demo_agm_is_a_wednesday_three_weeks_ahead_and_never_on_a_holiday():
    import datetime

    from governance.demo import agm_day

    start = datetime.date(2026, 1, 1)
    for offset in range(3 * 366):
        today = start + datetime.timedelta(days=offset)
        day = agm_day(today)
        assert day.weekday() == 2
        assert datetime.timedelta(days=21) <= day - today < datetime.timedelta(days=21 + 7 + 14)
        assert (day.month, day.day) not in {(12, 24), (12, 25), (12, 26), (12, 31), (1, 1)}


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-12-04", "2027-01-06"),  # three weeks on is Christmas Day, a Friday
        ("2026-11-20", "2026-12-16"),
    ],
)
def test_seeding_the_demo_in_december_moves_the_agm_past_the_holidays(db, time_machine, today, expected):
    import datetime

    from django.utils import timezone

    time_machine.move_to(datetime.datetime.fromisoformat(f"{today}T09:00:00+00:00"), tick=False)
    call_command("seed_demo")

    agm = Meeting.objects.get(title="Annual General Meeting 2026")
    assert timezone.localtime(agm.starts_at).date().isoformat() == expected
