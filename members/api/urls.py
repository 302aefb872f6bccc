from django.urls import path

from members.api import views

urlpatterns = [
    path("auth/token/", views.AuthTokenApi.as_view(), name="api-auth-token"),
    path("me/", views.MeApi.as_view(), name="api-me"),
]
