from django.urls import path

from scheduling import views
from scheduling.views import statements

STATEMENT = "statements/<int:number>/<int:year>/<int:month>/"
FINANCE_MONTH = "staff/finance/<int:year>/<int:month>/"

urlpatterns = [
    path("visits/", views.calendar, name="visits"),
    path("visits/new/", views.visit_book, name="visit_book"),
    path("visits/new/check/", views.visit_book_check, name="visit_book_check"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/change/", views.visit_change, name="visit_change"),
    path("visits/<int:pk>/<slug:action>/", views.visit_action, name="visit_action"),
    path("care-log/<int:number>/", views.care_log, name="care_log"),
    path("notifications/", views.notifications, name="notifications"),
    path("calendar-feed/", views.calendar_feed, name="calendar_feed"),
    path("statements/", statements.statements_index, name="statements"),
    path(STATEMENT, statements.statement, name="statement"),
    path(f"{STATEMENT}csv/", statements.statement_csv, name="statement_csv"),
    path(f"{STATEMENT}pdf/", statements.statement_pdf, name="statement_pdf"),
    path("staff/hours/", views.hours_queried, name="staff_hours_queried"),
    path("staff/finance/", statements.finance, name="staff_finance"),
    path(f"{FINANCE_MONTH}close/", statements.finance_close, name="staff_finance_close"),
    path(f"{FINANCE_MONTH}pay-run/", statements.finance_pay_run, name="staff_pay_run"),
    path(f"{FINANCE_MONTH}invoices/", statements.finance_invoices, name="staff_invoices"),
]
