import re

import jsonschema
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator


def test_openapi_schema_is_valid_and_has_no_warnings(tmp_path):
    # --fail-on-warn turns every schema warning (an undocumented view, an unknown type) into a failure.
    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))


def test_schema_is_served_and_documents_the_api(api_client, db):
    response = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/auth/token/" in paths
    assert set(paths["/api/v1/auth/token/"]) == {"post", "delete"}
    assert "/api/v1/me/" in paths


def test_swagger_ui_is_served_from_our_own_static_files(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn.jsdelivr.net" not in html


def _response_schemas(operation: dict) -> list[dict]:
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    return [media["schema"] for media in content.values() if "schema" in media]


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, node):
    if "$ref" in node:
        return schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def test_every_list_in_the_api_is_paginated():
    """A GET answering with a bare JSON array is a list without pagination."""
    schema = _schema()
    lists, unpaginated = [], []
    for path, operations in schema["paths"].items():
        for response_schema in _response_schemas(operations.get("get", {})):
            response_schema = _resolve(schema, response_schema)
            if response_schema.get("type") == "array":
                unpaginated.append(path)
            if "results" in response_schema.get("properties", {}):
                lists.append(path)
    assert "/api/v1/members/register/" in lists
    assert unpaginated == []


def test_no_request_field_is_called_detail_or_code():
    """Field errors share the error body with `detail` and `code` (decision 4)."""
    schema = _schema()
    clashing = [
        (name, field)
        for name, component in schema["components"]["schemas"].items()
        if name.endswith("Request")
        for field in component.get("properties", {})
        if field in ("detail", "code")
    ]
    assert clashing == []


def _operations_without(schema, documented) -> list[tuple[str, str]]:
    """The (path, method) of every operation whose responses `documented` finds wanting."""
    return [
        (path, method)
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if not documented(operation["responses"])
    ]


def test_every_operation_documents_the_error_body():
    schema = _schema()

    def error_body(responses):
        json_body = responses.get("4XX", {}).get("content", {}).get("application/json", {})
        return json_body.get("schema") == {"$ref": "#/components/schemas/Error"}

    undocumented = _operations_without(schema, error_body)

    assert undocumented == []
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail", "code"]


def test_error_bodies_are_the_error_the_schema_documents(api_client, ruth, megan):
    """Field errors of every shape: a value's, a list of values' items, a list of objects' items
    and an object's keys."""
    error = {"$ref": "#/components/schemas/Error", "components": _schema()["components"]}
    api_client.force_authenticate(megan.user)
    refused = [
        api_client.post(
            "/api/v1/visits/", {"tasks": ["Shopping", "x" * 201], "starts": "soon"}, format="json"
        ),
        api_client.patch("/api/v1/profiles/me/", {"weekly_times": [{"weekday": 1}]}, format="json"),
        api_client.patch("/api/v1/profiles/me/", {"visibility": {"gender": "everyone"}}, format="json"),
        api_client.get("/api/v1/visits/999999/"),
        api_client.put("/api/v1/me/", {}, format="json"),
    ]

    assert [response.status_code for response in refused] == [400, 400, 400, 404, 405]
    for response in refused:
        jsonschema.validate(response.json(), error)


def _formats(node):
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            yield node["format"]
        for value in node.values():
            yield from _formats(value)
    elif isinstance(node, list):
        for value in node:
            yield from _formats(value)


def test_no_time_of_day_is_documented_with_an_offset_it_does_not_have():
    """OpenAPI's `format: time` is RFC 3339's, with an offset; the API's times of day (a weekly
    time) are London's clock, HH:MM, and say so with a pattern."""
    schema = _schema()

    assert "time" not in set(_formats(schema))
    starts = schema["components"]["schemas"]["WeeklyTime"]["properties"]["starts"]
    assert re.fullmatch(starts["pattern"], "09:00")
    assert re.fullmatch(starts["pattern"], "09:00:00")
    assert not re.fullmatch(starts["pattern"], "09:00+01:00")


def test_a_weekly_time_is_given_as_the_schema_says(api_client, megan):
    api_client.force_authenticate(megan.user)
    components = _schema()["components"]
    weekly_time = {"$ref": "#/components/schemas/WeeklyTime", "components": components}

    given = api_client.get("/api/v1/profiles/me/").json()["weekly_times"]

    assert given
    for each in given:
        jsonschema.validate(each, weekly_time)


def test_every_operation_documents_the_503_of_a_database_outage():
    undocumented = _operations_without(
        _schema(), lambda responses: "Retry-After" in responses.get("503", {}).get("headers", {})
    )

    assert undocumented == []
