import pytest
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


@pytest.mark.parametrize("method", ["get"])
def test_every_list_in_the_api_is_paginated(method):
    """A GET that answers with a bare array is a list without pagination."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    unpaginated = [
        path
        for path, operations in schema["paths"].items()
        if method in operations
        for response_schema in _response_schemas(operations[method])
        if response_schema.get("type") == "array"
    ]
    assert unpaginated == []
