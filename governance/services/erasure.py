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
from governance.selectors.personal_data import emails_to, former_members_to_erase, retention_for
from matching import services as matching_services
from members import services as member_services
from members.models import Application, DataRequest, User
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
    if user.applications.filter(status=Application.Status.SUBMITTED).exists():
        raise ApplicationError(
            _(
                "Their application to join is waiting for a decision: decide it, or have them "
                "withdraw it, before erasing what they told us."
            ),
            code="application_waiting",
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
    data_request.override_reason = override_reason
    data_request = _erase(data_request=data_request, by=by)
    # The entry is kept for good, so it names the member by number only: nothing erased is in it.
    numbers = ", ".join(str(number) for number in user.memberships.values_list("number", flat=True))
    removed = ", ".join(f"{kind}: {count}" for kind, count in data_request.removed.items()) or "nothing"
    early = ", before the retention period ended (the reason is on the request)" if override_reason else ""
    staff_action_record(
        by=by,
        action="data_request.erase",
        summary=(
            f"Erased the data held about {f'member {numbers}' if numbers else f'account {user.pk}'} "
            f"(request {data_request.pk})"
            f"{early}; removed {removed}"
        ),
        member=user,
    )
    return data_request


def members_erase_after_retention(*, today: date) -> list[DataRequest]:
    """The nightly erasure: erase every former member whose retention period is over and who is
    not erased yet, each in a transaction of their own, recorded as staff's erasures are (a
    request, done, with what it removed; no one answered it, the night did). A member who had
    asked has that request answered. Safe to run twice, or two at once: each account is locked
    and looked at again before it is erased, and an erased account is not looked at again."""
    return [
        done
        for user_id in former_members_to_erase(today=today).values_list("pk", flat=True)
        if (done := _erase_after_retention(user_id=user_id, today=today)) is not None
    ]


@transaction.atomic
def _erase_after_retention(*, user_id: int, today: date) -> DataRequest | None:
    user = User.objects.select_for_update().get(pk=user_id)
    if not former_members_to_erase(today=today).filter(pk=user.pk).exists():
        return None  # erased by another run (or by staff) since the list was read
    retention = retention_for(user=user)
    if retention.current or retention.erasable_from is None or today < retention.erasable_from:
        return None  # their care record is kept longer
    data_request = DataRequest.objects.select_for_update().filter(
        user=user, kind=DataRequest.Kind.ERASURE, status=DataRequest.Status.OPEN
    ).first() or DataRequest(user=user, kind=DataRequest.Kind.ERASURE)
    data_request.user = user
    return _erase(data_request=data_request, by=None)


def _erase(*, data_request: DataRequest, by: User | None) -> DataRequest:
    """Erase the request's person and record it on the request; the caller holds the transaction
    and has checked the rules. `by` is None for the nightly erasure."""
    user = data_request.user
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
    data_request.removed = removed
    data_request.note = ""  # what they wrote when asking may name them
    data_request.save()
    return data_request
