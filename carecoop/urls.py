from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from carecoop import views

# Staff sign in to the admin through allauth, with its rate limits and verified email.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

api_v1 = [
    path("", include("members.api.urls")),
]

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("members.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

handler404 = "carecoop.views.page_not_found"
handler500 = "carecoop.views.server_error"
