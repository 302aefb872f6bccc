"""A URLconf with views that fail, to see what people and programs are shown when they do."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def failing_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("A failure the view did not expect")


def failing_with_personal_data(request: HttpRequest) -> HttpResponse:
    # What a real view holds when it fails: what was posted, and who is asking.
    note = request.POST.get("note", "")
    email = request.user.email if request.user.is_authenticated else ""
    raise RuntimeError(f"Could not keep a care note of {len(note)} characters for {email}")


urlpatterns = [
    path("api/v1/failing/", failing_view),
    path("failing/with-personal-data/", failing_with_personal_data),
    path("failing/", failing_view),
    path("", include("carecoop.urls")),
]

handler400 = "carecoop.views.bad_request"
handler403 = "carecoop.views.permission_denied"
handler404 = "carecoop.views.page_not_found"
handler500 = "carecoop.views.server_error"
