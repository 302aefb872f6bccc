"""The whole API, fuzzed from its own schema (schemathesis) as each kind of member: no input
answers 5xx, and every answer has a status, a content type and a body the schema documents.

The cases come from a fixed seed (Hypothesis `derandomize`), so a run finds the same things
each time; each operation gets enough of them to reach past its input checks. The requests go
through the WSGI app in this process, inside the test's transaction."""

import json
from collections.abc import Callable

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from knox.models import AuthToken
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.second_factor import authenticator_app_for

APP = get_wsgi_application()
# Drawn cases for each operation, beyond schemathesis's own boundary and negative cases (some
# 70 an operation), which every run makes too.
EXAMPLES = 5
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Each kind of member, as the conftest's cast: who they are, or nobody.
ROLES = {"anonymous": None, "applicant": "newcomer", "person": "ruth", "worker": "megan", "staff": "staff"}

# The schema the site serves at /api/schema/, made here once, without a request.
schema = schemathesis.openapi.from_dict(
    json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
)
schema.app = APP


@pytest.fixture(autouse=True)
def _connection_kept_between_requests():
    """As Django's test client does: a request through the WSGI app would otherwise close the
    database connection at its end, and with it the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _headers(request: pytest.FixtureRequest, role: str) -> dict[str, str]:
    cast = ROLES[role]
    if cast is None:
        return {}
    member = request.getfixturevalue(cast)
    user = getattr(member, "user", member)
    if user.is_staff:  # a staff token works only while the account has an authenticator app
        authenticator_app_for(user)
    _, token = AuthToken.objects.create(user)
    return {"Authorization": f"Token {token}"}


def _fuzzed_as(role: str) -> Callable[..., None]:
    @schema.parametrize()
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @pytest.mark.django_db
    def test(case, request):
        case.call_and_validate(headers=_headers(request, role), checks=CHECKS)

    test.__name__ = test.__qualname__ = f"test_no_input_as_{role}_answers_5xx_or_outside_the_schema"
    return test


test_no_input_as_anonymous_answers_5xx_or_outside_the_schema = _fuzzed_as("anonymous")
test_no_input_as_applicant_answers_5xx_or_outside_the_schema = _fuzzed_as("applicant")
test_no_input_as_person_answers_5xx_or_outside_the_schema = _fuzzed_as("person")
test_no_input_as_worker_answers_5xx_or_outside_the_schema = _fuzzed_as("worker")
test_no_input_as_staff_answers_5xx_or_outside_the_schema = _fuzzed_as("staff")
