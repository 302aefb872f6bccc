from django.urls import path

from members.api import views

urlpatterns = [
    path("auth/token/", views.AuthTokenApi.as_view(), name="api-auth-token"),
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("profiles/me/", views.ProfileMeApi.as_view(), name="api-profile-me"),
    path("membership/applications/", views.ApplicationListCreateApi.as_view(), name="api-applications"),
    path(
        "membership/applications/<int:pk>/payment/",
        views.ApplicationPaymentApi.as_view(),
        name="api-application-payment",
    ),
    path(
        "membership/applications/<int:pk>/approve/",
        views.ApplicationApproveApi.as_view(),
        name="api-application-approve",
    ),
    path(
        "membership/applications/<int:pk>/reject/",
        views.ApplicationRejectApi.as_view(),
        name="api-application-reject",
    ),
    path("members/register/", views.RegisterApi.as_view(), name="api-register"),
    path("members/<int:number>/vetting/", views.WorkerVettingApi.as_view(), name="api-worker-vetting"),
    path("vetting/expiring/", views.VettingExpiringApi.as_view(), name="api-vetting-expiring"),
]
