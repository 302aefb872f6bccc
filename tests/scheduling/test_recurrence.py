"""Repeating visits: a weekly pattern booked over a rolling horizon, changed one visit at a time or
from one visit on, cancelled; and London's clock changes, which a visit's wall-clock time ignores
and its real length does not."""

import datetime
from datetime import UTC, date, time, timedelta

import pytest

from carecoop.exceptions import ApplicationError
from scheduling import services
from scheduling.models import Notification, Reminder, Series, Visit, VisitEvent
from scheduling.tasks import series_book_ahead_all_task
from tests.clock import LONDON
from tests.concurrency import race
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")

LIVE = [Visit.Status.OFFERED, Visit.Status.ACCEPTED]


def weekly(by, receiver, worker, **pattern):
    pattern.setdefault("weekdays", [1])  # Tuesdays
    pattern.setdefault("starts_at", time(9))
    pattern.setdefault("ends_at", time(10))
    pattern.setdefault("first_date", date(2026, 11, 24))
    return services.series_create(by=by, receiver=receiver, worker=worker, **pattern)


def days_of(visits):
    return [visit.series_date for visit in visits]


def live_visits(**filters):
    return list(Visit.objects.filter(status__in=LIVE, **filters).order_by("starts"))


def local(moment):
    return moment.astimezone(LONDON)


def tuesdays(first, n, every=1):
    return [first + timedelta(weeks=every * i) for i in range(n)]


# --- A pattern over the horizon -------------------------------------------------------------------


def test_a_weekly_pattern_books_its_visits_over_the_next_eight_weeks(ruth, megan):
    booked = weekly(ruth.user, ruth, megan, weekdays=[0, 3], until=date(2027, 6, 30))

    visits = live_visits()
    # Today is Monday 23 November; eight weeks on is Monday 18 January.
    assert days_of(visits) == sorted(
        tuesdays(date(2026, 11, 26), 8) + tuesdays(date(2026, 11, 30), 8)  # Thursdays and Mondays
    )
    assert len(booked.visits) == 16
    assert booked.series is not None
    assert booked.series.booked_through == date(2027, 1, 18)
    assert all(visit.series_id == booked.series.pk for visit in visits)
    assert all(visit.worker == megan and visit.status == Visit.Status.OFFERED for visit in visits)
    assert {(local(v.starts).time(), local(v.ends).time()) for v in visits} == {(time(9), time(10))}


def test_today_is_not_booked_once_its_time_has_passed(ruth, megan):
    # It is 10:00 on Monday: this morning's 09:00 visit is already over.
    weekly(ruth.user, ruth, megan, weekdays=[0], first_date=date(2026, 11, 23), count=3)

    assert days_of(live_visits()) == [date(2026, 11, 30), date(2026, 12, 7)]


def test_every_other_week_leaves_out_the_weeks_between(ruth, megan):
    weekly(ruth.user, ruth, megan, every_weeks=2, until=date(2027, 12, 31))

    assert days_of(live_visits()) == tuesdays(date(2026, 11, 24), 4, every=2)  # 19 January is too far


def test_a_number_of_visits_ends_the_pattern(ruth, megan):
    weekly(ruth.user, ruth, megan, count=3)

    assert days_of(live_visits()) == tuesdays(date(2026, 11, 24), 3)


def test_a_last_date_ends_the_pattern_on_that_date(ruth, megan):
    weekly(ruth.user, ruth, megan, until=date(2026, 12, 8))

    assert days_of(live_visits()) == tuesdays(date(2026, 11, 24), 3)


def test_an_open_pattern_offers_each_visit_to_the_whole_team(ruth, megan, asha):
    weekly(ruth.user, ruth, None, count=2)

    visits = live_visits()
    assert len(visits) == 2
    assert all(visit.is_open and visit.worker is None for visit in visits)


@pytest.mark.parametrize(
    ("pattern", "code"),
    [
        ({"weekdays": [], "count": 3}, "bad_days"),
        ({"weekdays": [7], "count": 3}, "bad_days"),
        ({"every_weeks": 9, "count": 3}, "bad_interval"),
        ({}, "no_end"),
        ({"until": date(2026, 11, 1)}, "bad_until"),
        ({"count": 0}, "bad_count"),
        ({"starts_at": time(9), "ends_at": time(9, 15), "count": 3}, "bad_length"),
        ({"first_date": date(2027, 6, 1), "count": 3}, "no_visits"),
    ],
    ids=[
        "no days",
        "no such day",
        "every nine weeks",
        "no end",
        "ends before it starts",
        "no visits",
        "too short",
        "beyond the horizon",
    ],
)
def test_a_bad_pattern_is_refused_and_books_nothing(ruth, megan, pattern, code):
    with pytest.raises(ApplicationError) as error:
        weekly(ruth.user, ruth, megan, **pattern)

    assert error.value.code == code
    assert not Visit.objects.exists()
    assert not Series.objects.exists()


def test_only_those_who_may_book_create_a_pattern(ruth, megan, outsider, asha):
    for who in (outsider, asha.user):
        with pytest.raises(ApplicationError) as error:
            weekly(who, ruth, megan, count=3)
        assert error.value.code == "not_allowed"

    assert not Series.objects.exists()


# --- The rolling horizon --------------------------------------------------------------------------


def test_the_daily_task_books_further_ahead_as_the_weeks_pass(ruth, megan, time_machine):
    series = weekly(ruth.user, ruth, megan, count=12).series
    assert len(live_visits()) == 8  # to 12 January; 19 January is past the horizon

    time_machine.move_to(at(7, 6, month=12), tick=False)  # two weeks on
    assert series_book_ahead_all_task.delay().get() == 2
    assert services.series_book_ahead_all() == 0  # running it twice books nothing more

    assert days_of(live_visits()) == tuesdays(date(2026, 11, 24), 10)
    series.refresh_from_db()
    assert series.booked_through == date(2027, 2, 1)

    time_machine.move_to(at(20, 6, month=1, year=2027), tick=False)
    assert services.series_book_ahead_all() == 2  # the pattern ends after twelve visits
    assert days_of(live_visits()) == tuesdays(date(2026, 11, 24), 12)
    assert services.series_book_ahead_all() == 0


@pytest.mark.django_db(transaction=True)
def test_the_daily_task_run_four_times_at_once_books_each_day_once(ruth, megan, asha, time_machine):
    patterns = [weekly(ruth.user, ruth, worker, count=20).series for worker in (megan, asha, None)]
    time_machine.move_to(at(7, 6, month=12), tick=False)

    results = race([services.series_book_ahead_all for _ in range(4)])

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 3 * 2
    for series in patterns:
        assert days_of(live_visits(series=series)) == tuesdays(date(2026, 11, 24), 10)


def test_a_pattern_whose_every_date_is_refused_books_nothing_and_says_why(ruth, megan, staff):
    from members import services as member_services
    from members.models import VettingCheck

    dbs = VettingCheck.objects.get(membership=megan, kind="dbs")
    member_services.vetting_check_void(check=dbs, by=staff, reason="Wrong certificate number")

    with pytest.raises(ApplicationError) as error:
        weekly(ruth.user, ruth, megan, count=3)

    # Every date refused: nothing booked, and the person is told why.
    assert error.value.code == "no_visits"
    assert not Visit.objects.exists()


def test_a_date_refused_when_booking_ahead_is_tried_again_once_the_worker_can_be_booked(
    ruth, megan, staff, time_machine
):
    from members import services as member_services
    from members.models import VettingCheck
    from tests.factories import make_bookable

    weekly(ruth.user, ruth, megan, weekdays=[1], until=date(2027, 6, 30))
    assert len(live_visits()) == 8
    # Megan's DBS is found wrong: the next day's booking ahead is refused for her.
    dbs = VettingCheck.objects.get(membership=megan, kind="dbs")
    member_services.vetting_check_void(check=dbs, by=staff, reason="Wrong certificate number")
    time_machine.move_to(at(25, 6), tick=False)
    assert services.series_book_ahead_all() == 0
    assert days_of(live_visits())[-1] == date(2027, 1, 12)

    # A week later her checks are put right; the refused Tuesday (19 January) is booked after all,
    # with the Tuesday the horizon has just reached.
    make_bookable(megan, staff)
    time_machine.move_to(at(2, 6, month=12), tick=False)
    assert services.series_book_ahead_all() == 2
    assert days_of(live_visits())[-2:] == [date(2027, 1, 19), date(2027, 1, 26)]


def test_a_repeating_booking_tells_the_worker_once_about_all_its_visits(
    ruth, megan, asha, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        weekly(ruth.user, ruth, megan, weekdays=[1, 3], count=6)

    offered = Notification.objects.filter(kind=VisitEvent.OFFERED)
    assert [(n.user.email, n.title) for n in offered] == [
        (
            "megan@example.org",
            "Ruth asks you to visit 6 times (Tue, Thu, 09:00–10:00, every week), "
            "from Tuesday 24 November, 09:00",
        )
    ]
    from django.core import mail

    assert [(m.to, m.subject.split("] ")[1]) for m in mail.outbox] == [
        (["megan@example.org"], offered[0].title)
    ]


def test_an_open_repeating_booking_tells_each_worker_in_the_team_once(ruth, megan, asha):
    weekly(ruth.user, ruth, None, count=4)

    assert sorted(
        Notification.objects.filter(kind=VisitEvent.OFFERED).values_list("user__email", flat=True)
    ) == ["asha@example.org", "megan@example.org"]


# --- Changing one visit, or this and the following ones ----------------------------------------------


def test_changing_one_visit_leaves_the_rest_of_the_pattern_alone(ruth, megan, time_machine):
    weekly(ruth.user, ruth, megan, count=4)
    second = live_visits()[1]

    services.visit_change(visit=second, by=ruth.user, starts=at(2, 14, month=12), ends=at(2, 15, month=12))

    visits = live_visits()
    assert [local(v.starts) for v in visits] == [
        at(24, 9),
        at(2, 14, month=12),
        at(8, 9, month=12),
        at(15, 9, month=12),
    ]
    # The moved visit still stands for its day in the pattern, so that day is not booked again.
    assert visits[1].series_date == date(2026, 12, 1)
    time_machine.move_to(at(1, 6, month=12), tick=False)
    services.series_book_ahead_all()
    assert len(live_visits()) == 4


def test_changing_this_and_the_following_visits_replaces_the_pattern_from_that_visit(
    ruth, megan, time_machine
):
    old = weekly(ruth.user, ruth, megan, until=date(2027, 3, 30)).series
    for visit in live_visits()[:2]:
        services.visit_accept(visit=visit, by=megan.user)
    third = live_visits()[2]

    new = services.series_change_from(
        visit=third, by=ruth.user, starts_at=time(14), ends_at=time(15, 30), tasks=["Shopping"]
    ).series

    old.refresh_from_db()
    assert old.ended_at is not None
    assert old.until == date(2026, 12, 7)
    assert new is not None
    assert new.pk != old.pk
    assert (new.first_date, new.until, new.starts_at) == (date(2026, 12, 8), date(2027, 3, 30), time(14))
    visits = live_visits()
    # The first two stay as they were, accepted; from the third on, the new times are offered.
    assert [(local(v.starts), v.status) for v in visits[:2]] == [
        (at(24, 9), Visit.Status.ACCEPTED),
        (at(1, 9, month=12), Visit.Status.ACCEPTED),
    ]
    assert all(v.series_id == new.pk for v in visits[2:])
    assert {(local(v.starts).time(), local(v.ends).time()) for v in visits[2:]} == {(time(14), time(15, 30))}
    assert {tuple(t["label"] for t in v.tasks) for v in visits[2:]} == {("Shopping",)}
    assert days_of(visits) == tuesdays(date(2026, 11, 24), 8)
    assert Visit.objects.get(pk=third.pk).status == Visit.Status.CANCELLED

    # The old pattern books nothing more; the new one carries on to its own end.
    for month in (1, 2):
        time_machine.move_to(at(10, 6, month=month, year=2027), tick=False)
        services.series_book_ahead_all()
    assert not Visit.objects.filter(series=old, series_date__gt=date(2026, 12, 7)).exclude(
        status=Visit.Status.CANCELLED
    )
    assert days_of(live_visits())[-1] == date(2027, 3, 30)


def test_changing_the_following_visits_of_a_counted_pattern_keeps_its_number(ruth, megan, time_machine):
    weekly(ruth.user, ruth, megan, count=6)
    third = live_visits()[2]

    services.series_change_from(visit=third, by=ruth.user, starts_at=time(11), ends_at=time(12))

    time_machine.move_to(at(7, 6, month=12), tick=False)
    services.series_book_ahead_all()
    visits = live_visits()
    assert days_of(visits) == tuesdays(date(2026, 11, 24), 6)
    assert [local(v.starts).hour for v in visits] == [9, 9, 11, 11, 11, 11]


def test_changing_the_following_visits_counts_a_day_already_past_as_the_pattern_did(ruth, megan):
    # Three Mondays from today; this morning's has gone by, so two are booked.
    weekly(ruth.user, ruth, megan, weekdays=[0], first_date=date(2026, 11, 23), count=3)

    services.series_change_from(visit=live_visits()[0], by=ruth.user, starts_at=time(11), ends_at=time(12))

    assert days_of(live_visits()) == [date(2026, 11, 30), date(2026, 12, 7)]


def test_changing_from_a_visit_keeps_the_patterns_last_date_and_number(ruth, megan, time_machine):
    # Both ends given: whichever comes first ends it, before and after the change.
    weekly(ruth.user, ruth, megan, count=10, until=date(2026, 12, 22))
    assert len(live_visits()) == 5

    services.series_change_from(visit=live_visits()[1], by=ruth.user, starts_at=time(11), ends_at=time(12))

    assert days_of(live_visits()) == tuesdays(date(2026, 11, 24), 5)


def test_only_those_who_may_book_change_the_following_visits(ruth, megan, outsider):
    weekly(ruth.user, ruth, megan, count=4)
    second = live_visits()[1]

    with pytest.raises(ApplicationError) as error:
        services.series_change_from(visit=second, by=megan.user, starts_at=time(11), ends_at=time(12))

    assert error.value.code == "not_allowed"
    assert len(live_visits()) == 4
    assert Series.objects.get().ended_at is None


def test_cancelling_the_pattern_cancels_every_visit_to_come_and_books_no_more(
    ruth, megan, jane, time_machine
):
    series = weekly(ruth.user, ruth, megan, count=12).series
    for visit in live_visits()[:2]:
        services.visit_accept(visit=visit, by=megan.user)
    assert Reminder.objects.filter(sent_at__isnull=True).exists()

    cancelled = services.series_cancel(series=series, by=jane, reason="Ruth is going into hospital.")

    assert cancelled == 8
    assert not live_visits()
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    time_machine.move_to(at(7, 6, month=12), tick=False)
    assert services.series_book_ahead_all() == 0
    assert not live_visits()


def test_cancelling_the_pattern_records_late_cancellations_and_tells_everyone_once(
    ruth, megan, jane, time_machine, django_capture_on_commit_callbacks
):
    series = weekly(ruth.user, ruth, megan, weekdays=[1, 3], count=6).series
    for visit in live_visits():
        services.visit_accept(visit=visit, by=megan.user)
    Notification.objects.all().delete()
    time_machine.move_to(at(23, 18), tick=False)  # Tuesday's 09:00 visit is 15 hours away

    with django_capture_on_commit_callbacks(execute=True):
        services.series_cancel(series=series, by=jane, reason="Ruth is going into hospital.")

    cancelled = Visit.objects.filter(status=Visit.Status.CANCELLED).order_by("starts")
    assert [visit.late_cancellation for visit in cancelled] == [True] + [False] * 5
    assert {visit.cancelled_by for visit in cancelled} == {jane}
    told = Notification.objects.filter(kind=VisitEvent.CANCELLED).order_by("user__email")
    # Jane cancelled, so she is not told; Ruth and Megan are, once each.
    assert [n.user.email for n in told] == ["megan@example.org", "ruth@example.org"]
    assert told[0].title.startswith("6 visits for Ruth (Tue, Thu, 09:00–10:00, every week)")
    assert "Ruth is going into hospital." in told[0].body
    assert "1 of them was due within the late-cancellation window." in told[0].body
    from django.core import mail

    assert sorted(m.to for m in mail.outbox) == [["megan@example.org"], ["ruth@example.org"]]


def test_cancelling_the_pattern_cancels_a_visit_moved_later_from_a_day_already_past(
    ruth, megan, time_machine
):
    series = weekly(ruth.user, ruth, megan, count=4).series
    first = live_visits()[0]  # Tuesday 24 November, moved to the Friday
    services.visit_change(visit=first, by=ruth.user, starts=at(27, 9), ends=at(27, 10))

    time_machine.move_to(at(25, 12), tick=False)  # Wednesday: the 24th is past, the visit is not
    services.series_cancel(series=series, by=ruth.user, reason="Moving to her son's.")

    assert not Visit.objects.filter(starts__gt=at(25, 12), status__in=LIVE).exists()


def test_cancelling_the_pattern_keeps_the_record_of_visits_already_past(ruth, megan, time_machine):
    series = weekly(ruth.user, ruth, megan, weekdays=[2], count=3).series  # Wednesdays
    first = live_visits()[0]
    services.visit_accept(visit=first, by=megan.user)

    time_machine.move_to(at(25, 12), tick=False)  # the first visit was at 09:00 today
    services.series_cancel(series=series, by=ruth.user, reason="Moving to her son's.")

    assert Visit.objects.get(pk=first.pk).status == Visit.Status.ACCEPTED
    assert Visit.objects.filter(status=Visit.Status.CANCELLED).count() == 2


def test_only_those_who_may_book_cancel_the_pattern(ruth, megan, outsider):
    series = weekly(ruth.user, ruth, megan, count=3).series

    for who in (outsider, megan.user):
        with pytest.raises(ApplicationError) as error:
            services.series_cancel(series=series, by=who, reason="Not mine to cancel")
        assert error.value.code == "not_allowed"

    assert len(live_visits()) == 3


# --- London's clock changes ---------------------------------------------------------------------------


def test_a_skipped_time_on_the_spring_forward_day_becomes_an_hour_later():
    moment = services.local_datetime(date(2027, 3, 28), time(1, 30))

    assert moment.astimezone(UTC) == datetime.datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert (local(moment).hour, local(moment).minute) == (2, 30)


def test_a_time_that_happens_twice_on_the_autumn_day_is_the_first_of_the_two():
    moment = services.local_datetime(date(2027, 10, 31), time(1, 30))

    assert moment.astimezone(UTC) == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize(
    ("today", "first", "change"),
    [
        (date(2027, 3, 8), date(2027, 3, 14), date(2027, 3, 28)),
        (date(2027, 10, 11), date(2027, 10, 17), date(2027, 10, 31)),
    ],
    ids=["spring", "autumn"],
)
def test_a_weekly_visit_stays_at_nine_across_the_clock_change(
    ruth, megan, time_machine, today, first, change
):
    time_machine.move_to(datetime.datetime.combine(today, time(10), tzinfo=LONDON), tick=False)

    booked = weekly(ruth.user, ruth, megan, weekdays=[6, 0], first_date=first, count=8)  # Sundays, Mondays

    visits = live_visits()
    assert len(visits) == 8
    assert change in days_of(visits)
    for visit in visits:
        assert (local(visit.starts).time(), local(visit.ends).time()) == (time(9), time(10)), (
            visit.series_date
        )
        assert visit.duration_minutes == 60
    # In UTC the visit moves by the hour the clocks moved.
    offsets = {v.series_date >= change: local(v.starts).utcoffset() for v in visits}
    assert offsets[True] - offsets[False] == timedelta(hours=1 if change.month == 3 else -1)
    # An offer waits until twelve real hours before the start, whatever the clocks do.
    for visit in booked.visits:
        expected = visit.starts.astimezone(UTC) - timedelta(hours=12)
        assert visit.offer_expires_at == expected, visit.series_date


@pytest.mark.parametrize(
    ("today", "saturday", "hours"),
    [
        (date(2027, 3, 15), date(2027, 3, 20), [10, 9, 10]),
        (date(2027, 10, 18), date(2027, 10, 23), [10, 11, 10]),
    ],
    ids=["spring: an hour short", "autumn: an hour long"],
)
def test_a_sleep_in_across_the_clock_change_lasts_the_real_night(
    ruth, megan, time_machine, today, saturday, hours
):
    time_machine.move_to(datetime.datetime.combine(today, time(10), tzinfo=LONDON), tick=False)

    booked = weekly(
        ruth.user,
        ruth,
        megan,
        weekdays=[5],
        starts_at=time(22),
        ends_at=time(8),
        first_date=saturday,
        count=3,
        sleep_in=True,
    )

    assert [v.duration_minutes for v in booked.visits] == [h * 60 for h in hours]
    stored = live_visits()
    assert [v.duration_minutes for v in stored] == [h * 60 for h in hours]
    assert {(local(v.starts).time(), local(v.ends).time()) for v in stored} == {(time(22), time(8))}
    assert all(v.sleep_in for v in stored)


def test_a_visit_booked_at_a_skipped_time_starts_when_the_clock_next_shows_it(ruth, megan, time_machine):
    time_machine.move_to(at(20, 10, month=3, year=2027), tick=False)

    weekly(
        ruth.user,
        ruth,
        megan,
        weekdays=[6],
        starts_at=time(1, 30),
        ends_at=time(4),
        first_date=date(2027, 3, 28),
        count=1,
    )

    visit = Visit.objects.get()
    assert visit.starts == datetime.datetime(2027, 3, 28, 1, 30, tzinfo=UTC)  # 02:30 BST
    assert visit.ends == datetime.datetime(2027, 3, 28, 3, 0, tzinfo=UTC)  # 04:00 BST


def test_an_overnight_visit_over_twelve_real_hours_is_refused_even_when_the_clock_shows_twelve(
    ruth, megan, time_machine
):
    time_machine.move_to(at(18, 10, month=10, year=2027), tick=False)

    with pytest.raises(ApplicationError) as error:
        services.visit_book(
            by=ruth.user,
            receiver=ruth,
            worker=megan,
            starts=services.local_datetime(date(2027, 10, 30), time(21)),
            ends=services.local_datetime(date(2027, 10, 31), time(9)),  # 13 real hours
            sleep_in=True,
        )

    assert error.value.code == "bad_length"


def test_an_overnight_visit_under_twelve_real_hours_is_allowed_even_when_the_clock_shows_more(
    ruth, megan, time_machine
):
    time_machine.move_to(at(15, 10, month=3, year=2027), tick=False)

    visit = services.visit_book(
        by=ruth.user,
        receiver=ruth,
        worker=megan,
        starts=services.local_datetime(date(2027, 3, 27), time(20)),
        ends=services.local_datetime(date(2027, 3, 28), time(8, 30)),  # 11½ real hours
        sleep_in=True,
    ).visits[0]

    assert visit.duration_minutes == 11 * 60 + 30
