"""What every API view shares: the error format, pagination and the JSON parser."""

import io
import re
from collections.abc import Mapping
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from rest_framework import exceptions, pagination, parsers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from carecoop.exceptions import ApplicationError


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


# Deeper than any body the API takes (a weekly time in a profile is three levels down), and far
# short of Python's recursion limit, which parsing or validating a deeper body could reach.
JSON_DEPTH_LIMIT = 32
_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(rb"[\[\]{}]")


def json_deeper_than(body: bytes, limit: int) -> bool:
    """Whether the arrays and objects of a JSON body nest deeper than `limit`, found in one pass
    over the text (brackets inside strings do not count), without parsing it."""
    depth = 0
    for bracket in _JSON_BRACKET.finditer(_JSON_STRING.sub(b"", body)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


class JSONParser(parsers.JSONParser):
    """DRF's, but a body nested deeper than JSON_DEPTH_LIMIT is refused before it is parsed: the
    parser would recurse once a level, and a thousand levels answered 500 (to anyone, before login
    on the token endpoint)."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        body = stream.read()
        if json_deeper_than(body, JSON_DEPTH_LIMIT):
            raise exceptions.ParseError(
                _("The JSON is nested too deeply: at most %(limit)s levels.") % {"limit": JSON_DEPTH_LIMIT},
                code="nested_too_deeply",
            )
        return super().parse(io.BytesIO(body), media_type, parser_context)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every API error is JSON with `detail` and a stable `code`, and each field's errors by its name.

    A validation error reads `{"detail": ..., "code": "invalid", "<field>": ["..."]}`; a list's
    items' errors are an array, one entry per item (see `_items_as_arrays`).
    """
    if isinstance(exc, ApplicationError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code, **exc.fields}
        return Response(body, status=exc.http_status)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=_django_validation_detail(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: logged, and answered by carecoop.views.server_error
    view = context.get("view")
    if isinstance(exc, exceptions.MethodNotAllowed) and view is not None:
        # DRF's Allow names OPTIONS, which the API does not answer (DEFAULT_METADATA_CLASS is
        # None): a 405 names only the methods the view answers. The view puts its headers on the
        # response after this handler.
        view.headers["Allow"] = ", ".join(name for name in view.allowed_methods if name != "OPTIONS")
    if isinstance(exc, exceptions.ValidationError):
        data = _items_as_arrays(response.data)
        errors = data if isinstance(data, dict) else {"non_field_errors": data}
        response.data = {
            "detail": _("Some of the information given is not valid. Please check it and try again."),
            "code": "invalid",
            **errors,
        }
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes()
        response.data = error_body(
            detail=str(exc.detail),
            code=code if isinstance(code, str) else exc.default_code,
        )
    return response


def _items_as_arrays(errors: Any) -> Any:
    """The errors of a list's items as an array, one entry per item up to the last refused (an
    empty one for an item without errors), where DRF keys them by the item's index.

    DRF 3.18 answers `{"1": {"ends": [...]}}` for a list of objects and for a list of values
    alike; an array is what a client indexes with the item's place, and what the schema says."""
    if isinstance(errors, dict):
        if errors and all(isinstance(key, int) for key in errors):
            objects = any(isinstance(item, dict) for item in errors.values())
            return [
                _items_as_arrays(errors[index]) if index in errors else ({} if objects else [])
                for index in range(max(errors) + 1)
            ]
        return {key: _items_as_arrays(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [_items_as_arrays(item) for item in errors]
    return errors


def _django_validation_detail(exc: DjangoValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return exc.messages


def error_body(*, detail: str, code: str) -> dict[str, str]:
    return {"detail": detail, "code": code}


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error. A validation error adds each field's errors under the field's name.",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for people."},
        "code": {"type": "string", "description": "A stable code, for programs."},
    },
    "required": ["detail", "code"],
    "additionalProperties": {"$ref": "#/components/schemas/FieldErrors"},
}
FIELD_ERRORS_SCHEMA = {
    "description": (
        "A field's errors: its messages. For a list, an array with one entry per item up to the "
        "last refused, each that item's errors (empty for an item without errors); for an object, "
        "each of its fields' errors under the field's name."
    ),
    "oneOf": [
        {
            "type": "array",
            "items": {"oneOf": [{"type": "string"}, {"$ref": "#/components/schemas/FieldErrors"}]},
        },
        {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/FieldErrors"}},
    ],
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular hook: document the error body that any operation may answer with, on its
    4XX and on each refusal it names, in every format it answers in (an operation that answers
    CSV or iCalendar when asked for them says its errors in that format too), and the 503 any may
    answer while the database is down (carecoop.views.database_unavailable)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"], schemas["FieldErrors"] = ERROR_SCHEMA, FIELD_ERRORS_SCHEMA
    unavailable = {
        "description": "The database cannot be reached for a moment; try again after Retry-After seconds.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            formats = {
                media_type
                for status, response in responses.items()
                if status.startswith("2")
                for media_type in response.get("content", {})
            }
            responses.setdefault("4XX", {"description": "The request was refused; nothing was changed."})
            for status, response in responses.items():
                if status.startswith("4"):
                    response["content"] = _error_content(formats)
            responses.setdefault("503", unavailable)
    return result


class TokenScheme(KnoxTokenScheme):  # type: ignore[no-untyped-call]  # an untyped contrib
    """The schema's token authentication: knox's, as the API uses it (carecoop.second_factor)."""

    target_class = "carecoop.second_factor.TokenAuthentication"


def _error_content(formats: set[str]) -> dict[str, Any]:
    content: dict[str, Any] = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for media_type in sorted(formats - {"application/json"}):
        content[media_type] = {
            "schema": {"type": "string", "description": "The error's detail (and code), in this format."}
        }
    return content
