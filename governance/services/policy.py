"""The meeting and voting rules staff keep (a history of every change)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError, NotAllowedError
from carecoop.permissions import is_staff
from governance.models import (
    GovernancePolicy,
)
from members.models import User


def governance_policy_update(*, user: User, **values: Any) -> GovernancePolicy:
    if not is_staff(user):
        raise NotAllowedError(
            _("Only the co-op's staff can change the meeting and voting rules."), code="staff_only"
        )
    with transaction.atomic():
        policy = GovernancePolicy.current()
        policy = GovernancePolicy.objects.select_for_update().get(pk=policy.pk)
        for name, value in values.items():
            setattr(policy, name, value)
        if (
            policy.share_receivers_percent + policy.share_workers_percent + policy.share_investors_percent
            != 100
        ):
            raise ApplicationError(
                _("The fixed shares of the vote must add up to 100%."),
                code="shares_do_not_add_up",
                fields={"share_workers_percent": [_("The three shares must add up to 100%.")]},
            )
        try:
            # The database's check constraints, asked first so a bad number is a message, not a 500.
            policy.validate_constraints()
        except ValidationError as error:
            raise ApplicationError(
                _("Some of these numbers are outside what the rules allow: %(why)s")
                % {"why": " ".join(error.messages)},
                code="invalid_rules",
            ) from error
        policy._change_reason = f"changed by {user.email}"  # type: ignore[attr-defined]
        policy.save()
        staff_action_record(
            by=user, action="governance.policy_update", summary="Changed the meeting and voting rules"
        )
    return policy
