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


def test_every_operation_documents_the_503_of_a_database_outage():
    undocumented = _operations_without(
        _schema(), lambda responses: "Retry-After" in responses.get("503", {}).get("headers", {})
    )

    assert undocumented == []
