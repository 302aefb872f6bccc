from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware

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
