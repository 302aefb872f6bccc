"""The day the suites are written about: Monday 23 November 2026, 10:00 in Halifax. Tests that
speak of dates ask for the `now` fixture (tests/conftest.py), which stands the clock here."""

import datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
