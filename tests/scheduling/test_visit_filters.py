"""How a card writes a visit's times: `time_span` gives what `|time:"H:i"` gave each end, in the
co-op's time through the clocks changing, and `local_date` the day a moment falls on there."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from scheduling.templatetags.visits import local_date, time_span

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("starts", "ends", "shown"),
    [
        # Winter: the co-op's time is UTC.
        (
            datetime.datetime(2027, 1, 12, 8, 0, tzinfo=UTC),
            datetime.datetime(2027, 1, 12, 9, 30, tzinfo=UTC),
            "08:00–09:30",
        ),
        # Summer: an hour ahead.
        (
            datetime.datetime(2027, 7, 12, 8, 0, tzinfo=UTC),
            datetime.datetime(2027, 7, 12, 9, 5, tzinfo=UTC),
            "09:00–10:05",
        ),
        # A sleep-in across the night the clocks go back (31 October 2027, 02:00 BST → 01:00 GMT).
        (
            datetime.datetime(2027, 10, 30, 21, 0, tzinfo=UTC),
            datetime.datetime(2027, 10, 31, 7, 0, tzinfo=UTC),
            "22:00–07:00",
        ),
        # Given in another zone, shown in the co-op's.
        (
            datetime.datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Paris")),
            datetime.datetime(2027, 3, 1, 10, 0, tzinfo=ZoneInfo("Europe/Paris")),
            "08:00–09:00",
        ),
    ],
)
def test_a_visits_times_are_shown_in_the_coops_time(starts, ends, shown):
    visit = SimpleNamespace(starts=starts, ends=ends)

    assert time_span(visit) == shown
    assert time_span(visit) == Template('{{ visit.starts|time:"H:i" }}–{{ visit.ends|time:"H:i" }}').render(
        Context({"visit": visit})
    )


def test_times_through_a_year_are_shown_as_the_time_filter_shows_them():
    moment = datetime.datetime(2027, 1, 1, tzinfo=UTC)
    template = Template('{{ visit.starts|time:"H:i" }}–{{ visit.ends|time:"H:i" }}')
    for _ in range(365 * 4):
        visit = SimpleNamespace(starts=moment, ends=moment + datetime.timedelta(minutes=45))
        assert time_span(visit) == template.render(Context({"visit": visit})), moment
        moment += datetime.timedelta(hours=6, minutes=15)


def test_the_day_of_a_moment_is_the_coops_day():
    # 23:30 UTC on 30 June is half past midnight on 1 July in London.
    assert local_date(datetime.datetime(2027, 6, 30, 23, 30, tzinfo=UTC)) == datetime.date(2027, 7, 1)
    assert local_date(datetime.datetime(2027, 12, 31, 23, 30, tzinfo=UTC)) == datetime.date(2027, 12, 31)
