"""Every text a member or staff member can send, through a form or the API, has a length it may
not pass (a 1 MB "about me" was once kept), and every name must have something in it to see: a
name of only invisible or direction-control characters shows as nothing, or reorders the text
around it."""

import importlib
import inspect
import pkgutil
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework import serializers

from carecoop.validators import visible_name

APPS = ("carecoop", "members", "matching", "scheduling", "governance")
# Seeding and measuring code holds no form a member fills in.
SKIPPED = re.compile(
    r"\.(migrations|management|tests?|settings)\b|\.(benchmarking|town|demo|dividend_demo|wsgi|asgi)$"
)
# Fields whose own type bounds what they take (a postcode, a phone number, an email address,
# a password: allauth's and Django's validators), and query parameters parsed by a pattern.
BOUNDED_TYPES = (
    forms.EmailField,
    forms.URLField,
    forms.SlugField,
    serializers.EmailField,
    serializers.URLField,
    serializers.ChoiceField,
)
BOUNDED_NAMES = {"password", "password1", "password2", "oldpassword", "postcode", "phone", "username"}
NAMES = {"legal_name", "display_name", "name", "referee_name"}


def _modules() -> Iterator[object]:
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if not SKIPPED.search(info.name):
                yield importlib.import_module(info.name)


def _classes(base: type) -> list[type]:
    found = {
        cls
        for module in _modules()
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, base) and cls.__module__.split(".")[0] in APPS
    }
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _input_serializers() -> list[type]:
    """The serializers requests are read with: `X(data=...)`, or governance's `valid(X, ...)`."""
    source = "\n".join(
        path.read_text() for app in APPS for path in (Path(settings.BASE_DIR) / app).rglob("*.py")
    )
    used = set(re.findall(r"(\w+Serializer)\(\s*data=", source)) | set(
        re.findall(r"valid\(\s*(\w+Serializer)", source)
    )
    return [cls for cls in _classes(serializers.Serializer) if cls.__name__ in used]


def _form_fields() -> Iterator[tuple[str, str, forms.Field]]:
    for form in _classes(forms.BaseForm):
        for name, field in form.base_fields.items():
            yield f"{form.__module__}.{form.__qualname__}", name, field


def _serializer_fields() -> Iterator[tuple[str, str, serializers.Field]]:
    for serializer in _input_serializers():
        for name, field in serializer().fields.items():
            if not field.read_only:
                yield f"{serializer.__module__}.{serializer.__qualname__}", name, field
                child = getattr(field, "child", None)
                if isinstance(child, serializers.Serializer):
                    for child_name, child_field in child.fields.items():
                        yield f"{serializer.__qualname__}.{name}", child_name, child_field


def test_every_text_a_form_takes_has_a_length_it_may_not_pass():
    unbounded = [
        f"{form}.{name}"
        for form, name, field in _form_fields()
        if isinstance(field, forms.CharField)
        and not isinstance(field, BOUNDED_TYPES)
        and name not in BOUNDED_NAMES
        and field.max_length is None
    ]
    assert not unbounded, unbounded


def test_every_text_the_api_takes_has_a_length_it_may_not_pass():
    assert len(_input_serializers()) > 20  # the search for them found them
    unbounded = [
        f"{serializer}.{name}"
        for serializer, name, field in _serializer_fields()
        if isinstance(field, serializers.CharField)
        and not isinstance(field, BOUNDED_TYPES)
        and name not in BOUNDED_NAMES
        and getattr(field, "max_length", None) is None
    ]
    assert not unbounded, unbounded


def test_every_name_a_form_or_the_api_takes_must_have_something_to_see():
    fields = [*_form_fields(), *_serializer_fields()]
    names = [
        (owner, name, field)
        for owner, name, field in fields
        if name in NAMES and not isinstance(field, BOUNDED_TYPES)
    ]
    assert len(names) > 5
    unchecked = [f"{owner}.{name}" for owner, name, field in names if visible_name not in field.validators]
    assert not unchecked, unchecked


@pytest.mark.parametrize(
    "name",
    [
        "\u200b\u200b",  # zero-width spaces
        "\u202e\u202d\u2066",  # direction overrides and an isolate
        "\u3164",  # the Hangul filler, a "letter" that shows as nothing
        "\u2800 \u00a0",  # a blank braille pattern and a no-break space
        "\u0301\u0308",  # combining accents on nothing
    ],
)
def test_a_name_of_nothing_to_see_is_refused(name):
    with pytest.raises(ValidationError) as refused:
        visible_name(name)
    assert refused.value.code == "invisible_name"


@pytest.mark.parametrize(
    "name", ["Ruth", "Siân Hughes", "Zoë", "李小龍", "O'Brien-Smith", "\u202bمريم\u202c"]
)
def test_a_name_with_something_to_see_is_taken(name):
    visible_name(name)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"bio": "I like walking. " * 65_536}, "bio"),
        ({"display_name": "\u200b\u202e"}, "display_name"),
    ],
)
def test_a_long_text_or_an_invisible_name_through_the_api_is_refused_and_changes_nothing(
    api_client, megan, body, field
):
    api_client.force_authenticate(megan.user)
    before = api_client.get("/api/v1/profiles/me/").json()

    response = api_client.patch("/api/v1/profiles/me/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert api_client.get("/api/v1/profiles/me/").json() == before


def test_an_invisible_name_on_the_profile_page_is_a_form_error(client, megan):
    client.force_login(megan.user)
    response = client.post(reverse("profile_edit"), {"display_name": "\u3164\u200d"})

    assert response.status_code == 400
    assert "Give a name with letters that can be seen." in response.content.decode()
    megan.profile.refresh_from_db()
    assert megan.profile.display_name == "Megan"
