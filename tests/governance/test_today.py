"""Today: the page a member lands on when they log in. A worker sees their next visit (Check in
and directions), the offers waiting for them and nobody else, their two days, the open visits of
their teams, hours waiting and checks about to expire; a person getting support, and those who
act for them, who is coming, hours to confirm, introductions, the team and (with the power to
book) a Book button; everyone, the ballots waiting for their vote."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from governance.selectors.today import today_for_user
from matching.models import Introduction, TeamMember
from members.models import CircleMember
from scheduling import services as scheduling_services
from scheduling.bookings import Booking, Repeat
from scheduling.models import Visit
from scheduling.selectors import directions_url
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    UserFactory,
    VisitFactory,
    add_worker,
    in_circle,
    in_team,
    record_right_to_work,
    with_photo,
)
from tests.governance.conftest import open_motion_ballot
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")

TODAY = reverse("today")


def _at(hours: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(hours=hours)


def _accepted(receiver, worker, starts, minutes=60, **extra):
    return VisitFactory(
        receiver=receiver,
        worker=worker,
        starts=starts,
        ends=starts + datetime.timedelta(minutes=minutes),
        status=Visit.Status.ACCEPTED,
        **extra,
    )


def _offered(receiver, worker, starts, **extra):
    return VisitFactory(
        receiver=receiver, worker=worker, starts=starts, ends=starts + datetime.timedelta(hours=1), **extra
    )


def _delivered(receiver, worker, hours_ago=26):
    starts = _at(-hours_ago)
    return _accepted(
        receiver,
        worker,
        starts,
        checked_in_at=starts,
        checked_out_at=starts + datetime.timedelta(hours=1),
        visit_note="All well.",
    )


def _weekly(ruth, megan, weeks=3):
    first = timezone.localdate() + datetime.timedelta(days=2)
    starts, ends = scheduling_services.span_for(first, datetime.time(9), datetime.time(10, 30))
    booking = Booking(
        receiver=ruth,
        worker=megan,
        starts=starts,
        ends=ends,
        repeat=Repeat(
            weekdays=[first.weekday()],
            first_date=first,
            starts_at=datetime.time(9),
            ends_at=datetime.time(10, 30),
            count=weeks,
        ),
    )
    return scheduling_services.booking_make(by=ruth.user, booking=booking).visits


def _page(client, user) -> str:
    client.force_login(user)
    response = client.get(TODAY)
    assert response.status_code == 200
    return response.content.decode()


# --- Workers -------------------------------------------------------------------------------------


def test_a_worker_sees_the_next_visit_with_check_in_and_directions(client, ruth, megan):
    ruth.address = "3 Birchcliffe Road\nHebden Bridge"
    ruth.save()
    visit = _accepted(ruth, megan, _at(0.5))
    _accepted(ruth, megan, _at(3))

    html = _page(client, megan.user)

    next_visit = html.split('id="next-visit-title"')[1].split("</section>")[0]
    assert "Visit to Ruth" in next_visit
    assert "3 Birchcliffe Road" in next_visit
    assert reverse("visit_action", args=[visit.pk, "check-in"]) in next_visit
    assert (
        "https://www.google.com/maps/dir/?api=1&amp;destination=3+Birchcliffe+Road%2C+Hebden+Bridge%2C+HX"
        in (next_visit)
    )
    assert "js/check-in.js" in html


def test_a_worker_who_has_left_the_team_is_not_offered_check_in(client, ruth, megan):
    visit = _accepted(ruth, megan, _at(0.5))
    TeamMember.objects.filter(receiver=ruth, member=megan).update(status=TeamMember.Status.ENDED)

    html = _page(client, megan.user)

    assert "Visit to Ruth" in html.split('id="next-visit-title"')[1].split("</section>")[0]
    assert reverse("visit_action", args=[visit.pk, "check-in"]) not in html


def test_check_in_waits_until_an_hour_before_the_visit(client, ruth, megan):
    _accepted(ruth, megan, _at(3))

    html = _page(client, megan.user)

    assert "You can check in from 12:00, an hour before the visit." in html
    assert "check-in/" not in html


def test_a_worker_checked_in_is_led_to_the_tasks_and_check_out(client, ruth, megan):
    _accepted(ruth, megan, _at(-0.25), checked_in_at=_at(-0.25))

    html = _page(client, megan.user)

    assert "You checked in at 09:45." in html
    assert "Tasks, note and check out" in html


def test_directions_are_only_for_the_worker_of_an_accepted_visit(client, ruth, megan, asha):
    _offered(ruth, megan, _at(2))
    _accepted(ruth, asha, _at(2))

    html = _page(client, megan.user)

    assert "You have no accepted visits coming up." in html
    assert "google.com/maps" not in html
    assert ruth.address not in html


def test_a_visit_more_than_a_day_ahead_shows_when_and_whom_but_not_where(client, ruth, megan):
    _accepted(ruth, megan, _at(30))

    html = _page(client, megan.user)

    assert "Visit to " in html
    assert "The address and directions show from the day before the visit." in html
    assert "google.com/maps" not in html
    assert ruth.address.splitlines()[0] not in html


def test_a_visit_within_the_day_shows_the_address_and_directions(client, ruth, megan):
    _accepted(ruth, megan, _at(2))

    html = _page(client, megan.user)

    assert "google.com/maps/dir" in html
    assert ruth.address.splitlines()[0] in html


def test_directions_url_reads_the_address_and_postcode():
    url = directions_url(address="Flat 2\n 14 Bridge Gate \n\nHebden Bridge", postcode="HX7 8EX")

    assert url == (
        "https://www.google.com/maps/dir/?api=1&destination=Flat+2%2C+14+Bridge+Gate%2C+Hebden+Bridge%2C+HX7+8EX"
    )


def test_a_worker_never_sees_another_workers_offers(client, ruth, megan, asha):
    hers = _offered(ruth, megan, _at(26))
    not_hers = _offered(ruth, asha, _at(30))

    megans = _page(client, megan.user)
    ashas = _page(client, asha.user)

    assert reverse("visit_action", args=[hers.pk, "accept"]) in megans
    assert reverse("visit_action", args=[hers.pk, "decline"]) in megans
    assert reverse("visit_detail", args=[not_hers.pk]) not in megans
    assert reverse("visit_detail", args=[hers.pk]) not in ashas
    assert reverse("visit_action", args=[not_hers.pk, "accept"]) in ashas


def test_a_weekly_booking_is_one_offer_answered_as_a_whole(client, ruth, megan):
    visits = _weekly(ruth, megan, weeks=3)

    html = _page(client, megan.user)

    offers = html.split('id="offers-title"')[1].split("</section>")[0]
    assert "3 visits wait for your answer." in offers
    assert f"{reverse('visit_detail', args=[visits[0].pk])}#series-answer-heading" in offers
    assert "every week" in offers
    for visit in visits:
        assert reverse("visit_action", args=[visit.pk, "accept"]) not in offers


def test_an_offer_accepted_or_declined_from_today_comes_back_to_today(client, ruth, megan):
    one, two = _offered(ruth, megan, _at(26)), _offered(ruth, megan, _at(30))
    client.force_login(megan.user)

    accepted = client.post(reverse("visit_action", args=[one.pk, "accept"]), {"next": TODAY})
    declined = client.post(
        reverse("visit_action", args=[two.pk, "decline"]), {"next": TODAY, "reason": "Away that day"}
    )

    assert accepted["Location"] == TODAY
    assert declined["Location"] == TODAY
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, two.status, two.decline_reason) == ("accepted", "declined", "Away that day")


def test_an_answer_never_goes_back_to_another_site(client, ruth, megan):
    offer = _offered(ruth, megan, _at(26))
    client.force_login(megan.user)

    response = client.post(
        reverse("visit_action", args=[offer.pk, "accept"]), {"next": "https://evil.example/today/"}
    )

    assert response["Location"] == reverse("visit_detail", args=[offer.pk])


def test_a_worker_sees_today_and_tomorrow_open_visits_hours_waiting_and_checks_expiring(
    client, ruth, megan, tom, staff
):
    morning = _accepted(ruth, megan, _at(4))
    tomorrow = _accepted(ruth, megan, _at(24))
    later = _accepted(ruth, megan, _at(24 * 4))
    open_visit = VisitFactory(receiver=ruth, worker=None, is_open=True, starts=_at(50), ends=_at(51))
    waiting = _delivered(ruth, megan)
    record_right_to_work(
        megan,
        staff,
        issued_on=timezone.localdate(),
        expires_on=timezone.localdate() + datetime.timedelta(days=10),
    )

    html = _page(client, megan.user)
    toms = _page(client, tom.user)

    days = html.split('id="days-title"')[1].split("</section>")[0]
    today_part, tomorrow_part = days.split("Tomorrow</h3>")
    assert reverse("visit_detail", args=[morning.pk]) in today_part
    assert reverse("visit_detail", args=[tomorrow.pk]) in tomorrow_part
    assert reverse("visit_detail", args=[later.pk]) not in days
    assert reverse("visit_detail", args=[open_visit.pk]) in html.split('id="open-title"')[1]
    assert reverse("visit_detail", args=[waiting.pk]) in html.split('id="hours-waiting-title"')[1]
    assert "Right to work" in html.split('id="checks-title"')[1].split("</section>")[0]
    # Tom works in no team of Ruth's: her open visit is not his to see.
    assert reverse("visit_detail", args=[open_visit.pk]) not in toms
    assert "Nothing booked today." in toms
    assert "No offers are waiting." in toms
    assert 'id="checks-title"' not in toms


# --- People getting support and their circle --------------------------------------------------------


def test_a_person_sees_who_is_coming_with_their_photo_and_the_team_and_can_book(client, ruth, megan, asha):
    with_photo(megan)
    _accepted(ruth, megan, _at(2))
    _offered(ruth, asha, _at(28))

    html = _page(client, ruth.user)

    coming = html.split(f'id="coming-{ruth.number}"')[1].split("</section>")[0]
    assert "Megan is coming" in coming
    assert "Waiting for Asha to accept" in coming
    assert f'src="{reverse("profile_photo", args=[megan.number])}" alt=""' in coming
    # Asha has no photo: a plain placeholder, hidden from screen readers.
    assert '<span class="face face--48 face--none" aria-hidden="true">A</span>' in coming
    assert f'href="{reverse("visit_book")}"' in coming
    team = html.split(f'id="team-{ruth.number}"')[1].split("</section>")[0]
    assert "Megan" in team
    assert "Asha" in team


def test_a_photo_the_worker_keeps_from_members_is_not_shown(client, ruth, megan):
    with_photo(megan)
    megan.profile.visibility = {"photo": "staff"}
    megan.profile.save()
    _accepted(ruth, megan, _at(2))

    html = _page(client, ruth.user)

    assert reverse("profile_photo", args=[megan.number]) not in html


def test_a_photo_whose_file_is_lost_shows_as_the_placeholder(client, ruth, megan):
    megan.profile.photo.name = "profiles/lost.jpg"  # named in the database, not in storage
    megan.profile.save()
    _accepted(ruth, megan, _at(2))

    html = _page(client, ruth.user)

    assert "Megan is coming" in html
    assert reverse("profile_photo", args=[megan.number]) not in html
    assert 'face--none" aria-hidden="true">M</span>' in html


def test_a_person_with_nothing_booked_is_told_so_and_offered_the_book_button(client, ruth):
    html = _page(client, ruth.user)

    assert "No visits are booked." in html
    assert "Nobody is in the team yet." in html
    assert "Book a visit" in html


def test_a_person_sees_hours_to_confirm_and_introductions_waiting(client, ruth, megan, tom):
    visit = _delivered(ruth, megan)
    Introduction.objects.create(
        receiver=ruth,
        supporter=tom,
        from_receiver=False,
        sent_by=tom.user,
        message="Hello",
        expires_at=_at(24 * 7),
    )

    html = _page(client, ruth.user)
    toms = _page(client, tom.user)

    assert reverse("visit_detail", args=[visit.pk]) in html.split('id="confirm-title"')[1]
    assert "Tom Barker would like to meet you." in html
    assert "You asked to meet Ruth: waiting for their answer." in toms
    assert 'id="confirm-title"' not in toms


def test_an_advocate_with_the_power_to_book_sees_who_is_coming_and_books_for_the_person(
    client, ruth, megan, jane
):
    _accepted(ruth, megan, _at(2))

    html = _page(client, jane)

    assert "Who is coming to Ruth" in html
    assert "Megan is coming" in html
    assert f'href="{reverse("visit_book")}?for={ruth.number}"' in html
    assert "Book a visit for Ruth" in html


def test_an_advocate_answers_the_persons_hours_only_with_the_power_to_book(client, ruth, megan, jane):
    visit = _delivered(ruth, megan)
    answer = reverse("visit_detail", args=[visit.pk])

    html = _page(client, jane)
    assert answer in html.split('id="confirm-title"')[1]

    CircleMember.objects.filter(supporter=jane).update(can_book=False)
    html = _page(client, jane)
    assert 'id="confirm-title"' not in html


def test_an_advocate_without_the_power_to_book_sees_no_book_button(client, ruth, megan, jane):
    CircleMember.objects.filter(supporter=jane).update(can_book=False)
    _accepted(ruth, megan, _at(2))

    html = _page(client, jane)

    assert "Megan is coming" in html
    assert "Book a visit" not in html
    assert reverse("visit_book") not in html


def test_someone_in_the_circle_only_to_run_the_team_sees_the_team_not_the_visits(client, ruth, megan, jane):
    CircleMember.objects.filter(supporter=jane).update(
        can_book=False, can_view_care=False, can_manage_team=True
    )
    _accepted(ruth, megan, _at(2))

    html = _page(client, jane)

    assert "Megan is coming" not in html
    assert "Ruth's team" in html


def test_the_visits_of_someone_no_longer_supported_are_not_shown(client, ruth, megan, jane):
    CircleMember.objects.filter(supporter=jane).update(status=CircleMember.Status.REVOKED)
    _accepted(ruth, megan, _at(2))
    client.force_login(jane)

    assert client.get(TODAY)["Location"] == reverse("account_overview")


# --- Everyone ---------------------------------------------------------------------------------------


def test_ballots_waiting_for_a_vote_are_on_everyones_today(client, staff, agm, margaret, ian, tom, priya):
    ballot = open_motion_ballot(staff, agm)

    for who in (margaret, ian, tom, priya):
        html = _page(client, who.user)
        assert "A ballot is waiting for your vote" in html, who
        assert reverse("ballot_detail", args=[ballot.pk]) in html


def test_an_investor_sees_a_plain_day_and_a_link_to_the_membership(client, ian):
    html = _page(client, ian.user)

    assert "<h1>Today</h1>" in html
    assert 'id="offers-title"' not in html
    assert "Who is coming" not in html
    assert f'href="{reverse("account_overview")}"' in html


def test_today_is_for_members_and_those_acting_for_one(client, newcomer, staff, db):
    assert client.get(TODAY)["Location"].startswith(reverse("account_login"))
    client.force_login(newcomer)
    assert client.get(TODAY)["Location"] == reverse("account_overview")
    log_in_with_second_factor(client, staff)
    assert client.get(TODAY)["Location"] == reverse("account_overview")


def test_the_home_takes_a_member_to_their_day_and_shows_the_rest_the_co_op(client, ruth, jane, newcomer):
    assert client.get("/").status_code == 200
    client.force_login(ruth.user)
    assert client.get("/")["Location"] == TODAY
    client.force_login(jane)
    assert client.get("/")["Location"] == TODAY
    client.force_login(newcomer)
    assert client.get("/").status_code == 200


def test_login_lands_members_on_today_staff_on_theirs_and_the_rest_on_joining(
    client, ruth, jane, megan, staff, newcomer
):
    login = reverse("account_login")
    lands = {}
    for name, email in [
        ("ruth", ruth.user.email),
        ("jane", jane.email),
        ("megan", megan.user.email),
        ("staff", staff.email),
        ("newcomer", newcomer.email),
    ]:
        lands[name] = client.post(login, {"login": email, "password": PASSWORD})["Location"]
        client.logout()
    with_next = client.post(
        f"{login}?next={reverse('visits')}", {"login": megan.user.email, "password": PASSWORD}
    )

    assert lands == {
        "ruth": TODAY,
        "jane": TODAY,
        "megan": TODAY,
        "staff": reverse("staff_home"),
        "newcomer": reverse("account_overview"),
    }
    assert with_next["Location"] == reverse("visits")


# --- Queries -----------------------------------------------------------------------------------------


def _worker_world(ruth, megan, asha, n, base=0):
    for i in range(base, base + n):
        _accepted(ruth, megan, _at(1.5 + 2 * i), minutes=60)
        _offered(ruth, megan, _at(24 * 3 + 2 * i))
        _offered(ruth, asha, _at(24 * 3 + 2 * i))
        VisitFactory(
            receiver=ruth, worker=None, is_open=True, starts=_at(24 * 5 + i), ends=_at(24 * 5 + i + 1)
        )
        _delivered(ruth, megan, hours_ago=30 + 2 * i)
    other = MembershipFactory(member_class="receiver")
    in_team(other, megan)
    _weekly(other, megan, weeks=n)


def test_a_workers_day_asks_the_same_queries_however_much_there_is(
    client, ruth, megan, asha, django_assert_max_num_queries
):
    client.force_login(megan.user)
    _worker_world(ruth, megan, asha, 1)
    with django_assert_max_num_queries(40) as few:
        assert client.get(TODAY).status_code == 200
    _worker_world(ruth, megan, asha, 6, base=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(TODAY).status_code == 200


def _people_world(receivers, staff, supporter, n):
    for index, receiver in enumerate(receivers):
        workers = [
            add_worker(staff, f"Worker {index}-{k}", f"w{index}-{k}-{n}@example.org", team_of=receiver)
            for k in range(n)
        ]
        for k, worker in enumerate(workers):
            with_photo(worker)
            _accepted(receiver, worker, _at(2 + k))
            _delivered(receiver, worker, hours_ago=30 + k)
            Introduction.objects.create(
                receiver=receiver,
                supporter=worker,
                from_receiver=True,
                sent_by=receiver.user,
                message="Hello",
                expires_at=_at(24 * 7),
                kind=Introduction.Kind.PEER,
            )


def test_a_persons_and_an_advocates_day_ask_the_same_queries_however_much_there_is(
    client, staff, django_assert_max_num_queries
):
    jane = UserFactory(email="jane@example.org")
    receivers = [MembershipFactory(member_class="receiver") for _ in range(4)]

    in_circle(receivers[0], jane, manages_team=True)
    _people_world(receivers[:1], staff, jane, 1)
    for user in (receivers[0].user, jane):
        client.force_login(user)
        with django_assert_max_num_queries(40) as few:
            assert client.get(TODAY).status_code == 200
        counts = len(few.captured_queries)
        if user == jane:
            jane_few = counts
        else:
            ruth_few = counts

    for receiver in receivers[1:]:
        in_circle(receiver, jane, manages_team=True)
    _people_world(receivers, staff, jane, 4)
    client.force_login(receivers[0].user)
    with django_assert_max_num_queries(ruth_few):
        assert client.get(TODAY).status_code == 200
    client.force_login(jane)
    with django_assert_max_num_queries(jane_few):
        html = client.get(TODAY).content.decode()
    assert html.count("Book a visit for") == 4


def test_the_selector_keeps_a_few_visits_for_each_person(ruth, megan):
    for i in range(8):
        _accepted(ruth, megan, _at(2 + 2 * i))

    day = today_for_user(user=ruth.user)

    assert len(day.people[0].visits) == 5
    assert [p.receiver for p in day.people] == [ruth]
