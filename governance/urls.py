from django.urls import path

from governance.views import ballots, dividends, meetings, motions, proxies, requisitions, results, rules

urlpatterns = [
    path("meetings/", meetings.meetings, name="meetings"),
    path("meetings/new/", meetings.meeting_call, name="meeting_call"),
    path("meetings/rules/", rules.governance_policy, name="governance_policy"),
    path("meetings/requisitions/", requisitions.requisitions, name="requisitions"),
    path("meetings/requisitions/<int:pk>/", requisitions.requisition_detail, name="requisition_detail"),
    path("meetings/requisitions/<int:pk>/sign/", requisitions.requisition_sign, name="requisition_sign"),
    path(
        "meetings/requisitions/<int:pk>/unsign/", requisitions.requisition_unsign, name="requisition_unsign"
    ),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/change/", meetings.meeting_amend, name="meeting_amend"),
    path("meetings/<int:pk>/check-in/", meetings.meeting_check_in, name="meeting_check_in"),
    path("meetings/<int:pk>/chair/", meetings.meeting_chair, name="meeting_chair"),
    path("meetings/<int:pk>/register/", meetings.meeting_register, name="meeting_register"),
    path("meetings/<int:pk>/documents/new/", meetings.document_attach, name="document_attach"),
    path(
        "meetings/<int:pk>/documents/<int:document_pk>/",
        meetings.document_download,
        name="document_download",
    ),
    path("meetings/<int:pk>/minutes/", meetings.minutes_edit, name="minutes_edit"),
    path("meetings/<int:pk>/minutes/approve/", meetings.minutes_approve, name="minutes_approve"),
    path("meetings/<int:pk>/motions/new/", motions.motion_propose, name="motion_propose"),
    path("motions/<int:pk>/", motions.motion_detail, name="motion_detail"),
    path("motions/<int:pk>/second/", motions.motion_second, name="motion_second"),
    path("motions/<int:pk>/revise/", motions.motion_revise, name="motion_revise"),
    path("motions/<int:pk>/withdraw/", motions.motion_withdraw, name="motion_withdraw"),
    path("ballots/", ballots.ballots, name="ballots"),
    path("ballots/new/", ballots.ballot_create, name="ballot_create"),
    path("ballots/<int:pk>/", ballots.ballot_detail, name="ballot_detail"),
    path("ballots/<int:pk>/voted/", ballots.ballot_voted, name="ballot_voted"),
    path("ballots/<int:pk>/results/", results.ballot_results, name="ballot_results"),
    path("ballots/<int:pk>/results.csv", results.ballot_results_csv, name="ballot_results_csv"),
    path("ballots/<int:pk>/receipts/", results.ballot_receipts, name="ballot_receipts"),
    path("ballots/<int:pk>/<slug:action>/", ballots.ballot_action, name="ballot_action"),
    path("proxies/", proxies.proxies, name="proxies"),
    path("dividends/", dividends.dividends_mine, name="dividends_mine"),
    path("staff/dividends/", dividends.staff_dividends, name="staff_dividends"),
    path("staff/dividends/years/<int:pk>/", dividends.staff_dividend_year, name="staff_dividend_year"),
    path(
        "staff/dividends/years/<int:pk>/interest/",
        dividends.staff_interest_declare,
        name="staff_interest_declare",
    ),
    path("staff/dividends/interest/<int:pk>/pay/", dividends.staff_interest_pay, name="staff_interest_pay"),
    path(
        "staff/dividends/interest/<int:pk>/payments.csv",
        dividends.staff_interest_csv,
        name="staff_interest_csv",
    ),
    path(
        "staff/dividends/allocations/<int:pk>/",
        dividends.staff_dividend_allocation,
        name="staff_dividend_allocation",
    ),
    path(
        "staff/dividends/allocations/<int:pk>/progress/",
        dividends.staff_dividend_progress,
        name="staff_dividend_progress",
    ),
    path(
        "staff/dividends/allocations/<int:pk>/payments.csv",
        dividends.staff_dividend_csv,
        name="staff_dividend_csv",
    ),
    path(
        "staff/dividends/allocations/<int:pk>/<slug:action>/",
        dividends.staff_dividend_allocation_action,
        name="staff_dividend_allocation_action",
    ),
    path("proxies/<int:pk>/cancel/", proxies.proxy_cancel, name="proxy_cancel"),
]
