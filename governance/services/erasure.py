"""Erasing a former member's data once the co-op's retention period is over (UK GDPR article 17,
decision 49). Governance is last in the order of the apps, so it is the one that may ask each
app to erase its part; all of it happens in one transaction, or none of it."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from carecoop.permissions import is_staff
from governance.selectors.personal_data import emails_to, retention_for
from matching import services as matching_services
from members import services as member_services
from members.models import DataRequest, User
from scheduling import services as scheduling_services

REASON_MAX = 1000


@transaction.atomic
def member_erase(
    *, data_request: DataRequest, by: User, today: date, override_reason: str = ""
) -> DataRequest:
    """Erase the data of the person who asked, keeping the register of members (the Co-operative
    and Community Benefit Societies Act 2014 requires it: name, address, class, dates admitted and
    ceased, shares held and their transactions), what the accounts were made from (visits' times
    and prices, statements, dividends) and how they took part in votes. Refused while they are a
    member, and before the retention period is over unless staff give a reason."""
    if not is_staff(by):
        raise NotAllowedError(_("Only the co-op's staff erase a member's data."), code="not_allowed")
    data_request = DataRequest.objects.select_for_update().select_related("user").get(pk=data_request.pk)
    if data_request.kind != DataRequest.Kind.ERASURE or data_request.status != DataRequest.Status.OPEN:
        raise ConflictError(_("This is not an erasure waiting to be done."), code="not_open_erasure")
    user = data_request.user
    retention = retention_for(user=user)
    if retention.current:
        raise ApplicationError(
            _("They are still a member: their data is needed while they are. Erase it after they leave."),
            code="still_a_member",
        )
    override_reason = override_reason.strip()
    if len(override_reason) > REASON_MAX:
        raise ApplicationError(
            _("Keep the reason under %(n)s characters.") % {"n": REASON_MAX}, code="too_long"
        )
    if retention.erasable_from is not None and today < retention.erasable_from and not override_reason:
        raise ApplicationError(
            _("The co-op keeps this data until %(day)s. To erase it sooner, give the reason.")
            % {"day": f"{retention.erasable_from:%-d %B %Y}"},
            code="retention_not_over",
            fields={"override_reason": [_("Give the reason to erase before the retention period ends.")]},
        )
    # Before the account's addresses are erased: the emails to each of them go.
    emails = emails_to(user=user).delete()[0]
    removed = {
        **scheduling_services.care_records_erase(user=user),
        **matching_services.introductions_and_posts_erase(user=user),
        **member_services.member_details_erase(user=user),
    }
    if emails:
        removed["emails"] = emails
    data_request.status = DataRequest.Status.DONE
    data_request.answered_by = by
    data_request.answered_at = timezone.now()
    data_request.override_reason = override_reason
    data_request.removed = removed
    data_request.note = ""  # what they wrote when asking may name them
    data_request.save(
        update_fields=["status", "answered_by", "answered_at", "override_reason", "removed", "note"]
    )
    # The entry is kept for good, so it names the member by number only: nothing erased is in it.
    numbers = ", ".join(str(number) for number in user.memberships.values_list("number", flat=True))
    staff_action_record(
        by=by,
        action="data_request.erase",
        summary=(
            f"Erased the data held about {f'member {numbers}' if numbers else f'account {user.pk}'} "
            f"(request {data_request.pk})"
            + (", before the retention period ended" if override_reason else "")
        ),
        member=user,
    )
    return data_request
