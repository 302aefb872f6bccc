"""A whole repeating booking answered at once: every visit accepted (or declined) in one step, the
clashes left offered and listed, and the person's side told once, not once per visit."""

from datetime import date, time

import pytest

from carecoop.exceptions import ApplicationError, ConflictError
from carecoop.models import Email
from scheduling import services
from scheduling.models import Notification, Visit, VisitEvent
from tests.concurrency import race
from tests.outbox import owed
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")


def weekly(ruth, megan, count=6):
    return services.series_create(
        by=ruth.user,
        receiver=ruth,
        worker=megan,
        weekdays=[1],  # Tuesdays, from 24 November
        starts_at=time(9),
        ends_at=time(10),
        first_date=date(2026, 11, 24),
        count=count,
    ).series


def statuses(series):
    return list(Visit.objects.filter(series=series).order_by("starts").values_list("status", flat=True))


def told(kind, email):
    return Notification.objects.filter(kind=kind, user__email=email)


def test_creating_a_repeating_booking_offers_it_to_the_worker_once(ruth, megan):
    weekly(ruth, megan, count=6)

    assert told(VisitEvent.OFFERED, megan.user.email).count() == 1
    assert len(owed(to=megan.user.email)) == 1


def test_the_worker_accepts_every_visit_at_once_and_the_person_is_told_once(ruth, megan, jane):
    series = weekly(ruth, megan, count=6)
    before = Email.objects.order_by("pk").last()
    assert before is not None

    answer = services.series_answer(series=series, by=megan.user, accept=True)

    assert len(answer.answered) == 6
    assert answer.left == []
    assert statuses(series) == [Visit.Status.ACCEPTED] * 6
    for person in (ruth.user, jane):
        notes = list(told(VisitEvent.ACCEPTED, person.email))
        assert len(notes) == 1
        assert "accepted 6 of 6 visits" in notes[0].title
        assert len(owed(to=person.email, pk__gt=before.pk)) == 1
    assert Email.objects.filter(pk__gt=before.pk).count() == 2
    # Reminders are planned for each visit, as when accepting one.
    assert Visit.objects.filter(series=series, reminders__isnull=False).distinct().count() == 6


def test_visits_that_clash_stay_offered_and_are_listed_with_their_times(ruth, megan):
    other = services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(1, 9, 30, month=12), ends=at(1, 11, month=12)
    ).visits[0]
    services.visit_accept(visit=other, by=megan.user)
    series = weekly(ruth, megan, count=4)
    Notification.objects.all().delete()

    answer = services.series_answer(series=series, by=megan.user, accept=True)

    assert [visit.starts for visit in answer.answered] == [at(24, 9), at(8, 9, month=12), at(15, 9, month=12)]
    assert [visit.starts for visit, _why in answer.left] == [at(1, 9, month=12)]
    assert statuses(series) == [
        Visit.Status.ACCEPTED,
        Visit.Status.OFFERED,
        Visit.Status.ACCEPTED,
        Visit.Status.ACCEPTED,
    ]
    note = told(VisitEvent.ACCEPTED, ruth.user.email).get()
    assert "accepted 3 of 4 visits" in note.title
    assert "Tue 1 Dec 09:00" in note.body

    # Answering again accepts nothing more (the clash still clashes) and tells nobody again.
    again = services.series_answer(series=series, by=megan.user, accept=True)
    assert again.answered == []
    assert len(again.left) == 1
    assert told(VisitEvent.ACCEPTED, ruth.user.email).count() == 1


def test_declining_declines_them_all_with_the_reason(ruth, megan):
    series = weekly(ruth, megan, count=3)

    answer = services.series_answer(series=series, by=megan.user, accept=False, reason="Moving to Leeds")

    assert len(answer.answered) == 3
    assert statuses(series) == [Visit.Status.DECLINED] * 3
    assert set(Visit.objects.filter(series=series).values_list("decline_reason", flat=True)) == {
        "Moving to Leeds"
    }
    note = told(VisitEvent.DECLINED, ruth.user.email).get()
    assert note.body == "Moving to Leeds"


def test_only_visits_still_offered_are_answered_and_nothing_left_is_a_conflict(ruth, megan):
    series = weekly(ruth, megan, count=3)
    first = Visit.objects.filter(series=series).order_by("starts").first()
    services.visit_decline(visit=first, by=megan.user, reason="Dentist")

    answer = services.series_answer(series=series, by=megan.user, accept=True)
    assert len(answer.answered) == 2
    assert statuses(series) == [Visit.Status.DECLINED, Visit.Status.ACCEPTED, Visit.Status.ACCEPTED]

    with pytest.raises(ConflictError) as error:
        services.series_answer(series=series, by=megan.user, accept=False)
    assert error.value.code == "nothing_to_answer"
    assert statuses(series) == [Visit.Status.DECLINED, Visit.Status.ACCEPTED, Visit.Status.ACCEPTED]


@pytest.mark.parametrize("who", ["asha", "ruth", "jane", "tom", "staff"])
def test_only_the_worker_offered_the_booking_may_answer_it(request, ruth, megan, who):
    series = weekly(ruth, megan, count=2)
    user = request.getfixturevalue(who)
    user = getattr(user, "user", user)

    with pytest.raises(ApplicationError) as error:
        services.series_answer(series=series, by=user, accept=True)

    assert error.value.code == "not_allowed"
    assert error.value.http_status == 403
    assert statuses(series) == [Visit.Status.OFFERED] * 2


@pytest.mark.django_db(transaction=True)
def test_two_answers_of_one_booking_at_once_answer_each_visit_once_and_tell_once(ruth, megan):
    series = weekly(ruth, megan, count=8)

    results = race([lambda: services.series_answer(series=series, by=megan.user, accept=True)] * 2)

    answers = [r for r in results if not isinstance(r, Exception)]
    conflicts = [r for r in results if isinstance(r, Exception)]
    assert len(answers) == 1, results
    assert [getattr(c, "code", None) for c in conflicts] == ["nothing_to_answer"]
    assert len(answers[0].answered) == 8
    assert statuses(series) == [Visit.Status.ACCEPTED] * 8
    assert told(VisitEvent.ACCEPTED, ruth.user.email).count() == 1
    assert Email.objects.filter(to=ruth.user.email).count() == 1


# --- The visit page and the API -------------------------------------------------------------------


def test_the_worker_accepts_the_whole_booking_from_a_visits_page_and_sees_the_clash(client, ruth, megan):
    other = services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(1, 9, 30, month=12), ends=at(1, 11, month=12)
    ).visits[0]
    services.visit_accept(visit=other, by=megan.user)
    series = weekly(ruth, megan, count=4)
    first = Visit.objects.filter(series=series).order_by("starts").first()
    client.force_login(megan.user)

    page = client.get(f"/visits/{first.pk}/").content.decode()
    assert "Accept all 4 visits of this weekly booking" in page
    assert "Decline all" in page
    assert 'for="id_all-reason"' in page  # the reason is labelled, apart from the single visit's

    page = client.post(f"/visits/{first.pk}/accept-series/", follow=True).content.decode()
    assert "You accepted 3 of 4 visits of this weekly booking." in page
    assert "Still waiting, not accepted: Tue 1 Dec 09:00 (You already have a visit at that time.)" in page
    assert statuses(series).count(Visit.Status.ACCEPTED) == 3
    assert "Accept all" not in page  # what is left clashes: this visit is answered

    # Someone else cannot, and nothing changes.
    client.force_login(ruth.user)
    client.post(f"/visits/{first.pk}/decline-series/", {"all-reason": "No"})
    assert statuses(series).count(Visit.Status.ACCEPTED) == 3


def test_the_worker_declines_the_whole_booking_from_a_visits_page(client, ruth, megan):
    series = weekly(ruth, megan, count=3)
    first = Visit.objects.filter(series=series).order_by("starts").first()
    client.force_login(megan.user)

    page = client.post(
        f"/visits/{first.pk}/decline-series/", {"all-reason": "Away in December"}, follow=True
    ).content.decode()

    assert "You declined 3 visits of this weekly booking." in page
    assert statuses(series) == [Visit.Status.DECLINED] * 3
    assert set(Visit.objects.filter(series=series).values_list("decline_reason", flat=True)) == {
        "Away in December"
    }


def test_the_api_accepts_a_whole_booking_with_stable_errors(api_client, ruth, megan, asha, outsider):
    other = services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(1, 9, 30, month=12), ends=at(1, 11, month=12)
    ).visits[0]
    services.visit_accept(visit=other, by=megan.user)
    series = weekly(ruth, megan, count=3)
    url = f"/api/v1/series/{series.pk}/accept/"

    api_client.force_authenticate(asha.user)  # in the team, sees the booking, not offered it
    response = api_client.post(url)
    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"

    api_client.force_authenticate(outsider)
    assert api_client.post(url).status_code == 404
    assert api_client.post("/api/v1/series/999999/accept/").status_code == 404

    api_client.force_authenticate(megan.user)
    response = api_client.post(url)
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] is True
    assert len(body["answered"]) == 2
    assert [item["visit"]["id"] for item in body["left"]] == [
        Visit.objects.get(series=series, series_date=date(2026, 12, 1)).pk
    ]
    assert body["left"][0]["reason"] == "You already have a visit at that time."

    response = api_client.post(f"/api/v1/series/{series.pk}/decline/", {"reason": "x"}, format="json")
    assert response.status_code == 200  # the clash was still waiting: now declined
    assert len(response.json()["answered"]) == 1

    response = api_client.post(url)
    assert response.status_code == 409
    assert response.json()["code"] == "nothing_to_answer"
    assert told(VisitEvent.ACCEPTED, ruth.user.email).count() == 2  # the single visit, then the booking
