from django.urls import path

from governance import views

urlpatterns = [
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/new/", views.meeting_call, name="meeting_call"),
    path("meetings/rules/", views.governance_policy, name="governance_policy"),
    path("meetings/requisitions/", views.requisitions, name="requisitions"),
    path("meetings/requisitions/<int:pk>/", views.requisition_detail, name="requisition_detail"),
    path("meetings/requisitions/<int:pk>/sign/", views.requisition_sign, name="requisition_sign"),
    path("meetings/requisitions/<int:pk>/unsign/", views.requisition_unsign, name="requisition_unsign"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/change/", views.meeting_amend, name="meeting_amend"),
    path("meetings/<int:pk>/check-in/", views.meeting_check_in, name="meeting_check_in"),
    path("meetings/<int:pk>/chair/", views.meeting_chair, name="meeting_chair"),
    path("meetings/<int:pk>/register/", views.meeting_register, name="meeting_register"),
    path("meetings/<int:pk>/documents/new/", views.document_attach, name="document_attach"),
    path("meetings/<int:pk>/documents/<int:document_pk>/", views.document_download, name="document_download"),
    path("meetings/<int:pk>/minutes/", views.minutes_edit, name="minutes_edit"),
    path("meetings/<int:pk>/minutes/approve/", views.minutes_approve, name="minutes_approve"),
    path("meetings/<int:pk>/motions/new/", views.motion_propose, name="motion_propose"),
    path("motions/<int:pk>/", views.motion_detail, name="motion_detail"),
    path("motions/<int:pk>/second/", views.motion_second, name="motion_second"),
    path("motions/<int:pk>/revise/", views.motion_revise, name="motion_revise"),
    path("motions/<int:pk>/withdraw/", views.motion_withdraw, name="motion_withdraw"),
]
