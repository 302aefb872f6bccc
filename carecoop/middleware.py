from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.utils.cache import patch_cache_control

from carecoop import views


class CommonMiddleware(DjangoCommonMiddleware):
    """Django's, except that an API path missing its trailing slash is not redirected.

    A redirect turns a POST into a GET (or, with DEBUG on, into an error page): an API client
    gets a plain JSON 404 instead, which says what is wrong.
    """

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        if request.path_info.startswith("/api/"):
            return False
        return super().should_redirect_with_slash(request)


class RequestSizeLimitMiddleware:
    """Refuses a request whose body is larger than CARECOOP_MAX_REQUEST_BYTES, from its
    Content-Length, before anything reads the body: Django caps the form fields it keeps in memory
    but writes every uploaded file to disk however large. A body sent without a length is never
    read by Django (WSGI gives it as empty)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.CARECOOP_MAX_REQUEST_BYTES:
            return views.too_large(request)
        return self.get_response(request)


class PrivateResponsesMiddleware:
    """Every page and API answer the app makes may hold a member's details or care: none is kept
    by a shared cache or the browser (`Cache-Control: private, no-store`), unless its view said
    otherwise. Static files are served before this, with their own long-lived headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class NullCharacterRefusedMiddleware:
    """A query parameter holding a null character is refused with a 400, before any view reads it.

    PostgreSQL text cannot hold one: a parameter that reached a filter made the database driver
    raise, and the page or API list answered 500. Refused here, once for every page and API,
    rather than in each form, serializer and view that reads the query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refused = sorted(
            {
                name
                for name, values in request.GET.lists()
                if "\x00" in name or any("\x00" in value for value in values)
            }
        )
        if refused:
            return views.null_character_refused(request, refused)
        return self.get_response(request)
