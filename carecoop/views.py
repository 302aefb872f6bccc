"""Site-wide views that belong to no one app: health, and the pages for errors."""

import logging
import sys

from django.conf import settings
from django.core.validators import ProhibitNullCharactersValidator
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from carecoop.api import error_body
from carecoop.celery import app as celery_app

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 3
# How long a client is asked to wait before trying again while the database cannot be reached.
DATABASE_RETRY_AFTER_SECONDS = 60


def _database_ok() -> bool:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            row: tuple[int] | None = cursor.fetchone()
            return row == (1,)
    except DatabaseError:
        logger.warning("Health check: the database is unreachable", exc_info=True)
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
        return True
    except Exception:  # kombu raises a different error for each transport
        logger.warning("Health check: the broker is unreachable", exc_info=True)
        return False


@csrf_exempt  # a wrong method is a 405, not a missing CSRF token
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({name: "ok" if ok else "unavailable" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _wants_json(request):
        body = error_body(detail=_("The request could not be understood."), code="bad_request")
        return JsonResponse(body, status=400)
    return render(request, "400.html", status=400)


def null_character_refused(request: HttpRequest, names: list[str]) -> HttpResponse:
    """The answer to a query with a null character in these parameters (NullCharacterRefusedMiddleware)."""
    detail = _("The address has a character that cannot be used (a null character) in: %(names)s.") % {
        "names": ", ".join(names)
    }
    if _wants_json(request):
        message = str(ProhibitNullCharactersValidator.message)
        body = {**error_body(detail=detail, code="invalid"), **{name: [message] for name in names}}
        return JsonResponse(body, status=400)
    return render(request, "400.html", {"message": detail}, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _wants_json(request):
        body = error_body(detail=_("You do not have permission to do this."), code="permission_denied")
        return JsonResponse(body, status=403)
    return render(request, "403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page left open too long, or after logging in elsewhere."""
    if _wants_json(request):
        body = error_body(
            detail=_("CSRF check failed: send the CSRF token with session authentication, or use a token."),
            code="csrf_failed",
        )
        return JsonResponse(body, status=403)
    return render(request, "403_csrf.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body(detail=_("Not found."), code="not_found"), status=404)
    return render(request, "404.html", status=404)


def _refused_without_context(
    request: HttpRequest, *, status: int, detail: str, code: str, template: str
) -> HttpResponse:
    """JSON for the API, else a page rendered without the request context: whatever failed may
    fail again in a context processor, or no session or user has been read yet."""
    if _wants_json(request):
        return JsonResponse(error_body(detail=detail, code=code), status=status)
    return HttpResponse(loader.get_template(template).render(), status=status)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside the `except` that caught the failure, so the error is at hand.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    return _refused_without_context(
        request,
        status=500,
        detail=_("Something went wrong on our side. Please try again later."),
        code="server_error",
        template="500.html",
    )


def too_large(request: HttpRequest) -> HttpResponse:
    """A body larger than any page takes (carecoop.middleware.RequestSizeLimitMiddleware)."""
    return _refused_without_context(
        request,
        status=413,
        detail=_("The request is larger than the site takes: nothing was saved."),
        code="too_large",
        template="413.html",
    )


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 while the database cannot be reached (lost, restarting, refusing connections): the
    client may try again later, and nothing on the way asks the database, the session or the
    cache (the page is rendered from settings alone)."""
    response: HttpResponse
    if _wants_json(request):
        body = error_body(
            detail=_("The service is unavailable for a moment. Please try again in a minute."),
            code="service_unavailable",
        )
        response = JsonResponse(body, status=503)
    else:
        page = loader.get_template("503.html").render(
            {"coop_name": settings.COOP_NAME, "coop_phone": settings.COOP_CONTACT_PHONE}
        )
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response
