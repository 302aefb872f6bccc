from typing import Any

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from carecoop import views

_admin_login = secure_admin_login(admin.site.login)


def _staff_admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    # Staff sign in to the admin through allauth (its rate limits, a verified email); a member
    # who is logged in but not staff is told plainly that the page is not for them.
    if request.user.is_authenticated and not request.user.is_staff:
        raise PermissionDenied
    response: HttpResponse = _admin_login(request, extra_context)
    return response


admin.site.login = _staff_admin_login  # type: ignore[method-assign]
admin.site.site_header = settings.COOP_NAME
admin.site.site_title = settings.COOP_NAME

api_v1 = [
    path("", include("members.api.urls")),
    path("", include("matching.api.urls")),
    path("", include("scheduling.api.urls")),
    path("", include("governance.api.urls")),
]

urlpatterns = [
    path("privacy/", TemplateView.as_view(template_name="privacy.html"), name="privacy"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("members.urls")),
    path("", include("matching.urls")),
    path("", include("scheduling.urls")),
    path("", include("governance.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler400 = "carecoop.views.bad_request"
handler403 = "carecoop.views.permission_denied"
handler404 = "carecoop.views.page_not_found"
handler500 = "carecoop.views.server_error"
