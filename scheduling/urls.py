from django.urls import path

from scheduling import views

urlpatterns = [
    path("visits/", views.calendar, name="visits"),
    path("visits/new/", views.visit_book, name="visit_book"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/change/", views.visit_change, name="visit_change"),
    path("visits/<int:pk>/<slug:action>/", views.visit_action, name="visit_action"),
    path("care-log/<int:number>/", views.care_log, name="care_log"),
    path("notifications/", views.notifications, name="notifications"),
    path("calendar-feed/", views.calendar_feed, name="calendar_feed"),
    path("staff/hours/", views.hours_queried, name="staff_hours_queried"),
]
