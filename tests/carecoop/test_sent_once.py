"""A request sent twice takes effect once: the API's Idempotency-Key and the forms' one-time token
(carecoop/once.py). Double clicks and retries race through real threads against PostgreSQL."""

import datetime

import pytest
from django.test import Client
from rest_framework.test import APIClient

from carecoop.models import SentOnce
from carecoop.once import KEY_HEADER, _fingerprint, sent_once_claim
from carecoop.tasks import sent_once_forget_task
from matching.models import Introduction
from scheduling.models import Visit
from tests.concurrency import race
from tests.second_factor import log_in_with_second_factor
from tests.sent_once import form_token

pytestmark = pytest.mark.usefixtures("now")

VISITS = "/api/v1/visits/"
BOOK = "/visits/new/"


def booking(megan, hour=9):
    return {
        "worker": megan.number,
        "starts": f"2026-11-26T{hour:02}:00",
        "ends": f"2026-11-26T{hour + 2:02}:00",
    }


def book_by_api(user, body, key=None):
    client = APIClient()
    client.force_authenticate(user)
    headers = {KEY_HEADER: key} if key is not None else {}
    return client.post(VISITS, body, format="json", headers=headers)


# --- The API: Idempotency-Key ---------------------------------------------------------------------


def test_the_same_key_and_body_answer_the_first_booking_again_and_book_once(ruth, megan):
    first = book_by_api(ruth.user, booking(megan), key="booking-1")
    again = book_by_api(ruth.user, booking(megan), key="booking-1")

    assert first.status_code == 201, first.json()
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Visit.objects.count() == 1


def test_without_a_key_each_request_books_as_before(ruth, megan):
    responses = [book_by_api(ruth.user, booking(megan)) for _ in range(2)]

    assert [r.status_code for r in responses] == [201, 201]
    assert Visit.objects.count() == 2
    assert not SentOnce.objects.exists()


def test_a_key_used_again_with_another_body_is_refused_and_books_nothing_more(ruth, megan):
    book_by_api(ruth.user, booking(megan, hour=9), key="booking-1")

    response = book_by_api(ruth.user, booking(megan, hour=14), key="booking-1")

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["detail"]
    assert Visit.objects.count() == 1


def test_a_key_is_the_senders_own(ruth, megan, jane):
    ruth_answer = book_by_api(ruth.user, booking(megan), key="booking-1")
    jane_answer = book_by_api(jane, {**booking(megan), "receiver": ruth.number}, key="booking-1")

    assert (ruth_answer.status_code, jane_answer.status_code) == (201, 201)
    assert ruth_answer.json()["visits"][0]["id"] != jane_answer.json()["visits"][0]["id"]
    assert Visit.objects.count() == 2


def test_a_refusal_is_not_kept_so_the_same_key_may_be_sent_again(ruth, megan):
    too_short = {**booking(megan), "ends": "2026-11-26T09:10"}
    refused = book_by_api(ruth.user, too_short, key="booking-1")
    assert refused.status_code == 400

    assert book_by_api(ruth.user, too_short, key="booking-1").status_code == 400
    assert not SentOnce.objects.exists()


def test_a_key_is_kept_for_a_day_then_forgotten(ruth, megan, time_machine):
    book_by_api(ruth.user, booking(megan), key="booking-1")

    time_machine.shift(datetime.timedelta(hours=23))
    assert book_by_api(ruth.user, booking(megan), key="booking-1").headers["Idempotent-Replayed"] == "true"
    time_machine.shift(datetime.timedelta(hours=2))
    assert sent_once_forget_task() == 1
    assert book_by_api(ruth.user, booking(megan), key="booking-1").status_code == 201
    assert Visit.objects.count() == 2


def test_a_duplicate_sent_while_the_first_is_running_is_told_when_to_try_again(ruth, megan):
    body = booking(megan)
    _first, claimed = sent_once_claim(
        user_id=ruth.user.pk,
        door=SentOnce.Door.API,
        key="booking-1",
        fingerprint=_fingerprint("POST", VISITS, body),
    )
    assert claimed  # the first request, still running

    response = book_by_api(ruth.user, body, key="booking-1")

    assert response.status_code == 409
    assert response.json()["code"] == "request_in_progress"
    assert response.json()["detail"]
    assert response.headers["Retry-After"] in ("1", "2")
    assert not Visit.objects.exists()


@pytest.mark.parametrize("key", ["", "with space", "x" * 256, "é"])
def test_a_key_that_is_not_printable_ascii_is_refused(ruth, megan, key):
    response = book_by_api(ruth.user, booking(megan), key=key)

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_invalid"
    assert not Visit.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_thirty_identical_bookings_sent_at_once_with_one_key_book_one_visit(ruth, megan):
    responses = race([lambda: book_by_api(ruth.user, booking(megan), key="double-click") for _ in range(30)])

    assert Visit.objects.count() == 1
    created = [r for r in responses if r.status_code == 201]
    assert created
    assert all(r.json() == created[0].json() for r in created)
    waiting = [r for r in responses if r.status_code != 201]
    assert all(
        r.status_code == 409 and r.json()["code"] == "request_in_progress" and r.headers["Retry-After"]
        for r in waiting
    ), [r.content for r in waiting]


def test_the_api_schema_documents_the_key_on_every_operation_that_takes_it(client, staff):
    log_in_with_second_factor(client, staff)
    schema = client.get("/api/schema/?format=json").json()

    posts = {path: ops["post"] for path, ops in schema["paths"].items() if "post" in ops}
    headers = {
        path: [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
        for path, op in posts.items()
    }
    assert {path for path, names in headers.items() if KEY_HEADER not in names} == {"/api/v1/auth/token/"}


def test_the_api_schema_documents_the_409_of_a_request_still_running_and_its_retry_after(client, staff):
    log_in_with_second_factor(client, staff)
    schema = client.get("/api/schema/?format=json").json()

    taking_key = [
        op
        for ops in schema["paths"].values()
        for op in ops.values()
        if any(p["name"] == KEY_HEADER for p in op.get("parameters", []))
    ]
    assert taking_key
    for op in taking_key:
        conflict = op["responses"]["409"]
        assert conflict["headers"]["Retry-After"]["schema"] == {"type": "integer"}
        assert "request_in_progress" in conflict["description"]
        assert conflict["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}


def test_every_api_post_but_the_login_takes_a_key():
    from django.urls import get_resolver

    def views(resolver, found):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                views(pattern, found)
            elif hasattr(getattr(pattern.callback, "cls", None), "post"):
                found.add(pattern.callback.cls)
        return found

    posting = views(get_resolver(), set())
    not_idempotent = {view.__name__ for view in posting if not hasattr(view.post, "takes_idempotency_key")}
    assert not_idempotent == {"AuthTokenApi"}


# --- The forms: a one-time token -------------------------------------------------------------------


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def booking_form(megan, token=None):
    fields = {"worker": str(megan.number), "day": "2026-11-24", "starts_at": "09:00", "ends_at": "11:00"}
    return {**fields, "sent_once": token} if token else fields


def test_a_booking_form_sent_twice_books_once_and_lands_on_the_same_visit(ruth, megan):
    client = logged_in(ruth.user)
    token = form_token(client, BOOK)

    first = client.post(BOOK, booking_form(megan, token))
    again = client.post(BOOK, booking_form(megan, token), follow=True)

    assert first.status_code == 302
    assert again.redirect_chain[0][0] == first["Location"]
    assert "already been sent" in again.content.decode()
    assert Visit.objects.count() == 1


def test_a_booking_form_without_its_token_books_as_before(ruth, megan):
    client = logged_in(ruth.user)

    for _ in range(2):
        assert client.post(BOOK, booking_form(megan)).status_code == 302
    assert Visit.objects.count() == 2


def test_a_form_shown_again_with_its_errors_can_be_corrected_and_sent(ruth, megan):
    client = logged_in(ruth.user)
    token = form_token(client, BOOK)

    refused = client.post(BOOK, {**booking_form(megan, token), "ends_at": "09:10"})
    booked = client.post(BOOK, booking_form(megan, token))

    assert (refused.status_code, booked.status_code) == (200, 302)
    assert Visit.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_booking_form_sent_thirty_times_at_once_books_one_visit(ruth, megan):
    session = logged_in(ruth.user)
    token = form_token(session, BOOK)

    def send():
        client = Client()
        client.cookies = session.cookies
        return client.post(BOOK, booking_form(megan, token))

    responses = race([send for _ in range(30)])

    assert Visit.objects.count() == 1
    [visit] = Visit.objects.all()
    assert {r.status_code for r in responses} == {302}
    assert {r["Location"] for r in responses} == {f"/visits/{visit.pk}/"}


def test_an_introduction_form_sent_twice_sends_one_introduction(client, ruth, tom):
    client.force_login(ruth.user)
    path = f"/introductions/new/{tom.number}/"
    token = form_token(client, path)
    form = {"message": "Would you visit on Tuesdays?", "sent_once": token}

    responses = [client.post(path, form) for _ in range(2)]

    assert [r.status_code for r in responses] == [302, 302]
    assert Introduction.objects.count() == 1
