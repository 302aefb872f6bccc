"""Finding and choosing each other."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from carecoop.exceptions import ApplicationError
from matching import selectors, services
from matching.models import Introduction, MatchingPolicy, TeamMember
from matching.selectors import TimeWanted, WorkerCriteria
from members import geo
from members import selectors as member_selectors
from members import services as member_services
from members.models import Language, Skill, TrainingCourse
from tests.concurrency import race
from tests.factories import MembershipFactory, UserFactory, make_bookable
from tests.matching.conftest import listed, nearby_worker
from tests.outbox import invitation_token, send_owed
from tests.second_factor import log_in_with_second_factor

TODAY = datetime.date(2026, 11, 23)
T = datetime.time


@pytest.fixture(autouse=True)
def _on_the_day(time_machine):
    # The searches below ask about TODAY; the kept bookable date is worked out from the real
    # today and answers only for today and later (decision 12), so the clock stands at TODAY.
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, tzinfo=datetime.UTC), tick=False)


def skills(*names):
    return list(Skill.objects.filter(name__in=names))


def worker(
    staff,
    name,
    postcode,
    *,
    skill_names=(),
    languages=(),
    rate=15_00,
    radius=10,
    times=(),
    gender="",
    **extra,
):
    membership = make_bookable(MembershipFactory(member_class="worker", legal_name=name), staff)
    profile = member_services.profile_get_or_create(membership=membership)
    member_services.profile_save(
        profile=profile,
        by=membership.user,
        changes={
            "display_name": name.split()[0],
            "postcode": postcode,
            "skills": skills(*skill_names),
            "languages": list(Language.objects.filter(name__in=languages)),
            "hourly_rate_pence": rate,
            "travel_radius_km": radius,
            "gender": gender,
            **extra,
        },
        weekly_times=[(d, T(a), T(b)) for d, a, b in times],
    )
    return membership


@pytest.fixture
def workers(staff):
    return {
        "megan": worker(
            staff,
            "Megan Holt",
            "HX7 8BQ",
            skill_names=("Dementia", "Companionship"),
            languages=("English", "Welsh"),
            rate=16_80,
            times=[(1, 8, 12), (3, 8, 12)],
            gender="woman",
        ),
        "tom": worker(
            staff,
            "Tom Ackroyd",
            "OL14 6AB",
            skill_names=("Companionship", "Driving"),
            rate=14_00,
            radius=15,
            times=[(1, 8, 16)],
            gender="man",
        ),
        "asha": worker(
            staff,
            "Asha Begum",
            "HX1 2TT",
            skill_names=("Personal care",),
            rate=15_50,
            radius=8,
            times=[(0, 7, 13)],
        ),
        "leeds": worker(staff, "Lee Dixon", "LS1 4AP", skill_names=("Dementia",), radius=50),
    }


def _names(profiles):
    return [p.membership.legal_name for p in profiles]


def _near(postcode):
    return geo.geocoder().locate(postcode)


# --- Search ---------------------------------------------------------------------------------------


def test_search_finds_workers_whose_travel_reaches_the_person(ruth, workers):
    found = selectors.worker_search(criteria=WorkerCriteria(near=_near("HX7 8AH"), within_km=15), on=TODAY)

    # Asha (Halifax, 10 km away) travels only 8 km; Lee in Leeds is beyond 15 km.
    assert _names(found) == ["Megan Holt", "Tom Ackroyd"]
    assert round(found[0].distance_km) == 0
    assert 5 < found[1].distance_km < 8


@pytest.mark.parametrize(
    "postcode", ["HX7 8AH", "OL14 5AA", "HX1 1AA", "LS1 1AA", "M1 1AA", "S1 1AA", "PL1 1AA"]
)
def test_distances_worked_out_in_the_database_agree_with_the_great_circle(staff, postcode):
    # Searches use a flat-earth distance (no trigonometry per row); within the 100 km a search
    # can reach it must stay within 1 % (and 0.2 km) of the great-circle distance.
    origin = _near("HX7 8AH")
    there = _near(postcode)
    membership = worker(staff, "Wendy Far", postcode, radius=100)

    found = selectors.worker_search(criteria=WorkerCriteria(near=origin, within_km=100), on=TODAY)

    exact = geo.distance_km(origin, there)
    if exact > 100:
        assert membership.pk not in [p.membership_id for p in found]
        return
    (profile,) = [p for p in found if p.membership_id == membership.pk]
    assert abs(profile.distance_km - exact) <= max(0.2, exact * 0.01), (profile.distance_km, exact)


def test_search_filters_by_skill_language_time_and_rate(ruth, workers):
    def search(**criteria):
        return _names(selectors.worker_search(criteria=WorkerCriteria(**criteria), on=TODAY))

    assert search(skills=skills("Dementia")) == ["Lee Dixon", "Megan Holt"]
    assert search(language=Language.objects.get(name="Welsh")) == ["Megan Holt"]
    assert search(available=[TimeWanted(0, T(9), T(10))]) == ["Asha Begum"]
    assert search(max_rate_pence=14_50) == ["Tom Ackroyd"]


def test_search_by_gender_finds_only_a_gender_the_worker_shows(ruth, workers):
    profile = member_selectors.profile_get_for_membership(membership=workers["megan"])
    member_services.profile_update(profile=profile, by=workers["megan"].user, visibility={"gender": "staff"})

    found = selectors.worker_search(criteria=WorkerCriteria(gender="woman"), on=TODAY)

    assert _names(found) == []


def test_only_bookable_workers_are_found(ruth, workers, staff):
    check = workers["megan"].vetting_checks.get(kind="dbs")
    member_services.vetting_check_void(check=check, by=staff, reason="Revoked")

    assert "Megan Holt" not in _names(selectors.worker_search(criteria=WorkerCriteria(), on=TODAY))


def test_search_queries_do_not_grow_with_the_number_of_workers(ruth, staff, django_assert_num_queries):
    criteria = WorkerCriteria(near=_near("HX7 8AH"), within_km=30, skills=skills("Dementia"))

    for index in range(3):
        worker(staff, f"Worker {index}", "HX7 8BQ", skill_names=("Dementia",))
    with django_assert_num_queries(1):
        assert len(list(selectors.worker_search(criteria=criteria, on=TODAY))) == 3
    for index in range(3, 15):
        worker(staff, f"Worker {index}", "HX6 2AA", skill_names=("Dementia",), radius=20)
    with django_assert_num_queries(1):
        assert len(list(selectors.worker_search(criteria=criteria, on=TODAY))) == 15


# --- Suggestions ------------------------------------------------------------------------------------


def test_suggestions_rank_the_best_fit_first_with_reasons_and_misfits(ruth, workers):
    profile = member_selectors.profile_get_for_membership(membership=ruth)

    suggestions = selectors.suggestions_for(receiver=profile, on=TODAY)

    assert [s.profile.membership.legal_name for s in suggestions] == ["Megan Holt", "Tom Ackroyd"]
    megan, tom = suggestions
    assert 0 <= tom.score < megan.score <= 100
    assert "less than 1 km away" in megan.reasons
    assert "speaks Welsh" in megan.reasons
    assert "Dementia experience" in megan.reasons
    assert "free on Tuesday mornings, when you need support" in megan.reasons
    assert "Dementia" in tom.misfits
    assert "Thursday mornings" in tom.misfits
    # What fits leads, in the order people weigh it: the support, the language, how near, when.
    assert megan.reasons.index("Dementia experience") < megan.reasons.index("speaks Welsh")
    assert megan.reasons.index("speaks Welsh") < megan.reasons.index("less than 1 km away")


def test_the_same_input_gives_the_same_order(ruth, workers, staff):
    for index in range(4):  # equally good workers: the order must still be the same every time
        worker(staff, f"Twin {index}", "HX7 8BQ", skill_names=("Dementia", "Companionship"))
    profile = member_selectors.profile_get_for_membership(membership=ruth)

    orders = {
        tuple(s.profile.pk for s in selectors.suggestions_for(receiver=profile, on=TODAY)) for _ in range(5)
    }

    assert len(orders) == 1


def test_staff_tune_the_weights(ruth, workers):
    profile = member_selectors.profile_get_for_membership(membership=ruth)
    MatchingPolicy.objects.update_or_create(
        pk=1,
        defaults={
            "weight_skills": 0,
            "weight_availability": 0,
            "weight_distance": 0,
            "weight_languages": 0,
            "weight_rate": 100,
        },
    )

    suggestions = selectors.suggestions_for(receiver=profile, on=TODAY)

    assert suggestions[0].profile.membership.legal_name == "Tom Ackroyd"  # the cheaper of the two


def test_suggestion_queries_do_not_grow_with_the_number_of_workers(
    ruth, staff, django_assert_max_num_queries
):
    profile = member_selectors.profile_get_for_membership(membership=ruth)
    selectors.suggestions_for(receiver=profile, on=TODAY)  # the policies' rows exist from here on
    for index in range(3):
        worker(staff, f"Worker {index}", "HX7 8BQ", skill_names=("Dementia",), times=[(1, 9, 12)])
    with django_assert_max_num_queries(12) as few:
        assert len(selectors.suggestions_for(receiver=profile, on=TODAY)) == 3
    for index in range(3, 30):
        worker(staff, f"Worker {index}", "HX6 2AA", skill_names=("Companionship",), radius=20)
    with django_assert_max_num_queries(12) as many:
        assert len(selectors.suggestions_for(receiver=profile, on=TODAY)) == 20

    assert len(few.captured_queries) == len(many.captured_queries)


# --- Introductions --------------------------------------------------------------------------------


def _ask(ruth, megan, by=None, **extra):
    return services.introduction_send(
        by=by or ruth.user,
        receiver=ruth,
        supporter=megan,
        from_receiver=True,
        message="Hello Megan!",
        **extra,
    )


def test_accepting_an_introduction_puts_the_worker_on_the_team_on_trial(
    ruth, workers, django_capture_on_commit_callbacks
):
    megan = workers["megan"]
    with django_capture_on_commit_callbacks(execute=True):
        introduction = _ask(ruth, megan)
    assert mail.outbox[-1].to == [megan.user.email]
    assert ruth.user.email not in mail.outbox[-1].body

    with django_capture_on_commit_callbacks(execute=True):
        place = services.introduction_accept(introduction=introduction, by=megan.user)

    assert (place.status, place.role) == ("trial", "worker")
    assert place.trial_ends_on == timezone.localdate() + datetime.timedelta(weeks=4)
    assert selectors.in_team(user=megan.user, receiver=ruth)
    assert [m.member for m in selectors.team_for(receiver=ruth)] == [megan]
    assert [t.receiver for t in selectors.teams_of(member=megan)] == [ruth]


def test_only_the_member_asked_can_answer(ruth, workers):
    introduction = _ask(ruth, workers["megan"])

    with pytest.raises(ApplicationError) as refused:
        services.introduction_accept(introduction=introduction, by=workers["tom"].user)

    assert refused.value.code == "not_allowed"
    assert TeamMember.objects.count() == 0


def test_a_decline_keeps_them_apart_and_may_say_why(ruth, workers):
    introduction = _ask(ruth, workers["megan"])

    services.introduction_decline(
        introduction=introduction, by=workers["megan"].user, reason="My week is full."
    )

    introduction.refresh_from_db()
    assert (introduction.status, introduction.decline_reason) == ("declined", "My week is full.")
    assert not selectors.in_team(user=workers["megan"].user, receiver=ruth)


def test_a_second_pending_introduction_between_the_same_two_is_refused(ruth, workers):
    profile = member_selectors.profile_get_for_membership(membership=ruth)
    member_services.profile_update(profile=profile, by=ruth.user, visibility={"display_name": "members"})
    _ask(ruth, workers["megan"])

    with pytest.raises(ApplicationError) as refused:
        services.introduction_send(
            by=workers["megan"].user,
            receiver=ruth,
            supporter=workers["megan"],
            from_receiver=False,
            message="Hi",
        )

    assert refused.value.code == "introduction_pending"


def test_unanswered_introductions_expire_after_14_days(ruth, workers, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC), tick=False)
    introduction = _ask(ruth, workers["megan"])
    time_machine.move_to(datetime.datetime(2026, 11, 15, 9, 1, tzinfo=datetime.UTC), tick=False)

    assert services.introductions_expire() == 1
    assert services.introductions_expire() == 0
    introduction.refresh_from_db()
    assert introduction.status == "expired"
    with pytest.raises(ApplicationError):
        services.introduction_accept(introduction=introduction, by=workers["megan"].user)


def test_a_worker_whose_checks_lapsed_cannot_be_introduced(ruth, workers, staff):
    check = workers["megan"].vetting_checks.get(kind="right_to_work")
    member_services.vetting_check_void(check=check, by=staff, reason="Expired visa")

    with pytest.raises(ApplicationError) as refused:
        _ask(ruth, workers["megan"])

    assert refused.value.code == "worker_not_bookable"


def test_a_sender_has_a_daily_limit_of_pending_requests(ruth, staff):
    MatchingPolicy.objects.update_or_create(pk=1, defaults={"daily_pending_limit": 2})
    people = [worker(staff, f"Worker {i}", "HX7 8BQ") for i in range(3)]
    _ask(ruth, people[0])
    _ask(ruth, people[1])

    with pytest.raises(ApplicationError) as refused:
        _ask(ruth, people[2])

    assert refused.value.code == "daily_limit"


@pytest.mark.django_db(transaction=True)
def test_the_daily_limit_holds_when_requests_race():
    from django.apps import apps

    from members import reference_data

    reference_data.load(apps.get_model)
    staff = UserFactory(is_staff=True)
    MatchingPolicy.objects.update_or_create(pk=1, defaults={"daily_pending_limit": 3})
    receiver = MembershipFactory(member_class="receiver")
    people = [make_bookable(MembershipFactory(member_class="worker"), staff) for _ in range(10)]
    for person in people:
        member_services.profile_get_or_create(membership=person)

    results = race(
        [
            lambda p=p: services.introduction_send(
                by=receiver.user, receiver=receiver, supporter=p, from_receiver=True, message="Hello"
            )
            for p in people
        ]
    )

    assert Introduction.objects.filter(receiver=receiver).count() == 3
    assert sum(isinstance(r, Introduction) for r in results) == 3


def test_someone_in_the_circle_who_manages_the_team_may_ask_for_the_person(ruth, workers):
    jane = UserFactory(email="jane@example.org")
    member_services.circle_invite(
        receiver=ruth,
        by=ruth.user,
        email=jane.email,
        can_manage_team=True,
    )
    member_services.circle_accept(token=invitation_token(jane.email), user=jane)

    introduction = _ask(ruth, workers["megan"], by=jane)

    assert introduction.sent_by == jane
    assert introduction.receiver == ruth


# --- Trials and teams ---------------------------------------------------------------------------------


def test_a_trial_is_confirmed_by_either_side_or_ended(ruth, workers):
    place = services.introduction_accept(introduction=_ask(ruth, workers["megan"]), by=workers["megan"].user)
    other = services.introduction_accept(introduction=_ask(ruth, workers["tom"]), by=workers["tom"].user)

    services.team_member_confirm(member=place, by=ruth.user)
    services.team_member_end(member=other, by=workers["tom"].user, reason="Moving away")

    assert [m.member for m in selectors.team_for(receiver=ruth)] == [workers["megan"]]


def test_both_sides_are_reminded_once_when_a_trial_ends(ruth, workers):
    services.introduction_accept(introduction=_ask(ruth, workers["megan"]), by=workers["megan"].user)
    after = timezone.localdate() + datetime.timedelta(weeks=4)

    assert services.trial_reminders_send(today=after - datetime.timedelta(days=1)) == 0
    assert services.trial_reminders_send(today=after) == 1
    assert services.trial_reminders_send(today=after) == 0
    ended = [m for m in send_owed() if m.subject.endswith("The trial in your team has ended")]
    # One email each, so neither sees the other's address.
    assert sorted(m.to for m in ended) == sorted([[ruth.user.email], [workers["megan"].user.email]])


def test_a_trial_confirmed_before_its_reminder_went_takes_the_reminder_back(ruth, workers):
    place = services.introduction_accept(introduction=_ask(ruth, workers["megan"]), by=workers["megan"].user)
    send_owed()  # the introduction's own emails
    assert services.trial_reminders_send(today=timezone.localdate() + datetime.timedelta(weeks=4)) == 1

    services.team_member_confirm(member=place, by=ruth.user)

    assert send_owed() == []


def test_a_worker_outside_the_team_cannot_read_private_fields_or_post(ruth, workers):
    services.introduction_accept(introduction=_ask(ruth, workers["megan"]), by=workers["megan"].user)
    profile = member_selectors.profile_get_for_membership(membership=ruth)

    inside = member_selectors.profile_viewer(
        user=workers["megan"].user,
        profile=profile,
        in_team=selectors.in_team(user=workers["megan"].user, receiver=ruth),
    )
    outside = member_selectors.profile_viewer(
        user=workers["tom"].user,
        profile=profile,
        in_team=selectors.in_team(user=workers["tom"].user, receiver=ruth),
    )

    assert "what_matters" in member_selectors.profile_visible_fields(profile=profile, viewer=inside)
    assert "what_matters" not in member_selectors.profile_visible_fields(profile=profile, viewer=outside)
    with pytest.raises(ApplicationError):
        services.noticeboard_post(receiver=ruth, by=workers["tom"].user, body="Hello")


def test_a_noticeboard_post_emails_the_rest_of_the_team(ruth, workers, django_capture_on_commit_callbacks):
    services.introduction_accept(introduction=_ask(ruth, workers["megan"]), by=workers["megan"].user)

    with django_capture_on_commit_callbacks(execute=True):
        services.noticeboard_post(
            receiver=ruth, by=workers["megan"].user, body="Ruth enjoyed the garden today."
        )

    assert mail.outbox[-1].to == [ruth.user.email]
    assert "Ruth enjoyed the garden today." in mail.outbox[-1].body


def test_roles_go_to_people_in_the_team_with_a_review_date(ruth, workers):
    services.introduction_accept(introduction=_ask(ruth, workers["megan"]), by=workers["megan"].user)
    review = timezone.localdate() + datetime.timedelta(days=90)

    role = services.team_role_give(
        receiver=ruth, holder=workers["megan"].user, name="Rota holder", review_on=review, by=ruth.user
    )

    assert [r.name for r in selectors.team_roles_for(receiver=ruth)] == ["Rota holder"]
    with pytest.raises(ApplicationError) as refused:
        services.team_role_give(
            receiver=ruth, holder=workers["tom"].user, name="Rota holder", review_on=review, by=ruth.user
        )
    assert refused.value.code == "not_in_team"
    assert role.review_on == review


def test_staff_tune_the_weights_in_the_admin(client, staff):

    policy = MatchingPolicy.current()
    log_in_with_second_factor(client, staff)

    response = client.post(
        reverse("admin:matching_matchingpolicy_change", args=[policy.pk]),
        {
            "weight_skills": 50,
            "weight_availability": 20,
            "weight_distance": 10,
            "weight_languages": 10,
            "weight_rate": 10,
            "introduction_days": 10,
            "daily_pending_limit": 3,
            "trial_weeks": 6,
        },
    )

    assert response.status_code == 302
    policy.refresh_from_db()
    assert (policy.weight_skills, policy.trial_weeks) == (50, 6)


def test_the_kept_bookable_date_agrees_with_the_exact_rule_through_every_change(staff, ruth):
    from members.models import Membership

    def agree(on=TODAY):
        exact = set(member_selectors.workers_bookable(on=on).values_list("pk", flat=True))
        kept = set(selectors.worker_profiles(on=on).values_list("membership_id", flat=True))
        assert kept == exact
        workers = Membership.objects.filter(pk__in=[p.pk for p in people])
        badge_exact = dict(workers.annotate(b=member_selectors.checks_up_to_date(on)).values_list("pk", "b"))
        badge_kept = dict(workers.annotate(b=member_selectors.checks_current_kept(on)).values_list("pk", "b"))
        assert badge_kept == badge_exact

    people = [worker(staff, f"Worker {i}", "HX7 8BQ") for i in range(4)]
    agree()
    member_services.vetting_check_void(check=people[0].vetting_checks.get(kind="dbs"), by=staff, reason="x")
    agree()
    member_services.vetting_check_record(
        membership=people[1],
        by=staff,
        kind="right_to_work",
        issued_on=TODAY,
        expires_on=TODAY + datetime.timedelta(days=10),
        document="Visa",
    )
    agree()
    agree(on=TODAY + datetime.timedelta(days=10))
    agree(on=TODAY + datetime.timedelta(days=11))
    # A training course that runs out takes the badge away, though the worker may still be booked.
    member_services.vetting_check_record(
        membership=people[3],
        by=staff,
        kind="training",
        course=TrainingCourse.objects.get(name="First aid"),
        issued_on=TODAY,
        expires_on=TODAY + datetime.timedelta(days=5),
    )
    agree()
    agree(on=TODAY + datetime.timedelta(days=5))
    agree(on=TODAY + datetime.timedelta(days=6))
    member_services.membership_cease(membership=people[2], by=staff, reason="resigned", ceased_on=TODAY)
    agree()
    agree(on=TODAY + datetime.timedelta(days=1))
    assert Membership.objects.get(pk=people[3].pk).bookable_until is not None
    Membership.objects.filter(pk=people[3].pk).update(bookable_until=None)  # drift, however it came
    Membership.objects.filter(pk=people[1].pk).update(checks_current_until=None)
    assert member_services.workers_bookable_refresh_all() == 2
    agree()


def test_withdrawing_and_sending_again_does_not_get_round_the_daily_limit(ruth, staff):
    MatchingPolicy.objects.update_or_create(pk=1, defaults={"daily_pending_limit": 2})
    workers = [nearby_worker(staff, f"Worker {i}") for i in range(3)]
    first = services.introduction_send(
        by=ruth.user, receiver=ruth, supporter=workers[0], from_receiver=True, message="a"
    )
    services.introduction_withdraw(introduction=first, by=ruth.user)
    services.introduction_send(
        by=ruth.user, receiver=ruth, supporter=workers[1], from_receiver=True, message="b"
    )

    with pytest.raises(ApplicationError) as refused:
        services.introduction_send(
            by=ruth.user, receiver=ruth, supporter=workers[2], from_receiver=True, message="c"
        )

    assert refused.value.code == "daily_limit"


def test_noticeboard_emails_reach_only_circle_members_who_may_see_care(
    ruth, staff, django_capture_on_commit_callbacks
):
    worker = nearby_worker(staff)
    listed(ruth, display_name="members")
    services.introduction_accept(
        introduction=services.introduction_send(
            by=ruth.user, receiver=ruth, supporter=worker, from_receiver=True, message="hi"
        ),
        by=worker.user,
    )
    booker = UserFactory(email="booker@example.org")
    member_services.circle_invite(
        receiver=ruth,
        by=ruth.user,
        email=booker.email,
        can_view_care=False,
        can_book=True,
    )
    member_services.circle_accept(token=invitation_token(booker.email), user=booker)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.noticeboard_post(receiver=ruth, by=worker.user, body="Ruth had a fall today; she is fine.")

    assert mail.outbox[-1].to == [ruth.user.email]


def test_a_person_not_yet_admitted_is_not_listed(ruth, staff):
    import datetime

    from matching import selectors

    future = MembershipFactory(
        member_class="receiver", date_admitted=timezone.localdate() + datetime.timedelta(days=3)
    )
    listed(future, display_name="members")

    assert future.pk not in [p.membership_id for p in selectors.receivers_listed(on=timezone.localdate())]
    assert member_selectors.membership_can_participate(membership=future) is False


def test_the_migration_that_keeps_the_badge_date_fills_it_as_the_services_keep_it(staff):
    import importlib

    from django.apps import apps

    from members.models import Membership

    fill = importlib.import_module("members.migrations.0018_checks_current_until").fill
    people = [worker(staff, f"Worker {i}", "HX7 8BQ") for i in range(3)]
    member_services.vetting_check_record(
        membership=people[0],
        by=staff,
        kind="training",
        course=TrainingCourse.objects.get(name="First aid"),
        issued_on=TODAY - datetime.timedelta(days=400),
        expires_on=TODAY + datetime.timedelta(days=20),
    )
    # A newer course of the same kind replaces the older one: its expiry is the one that counts.
    member_services.vetting_check_record(
        membership=people[1],
        by=staff,
        kind="training",
        course=TrainingCourse.objects.get(name="First aid"),
        issued_on=TODAY - datetime.timedelta(days=30),
        expires_on=TODAY - datetime.timedelta(days=1),
    )
    member_services.vetting_check_record(
        membership=people[1],
        by=staff,
        kind="training",
        course=TrainingCourse.objects.get(name="First aid"),
        issued_on=TODAY,
        expires_on=TODAY + datetime.timedelta(days=40),
    )
    member_services.vetting_check_void(check=people[2].vetting_checks.get(kind="dbs"), by=staff, reason="x")
    kept = dict(Membership.objects.values_list("pk", "checks_current_until"))
    assert kept[people[0].pk] == TODAY + datetime.timedelta(days=20)
    assert kept[people[1].pk] == TODAY + datetime.timedelta(days=40)
    assert kept[people[2].pk] is None
    Membership.objects.update(checks_current_until=None)

    fill(apps, None)

    assert dict(Membership.objects.values_list("pk", "checks_current_until")) == kept
