from django.urls import path

from scheduling.api import statements, views

urlpatterns = [
    path("visits/", views.VisitListCreateApi.as_view(), name="api-visits"),
    path("visits/<int:pk>/", views.VisitDetailApi.as_view(), name="api-visit"),
    path("visits/<int:pk>/accept/", views.VisitAcceptApi.as_view(), name="api-visit-accept"),
    path("visits/<int:pk>/decline/", views.VisitDeclineApi.as_view(), name="api-visit-decline"),
    path("series/<int:pk>/accept/", views.SeriesAcceptApi.as_view(), name="api-series-accept"),
    path("series/<int:pk>/decline/", views.SeriesDeclineApi.as_view(), name="api-series-decline"),
    path("visits/<int:pk>/cancel/", views.VisitCancelApi.as_view(), name="api-visit-cancel"),
    path("visits/<int:pk>/check-in/", views.VisitCheckInApi.as_view(), name="api-visit-check-in"),
    path("visits/<int:pk>/check-out/", views.VisitCheckOutApi.as_view(), name="api-visit-check-out"),
    path("visits/<int:pk>/running-late/", views.VisitRunningLateApi.as_view(), name="api-visit-running-late"),
    path("visits/<int:pk>/note/", views.VisitNoteSaveApi.as_view(), name="api-visit-note"),
    path("visits/<int:pk>/tasks/<int:index>/", views.VisitTaskTickApi.as_view(), name="api-visit-task-tick"),
    path("visits/<int:pk>/confirm/", views.VisitHoursConfirmApi.as_view(), name="api-visit-confirm"),
    path("visits/<int:pk>/query/", views.VisitHoursQueryApi.as_view(), name="api-visit-query"),
    path("visits/<int:pk>/settle/", views.VisitHoursSettleApi.as_view(), name="api-visit-settle"),
    path("visits/<int:pk>/expenses/", views.VisitExpensesApi.as_view(), name="api-visit-expenses"),
    path(
        "visits/<int:pk>/expenses/<int:expense_pk>/",
        views.VisitExpenseApi.as_view(),
        name="api-visit-expense",
    ),
    path("statements/<int:year>/<int:month>/", statements.StatementApi.as_view(), name="api-statement"),
    path("finance/<int:year>/<int:month>/", statements.FinanceMonthApi.as_view(), name="api-finance-month"),
    path(
        "finance/<int:year>/<int:month>/close/",
        statements.FinanceMonthCloseApi.as_view(),
        name="api-finance-month-close",
    ),
    path("calendar/feed/", views.CalendarFeedApi.as_view(), name="api-calendar-feed"),
    # The token is a URL-safe secret (secrets.token_urlsafe): exactly the characters of a slug.
    path("calendar/<slug:token>.ics", views.CalendarFeedIcsApi.as_view(), name="api-calendar-ics"),
]
