"""Booking, offers, acceptance, the overlap rule, open visits, cancellation and expiry."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from carecoop.exceptions import ApplicationError, ConflictError
from matching.models import TeamMember, TeamRole
from members import services as member_services
from members.models import Policy, VettingCheck
from scheduling import services
from scheduling.models import Visit
from tests.concurrency import race
from tests.factories import add_worker
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")


def book(by, receiver, worker, starts, ends, **extra):
    return services.visit_book(by=by, receiver=receiver, worker=worker, starts=starts, ends=ends, **extra)


def test_the_person_books_a_visit_and_the_worker_accepts(ruth, megan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booked = book(ruth.user, ruth, megan, at(24, 9), at(24, 11), tasks=["Breakfast", "Medication"])
    visit = booked.visits[0]

    assert visit.status == Visit.Status.OFFERED
    assert [t["label"] for t in visit.tasks] == ["Breakfast", "Medication"]
    assert booked.warnings == []
    assert any("megan@example.org" in m.to for m in mail.outbox)

    services.visit_accept(visit=visit, by=megan.user)

    visit.refresh_from_db()
    assert visit.status == Visit.Status.ACCEPTED
    assert visit.rate_pence == 15_00
    assert visit.cost(Policy.current()).person_pays == 35_25  # £30 + 17.5 %
    assert visit.cost(Policy.current()).worker_gets == 27_75  # £30 − 7.5 %


def test_the_worker_declines_with_a_reason(ruth, megan):
    visit = book(ruth.user, ruth, megan, at(24, 9), at(24, 11)).visits[0]

    services.visit_decline(visit=visit, by=megan.user, reason="I am away that day.")

    visit.refresh_from_db()
    assert (visit.status, visit.decline_reason) == (Visit.Status.DECLINED, "I am away that day.")


def test_a_worker_outside_the_team_cannot_be_booked(ruth, tom):
    with pytest.raises(ApplicationError) as error:
        book(ruth.user, ruth, tom, at(24, 9), at(24, 11))

    assert error.value.code == "not_in_team"
    assert not Visit.objects.exists()


def test_a_worker_whose_checks_lapse_before_the_day_cannot_be_booked_for_it(ruth, megan, staff):
    dbs = VettingCheck.objects.get(membership=megan, kind="dbs")
    member_services.vetting_check_void(check=dbs, by=staff, reason="Wrong certificate number")

    with pytest.raises(ApplicationError) as error:
        book(ruth.user, ruth, megan, at(24, 9), at(24, 11))

    assert error.value.code == "not_bookable"


@pytest.mark.parametrize(
    ("starts", "ends"),
    [(at(24, 9), at(24, 9, 29)), (at(24, 8), at(24, 20, 1)), (at(22, 9), at(22, 11))],
    ids=["too short", "too long", "in the past"],
)
def test_bad_times_are_refused_and_change_nothing(ruth, megan, starts, ends):
    with pytest.raises(ApplicationError):
        book(ruth.user, ruth, megan, starts, ends)

    assert not Visit.objects.exists()


def test_a_sleep_in_may_last_the_night(ruth, megan):
    visit = book(ruth.user, ruth, megan, at(24, 21), at(25, 8), sleep_in=True).visits[0]

    assert visit.sleep_in
    assert visit.duration_minutes == 11 * 60


def test_outside_the_workers_stated_times_is_a_warning_not_a_refusal(ruth, megan):
    booked = book(ruth.user, ruth, megan, at(28, 9), at(28, 11))  # a Saturday; Megan works weekdays

    assert booked.visits
    assert booked.warnings == ["This is outside the times the worker says they are free."]


def test_who_may_book(ruth, megan, jane, outsider, asha):
    book(jane, ruth, megan, at(24, 9), at(24, 10))  # her daughter, with the power to book

    with pytest.raises(ApplicationError) as error:
        book(outsider, ruth, megan, at(24, 12), at(24, 13))
    assert error.value.code == "not_allowed"

    with pytest.raises(ApplicationError):
        book(asha.user, ruth, megan, at(24, 12), at(24, 13))  # a team member without the rota hat
    TeamRole.objects.create(
        receiver=ruth,
        holder=asha.user,
        name="Rota holder",
        review_on=datetime.date(2027, 1, 1),
        given_by=ruth.user,
    )
    book(asha.user, ruth, megan, at(24, 12), at(24, 13))

    assert Visit.objects.count() == 2


def test_an_overlapping_visit_cannot_be_accepted(ruth, megan, staff):
    arthur = add_worker(staff, "Arthur Receiver", "arthur@example.org")
    arthur.member_class = "receiver"
    arthur.save(update_fields=["member_class"])
    TeamMember.objects.create(
        receiver=arthur,
        member=megan,
        role="worker",
        status="confirmed",
        trial_ends_on=datetime.date(2026, 10, 1),
    )
    first = book(ruth.user, ruth, megan, at(24, 9), at(24, 11)).visits[0]
    services.visit_accept(visit=first, by=megan.user)

    second = book(arthur.user, arthur, megan, at(24, 10), at(24, 12))
    assert second.warnings == ["The worker already has a visit then: they cannot accept both."]
    with pytest.raises(ConflictError) as error:
        services.visit_accept(visit=second.visits[0], by=megan.user)

    assert error.value.code == "overlap"
    assert Visit.objects.get(pk=second.visits[0].pk).status == Visit.Status.OFFERED
    # Back to back is not an overlap.
    third = book(ruth.user, ruth, megan, at(24, 11), at(24, 12)).visits[0]
    services.visit_accept(visit=third, by=megan.user)


def test_the_database_itself_refuses_an_overlap(ruth, megan):
    first = book(ruth.user, ruth, megan, at(24, 9), at(24, 11)).visits[0]
    services.visit_accept(visit=first, by=megan.user)
    second = book(ruth.user, ruth, megan, at(24, 10), at(24, 12)).visits[0]

    with pytest.raises(IntegrityError, match="visit_no_overlap"), transaction.atomic():
        Visit.objects.filter(pk=second.pk).update(status=Visit.Status.ACCEPTED)


def test_the_database_itself_refuses_a_visit_longer_than_twelve_hours(ruth, megan):
    visit = book(ruth.user, ruth, megan, at(24, 9), at(24, 11)).visits[0]

    with pytest.raises(IntegrityError, match="visit_at_most_longest"), transaction.atomic():
        Visit.objects.filter(pk=visit.pk).update(ends=at(24, 21, 1))
    Visit.objects.filter(pk=visit.pk).update(ends=at(24, 21))  # twelve hours exactly is allowed


def test_a_visit_as_long_as_allowed_is_found_in_any_span_it_reaches(ruth, megan):
    # `between` reads only the visits starting up to twelve hours before a span: one that long
    # still reaches into the span's first minute.
    visit = book(ruth.user, ruth, megan, at(24, 9), at(24, 10)).visits[0]
    Visit.objects.filter(pk=visit.pk).update(starts=at(23, 21), ends=at(24, 9))

    assert list(Visit.objects.between(at(24, 8, 59), at(24, 12))) == [visit]
    assert list(Visit.objects.between(at(24, 9), at(24, 12))) == []


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_accepting_overlapping_visits_for_one_worker_leave_exactly_one(ruth, megan):
    visits = [
        book(ruth.user, ruth, megan, at(24, 9) + datetime.timedelta(minutes=5 * i), at(24, 12)).visits[0]
        for i in range(20)
    ]

    results = race(
        [lambda visit=visit: services.visit_accept(visit=visit, by=megan.user) for visit in visits]
    )

    assert Visit.objects.filter(status=Visit.Status.ACCEPTED).count() == 1
    refusals = [r for r in results if isinstance(r, Exception)]
    assert len(refusals) == 19
    assert {getattr(r, "code", None) for r in refusals} == {"overlap"}, refusals


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_booking_over_one_accepted_time_book_offers_but_none_is_accepted(ruth, megan):
    # Booking itself does not reserve the worker's time: only acceptance does, once.
    def book_and_accept(i):
        visit = book(ruth.user, ruth, megan, at(25, 9), at(25, 10) + datetime.timedelta(minutes=i)).visits[0]
        return services.visit_accept(visit=visit, by=megan.user)

    results = race([lambda i=i: book_and_accept(i) for i in range(20)])

    assert Visit.objects.filter(status=Visit.Status.ACCEPTED).count() == 1
    assert sum(isinstance(r, Visit) for r in results) == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_workers_racing_for_one_open_visit_leave_exactly_one(ruth, staff):
    workers = [add_worker(staff, f"Worker {i} Smith", f"w{i}@example.org", team_of=ruth) for i in range(20)]
    visit = book(ruth.user, ruth, None, at(24, 9), at(24, 11)).visits[0]
    assert visit.is_open
    assert visit.worker is None

    results = race([lambda w=w: services.visit_accept(visit=visit, by=w.user) for w in workers])

    visit.refresh_from_db()
    assert visit.status == Visit.Status.ACCEPTED
    winners = [r for r in results if isinstance(r, Visit)]
    assert len(winners) == 1
    assert winners[0].worker_id == visit.worker_id
    assert all(getattr(r, "code", None) == "not_offered" for r in results if isinstance(r, Exception))


def test_an_open_visit_is_offered_to_the_team_only(
    ruth, megan, asha, tom, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = book(ruth.user, ruth, None, at(24, 9), at(24, 11)).visits[0]
    offered_to = {address for message in mail.outbox for address in message.to}

    assert offered_to == {"megan@example.org", "asha@example.org"}
    with pytest.raises(ApplicationError):
        services.visit_accept(visit=visit, by=tom.user)


def test_unanswered_offers_expire_before_the_start(ruth, megan, time_machine):
    visit = book(ruth.user, ruth, megan, at(25, 9), at(25, 11)).visits[0]
    assert visit.offer_expires_at == at(24, 21)  # 12 hours before

    time_machine.move_to(at(24, 20, 59), tick=False)
    assert services.offers_expire() == 0
    time_machine.move_to(at(24, 21), tick=False)
    assert services.offers_expire() == 1
    assert services.offers_expire() == 0

    with pytest.raises(ConflictError):
        services.visit_accept(visit=visit, by=megan.user)
    assert Visit.objects.get().status == Visit.Status.EXPIRED
    assert visit.history.latest("history_date").history_change_reason == "Offer expired unanswered"


def test_cancelling_within_a_day_is_recorded_as_late(ruth, megan):
    soon = book(ruth.user, ruth, megan, at(24, 9), at(24, 11)).visits[0]
    later = book(ruth.user, ruth, megan, at(26, 9), at(26, 11)).visits[0]
    services.visit_accept(visit=soon, by=megan.user)

    services.visit_cancel(visit=soon, by=megan.user, reason="My car broke down.")
    services.visit_cancel(visit=later, by=ruth.user, reason="My son is visiting.")

    soon.refresh_from_db()
    later.refresh_from_db()
    assert (soon.status, soon.late_cancellation, soon.cancelled_by) == ("cancelled", True, megan.user)
    assert (later.status, later.late_cancellation) == ("cancelled", False)


def test_a_cancellation_needs_a_reason_and_a_party(ruth, megan, tom):
    visit = book(ruth.user, ruth, megan, at(24, 9), at(24, 11)).visits[0]

    with pytest.raises(ApplicationError):
        services.visit_cancel(visit=visit, by=ruth.user, reason="  ")
    with pytest.raises(ApplicationError):
        services.visit_cancel(visit=visit, by=tom.user, reason="Not mine")
    assert Visit.objects.get().status == Visit.Status.OFFERED


def test_moving_an_accepted_visit_asks_the_worker_again(ruth, megan):
    visit = book(ruth.user, ruth, megan, at(24, 9), at(24, 11)).visits[0]
    services.visit_accept(visit=visit, by=megan.user)

    services.visit_change(visit=visit, by=ruth.user, starts=at(24, 13), ends=at(24, 15))

    visit.refresh_from_db()
    assert (visit.status, visit.starts) == (Visit.Status.OFFERED, at(24, 13))


# --- Answers and cancellations at the edges ------------------------------------------------------------


def test_a_worker_declines_an_offer_rather_than_cancelling_it(ruth, megan):
    visit = book(ruth.user, ruth, megan, at(24, 9), at(24, 11)).visits[0]

    with pytest.raises(ApplicationError) as error:
        services.visit_cancel(visit=visit, by=megan.user, reason="Busy")

    assert error.value.code == "decline_instead"
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.OFFERED


def test_an_offer_cancelled_within_a_day_is_not_a_late_cancellation(ruth, megan):
    # Nobody had counted on it: the worker never accepted.
    visit = book(ruth.user, ruth, megan, at(24, 9), at(24, 11)).visits[0]

    services.visit_cancel(visit=visit, by=ruth.user, reason="Feeling better")

    assert Visit.objects.get(pk=visit.pk).late_cancellation is False


def test_an_expired_offer_cannot_be_declined_either(ruth, megan, time_machine):
    visit = book(ruth.user, ruth, megan, at(26, 9), at(26, 11)).visits[0]
    time_machine.move_to(at(25, 21), tick=False)  # past its expiry, before the sweep has run

    with pytest.raises(ApplicationError) as error:
        services.visit_decline(visit=visit, by=megan.user, reason="Too late")

    assert error.value.code == "expired"
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.OFFERED


def test_an_open_visit_booked_inside_the_alert_window_alerts_an_hour_later_once(ruth, megan, asha):
    from scheduling.models import Reminder

    visit = book(ruth.user, ruth, None, at(24, 14), at(24, 16)).visits[0]  # 28 hours ahead

    alert = Reminder.objects.get(visit=visit, kind=Reminder.Kind.OPEN_UNFILLED)
    assert alert.due_at == at(23, 11)
    services.visit_change(visit=visit, by=ruth.user, notes="Bring the shopping list")
    assert Reminder.objects.get(pk=alert.pk).due_at == at(23, 11)  # a change does not move it back


def test_a_new_time_for_a_taken_open_visit_goes_to_the_worker_who_took_it(ruth, megan, asha):
    visit = book(ruth.user, ruth, None, at(26, 14), at(26, 16)).visits[0]
    services.visit_accept(visit=visit, by=asha.user)

    services.visit_change(visit=visit, by=ruth.user, starts=at(26, 14, 30), ends=at(26, 16, 30))

    visit.refresh_from_db()
    assert (visit.status, visit.worker, visit.is_open) == (Visit.Status.OFFERED, asha, False)
    services.visit_accept(visit=visit, by=asha.user)
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.ACCEPTED


def test_a_cancelled_pattern_cannot_be_brought_back_by_changing_its_following_visits(ruth, megan):
    from datetime import date, time

    booked = services.series_create(
        by=ruth.user,
        receiver=ruth,
        worker=megan,
        weekdays=[1],
        starts_at=time(9),
        ends_at=time(10),
        first_date=date(2026, 11, 24),
        count=4,
    )
    services.series_cancel(series=booked.series, by=ruth.user, reason="Moving away")

    with pytest.raises(ApplicationError) as error:
        services.series_change_from(
            visit=booked.visits[1], by=ruth.user, starts_at=time(11), ends_at=time(12)
        )

    assert error.value.code == "series_ended"
    assert not Visit.objects.filter(status=Visit.Status.OFFERED).exists()


def test_a_visit_keeps_the_rate_it_was_booked_at_and_an_open_visit_the_rate_of_who_takes_it(
    ruth, megan, asha
):
    from members import services as member_services

    booked = book(ruth.user, ruth, megan, at(24, 9), at(24, 11)).visits[0]
    open_visit = book(ruth.user, ruth, None, at(25, 9), at(25, 11)).visits[0]
    for worker, rate in ((megan, 20_00), (asha, 18_00)):
        member_services.profile_save(
            profile=member_services.profile_get_or_create(membership=worker),
            by=worker.user,
            changes={"hourly_rate_pence": rate},
        )

    services.visit_accept(visit=booked, by=megan.user)
    services.visit_accept(visit=open_visit, by=asha.user)
    later = book(ruth.user, ruth, megan, at(26, 9), at(26, 11)).visits[0]

    assert Visit.objects.get(pk=booked.pk).rate_pence == 15_00  # booked before Megan's change
    assert Visit.objects.get(pk=open_visit.pk).rate_pence == 18_00  # Asha's rate when she took it
    assert later.rate_pence == 20_00
