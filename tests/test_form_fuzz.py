"""Every form of the site, fed hostile input (issue 18): very long texts, NUL bytes, invisible
and direction-control characters, numbers too big for any column, dates far off, wrong types,
several values where one is expected, and files that are not what they say. A form is either
valid or has errors to show; it never raises. Then the pages with a form are sent the same as
the member who may use them: never a 5xx, and what they refuse changes nothing.

Hypothesis draws the input with a fixed seed (derandomize), so a run is the same each time."""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin

import pytest
import time_machine
from django import forms
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from governance.models import Ballot, Meeting, Motion
from members import profiles
from members.models import Membership, User
from tests.carecoop.test_input_limits import _classes
from tests.clock import NOW
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
    "StaffActionFilterForm": lambda c: {"staff": User.objects.filter(is_staff=True)},
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


# --- The pages: each form on each page, posted hostile input by who may use it ---------------------

PAGE_EXAMPLES = 4  # posts for each form found
# Whom to ask first for a page: the member a page is most often for, then the others.
PREFERENCE = (
    "person",
    "worker",
    "staff",
    "circle_book",
    "circle_team",
    "circle_care",
    "investor",
    "applicant",
)
# Tables whose rows every request may write: the session (logging in, a message shown next).
# And the log of staff actions: a staff service writes its entry first, in its transaction, and
# a refusal rolls it back with the rest; PostgreSQL's counters still count the row it began.
# And a form's one-time token (carecoop.once), claimed before the view runs and let go when the
# form is refused.
UNCOUNTED = ("django_session", "carecoop_staffaction", "carecoop_sentonce")


class _Forms(HTMLParser):
    """The forms a page posts, with the names of their fields (and which are files)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[str], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms.append((a.get("action") or "", [], []))
        elif tag in ("input", "select", "textarea", "button") and self.forms and a.get("name"):
            name = a["name"] or ""
            if name != "csrfmiddlewaretoken":
                (self.forms[-1][2] if a.get("type") == "file" else self.forms[-1][1]).append(name)


def _writes() -> int:
    """Rows written in this transaction so far, in the tables that matter."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
            " WHERE relname <> ALL(%s)",
            [list(UNCOUNTED)],
        )
        return int(cursor.fetchone()[0])


@dataclass(frozen=True)
class Posted:
    page: str  # the page the form is on, and who filled it in
    action: str
    status: int
    changed: bool


def _hostile(rng: random.Random, names: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in dict.fromkeys(names):
        pick = rng.random()
        if pick < 0.15:
            continue  # left out
        if pick < 0.3:
            data[name] = rng.sample(HOSTILE, 3)  # several where one is expected
        else:
            data[name] = rng.choice(HOSTILE)
    return data


def _post_all() -> tuple[list[Posted], int]:
    from tests.test_permission_matrix import ROWS, _build, _log_in

    rng = random.Random(18)
    client = Client()
    posted: list[Posted] = []
    pages = 0
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        cast = _build()
        people = cast.people
        for row in ROWS:
            path = row.path(cast)
            if path.startswith(("/api/", "/admin/")) or "logout" in path:
                continue
            for persona in PREFERENCE:
                _log_in(client, people[persona])
                cache.clear()
                page = client.get(path)
                if page.status_code == 200 and page.get("Content-Type", "").startswith("text/html"):
                    break
            else:
                continue
            parser = _Forms()
            parser.feed(page.content.decode())
            pages += 1 if parser.forms else 0
            for action, names, files in parser.forms:
                target = urljoin(path, action) if action else path
                for _ in range(PAGE_EXAMPLES):
                    data = _hostile(rng, names)
                    for name in files:
                        data[name] = SimpleUploadedFile("x\u202e.jpg", b"\xff\xd8\xff\x00" * 8, "image/jpeg")
                    savepoint = transaction.savepoint()
                    _log_in(client, people[persona])
                    cache.clear()
                    before = _writes()
                    try:
                        status = client.post(target, data).status_code
                    except Exception as error:  # the test client raises what would be a 500
                        status, target = 500, f"{target}: {error!r} from {sorted(data)}"
                    changed = status < 500 and _writes() != before
                    transaction.savepoint_rollback(savepoint)
                    posted.append(Posted(f"{path} as {persona}", target, status, changed))
        transaction.set_rollback(True)
    return posted, pages


@pytest.fixture(scope="module")
def posted(django_db_setup: None, django_db_blocker: Any) -> tuple[list[Posted], int]:
    with django_db_blocker.unblock():
        return _post_all()


def test_hostile_input_posted_to_every_form_on_every_page_is_never_a_server_error(
    posted: tuple[list[Posted], int],
) -> None:
    done, pages = posted
    assert pages > 40  # the pages with a form were found
    failed = [p for p in done if p.status >= 500]
    assert not failed, failed


def test_hostile_input_a_page_refuses_changes_nothing(posted: tuple[list[Posted], int]) -> None:
    done, _pages = posted
    refused = [p for p in done if p.status >= 400]
    assert len(refused) > 100
    changed = [p for p in refused if p.changed]
    assert not changed, changed
