"""Faces and trust: photos (or initials) on cards, the "checks up to date" badge, Ask to meet on a
worker's profile, what fits on suggestion cards, gender from a list, and names in the circle."""

import datetime
from importlib import import_module
from io import BytesIO

import pytest
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from matching import services
from matching.models import Introduction, MatchingPolicy, TeamMember
from members import selectors as member_selectors
from members import services as member_services
from members.models import Gender, Profile, TrainingCourse
from tests.factories import MembershipFactory, UserFactory
from tests.matching.conftest import nearby_worker
from tests.outbox import invitation_token
from tests.second_factor import log_in_with_second_factor


def _photo(membership):
    buffer = BytesIO()
    Image.new("RGB", (40, 40), "#88aa99").save(buffer, format="PNG")
    buffer.seek(0)
    profile = member_services.profile_get_or_create(membership=membership)
    member_services.profile_photo_set(profile=profile, by=membership.user, upload=buffer, size=40 * 40)


def _photo_src(membership):
    return f'src="{reverse("profile_photo", args=[membership.number])}"'


def _expired_training(worker, staff):
    today = timezone.localdate()
    member_services.vetting_check_record(
        membership=worker,
        by=staff,
        kind="training",
        course=TrainingCourse.objects.get(name="First aid"),
        issued_on=today - relativedelta(years=3),
        expires_on=today - datetime.timedelta(days=1),
    )


@pytest.fixture
def megan(staff):
    return nearby_worker(staff)


@pytest.fixture
def tom(staff):
    return nearby_worker(staff, "Tom Ackroyd", "HX7 6AA")


def _circle(ruth, **powers):
    jane = UserFactory(email="jane@example.org")
    member_services.circle_invite(receiver=ruth, by=ruth.user, email=jane.email, name="Jane", **powers)
    member_services.circle_accept(token=invitation_token(jane.email), user=jane)
    return jane


# --- Photos -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["worker_search", "suggestions"])
def test_worker_cards_show_the_photo_members_may_see_and_initials_for_the_rest(
    client, ruth, megan, tom, url_name
):
    _photo(megan)
    _photo(tom)
    profile = member_services.profile_get_or_create(membership=tom)
    member_services.profile_update(profile=profile, by=tom.user, visibility={"photo": "staff"})
    client.force_login(ruth.user)

    html = client.get(reverse(url_name)).content.decode()

    assert _photo_src(megan) in html
    assert 'alt=""' in html  # the name is beside it: the photo is decoration
    assert _photo_src(tom) not in html
    assert 'class="avatar avatar--64 avatar--initials" aria-hidden="true">T<' in html
    assert client.get(reverse("profile_photo", args=[megan.number])).status_code == 200
    assert client.get(reverse("profile_photo", args=[tom.number])).status_code == 404


def test_a_photo_whose_file_is_lost_shows_as_initials_and_its_address_is_not_found(client, ruth, megan):
    _photo(megan)
    profile = Profile.objects.get(membership=megan)
    profile.photo.storage.delete(profile.photo.name)
    client.force_login(ruth.user)

    profile_page = client.get(reverse("member_profile", args=[megan.number])).content.decode()
    cards = client.get(reverse("worker_search")).content.decode()
    photo = client.get(reverse("profile_photo", args=[megan.number]))

    assert _photo_src(megan) not in profile_page
    assert 'avatar--96 avatar--initials" aria-hidden="true">M<' in profile_page
    assert megan.profile.display_name in cards
    assert _photo_src(megan) not in cards
    assert photo.status_code == 404
    client.force_login(megan.user)
    own = client.get(reverse("profile_edit"))
    assert own.status_code == 200
    assert _photo_src(megan) not in own.content.decode()


def test_a_worker_without_a_photo_has_their_initials_on_their_profile(client, ruth, megan):
    client.force_login(ruth.user)

    html = client.get(reverse("member_profile", args=[megan.number])).content.decode()

    assert 'avatar--96 avatar--initials" aria-hidden="true">M<' in html


def test_staff_see_a_photo_the_worker_keeps_for_staff(client, staff, ruth, megan):
    _photo(megan)
    member_services.profile_update(
        profile=member_services.profile_get_or_create(membership=megan),
        by=megan.user,
        visibility={"photo": "staff"},
    )
    url = reverse("member_profile", args=[megan.number])
    log_in_with_second_factor(client, staff)
    assert _photo_src(megan) in client.get(url).content.decode()
    client.force_login(ruth.user)
    assert _photo_src(megan) not in client.get(url).content.decode()


def test_the_team_page_shows_the_workers_photos_and_names_the_circle(client, ruth, megan, tom):
    _photo(megan)
    for worker in (megan, tom):
        introduction = services.introduction_send(
            by=ruth.user, receiver=ruth, supporter=worker, from_receiver=True, message="Hello"
        )
        services.introduction_accept(introduction=introduction, by=worker.user)
    _circle(ruth, can_view_care=True)
    client.force_login(tom.user)

    html = client.get(reverse("team", args=[ruth.number])).content.decode()

    assert _photo_src(megan) in html
    assert 'avatar--48 avatar--initials" aria-hidden="true">TA<' in html
    assert "<strong>Jane</strong>" in html
    assert html.count("Checks up to date") == 2


def test_a_worker_in_the_persons_team_sees_her_photo_wherever_her_profile_shows_it(client, ruth, asha, tom):
    """Her photo is for her team (the default for someone getting support): the worker in it sees
    it on her profile, at its own address and on the team's page; a worker outside it sees none."""
    _photo(ruth)
    client.force_login(asha.user)

    profile_page = client.get(reverse("member_profile", args=[ruth.number])).content.decode()
    team_page = client.get(reverse("team", args=[ruth.number])).content.decode()
    photo = client.get(reverse("profile_photo", args=[ruth.number]))

    assert _photo_src(ruth) in profile_page
    assert _photo_src(ruth) in team_page
    assert photo.status_code == 200
    client.force_login(tom.user)
    assert client.get(reverse("profile_photo", args=[ruth.number])).status_code == 404


def test_a_worker_who_leaves_the_team_no_longer_gets_her_photo(client, ruth, asha):
    _photo(ruth)
    place = TeamMember.objects.get(receiver=ruth, member=asha)
    services.team_member_end(member=place, by=ruth.user, reason="")
    client.force_login(asha.user)

    assert client.get(reverse("profile_photo", args=[ruth.number])).status_code == 404


def test_photos_visible_to_counts_the_team_the_caller_knows_the_user_is_in(ruth, asha):
    _photo(ruth)
    profile = Profile.objects.select_related("membership").get(membership=ruth)

    assert member_selectors.photos_visible_to(user=asha.user, profiles=[profile]) == set()
    assert member_selectors.photos_visible_to(user=asha.user, profiles=[profile], in_team_of={ruth.pk}) == {
        ruth.pk
    }


# --- Checks up to date ------------------------------------------------------------------------------


def test_the_badge_shows_only_while_every_check_is_current(client, ruth, megan, tom, staff):
    _expired_training(tom, staff)  # still bookable: training is not needed to be booked
    client.force_login(ruth.user)

    search = client.get(reverse("worker_search")).content.decode()
    cards = {name: search.split(f">{name}<")[1].split("</article>")[0] for name in ("Megan", "Tom")}
    megan_profile = client.get(reverse("member_profile", args=[megan.number])).content.decode()
    tom_profile = client.get(reverse("member_profile", args=[tom.number])).content.decode()

    assert "Checks up to date" in cards["Megan"]
    assert "Checks up to date" not in cards["Tom"]
    assert "Checks up to date" in megan_profile
    assert "Checks up to date" not in tom_profile


def test_the_api_says_whether_a_workers_checks_are_up_to_date(api_client, ruth, megan, tom, staff):
    _expired_training(tom, staff)
    api_client.force_authenticate(ruth.user)

    body = api_client.get("/api/v1/workers/").json()

    assert {w["display_name"]: w["checks_current"] for w in body["results"]} == {"Megan": True, "Tom": False}


# --- Ask to meet ------------------------------------------------------------------------------------


def _profile_page(client, user, worker, **query):
    client.force_login(user)
    return client.get(reverse("member_profile", args=[worker.number]), query).content.decode()


def test_a_person_is_offered_to_meet_a_worker_then_told_the_introduction_is_asked(client, ruth, megan):
    assert "Ask to meet Megan" in _profile_page(client, ruth.user, megan)

    services.introduction_send(by=ruth.user, receiver=ruth, supporter=megan, from_receiver=True, message="Hi")

    html = _profile_page(client, ruth.user, megan)
    assert "Introduction asked" in html
    assert "Ask to meet" not in html


def test_nobody_is_offered_to_meet_a_worker_already_in_the_team(client, ruth, megan):
    introduction = services.introduction_send(
        by=ruth.user, receiver=ruth, supporter=megan, from_receiver=True, message="Hi"
    )
    services.introduction_accept(introduction=introduction, by=megan.user)

    html = _profile_page(client, ruth.user, megan)
    search = client.get(reverse("worker_search")).content.decode()

    assert "Ask to meet" not in html
    assert "Introduction asked" not in html
    assert "Megan" in search
    assert "Ask to meet Megan" not in search


def test_an_advocate_who_manages_the_team_asks_for_the_person(client, ruth, megan):
    jane = _circle(ruth, can_manage_team=True)

    html = _profile_page(client, jane, megan)

    assert "Ask to meet Megan for Ruth Sutcliffe" in html
    assert f"?for={ruth.number}" in html


def test_an_advocate_without_the_power_a_worker_and_the_worker_themself_are_not_offered(
    client, ruth, megan, tom
):
    jane = _circle(ruth, can_view_care=True)

    assert "Ask to meet" not in _profile_page(client, jane, megan)
    assert "Ask to meet" not in _profile_page(client, tom.user, megan)
    assert "Ask to meet" not in _profile_page(client, megan.user, megan)
    assert "Ask to meet" not in _profile_page(client, ruth.user, megan, **{"for": "99999"})


def test_the_profile_of_a_person_getting_support_offers_no_ask_to_meet(client, ruth, megan):
    member_services.profile_update(
        profile=member_services.profile_get_or_create(membership=ruth),
        by=ruth.user,
        visibility={"display_name": "members"},
    )

    assert "Ask to meet" not in _profile_page(client, megan.user, ruth)


# --- Suggestion cards -------------------------------------------------------------------------------


def test_suggestion_cards_lead_with_what_fits_and_put_what_does_not_in_one_line(client, ruth, staff):
    nearby_worker(staff, "Tom Ackroyd", "HX7 6AA")  # offers dementia only; speaks no Welsh
    client.force_login(ruth.user)

    html = client.get(reverse("suggestions")).content.decode()

    card = html.split(">Tom<")[1]
    assert card.index("Dementia experience") < card.index("Not a match on:")
    assert "Not a match on: Companionship, Welsh, Thursday mornings" in card


# --- Gender ---------------------------------------------------------------------------------------


def _profile_form(worker, **extra):
    return {
        "display_name": "Megan",
        "hourly_rate": "15.00",
        "travel_radius_km": "10",
        "times-TOTAL_FORMS": "0",
        "times-INITIAL_FORMS": "0",
        **extra,
    }


def test_gender_is_chosen_from_the_list_on_the_profile_page(client, megan):
    client.force_login(megan.user)

    refused = client.post(reverse("profile_edit"), _profile_form(megan, gender="lady"))
    no_words = client.post(reverse("profile_edit"), _profile_form(megan, gender="self_describe"))
    own_words = client.post(
        reverse("profile_edit"),
        _profile_form(megan, gender="self_describe", gender_self_described="Genderqueer"),
    )

    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    assert no_words.status_code == 400
    assert "Say how you describe your gender" in no_words.content.decode()
    assert own_words.status_code == 302
    profile = Profile.objects.get(membership=megan)
    assert (profile.gender, profile.gender_self_described) == (Gender.SELF_DESCRIBE, "Genderqueer")
    assert profile.gender_shown == "Genderqueer"


def test_the_api_refuses_a_gender_not_on_the_list_with_a_clear_error(api_client, megan):
    api_client.force_authenticate(megan.user)

    refused = api_client.patch("/api/v1/profiles/me/", {"gender": "lady"}, format="json")
    kept = api_client.patch(
        "/api/v1/profiles/me/",
        {"gender": "self_describe", "gender_self_described": "Two-spirit"},
        format="json",
    )

    assert refused.status_code == 400
    assert refused.json()["detail"]
    assert refused.json()["code"] == "invalid"
    assert refused.json()["gender"]
    assert kept.status_code == 200
    assert (kept.json()["gender"], kept.json()["gender_self_described"]) == ("self_describe", "Two-spirit")


def test_the_search_api_refuses_a_gender_not_on_the_list(api_client, ruth, megan):
    api_client.force_authenticate(ruth.user)

    refused = api_client.get("/api/v1/workers/", {"gender": "lady"})

    assert refused.status_code == 400
    assert refused.json()["code"] == "invalid"
    assert api_client.get("/api/v1/workers/", {"gender": "woman"}).status_code == 200


def test_a_worker_who_prefers_not_to_say_is_found_by_nobody_looking_for_a_gender(ruth, megan):
    from matching import selectors
    from matching.selectors import WorkerCriteria

    member_services.profile_update(
        profile=member_services.profile_get_or_create(membership=megan),
        by=megan.user,
        gender=Gender.PREFER_NOT_TO_SAY,
    )
    today = timezone.localdate()

    assert list(selectors.worker_search(criteria=WorkerCriteria(gender="woman"), on=today)) == []
    assert len(selectors.worker_search(criteria=WorkerCriteria(), on=today)) == 1


def test_free_text_genders_written_before_the_list_are_mapped_kindly(staff):
    written = ["Female", " man ", "non-binary", "Prefer not to say", "Agender", ""]
    workers = [nearby_worker(staff, f"Worker {i}") for i in range(len(written))]
    for worker, text in zip(workers, written, strict=True):
        Profile.objects.filter(membership=worker).update(gender=text)
    migration = import_module("members.migrations.0015_profile_gender_choices_circle_names")

    migration.gender_to_list(apps, None)

    rows = [Profile.objects.get(membership=w) for w in workers]
    assert [(p.gender, p.gender_self_described) for p in rows] == [
        ("woman", ""),
        ("man", ""),
        ("non_binary", ""),
        ("prefer_not_to_say", ""),
        ("self_describe", "Agender"),
        ("", ""),
    ]


# --- Names in the circle ----------------------------------------------------------------------------


def test_the_circle_page_asks_for_a_name_and_shows_it(client, ruth):
    client.force_login(ruth.user)

    missing = client.post(
        reverse("circle_manage", args=[ruth.number]), {"email": "sam@example.org", "can_view_care": "on"}
    )
    client.post(
        reverse("circle_manage", args=[ruth.number]),
        {"name": "Sam Friend", "email": "sam@example.org", "can_view_care": "on"},
    )
    html = client.get(reverse("circle_manage", args=[ruth.number])).content.decode()

    assert missing.status_code == 400
    assert "<strong>Sam Friend</strong>" in html
    assert "Withdraw the invitation to Sam Friend" in html


def test_someone_invited_before_names_were_asked_is_shown_by_their_email(client, ruth):
    member_services.circle_invite(receiver=ruth, by=ruth.user, email="old@example.org")
    client.force_login(ruth.user)

    html = client.get(reverse("circle_manage", args=[ruth.number])).content.decode()

    assert "<strong>old@example.org</strong>" in html


# --- Constant queries -------------------------------------------------------------------------------


def _grow(staff, ruth, count, start):
    for index in range(count):
        worker = nearby_worker(staff, f"Worker {start + index}", "HX6 2AA")
        _photo(worker)
        if index % 2:
            _expired_training(worker, staff)
        introduction = services.introduction_send(
            by=ruth.user, receiver=ruth, supporter=worker, from_receiver=True, message="Hello"
        )
        if index % 3 == 0:
            services.introduction_accept(introduction=introduction, by=worker.user)


@pytest.mark.parametrize("name", ["worker_search", "suggestions", "team"])
def test_card_pages_with_photos_and_badges_make_the_same_queries_for_few_or_many(
    client, ruth, staff, django_assert_max_num_queries, name
):
    MatchingPolicy.objects.update_or_create(pk=1, defaults={"daily_pending_limit": 50})
    url = reverse(name, args=[ruth.number]) if name == "team" else reverse(name)
    client.force_login(ruth.user)
    _grow(staff, ruth, 2, 0)
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        assert client.get(url).status_code == 200
    _grow(staff, ruth, 9, 10)
    with django_assert_max_num_queries(30) as many:
        assert client.get(url).status_code == 200

    assert len(few.captured_queries) == len(many.captured_queries)


def test_the_people_looking_page_makes_the_same_queries_for_few_or_many(
    client, staff, django_assert_max_num_queries
):
    worker = nearby_worker(staff, "Megan Holt")
    client.force_login(worker.user)

    def people(count, start):
        for index in range(count):
            person = MembershipFactory(member_class="receiver", legal_name=f"Person {start + index}")
            profile = member_services.profile_get_or_create(membership=person)
            member_services.profile_update(
                profile=profile, by=person.user, visibility={"display_name": "members", "photo": "members"}
            )
            _photo(person)

    people(2, 0)
    with django_assert_max_num_queries(25) as few:
        assert client.get(reverse("people_looking")).status_code == 200
    people(8, 10)
    with django_assert_max_num_queries(25) as many:
        html = client.get(reverse("people_looking")).content.decode()

    assert len(few.captured_queries) == len(many.captured_queries)
    assert html.count('class="avatar avatar--64"') == 10


def test_an_introduction_asked_shows_on_the_card_instead_of_ask_to_meet(client, ruth, megan):
    services.introduction_send(by=ruth.user, receiver=ruth, supporter=megan, from_receiver=True, message="Hi")
    client.force_login(ruth.user)

    for page in ("worker_search", "suggestions"):
        html = client.get(reverse(page)).content.decode()
        assert "Introduction asked" in html
        assert "Ask to meet Megan" not in html
    assert Introduction.objects.count() == 1
