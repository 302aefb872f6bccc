from django.http import HttpRequest
from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware


class CommonMiddleware(DjangoCommonMiddleware):
    """Django's, except that an API path missing its trailing slash is not redirected.

    A redirect turns a POST into a GET (or, with DEBUG on, into an error page): an API client
    gets a plain JSON 404 instead, which says what is wrong.
    """

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        if request.path_info.startswith("/api/"):
            return False
        return super().should_redirect_with_slash(request)
