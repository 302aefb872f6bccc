"""The visit pages: who may see what, the booking form, and query counts that do not grow."""

import datetime

import pytest

from members.models import CircleMember
from scheduling import services
from scheduling.models import EmailChoice, Visit
from tests.factories import UserFactory, VisitFactory, add_worker
from tests.scheduling.conftest import at
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")


def _delivered(ruth, megan, time_machine):
    visit = services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(24, 9), ends=at(24, 11)
    ).visits[0]
    services.visit_accept(visit=visit, by=megan.user)
    time_machine.move_to(at(24, 9), tick=False)
    services.visit_check_in(visit=visit, by=megan.user)
    services.visit_check_out(
        visit=visit, by=megan.user, note="Ruth was cheerful; she took her tablets.", shorter=True
    )
    return visit


def test_the_care_log_is_seen_by_the_person_circle_team_and_staff_only(
    client, ruth, megan, asha, tom, jane, outsider, staff, time_machine
):
    visit = _delivered(ruth, megan, time_machine)
    unpowered = UserFactory(email="neighbour@example.org")
    CircleMember.objects.create(
        receiver=ruth,
        supporter=unpowered,
        email=unpowered.email,
        status=CircleMember.Status.ACTIVE,
        can_view_care=False,
        token_hash="neighbour",
        invited_by=ruth.user,
        expires_at=at(30, 9),
    )
    for user, status in [
        (ruth.user, 200),
        (jane, 200),
        (megan.user, 200),
        (asha.user, 200),
        (staff, 200),
        (tom.user, 404),
        (outsider, 404),
        (unpowered, 404),
    ]:
        log_in_with_second_factor(client, user)
        log = client.get(f"/care-log/{ruth.number}/")
        page = client.get(f"/visits/{visit.pk}/")
        assert (user.email, log.status_code) == (user.email, status)
        assert (user.email, page.status_code) == (user.email, status)
        if status == 200:
            assert "took her tablets" in log.content.decode()


def test_booking_through_the_form_shows_a_refusal_beside_the_field(client, ruth, megan):
    client.force_login(ruth.user)

    response = client.post(
        "/visits/new/",
        {"worker": str(megan.number), "day": "2026-11-24", "starts_at": "09:00", "ends_at": "09:15"},
    )

    assert response.status_code == 200
    assert "A visit lasts from 30 minutes to 12 hours." in response.content.decode()
    assert not Visit.objects.exists()


def test_a_weekly_booking_through_the_form(client, ruth, megan):
    client.force_login(ruth.user)

    response = client.post(
        "/visits/new/",
        {
            "worker": str(megan.number),
            "day": "2026-11-24",
            "starts_at": "09:00",
            "ends_at": "10:00",
            "tasks": "Breakfast\n\nTablets",
            "repeat": "on",
            "weekdays": ["1", "3"],
            "every_weeks": "1",
            "count": "6",
        },
    )

    assert response.status_code == 302
    visits = list(Visit.objects.order_by("starts"))
    assert len(visits) == 6
    assert [v.starts.astimezone(at(1, 0).tzinfo).strftime("%a %H:%M") for v in visits[:2]] == [
        "Tue 09:00",
        "Thu 09:00",
    ]
    assert [t["label"] for t in visits[0].tasks] == ["Breakfast", "Tablets"]


def test_a_weekly_booking_first_on_the_night_the_clocks_go_forward_keeps_its_times(
    client, ruth, megan, time_machine
):
    time_machine.move_to(at(20, 10, month=3, year=2027), tick=False)
    client.force_login(ruth.user)

    client.post(
        "/visits/new/",
        {
            "worker": str(megan.number),
            "day": "2027-03-28",  # 01:00 becomes 02:00 that night
            "starts_at": "01:30",
            "ends_at": "03:00",
            "sleep_in": "on",
            "repeat": "on",
            "weekdays": ["6"],
            "every_weeks": "1",
            "count": "3",
        },
    )

    london = at(1, 0).tzinfo
    times = [
        (v.starts.astimezone(london).strftime("%d %H:%M"), v.ends.astimezone(london).strftime("%H:%M"))
        for v in Visit.objects.order_by("starts")
    ]
    # The first night has no 01:30; the weeks after keep the times asked for.
    assert times[1:] == [("04 01:30", "03:00"), ("11 01:30", "03:00")]


def test_someone_who_may_not_book_is_sent_back(client, ruth, megan, tom):
    client.force_login(tom.user)

    assert client.get(f"/visits/new/?for={ruth.number}").status_code == 404
    assert client.get("/visits/new/").status_code == 302


def test_an_unknown_action_or_a_stranger_changes_nothing(client, ruth, megan, outsider):
    visit = services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(24, 9), ends=at(24, 11)
    ).visits[0]
    client.force_login(megan.user)
    assert client.post(f"/visits/{visit.pk}/explode/").status_code == 404
    client.force_login(outsider)
    assert client.post(f"/visits/{visit.pk}/accept/").status_code == 404
    visit.refresh_from_db()
    assert visit.status == Visit.Status.OFFERED


@pytest.mark.parametrize("view", ["agenda", "week", "month"])
def test_the_calendar_asks_the_same_number_of_queries_as_visits_grow(
    client, ruth, megan, staff, view, django_assert_max_num_queries
):
    client.force_login(megan.user)

    booked = []

    def book(count):
        for _ in range(count):
            day = at(24, 9) + datetime.timedelta(days=len(booked) // 3, hours=2 * (len(booked) % 3))
            booked.append(day)
            VisitFactory(receiver=ruth, worker=megan, starts=day, status=Visit.Status.ACCEPTED)

    book(2)
    with django_assert_max_num_queries(16) as few:
        assert client.get(f"/visits/?view={view}").status_code == 200
    book(20)
    add_worker(staff, "Asha Patel", "asha@example.org", team_of=ruth)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/visits/?view={view}")
    assert response.content.decode().count("visit__time") >= 4


def test_the_care_log_asks_the_same_number_of_queries_as_notes_grow(
    client, ruth, megan, asha, jane, django_assert_max_num_queries
):
    def delivered(count, worker):
        for _ in range(count):
            visit = VisitFactory(receiver=ruth, worker=worker, status=Visit.Status.ACCEPTED)
            Visit.objects.filter(pk=visit.pk).update(
                checked_in_at=visit.starts,
                checked_out_at=visit.ends,
                visit_note=f"Note {visit.pk}: Ruth was cheerful.",
            )

    client.force_login(jane)
    delivered(3, megan)
    with django_assert_max_num_queries(12) as few:
        assert client.get(f"/care-log/{ruth.number}/").content.decode().count("Ruth was cheerful") == 3
    delivered(15, megan)
    delivered(15, asha)
    with django_assert_max_num_queries(12) as many:
        assert client.get(f"/care-log/{ruth.number}/").content.decode().count("Ruth was cheerful") == 20

    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_calendar_address_is_shown_once_and_can_be_stopped(client, ruth, megan):
    client.force_login(megan.user)

    made = client.post("/calendar-feed/", {"action": "renew"})
    url = made.context["url"]
    assert "/api/v1/calendar/" in url
    assert url.endswith(".ics")
    path = url.split("testserver", 1)[1]
    assert client.get(path).status_code == 200
    assert client.get("/calendar-feed/").context["url"] is None

    client.post("/calendar-feed/", {"action": "revoke"})
    assert client.get(path).status_code == 404


def test_the_worker_on_their_way_sees_the_address_and_nobody_else_on_the_team_does(client, ruth, megan, asha):
    visit = services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(24, 9), ends=at(24, 11)
    ).visits[0]
    street = ruth.address.splitlines()[0]
    client.force_login(megan.user)
    assert street not in client.get(f"/visits/{visit.pk}/").content.decode()  # offered, not yet agreed

    services.visit_accept(visit=visit, by=megan.user)

    page = client.get(f"/visits/{visit.pk}/").content.decode()
    assert street in page
    assert ruth.postcode in page
    client.force_login(asha.user)  # in the team, but not this visit's worker
    assert street not in client.get(f"/visits/{visit.pk}/").content.decode()


@pytest.mark.parametrize(
    "path", ["/visits/", "/visits/new/", "/notifications/", "/calendar-feed/", "/care-log/1/"]
)
def test_the_visit_pages_ask_for_a_login(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_notifications_ask_the_same_number_of_queries_as_they_grow(
    client, ruth, megan, django_assert_max_num_queries
):
    client.force_login(megan.user)

    def offer(count, first_day):
        for i in range(count):
            day = at(first_day + i, 9)
            services.visit_book(
                by=ruth.user, receiver=ruth, worker=megan, starts=day, ends=at(first_day + i, 10)
            )

    offer(1, 24)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/notifications/").status_code == 200
    offer(5, 25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/notifications/").content.decode()
    assert page.count("asks you to visit") == 6


def test_email_choices_keep_what_is_valid_and_refuse_the_rest(client, megan):
    client.force_login(megan.user)

    refused = client.post("/notifications/", {"kinds": ["not_a_kind"]})
    assert refused.status_code == 200
    assert "not one of the available choices" in refused.content.decode()
    assert not EmailChoice.objects.filter(user=megan.user).exists()

    client.post("/notifications/", {"kinds": ["visit_offered"]})
    muted = set(EmailChoice.objects.filter(user=megan.user).values_list("kind", flat=True))
    assert "visit_offered" not in muted
    assert "worker_24h" in muted


@pytest.mark.parametrize(
    "query",
    [
        "view=month&date=9999-12-15",
        "view=week&date=9999-12-31",
        "view=agenda&date=9999-12-20",
        "date=0001-01-01",
        "view=month&date=0001-01-01",
    ],
)
def test_a_calendar_date_at_the_ends_of_time_shows_today_instead(client, ruth, query):
    client.force_login(ruth.user)

    response = client.get(f"/visits/?{query}")

    assert response.status_code == 200


def test_a_booking_for_the_year_9999_is_a_form_error_and_books_nothing(client, ruth, megan):
    client.force_login(ruth.user)

    response = client.post(
        "/visits/new/",
        {"worker": megan.number, "day": "9999-12-31", "starts_at": "22:00", "ends_at": "06:00"},
    )

    assert response.status_code == 200
    assert "Choose a day within the next few years." in response.content.decode()
    assert not Visit.objects.exists()


def test_a_task_number_in_another_script_is_refused_not_a_crash(client, ruth, megan, time_machine):
    visit = services.visit_accept(
        visit=services.visit_book(
            by=ruth.user, receiver=ruth, worker=megan, starts=at(24, 9), ends=at(24, 10), tasks=["Tea"]
        ).visits[0],
        by=megan.user,
    )
    time_machine.move_to(at(24, 9), tick=False)
    services.visit_check_in(visit=visit, by=megan.user)
    client.force_login(megan.user)

    response = client.post(f"/visits/{visit.pk}/task/", {"index": "²", "done": "1"}, follow=True)

    assert response.status_code == 200
    assert Visit.objects.get(pk=visit.pk).tasks == [{"label": "Tea", "done": False}]


def _weekly(ruth, megan, count=4):
    return services.series_create(
        by=ruth.user,
        receiver=ruth,
        worker=megan,
        weekdays=[1],
        starts_at=datetime.time(9),
        ends_at=datetime.time(10),
        first_date=datetime.date(2026, 11, 24),
        count=count,
    )


def test_cancelling_a_repeating_booking_shows_how_many_and_needs_the_box_ticked(client, ruth, megan):
    booked = _weekly(ruth, megan)
    client.force_login(ruth.user)
    page = client.get(f"/visits/{booked.visits[0].pk}/").content.decode()
    assert "Cancel the repeating booking (4 visits to come)" in page

    unticked = client.post(
        f"/visits/{booked.visits[0].pk}/cancel-series/", {"series-reason": "Moving away"}, follow=True
    )
    assert "Tick the box" in unticked.content.decode()
    assert Visit.objects.filter(status=Visit.Status.OFFERED).count() == 4

    client.post(
        f"/visits/{booked.visits[0].pk}/cancel-series/",
        {"series-reason": "Moving away", "series-confirm": "on"},
    )
    assert Visit.objects.filter(status=Visit.Status.CANCELLED).count() == 4


def test_the_cancel_panel_warns_when_cancelling_now_would_be_late(client, ruth, megan):
    soon = services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(24, 9), ends=at(24, 10)
    ).visits[0]
    services.visit_accept(visit=soon, by=megan.user)
    client.force_login(ruth.user)

    page = client.get(f"/visits/{soon.pk}/").content.decode()

    assert "cancelling it now is recorded as a late cancellation" in page


def test_a_worker_is_told_when_check_in_opens_rather_than_shown_the_button_weeks_ahead(client, ruth, megan):
    later = services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(7, 9, month=12), ends=at(7, 10, month=12)
    ).visits[0]
    services.visit_accept(visit=later, by=megan.user)
    client.force_login(megan.user)

    page = client.get(f"/visits/{later.pk}/").content.decode()

    assert "You can check in from 08:00 on Monday 7 December" in page
    assert "data-check-in" not in page


def test_someone_who_books_for_one_person_finds_their_visits_and_is_taken_to_booking_for_them(
    client, ruth, jane
):
    client.force_login(jane)

    visits = client.get("/visits/").content.decode()
    booking = client.get("/visits/new/")

    assert "People you support" in visits
    assert f"/visits/new/?for={ruth.number}" in visits
    assert booking.status_code == 302
    assert booking.url == f"/visits/new/?for={ruth.number}"
    assert "For Ruth" in client.get(booking.url).content.decode()


def test_hours_to_confirm_name_the_day_of_each_visit(client, ruth, megan, time_machine):
    visit = services.visit_accept(
        visit=services.visit_book(
            by=ruth.user, receiver=ruth, worker=megan, starts=at(24, 9), ends=at(24, 10)
        ).visits[0],
        by=megan.user,
    )
    time_machine.move_to(at(24, 9), tick=False)
    services.visit_check_in(visit=visit, by=megan.user)
    services.visit_check_out(visit=visit, by=megan.user, note="Tea and tablets.", shorter=True)
    client.force_login(ruth.user)

    page = client.get("/visits/").content.decode()

    assert "Hours to confirm" in page
    assert "Tue 24 Nov, 09:00–10:00" in page


def test_an_offer_shows_the_worker_what_they_will_get_before_they_answer(client, ruth, megan):
    visit = services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(24, 9), ends=at(24, 11)
    ).visits[0]
    client.force_login(megan.user)

    page = client.get(f"/visits/{visit.pk}/").content.decode()

    assert "Accept the visit" in page
    assert "You get £27.75; the co-op keeps £7.50." in page


@pytest.mark.parametrize("action", ["cancel", "decline"])
def test_a_nul_byte_typed_into_a_visits_button_is_refused_with_a_message_and_changes_nothing(
    client, ruth, megan, action
):
    visit = services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(24, 9), ends=at(24, 11)
    ).visits[0]
    client.force_login(ruth.user if action == "cancel" else megan.user)
    before = Visit.objects.values().get(pk=visit.pk)

    response = client.post(f"/visits/{visit.pk}/{action}/", {"reason": "Unwell\x00today"}, follow=True)

    assert response.status_code == 200
    assert "characters that cannot be kept" in response.content.decode()
    assert Visit.objects.values().get(pk=visit.pk) == before


@pytest.mark.parametrize("action", [None, "", "renw", "delete"])
def test_a_calendar_address_is_made_or_stopped_only_by_the_pages_two_buttons(client, ruth, action):
    from scheduling.models import CalendarFeed

    services.calendar_feed_renew(user=ruth.user)
    before = CalendarFeed.objects.get(user=ruth.user).token_hash
    client.force_login(ruth.user)

    response = client.post("/calendar-feed/", {} if action is None else {"action": action})

    assert response.status_code == 400
    assert "Choose one of the buttons" in response.content.decode()
    assert CalendarFeed.objects.get(user=ruth.user).token_hash == before
    assert client.post("/calendar-feed/", {"action": "renew"}).status_code == 200
    assert CalendarFeed.objects.get(user=ruth.user).token_hash != before
