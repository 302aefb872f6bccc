"""Every form of the site, fed hostile input (issue 18): very long texts, NUL bytes, invisible
and direction-control characters, numbers too big for any column, dates far off, wrong types,
several values where one is expected, and files that are not what they say. A form is either
valid or has errors to show; it never raises. Then the pages with a form are sent the same as
the member who may use them: never a 5xx, and what they refuse changes nothing.

Hypothesis draws the input with a fixed seed (derandomize), so a run is the same each time."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.test import RequestFactory
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.models import Ballot, Meeting, Motion
from members import profiles
from members.models import Membership, User
from tests.carecoop.test_input_limits import _classes
from tests.factories import BallotFactory, MeetingFactory

pytestmark = pytest.mark.django_db

EXAMPLES = 60  # for each form; each draws a value for every field

HOSTILE = [
    "",
    " ",
    "\x00",
    "Ruth\x00Sutcliffe",
    "\u200b\u202e\u2066",  # zero-width space, a direction override, an isolate
    "\u3164",  # a letter that shows as nothing
    "x" * 100_000,
    "9" * 5_000,  # past Python's limit for turning digits into an int
    "-9" * 40,
    "1e999999",
    "NaN",
    "-inf",
    "0x1F",
    "٣٤",  # Arabic-Indic digits
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2026-02-30",
    "25:61",
    "2026-11-23T10:00:00+99:00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "\r\nSet-Cookie: a=b",
    "🙂" * 1000,
    "true",
    "on",
    "[]",
    "{}",
]

value = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(str),
)
# One value, none, or several where the form expects one (a tampered form or a repeated field).
values = st.one_of(
    st.lists(value, min_size=1, max_size=1), st.just([]), st.lists(value, min_size=2, max_size=4)
)
upload = st.builds(
    lambda name, body: SimpleUploadedFile(name, body, content_type="image/jpeg"),
    st.sampled_from(["photo.jpg", "a\x00.jpg", "../../x.pdf", "x" * 300 + ".pdf", ".jpg"]),
    st.one_of(st.binary(max_size=64), st.just(b"\xff\xd8\xff" + b"\x00" * 1000), st.just(b"%PDF-1.4\n")),
)


def _posted(names: list[str], drawn: dict[str, list[str]]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name in names:
        data.setlist(name, drawn.get(name, []))
    return data


# --- Building each form as its page does ------------------------------------------------------


def _request(user: User) -> Any:
    request = RequestFactory().post("/")
    request.user = user
    request.session = {}  # type: ignore[assignment]
    return request


def _vote_form(c: dict[str, Any]) -> dict[str, Any]:
    ballot: Ballot = c["ballot"]
    return {
        "ballot": ballot,
        "candidates": list(ballot.candidates.all()),
        "proxies": [],
        "voter": c["ruth"],
        "ask_receipt": True,
    }


# Forms that take more than their data: what the view gives them, from the cast.
MADE: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "BallotCreateForm": lambda c: {"election": True},
    "ProxyForm": lambda c: {"members": [c["ruth"], c["megan"]], "chair": True, "instruction": True},
    "VoteForm": _vote_form,
    "ApprovalForm": lambda c: {"motions": Motion.objects.all()},
    "MinutesApproveForm": lambda c: {"meetings": list(Meeting.objects.all())},
    "MotionForm": lambda c: {"staff": True, "amendment": False},
    "TeamRoleForm": lambda c: {"people": [(c["megan"].pk, "Megan")]},
    "ApplicationForm": lambda c: {"investor_bounds": (1, 20_000)},
    "ProfileForm": lambda c: {
        "member_class": "worker",
        "rate_bounds": (12_00, 30_00),
        "sleep_in_bounds": (40_00, 120_00),
        "private": profiles.private_fields_for("worker"),
    },
    "VettingCheckForm": lambda c: {"kind": "dbs"},
    "EmailChoicesForm": lambda c: {"choices": [("visit_offered", "Visits offered")]},
    "VisitForm": lambda c: {"workers": [(c["megan"], "Megan")]},
    "LoginForm": lambda c: {"request": _request(c["anonymous"])},
    "ChangePasswordForm": lambda c: {"user": c["ruth"].user},
    "AddEmailForm": lambda c: {"user": c["ruth"].user},
    "ResetPasswordKeyForm": lambda c: {"user": c["ruth"].user, "temp_key": "not-a-key"},
}

FORMS = _classes(forms.BaseForm)


@pytest.fixture
def cast(ruth: Membership, megan: Membership, staff: User) -> dict[str, Any]:
    from django.contrib.auth.models import AnonymousUser

    MeetingFactory(called_by=staff)
    return {
        "ruth": ruth,
        "megan": megan,
        "staff": staff,
        "anonymous": AnonymousUser(),
        "ballot": BallotFactory(created_by=staff),
    }


def test_the_fuzzer_finds_the_forms() -> None:
    assert len(FORMS) > 50
    named = {form.__name__ for form in FORMS}
    assert set(MADE) <= named, set(MADE) - named


@pytest.mark.parametrize("form_class", FORMS, ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_a_form_fed_hostile_input_is_valid_or_has_errors_and_never_raises(
    cast: dict[str, Any], form_class: type[forms.BaseForm]
) -> None:
    extra = MADE.get(form_class.__name__, lambda _c: {})(cast)
    blank = form_class(**extra)
    names = list(blank.fields)
    files = [name for name, field in blank.fields.items() if isinstance(field, forms.FileField)]

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        drawn=st.fixed_dictionaries(dict.fromkeys(names, values)),
        uploads=st.fixed_dictionaries({name: st.lists(upload, max_size=2) for name in files}),
    )
    def fed(drawn: dict[str, list[str]], uploads: dict[str, list[SimpleUploadedFile]]) -> None:
        form = form_class(data=_posted(names, drawn), files=MultiValueDict(uploads), **extra)
        if form.is_valid():
            assert not form.errors
        else:
            assert form.errors
            str(form.errors)  # the errors can be shown

    fed()
