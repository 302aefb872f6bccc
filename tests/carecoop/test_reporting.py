"""Errors reach someone (an email to ADMINS, Sentry when a DSN is set), without members' data."""

from unittest import mock

import pytest
import sentry_sdk
from django.core import mail
from django.db import OperationalError, connections
from django.test import Client
from sentry_sdk.transport import Transport

from carecoop.reporting import OnceInAWhile, sentry_init

CARE_NOTE = "Dressed the ulcer on her left leg, she was low and tearful today"
PASSWORD_TYPED = "correct-horse-battery-staple"
FAILING_URL = "/failing/with-personal-data/?email=newcomer%40example.org&name=Ruth+Sutcliffe"
# The member's internet address, as the server sees it and as a proxy in front of it passes it on.
ADDRESSES = {
    "REMOTE_ADDR": "203.0.113.77",
    "HTTP_X_FORWARDED_FOR": "198.51.100.23",
    "HTTP_X_REAL_IP": "198.51.100.24",
    "HTTP_FORWARDED": "for=198.51.100.25",
}

pytestmark = pytest.mark.urls("tests.carecoop.urls_failing")


@pytest.fixture(autouse=True)
def _no_error_emailed_yet():
    OnceInAWhile.forget()
    yield
    OnceInAWhile.forget()


class CapturingTransport(Transport):
    """Keeps what Sentry would send, and sends nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[sentry_sdk.envelope.Envelope] = []

    def capture_envelope(self, envelope: sentry_sdk.envelope.Envelope) -> None:
        self.envelopes.append(envelope)


@pytest.fixture
def sentry():
    transport = CapturingTransport()
    sentry_init(dsn="https://public@sentry.example/1", environment="test", transport=transport)
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def _fail_with_personal_data(user) -> Client:
    client = Client(raise_request_exception=False, **ADDRESSES)
    client.force_login(user)
    client.cookies["cookie_consent"] = "newcomer@example.org"
    response = client.post(FAILING_URL, {"note": CARE_NOTE, "password": PASSWORD_TYPED})
    assert response.status_code == 500
    return client


def _personal_data(client: Client) -> list[str]:
    return [
        "newcomer@example.org",
        "newcomer%40example.org",
        "Sutcliffe",
        CARE_NOTE,
        PASSWORD_TYPED,
        client.cookies["sessionid"].value,
        *ADDRESSES.values(),
    ]


def test_sentry_is_sent_the_error_without_personal_data(sentry, newcomer):
    client = _fail_with_personal_data(newcomer)

    events = [item for envelope in sentry.envelopes for item in envelope.items if item.type == "event"]
    assert len(events) == 1
    sent = b"".join(envelope.serialize() for envelope in sentry.envelopes).decode()
    assert "RuntimeError" in sent
    assert "Could not keep a care note" in sent
    assert "/failing/with-personal-data/" in sent
    for personal in _personal_data(client):
        assert personal not in sent


def test_admins_are_emailed_the_error_without_personal_data(settings, newcomer):
    settings.ADMINS = [("The office", "office@caldervalley.care.example")]

    client = _fail_with_personal_data(newcomer)

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["office@caldervalley.care.example"]
    assert "/failing/with-personal-data/" in email.subject
    assert "RuntimeError" in email.body
    assert "Could not keep a care note" in email.body
    # What was posted is named, its values hidden.
    assert "note = '********************'" in email.body
    assert "password = '********************'" in email.body
    for personal in _personal_data(client):
        assert personal not in email.subject
        assert personal not in email.body


def test_the_same_error_again_is_not_emailed_again_at_once(settings, newcomer):
    settings.ADMINS = [("The office", "office@caldervalley.care.example")]

    _fail_with_personal_data(newcomer)
    _fail_with_personal_data(newcomer)

    assert len(mail.outbox) == 1


def test_a_database_outage_is_emailed_once_not_for_every_page(settings, newcomer):
    settings.ADMINS = [("The office", "office@caldervalley.care.example")]
    client = Client(raise_request_exception=False)
    client.force_login(newcomer)

    failure = OperationalError("could not connect to server: Connection refused")
    with mock.patch.object(connections["default"], "ensure_connection", side_effect=failure):
        statuses = [client.get(url).status_code for url in ["/accounts/", "/today/", "/accounts/"]]

    assert statuses == [503, 503, 503]
    assert len(mail.outbox) == 1
    assert "OperationalError" in mail.outbox[0].body
