"""Headers on every answer the app makes (decision 43): a Content-Security-Policy that allows no
inline script, a Permissions-Policy that turns off what the pages do not use, and
`Cache-Control: private, no-store` wherever a member's details or care may be; and a body larger
than any page takes refused before it is read."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from members.models import Profile
from tests.factories import VisitFactory
from tests.second_factor import log_in_with_second_factor

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def _pages(ruth, megan):
    visit = VisitFactory(receiver=ruth, worker=megan)
    return [
        (None, reverse("home")),
        (None, reverse("account_login")),
        (ruth.user, reverse("today")),
        (megan.user, reverse("today")),
        (ruth.user, reverse("visit_detail", args=[visit.pk])),
        (ruth.user, reverse("profile_edit")),
        (ruth.user, "/api/v1/visits/"),
        (ruth.user, "/api/v1/profiles/me/"),
        (None, reverse("api-docs")),
    ]


def test_every_page_has_a_policy_that_allows_no_inline_script(client, ruth, megan):
    for user, path in _pages(ruth, megan):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(path)
        assert response.status_code == 200, path
        policy = _directives(response)
        assert policy["script-src"] == ["'self'"], path
        assert "'unsafe-inline'" not in policy.get("style-src", []), path
        assert policy["object-src"] == ["'none'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        features = response["Permissions-Policy"]
        assert "geolocation=(self)" in features, path
        for off in ("camera=()", "microphone=()", "payment=()"):
            assert off in features, path


def test_no_answer_with_a_members_details_is_kept_by_a_cache(client, ruth, megan, staff):
    for user, path in [*_pages(ruth, megan), (staff, reverse("staff_register") + "?format=csv")]:
        client.logout()
        if user is not None:
            log_in_with_second_factor(client, user)
        response = client.get(path)
        assert response.status_code == 200, path
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control, (path, cache_control)


def test_a_view_that_sets_its_own_cache_control_keeps_it(client, db):
    # The health check says `never_cache` itself: its words stand.
    response = client.get(reverse("healthz"))
    assert "max-age=0" in response["Cache-Control"]


def test_no_template_holds_an_inline_script_or_event_handler():
    """What the policy would block: a <script> with code in it (a JSON data block is not run),
    or an onclick-style attribute."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
    found = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        if not path.is_relative_to(TEMPLATES / "email")
        for pattern in (inline_script, handler)
        for match in pattern.finditer(path.read_text())
    ]
    assert not found, found


@pytest.mark.parametrize(
    ("path", "json"),
    [("/profile/", False), ("/api/v1/profiles/me/", True), ("/accounts/login/", False)],
)
def test_a_body_larger_than_any_page_takes_is_refused_before_it_is_read(client, ruth, path, json):
    client.force_login(ruth.user)
    too_large = settings.CARECOOP_MAX_REQUEST_BYTES + 1
    # The length is what the client says it will send: the answer comes before any of it is read.
    response = client.post(
        path, data=b"x" * 10, content_type="application/octet-stream", CONTENT_LENGTH=str(too_large)
    )
    assert response.status_code == 413
    if json:
        assert response.json()["code"] == "too_large"
    else:
        assert "too large" in response.content.decode()
    assert not Profile.objects.filter(membership=ruth).exclude(photo="").exists()


def test_a_body_within_the_limit_is_read_as_ever(client, ruth):
    client.force_login(ruth.user)
    response = client.post(reverse("profile_edit"), data={"display_name": ""})
    assert response.status_code != 413
