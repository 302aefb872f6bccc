from django.urls import path

from matching import views

urlpatterns = [
    path("members/<int:number>/", views.member_profile, name="member_profile"),
    path("members/<int:number>/photo/", views.profile_photo, name="profile_photo"),
    path("find/", views.worker_search, name="worker_search"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("people/", views.people_looking, name="people_looking"),
    path("peer-support/", views.peer_support, name="peer_support"),
    path("introductions/", views.introductions, name="introductions"),
    path("introductions/new/<int:number>/", views.introduction_create, name="introduction_create"),
    path("introductions/<int:pk>/answer/", views.introduction_answer, name="introduction_answer"),
    path("teams/", views.my_teams, name="my_teams"),
    path("teams/<int:number>/", views.team, name="team"),
]
