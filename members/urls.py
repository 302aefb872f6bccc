from django.urls import path

from members import views

urlpatterns = [
    path("accounts/", views.account_overview, name="account_overview"),
    path("membership/apply/", views.application_create, name="application_create"),
    path("membership/application/", views.application_status, name="application_status"),
    path("membership/application/withdraw/", views.application_withdraw, name="application_withdraw"),
    path("membership/documents/<slug:kind>/", views.document_detail, name="document_detail"),
    path("membership/documents/<slug:kind>/<int:version>/", views.document_detail, name="document_version"),
    path("profile/", views.profile_edit, name="profile_edit"),
    path("members/<int:number>/circle/", views.circle_manage, name="circle_manage"),
    path(
        "members/<int:number>/emergency-contact/", views.emergency_contact_edit, name="emergency_contact_edit"
    ),
    path("circle/<int:pk>/revoke/", views.circle_revoke, name="circle_revoke"),
    path("circle/invitations/<str:token>/", views.circle_invitation, name="circle_invitation"),
    path("staff/applications/", views.staff_application_queue, name="staff_application_queue"),
    path("staff/applications/<int:pk>/", views.staff_application_review, name="staff_application_review"),
    path("staff/register/", views.staff_register, name="staff_register"),
    path("staff/members/<int:number>/", views.staff_member_detail, name="staff_member_detail"),
    path("staff/documents/", views.staff_documents, name="staff_documents"),
    path("staff/log/", views.staff_action_log, name="staff_action_log"),
    path("staff/vetting/", views.staff_vetting_dashboard, name="staff_vetting_dashboard"),
    path("staff/members/<int:number>/vetting/", views.staff_worker_vetting, name="staff_worker_vetting"),
]
