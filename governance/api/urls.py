from django.urls import path

from governance.api import views

urlpatterns = [
    path("meetings/", views.MeetingListCreateApi.as_view(), name="api-meetings"),
    path("meetings/<int:pk>/", views.MeetingDetailApi.as_view(), name="api-meeting"),
    path(
        "meetings/<int:pk>/attendance/", views.MeetingAttendanceApi.as_view(), name="api-meeting-attendance"
    ),
    path("motions/", views.MotionListCreateApi.as_view(), name="api-motions"),
    path("motions/<int:pk>/", views.MotionDetailApi.as_view(), name="api-motion"),
    path("motions/<int:pk>/second/", views.MotionSecondApi.as_view(), name="api-motion-second"),
    path("ballots/", views.BallotListCreateApi.as_view(), name="api-ballots"),
    path("ballots/<int:pk>/", views.BallotDetailApi.as_view(), name="api-ballot"),
    path("ballots/<int:pk>/votes/", views.BallotVoteApi.as_view(), name="api-ballot-votes"),
    path("ballots/<int:pk>/results/", views.BallotResultsApi.as_view(), name="api-ballot-results"),
    path("ballots/<int:pk>/receipts/", views.BallotReceiptsApi.as_view(), name="api-ballot-receipts"),
    path("proxies/", views.ProxyListCreateApi.as_view(), name="api-proxies"),
    path("proxies/<int:pk>/", views.ProxyRevokeApi.as_view(), name="api-proxy"),
]
