"""The schema offers exactly the methods the API answers.

Each documented method reaches its view (never 405, never a server error), and every other
method answers 405 with the usual JSON error body, so a client reading the schema is never
told of a method that is not there, nor left to find one that is.
"""

import re

from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

# The methods a client may try on any path; HEAD goes with GET (Django answers it from GET).
METHODS = ("get", "post", "put", "patch", "delete", "options", "trace")


def _url(path: str, operation: dict) -> str:
    """The path with each parameter filled with a value of its type that names nothing."""
    kinds = {
        parameter["name"]: parameter["schema"].get("type")
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    }
    return re.sub(r"\{(\w+)\}", lambda m: "999999" if kinds[m.group(1)] == "integer" else "nothing", path)


def _client(user=None) -> APIClient:
    client = APIClient()
    # Staff pass every view's permission, so the method itself is what answers.
    client.force_authenticate(user)
    client.raise_request_exception = False
    return client


def test_every_documented_method_is_answered_by_its_view(staff):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    client = _client(staff)
    wrong = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            response = client.generic(method.upper(), _url(path, operation), "{}", "application/json")
            if response.status_code == 405 or response.status_code >= 500:
                wrong.append((method.upper(), path, response.status_code))
    assert wrong == [], "\n".join(map(str, wrong))


def test_every_method_the_schema_does_not_offer_answers_405_with_a_json_detail_and_what_is_allowed(staff):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    client = _client(staff)
    wrong = []
    for path, operations in schema["paths"].items():
        url = _url(path, next(iter(operations.values())))
        offered = set(operations) | ({"head"} if "get" in operations else set())
        for method in sorted({*METHODS, "head"} - offered):
            response = client.generic(method.upper(), url, "{}", "application/json")
            body = response.json() if response.status_code == 405 and method != "head" else {}
            allowed = {name.strip().lower() for name in response.get("Allow", "").split(",")}
            if (
                response.status_code != 405
                or (method != "head" and "detail" not in body)
                or allowed != offered
            ):
                wrong.append((method.upper(), path, response.status_code, response.get("Allow")))
    assert wrong == [], "\n".join(map(str, wrong))


def _media_types(operation: dict) -> set[str]:
    """The media types the operation's success answers come in (JSON, CSV, iCalendar)."""
    return {
        media_type
        for status, response in operation["responses"].items()
        if status.startswith("2")
        for media_type in response.get("content", {})
    } or {"application/json"}


def _undocumented(operation: dict, response) -> str | None:
    """What about the answer the schema does not say: its status, or its content type for it."""
    responses = operation["responses"]
    documented = responses.get(str(response.status_code)) or responses.get(f"{response.status_code // 100}XX")
    if documented is None:
        return f"status {response.status_code}"
    if not response.content:
        return None
    content_type = response["Content-Type"].split(";")[0]
    if content_type not in documented.get("content", {}):
        return f"{content_type} for {response.status_code}"
    return None


def test_every_answer_has_a_status_and_content_type_the_schema_documents(staff):
    """Asked as staff and anonymously, for each kind of content the operation offers (the
    register as CSV, the calendar feed as iCalendar): refusals included."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    wrong = []
    for user in (staff, None):
        client = _client(user)
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                for accept in sorted(_media_types(operation)):
                    response = client.generic(
                        method.upper(), _url(path, operation), "{}", "application/json", HTTP_ACCEPT=accept
                    )
                    problem = _undocumented(operation, response)
                    if problem:
                        wrong.append((method.upper(), path, accept, problem))
    assert wrong == [], "\n".join(map(str, wrong))
