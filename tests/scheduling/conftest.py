"""The clock for visits: Monday 23 November 2026, 10:00 in Halifax, and days and times around it.
The people (Ruth, Megan, Asha, Tom, Jane) are the cast in tests/conftest.py."""

import datetime

from tests.clock import LONDON

T = datetime.time


def at(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)
