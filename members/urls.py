from django.urls import path

from members import views

urlpatterns = [
    path("", views.account_overview, name="account_overview"),
]
