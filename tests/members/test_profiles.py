"""Profiles: what members show of themselves, and who may see it."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from carecoop.exceptions import ApplicationError
from members import selectors, services
from members.models import Language, Membership, Policy, Profile, Skill
from tests.factories import (
    MembershipFactory,
    UserFactory,
)
from tests.second_factor import log_in_with_second_factor


@pytest.fixture
def worker(db):
    return MembershipFactory(member_class="worker", legal_name="Tom Ackroyd", user__email="tom@example.org")


@pytest.fixture
def receiver(db):
    return MembershipFactory(
        member_class="receiver", legal_name="Ruth Sutcliffe", user__email="ruth@example.org"
    )


def _photo(width=2000, height=1500, fmt="JPEG", exif=True) -> bytes:
    image = Image.new("RGB", (width, height), (200, 120, 80))
    buffer = io.BytesIO()
    if exif and fmt == "JPEG":
        metadata = Image.Exif()
        metadata[0x010F] = "PhoneMaker"  # camera maker
        image.save(buffer, format=fmt, exif=metadata)
    else:
        image.save(buffer, format=fmt)
    return buffer.getvalue()


# --- Services -------------------------------------------------------------------------------------


def test_a_postcode_becomes_the_districts_coordinates(worker):
    profile = services.profile_get_or_create(membership=worker)

    services.profile_update(profile=profile, by=worker.user, postcode="hx7 8ah")

    profile.refresh_from_db()
    assert (profile.postcode, profile.district_id) == ("HX7 8AH", "HX7")
    assert (round(profile.latitude, 3), round(profile.longitude, 3)) == (53.735, -2.025)


def test_a_postcode_in_an_unknown_district_is_refused_with_a_reason(worker):
    profile = services.profile_get_or_create(membership=worker)

    with pytest.raises(ApplicationError) as refused:
        services.profile_update(profile=profile, by=worker.user, postcode="ZE1 0AA")

    assert refused.value.code == "unknown_postcode"
    profile.refresh_from_db()
    assert profile.postcode == ""


@pytest.mark.parametrize("pence", [12_59, 30_01, None])
def test_a_workers_rate_must_be_within_the_coops_bounds(worker, pence):
    profile = services.profile_get_or_create(membership=worker)

    with pytest.raises(ApplicationError) as refused:
        services.profile_update(profile=profile, by=worker.user, hourly_rate_pence=pence)

    assert refused.value.code == "invalid_hourly_rate_pence"


def test_the_rate_bounds_follow_the_policy(worker):
    Policy.objects.update_or_create(pk=1, defaults={"hourly_rate_min_pence": 15_00})
    profile = services.profile_get_or_create(membership=worker)

    with pytest.raises(ApplicationError):
        services.profile_update(profile=profile, by=worker.user, hourly_rate_pence=14_00)
    services.profile_update(profile=profile, by=worker.user, hourly_rate_pence=15_00)


@pytest.mark.parametrize("pence", [49_99, 120_01, 0])
def test_a_sleep_in_rate_must_be_within_the_coops_bounds_and_nothing_changes(worker, pence):
    profile = services.profile_get_or_create(membership=worker)

    with pytest.raises(ApplicationError) as refused:
        services.profile_update(profile=profile, by=worker.user, sleep_in_rate_pence=pence)

    assert refused.value.code == "invalid_sleep_in_rate_pence"
    assert refused.value.fields == {
        "sleep_in_rate_pence": [
            "Choose a sleep-in rate between £50.00 and £120.00 a night, or leave it empty."
        ]
    }
    profile.refresh_from_db()
    assert profile.sleep_in_rate_pence is None


def test_a_worker_sets_a_sleep_in_rate_and_may_take_it_away(worker):
    profile = services.profile_get_or_create(membership=worker)

    services.profile_update(profile=profile, by=worker.user, sleep_in_rate_pence=60_00)
    assert Profile.objects.get(pk=profile.pk).sleep_in_rate_pence == 60_00
    services.profile_update(profile=profile, by=worker.user, sleep_in_rate_pence=None)
    assert Profile.objects.get(pk=profile.pk).sleep_in_rate_pence is None


def test_the_sleep_in_bounds_follow_the_policy(worker):
    Policy.objects.update_or_create(pk=1, defaults={"sleep_in_rate_max_pence": 80_00})
    profile = services.profile_get_or_create(membership=worker)

    with pytest.raises(ApplicationError):
        services.profile_update(profile=profile, by=worker.user, sleep_in_rate_pence=80_01)
    services.profile_update(profile=profile, by=worker.user, sleep_in_rate_pence=80_00)


def test_a_receiver_cannot_set_worker_fields(receiver):
    profile = services.profile_get_or_create(membership=receiver)

    with pytest.raises(ApplicationError) as refused:
        services.profile_update(profile=profile, by=receiver.user, hourly_rate_pence=20_00)

    assert refused.value.code == "unknown_profile_fields"


def test_skills_languages_and_times_are_kept(worker):
    profile = services.profile_get_or_create(membership=worker)
    dementia, welsh = Skill.objects.get(name="Dementia"), Language.objects.get(name="Welsh")

    services.profile_save(
        profile=profile,
        by=worker.user,
        changes={
            "skills": [dementia],
            "languages": [welsh],
            "hourly_rate_pence": 14_50,
            "travel_radius_km": 8,
        },
        weekly_times=[(1, datetime.time(9), datetime.time(12)), (3, datetime.time(14), datetime.time(17))],
    )

    profile = selectors.profile_get_for_membership(membership=worker)
    assert list(profile.skills.all()) == [dementia]
    assert [str(t) for t in profile.weekly_times.all()] == ["Tuesday 09:00–12:00", "Thursday 14:00–17:00"]
    assert profile.weekly_times.first().kind == "available"


def test_overlapping_times_are_refused_and_nothing_is_saved(worker):
    profile = services.profile_get_or_create(membership=worker)

    with pytest.raises(ApplicationError) as refused:
        services.profile_save(
            profile=profile,
            by=worker.user,
            changes={"display_name": "Tommy"},
            weekly_times=[
                (1, datetime.time(9), datetime.time(12)),
                (1, datetime.time(11), datetime.time(13)),
            ],
        )

    assert refused.value.code == "overlapping_weekly_times"
    profile.refresh_from_db()
    assert profile.display_name == "Tom"


def test_a_photo_is_shrunk_turned_to_jpeg_and_loses_its_metadata(worker):
    profile = services.profile_get_or_create(membership=worker)
    data = _photo(fmt="PNG", exif=False)

    services.profile_photo_set(profile=profile, by=worker.user, upload=io.BytesIO(data), size=len(data))

    profile.refresh_from_db()
    with Image.open(profile.photo.open("rb")) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) == services.PHOTO_MAX_SIDE


def test_a_photos_location_and_camera_details_are_dropped(worker):
    profile = services.profile_get_or_create(membership=worker)
    data = _photo()

    profile = services.profile_photo_set(
        profile=profile, by=worker.user, upload=io.BytesIO(data), size=len(data)
    )

    with Image.open(profile.photo.open("rb")) as stored:
        assert dict(stored.getexif()) == {}


@pytest.mark.parametrize("content", [b"not an image at all", b"GIF89a" + b"\x00" * 20])
def test_something_that_is_not_a_photo_is_refused(worker, content):
    profile = services.profile_get_or_create(membership=worker)

    with pytest.raises(ApplicationError) as refused:
        services.profile_photo_set(
            profile=profile, by=worker.user, upload=io.BytesIO(content), size=len(content)
        )

    assert refused.value.code == "photo_not_an_image"
    profile.refresh_from_db()
    assert not profile.photo


def test_a_change_by_someone_else_is_recorded_as_on_behalf_of_the_member(receiver, staff):
    profile = services.profile_get_or_create(membership=receiver)

    services.profile_update(profile=profile, by=staff, what_matters="My garden and my cat.")

    latest = profile.history.latest()
    assert latest.history_user == staff
    assert "on behalf of Ruth Sutcliffe" in latest.history_change_reason


# --- Who sees what --------------------------------------------------------------------------------


def test_care_details_of_a_receiver_start_hidden_from_other_members(receiver, worker):
    profile = services.profile_get_or_create(membership=receiver)

    as_member = selectors.profile_visible_fields(
        profile=profile, viewer=selectors.profile_viewer(user=worker.user, profile=profile)
    )
    as_team = selectors.profile_visible_fields(profile=profile, viewer="team")

    assert "what_matters" not in as_member
    assert "support_wanted" not in as_member
    assert {"what_matters", "support_wanted", "worker_preferences"} <= as_team


def test_a_receiver_may_choose_to_show_details_to_all_members(receiver, worker):
    profile = services.profile_get_or_create(membership=receiver)

    profile = services.profile_update(profile=profile, by=receiver.user, visibility={"bio": "members"})

    assert "bio" in selectors.profile_visible_fields(profile=profile, viewer="member")
    assert "what_matters" not in selectors.profile_visible_fields(profile=profile, viewer="member")


def test_a_worker_may_keep_details_to_staff(worker):
    profile = services.profile_get_or_create(membership=worker)

    profile = services.profile_update(profile=profile, by=worker.user, visibility={"gender": "staff"})

    assert "gender" not in selectors.profile_visible_fields(profile=profile, viewer="team")
    assert "gender" in selectors.profile_visible_fields(profile=profile, viewer="staff")
    assert "hourly_rate" in selectors.profile_visible_fields(profile=profile, viewer="member")


def test_an_unknown_audience_is_refused(worker):
    profile = services.profile_get_or_create(membership=worker)

    with pytest.raises(ApplicationError) as refused:
        services.profile_update(profile=profile, by=worker.user, visibility={"gender": "everyone"})

    assert refused.value.code == "invalid_visibility"


def test_someone_who_is_not_a_member_sees_nothing(receiver):
    profile = services.profile_get_or_create(membership=receiver)
    outsider = UserFactory()

    assert selectors.profile_viewer(user=outsider, profile=profile) is None
    assert selectors.profile_visible_fields(profile=profile, viewer=None) == frozenset()


# --- Pages ------------------------------------------------------------------------------------


def test_the_profile_page_is_for_members(client, newcomer):
    client.force_login(newcomer)

    assert client.get(reverse("profile_edit"))["Location"] == reverse("account_overview")


def test_a_worker_saves_their_profile_from_the_page(client, worker):
    client.force_login(worker.user)
    dementia = Skill.objects.get(name="Dementia")

    response = client.post(
        reverse("profile_edit"),
        {
            "display_name": "Tom",
            "bio": "Former nurse, happy to help with anything.",
            "skills": [dementia.pk],
            "hourly_rate": "15.50",
            "sleep_in_rate": "65",
            "travel_radius_km": "12",
            "postcode": "OL14 5AB",
            "visibility_gender": "staff",
            "times-TOTAL_FORMS": "2",
            "times-INITIAL_FORMS": "0",
            "times-0-weekday": "0",
            "times-0-starts": "08:00",
            "times-0-ends": "12:30",
            "photo": SimpleUploadedFile("me.jpg", _photo(), content_type="image/jpeg"),
        },
        follow=True,
    )

    assert "Your profile is saved." in response.content.decode()
    profile = selectors.profile_get_for_membership(membership=worker)
    assert (profile.hourly_rate_pence, profile.travel_radius_km, profile.district_id) == (15_50, 12, "OL14")
    assert profile.sleep_in_rate_pence == 65_00
    assert profile.visibility["gender"] == "staff"
    assert profile.photo


def test_a_rate_outside_the_bounds_is_shown_on_the_field_and_nothing_changes(client, worker):
    client.force_login(worker.user)
    client.get(reverse("profile_edit"))

    response = client.post(
        reverse("profile_edit"),
        {
            "display_name": "Tommy",
            "hourly_rate": "9.00",
            "travel_radius_km": "5",
            "times-TOTAL_FORMS": "0",
            "times-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 400
    assert "Choose a rate between £12.60 and £30.00 an hour." in response.content.decode()
    assert list(response.context["form"].errors) == ["hourly_rate"]  # beside its field
    assert selectors.profile_get_for_membership(membership=worker).display_name == "Tom"


def test_a_sleep_in_rate_outside_the_bounds_is_shown_on_the_field_and_nothing_changes(client, worker):
    client.force_login(worker.user)
    client.get(reverse("profile_edit"))

    response = client.post(
        reverse("profile_edit"),
        {
            "display_name": "Tommy",
            "hourly_rate": "15.00",
            "sleep_in_rate": "20",
            "travel_radius_km": "5",
            "times-TOTAL_FORMS": "0",
            "times-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 400
    assert "Choose a sleep-in rate between £50.00 and £120.00 a night" in response.content.decode()
    assert list(response.context["form"].errors) == ["sleep_in_rate"]  # beside its field
    profile = selectors.profile_get_for_membership(membership=worker)
    assert (profile.display_name, profile.sleep_in_rate_pence) == ("Tom", None)


def test_a_workers_profile_shows_what_a_sleep_in_night_costs_the_person(client, worker, receiver):
    profile = services.profile_get_or_create(membership=worker)
    services.profile_update(
        profile=profile, by=worker.user, hourly_rate_pence=15_00, sleep_in_rate_pence=60_00
    )
    client.force_login(receiver.user)

    page = client.get(reverse("member_profile", args=[worker.number])).content.decode()

    assert "£70.50 a night, paid by the person; £55.50 of it goes to the worker" in page


def test_a_receivers_photo_is_shown_to_staff_but_not_to_other_members(client, receiver, worker, staff):
    profile = services.profile_get_or_create(membership=receiver)
    data = _photo()
    services.profile_photo_set(profile=profile, by=receiver.user, upload=io.BytesIO(data), size=len(data))
    url = reverse("profile_photo", args=[receiver.number])

    client.force_login(worker.user)
    assert client.get(url).status_code == 404
    log_in_with_second_factor(client, staff)
    assert client.get(url).status_code == 200
    client.force_login(receiver.user)
    assert client.get(url)["Content-Type"] == "image/jpeg"


def test_a_workers_photo_is_shown_to_members_by_default(client, receiver, worker):
    profile = services.profile_get_or_create(membership=worker)
    data = _photo()
    services.profile_photo_set(profile=profile, by=worker.user, upload=io.BytesIO(data), size=len(data))

    client.force_login(receiver.user)

    assert client.get(reverse("profile_photo", args=[worker.number])).status_code == 200


def test_the_profile_page_makes_a_constant_number_of_queries(client, worker, django_assert_max_num_queries):
    client.force_login(worker.user)
    client.get(reverse("profile_edit"))
    profile = selectors.profile_get_for_membership(membership=worker)
    profile.skills.set(Skill.objects.all()[:2])

    with django_assert_max_num_queries(20) as few:
        client.get(reverse("profile_edit"))
    profile.skills.set(Skill.objects.all())
    profile.languages.set(Language.objects.all())
    services.profile_weekly_times_set(
        profile=profile,
        by=worker.user,
        kind="available",
        times=[(day, datetime.time(9), datetime.time(17)) for day in range(7)],
    )
    with django_assert_max_num_queries(20) as many:
        client.get(reverse("profile_edit"))

    assert len(few.captured_queries) == len(many.captured_queries)


# --- API ----------------------------------------------------------------------------------------


def test_a_worker_reads_and_changes_their_profile_through_the_api(api_client, worker):
    api_client.force_authenticate(worker.user)

    changed = api_client.patch(
        "/api/v1/profiles/me/",
        {
            "hourly_rate_pence": 16_00,
            "sleep_in_rate_pence": 70_00,
            "travel_radius_km": 15,
            "skills": ["Dementia", "Cooking"],
            "postcode": "HX1 1BA",
            "visibility": {"gender": "staff"},
            "weekly_times": [{"weekday": 2, "starts": "09:00", "ends": "13:00"}],
        },
        format="json",
    )

    assert changed.status_code == 200
    body = api_client.get("/api/v1/profiles/me/").json()
    assert (body["hourly_rate_pence"], body["district"], sorted(body["skills"])) == (
        1600,
        "HX1",
        ["Cooking", "Dementia"],
    )
    assert body["sleep_in_rate_pence"] == 70_00
    assert body["visibility"]["gender"] == "staff"
    assert body["visibility"]["photo"] == "members"
    assert body["weekly_times"] == [{"weekday": 2, "starts": "09:00:00", "ends": "13:00:00"}]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"hourly_rate_pence": 5_00}, "invalid_hourly_rate_pence"),
        ({"sleep_in_rate_pence": 500_00}, "invalid_sleep_in_rate_pence"),
        ({"sleep_in_rate_pence": "lots"}, "invalid"),
        ({"what_matters": "Gardening"}, "unknown_profile_fields"),
        ({"skills": ["Juggling"]}, "invalid"),
        ({"visibility": {"gender": "everyone"}}, "invalid"),
        ({"gender": "lady"}, "invalid"),
        ({"gender": "self_describe"}, "gender_self_described_required"),
        ({"weekly_times": [{"weekday": 1, "starts": "14:00", "ends": "09:00"}]}, "invalid_weekly_time"),
        ({"weekly_times": [{"weekday": 1, "starts": "09:00"}]}, "invalid"),
        ({"weekly_times": [{}]}, "invalid"),
        ({"weekly_times": [{"weekday": 1, "starts": "09:00+05:00", "ends": "12:00"}]}, "invalid"),
        ({"weekly_times": [{"weekday": 1, "starts": "9", "ends": "12:00"}]}, "invalid"),
    ],
)
def test_bad_profile_changes_through_the_api_are_4xx_and_change_nothing(api_client, worker, body, code):
    api_client.force_authenticate(worker.user)
    before = api_client.get("/api/v1/profiles/me/").json()

    response = api_client.patch("/api/v1/profiles/me/", body, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert api_client.get("/api/v1/profiles/me/").json() == before


def test_a_weekly_time_missing_a_part_is_refused_beside_that_part_of_that_item(api_client, worker):
    # A PATCH changes only the fields it sends, but each weekly time it sends is whole.
    api_client.force_authenticate(worker.user)
    good = {"weekday": 2, "starts": "09:00", "ends": "13:00"}

    response = api_client.patch(
        "/api/v1/profiles/me/", {"weekly_times": [good, {"weekday": 1, "starts": "09:00"}]}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["weekly_times"] == [{}, {"ends": ["This field is required."]}]


def test_someone_who_is_not_a_member_has_no_profile_in_the_api(api_client, newcomer):
    api_client.force_authenticate(newcomer)

    response = api_client.get("/api/v1/profiles/me/")

    assert response.status_code == 400
    assert response.json()["code"] == "not_a_member"


def test_staff_keep_the_skills_vocabulary_and_a_retired_skill_is_no_longer_offered(client, staff, worker):
    log_in_with_second_factor(client, staff)
    assert client.get(reverse("admin:members_skill_changelist")).status_code == 200
    Skill.objects.create(name="Gardening")
    Skill.objects.filter(name="Driving").update(is_active=False)

    client.force_login(worker.user)
    form = client.get(reverse("profile_edit")).context["form"]

    offered = {skill.name for skill in form.fields["skills"].queryset}
    assert "Gardening" in offered
    assert "Driving" not in offered


@pytest.mark.usefixtures("now")
def test_a_photo_with_too_many_pixels_is_refused_before_it_is_decoded(member):
    profile = services.profile_get_or_create(membership=member)
    buffer = io.BytesIO()
    Image.new("L", (9000, 9000)).save(buffer, format="PNG")  # tiny file, 81 megapixels

    with pytest.raises(ApplicationError) as refused:
        services.profile_photo_set(
            profile=profile, by=member.user, upload=io.BytesIO(buffer.getvalue()), size=buffer.tell()
        )

    assert refused.value.code == "photo_too_large"


@pytest.mark.usefixtures("now")
@pytest.mark.parametrize("member_class", ["advocate", "investor"])
def test_advocates_and_investors_save_their_profiles(client, db, member_class):
    person = MembershipFactory(member_class=member_class, shares=200 if member_class == "investor" else 1)
    client.force_login(person.user)

    response = client.post(reverse("profile_edit"), {"display_name": "Jo", "bio": "Hello."}, follow=True)

    assert "Your profile is saved." in response.content.decode()


@pytest.mark.usefixtures("now")
def test_membership_numbers_cannot_be_walked_to_find_who_gets_care(client, db):
    people = [MembershipFactory(member_class="receiver") for _ in range(3)]
    for person in people:
        services.profile_get_or_create(membership=person)
    worker = MembershipFactory(member_class="worker")
    client.force_login(worker.user)

    assert [client.get(reverse("member_profile", args=[p.number])).status_code for p in people] == [
        404,
        404,
        404,
    ]
    assert Membership.objects.count() == 4
