from django.urls import path

from matching.api import views

urlpatterns = [
    path("workers/", views.WorkerSearchApi.as_view(), name="api-workers"),
    path("matches/suggestions/", views.SuggestionsApi.as_view(), name="api-suggestions"),
    path("introductions/", views.IntroductionCreateApi.as_view(), name="api-introductions"),
    path(
        "introductions/<int:pk>/accept/",
        views.IntroductionAnswerApi.as_view(action="accept"),
        name="api-intro-accept",
    ),
    path(
        "introductions/<int:pk>/decline/",
        views.IntroductionAnswerApi.as_view(action="decline"),
        name="api-intro-decline",
    ),
    path(
        "introductions/<int:pk>/withdraw/",
        views.IntroductionAnswerApi.as_view(action="withdraw"),
        name="api-intro-withdraw",
    ),
    path("teams/<int:number>/", views.TeamApi.as_view(), name="api-team"),
    path("teams/<int:number>/roles/", views.TeamRoleCreateApi.as_view(), name="api-team-roles"),
    path(
        "teams/<int:number>/members/<int:member_id>/end/",
        views.TeamMemberEndApi.as_view(),
        name="api-team-member-end",
    ),
]
