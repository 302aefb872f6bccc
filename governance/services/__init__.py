"""Governance: calling meetings, requisitions, motions, ballots, votes, proxies and minutes."""

from governance.services.attendance import (
    attendance_check_in,
    attendance_mark,
)
from governance.services.ballots import (
    ballot_close,
    ballot_create,
    ballot_declare,
    ballot_open,
    ballots_close_due,
    ballots_open_due,
    candidate_stand,
    candidate_withdraw,
)
from governance.services.common import (
    DOCUMENT_MAX_BYTES,
    DOCUMENT_TYPES,
    STATEMENT_MAX,
    TEXT_MAX,
)
from governance.services.dividends import (
    allocation_approve,
    allocation_calculation_start,
    allocation_pay,
    allocation_propose,
    approval_refusal,
    dividends_calculate,
    financial_year_record,
    motion_refusal,
)
from governance.services.erasure import (
    member_erase,
    members_erase_after_retention,
)
from governance.services.interest import (
    interest_declare,
    interest_pay,
)
from governance.services.meetings import (
    document_attach,
    meeting_amend,
    meeting_call,
    meeting_chair_set,
    minutes_approve,
    minutes_save,
)
from governance.services.motions import (
    motion_propose,
    motion_revise,
    motion_second,
    motion_withdraw,
)
from governance.services.policy import (
    governance_policy_update,
)
from governance.services.proxies import (
    proxy_appoint,
    proxy_revoke,
)
from governance.services.requisitions import (
    requisition_open,
    requisition_sign,
    requisition_unsign,
)
from governance.services.results import (
    ballot_count,
)
from governance.services.votes import (
    vote_cast,
)

__all__ = [
    "DOCUMENT_MAX_BYTES",
    "DOCUMENT_TYPES",
    "STATEMENT_MAX",
    "TEXT_MAX",
    "allocation_approve",
    "allocation_calculation_start",
    "allocation_pay",
    "allocation_propose",
    "approval_refusal",
    "attendance_check_in",
    "attendance_mark",
    "ballot_close",
    "ballot_count",
    "ballot_create",
    "ballot_declare",
    "ballot_open",
    "ballots_close_due",
    "ballots_open_due",
    "candidate_stand",
    "candidate_withdraw",
    "dividends_calculate",
    "document_attach",
    "financial_year_record",
    "governance_policy_update",
    "interest_declare",
    "interest_pay",
    "meeting_amend",
    "meeting_call",
    "meeting_chair_set",
    "member_erase",
    "members_erase_after_retention",
    "minutes_approve",
    "minutes_save",
    "motion_propose",
    "motion_refusal",
    "motion_revise",
    "motion_second",
    "motion_withdraw",
    "proxy_appoint",
    "proxy_revoke",
    "requisition_open",
    "requisition_sign",
    "requisition_unsign",
    "vote_cast",
]
