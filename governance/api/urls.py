from django.urls import path

from governance.api import views
from governance.api.views import dividends
from governance.api.views.personal_data import PersonalDataApi

urlpatterns = [
    path("me/data/", PersonalDataApi.as_view(), name="api-personal-data"),
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
    path("dividends/", dividends.DividendListApi.as_view(), name="api-dividends"),
    path("dividends/<int:pk>/", dividends.DividendDetailApi.as_view(), name="api-dividend"),
    path("interest/", dividends.InterestListApi.as_view(), name="api-interest"),
    path("financial-years/", dividends.FinancialYearListCreateApi.as_view(), name="api-financial-years"),
    path("allocations/", dividends.AllocationCreateApi.as_view(), name="api-allocations"),
    path("allocations/<int:pk>/", dividends.AllocationDetailApi.as_view(), name="api-allocation"),
    path(
        "allocations/<int:pk>/approval/",
        dividends.AllocationApprovalApi.as_view(),
        name="api-allocation-approval",
    ),
    path(
        "allocations/<int:pk>/calculation/",
        dividends.AllocationCalculationApi.as_view(),
        name="api-allocation-calculation",
    ),
    path(
        "allocations/<int:pk>/payment/",
        dividends.AllocationPaymentApi.as_view(),
        name="api-allocation-payment",
    ),
]
