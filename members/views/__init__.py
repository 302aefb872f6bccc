"""The browser door onto accounts and membership: a module each for applying, profiles, the
circle of support and the staff pages."""

from members.views.applications import (
    account_overview,
    application_create,
    application_status,
    application_withdraw,
    document_detail,
)
from members.views.circle import (
    circle_invitation,
    circle_manage,
    circle_revoke,
)
from members.views.emergency import (
    emergency_contact_edit,
)
from members.views.profiles import (
    profile_edit,
)
from members.views.staff import (
    REGISTER_PAGE_SIZE,
    staff_action_log,
    staff_application_queue,
    staff_application_review,
    staff_documents,
    staff_member_detail,
    staff_register,
    staff_vetting_dashboard,
    staff_worker_vetting,
)

__all__ = [
    "REGISTER_PAGE_SIZE",
    "account_overview",
    "application_create",
    "application_status",
    "application_withdraw",
    "circle_invitation",
    "circle_manage",
    "circle_revoke",
    "document_detail",
    "emergency_contact_edit",
    "profile_edit",
    "staff_action_log",
    "staff_application_queue",
    "staff_application_review",
    "staff_documents",
    "staff_member_detail",
    "staff_register",
    "staff_vetting_dashboard",
    "staff_worker_vetting",
]
