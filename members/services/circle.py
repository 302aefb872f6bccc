"""Each person's circle of support: invitations by token, powers, acceptance and revocation."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop import outbox
from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError, ConflictError
from carecoop.permissions import is_staff
from carecoop.tokens import token_hash, token_new
from members.models import (
    CircleMember,
    MemberClass,
    Membership,
    User,
)
from members.services.rules import refuse

CIRCLE_INVITATION_DAYS = 14


CIRCLE_POWERS = ("can_view_care", "can_book", "can_manage_team")


@transaction.atomic
def circle_invite(
    *,
    receiver: Membership,
    by: User,
    email: str,
    name: str = "",
    can_view_care: bool = True,
    can_book: bool = False,
    can_manage_team: bool = False,
) -> CircleMember:
    """Invite someone to act for a person getting support. The link's token is emailed, and
    only its hash is kept on the invitation. The email waits in the outbox until it is sent (the
    Celery message carries only its id, so the token never waits in the broker), and the outbox
    forgets what it said once sent."""
    receiver = Membership.objects.select_for_update().select_related("user").get(pk=receiver.pk)
    if not receiver.is_current or receiver.member_class != MemberClass.RECEIVER:
        raise ApplicationError(
            _("A circle of support is for a member getting support."), code="not_a_receiver"
        )
    if by.pk != receiver.user_id and not is_staff(by):
        raise ApplicationError(
            _("Only the person, or the co-op's staff, can invite someone to their circle."),
            code="not_allowed",
        )
    email = email.strip().lower()
    if email == receiver.user.email.lower():
        raise refuse(_("You cannot invite yourself."), "invite_self", "email")
    if not any((can_view_care, can_book, can_manage_team)):
        raise ApplicationError(_("Choose at least one thing they may do for you."), code="no_powers")
    holders = EmailAddress.objects.filter(email__iexact=email).values("user_id")
    already = CircleMember.objects.filter(
        receiver=receiver, status__in=[CircleMember.Status.INVITED, CircleMember.Status.ACTIVE]
    ).filter(Q(email__iexact=email) | Q(supporter__email__iexact=email) | Q(supporter__in=holders))
    if already.exists():
        raise ConflictError(
            _("%(email)s is already in the circle, or has an invitation waiting.") % {"email": email},
            code="already_in_circle",
        )
    token = token_new()
    now = timezone.now()
    invitation = CircleMember(
        receiver=receiver,
        email=email,
        name=name.strip()[:120],
        can_view_care=can_view_care,
        can_book=can_book,
        can_manage_team=can_manage_team,
        token_hash=token_hash(token),
        invited_by=by,
        invited_at=now,
        expires_at=now + timedelta(days=CIRCLE_INVITATION_DAYS),
    )
    invitation._history_user = by  # type: ignore[attr-defined]
    invitation.save()
    outbox.email_queue(
        kind="members.circle_invitation",
        to=email,
        context={
            "person": receiver.legal_name,
            "powers": invitation.powers,
            "days": CIRCLE_INVITATION_DAYS,
            "token": token,
        },
        about=f"members.circle_invitation:{invitation.pk}",
        not_after=invitation.expires_at,  # a link that no longer opens anything is not sent
    )
    staff_action_record(
        by=by,
        action="circle.invite",
        summary=f"Invited someone into the circle of support of member {receiver.number}",
        member=receiver.user,
    )
    return invitation


def circle_invitation_for_token(*, token: str) -> CircleMember:
    invitation = (
        CircleMember.objects.select_related("receiver__user", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        raise ApplicationError(_("This invitation link is not valid."), code="invitation_unknown")
    return invitation


def _lock_open_invitation(*, token: str, user: User) -> CircleMember:
    invitation = CircleMember.objects.select_for_update().filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise ApplicationError(_("This invitation link is not valid."), code="invitation_unknown")
    if invitation.status != CircleMember.Status.INVITED:
        raise ConflictError(
            _("This invitation has already been answered or withdrawn."), code="invitation_closed"
        )
    if invitation.expires_at <= timezone.now():
        raise ApplicationError(
            _("This invitation has expired. Ask for a new one."), code="invitation_expired"
        )
    verified = EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists()
    if not verified:
        raise ApplicationError(
            _("This invitation was sent to %(email)s. Log in with that address (and confirm it) to answer.")
            % {"email": invitation.email},
            code="invitation_for_someone_else",
        )
    return invitation


@transaction.atomic
def circle_accept(*, token: str, user: User) -> CircleMember:
    invitation = _lock_open_invitation(token=token, user=user)
    if invitation.receiver.user_id == user.pk:
        raise ApplicationError(_("You cannot join your own circle."), code="invite_self")
    if CircleMember.objects.filter(
        receiver_id=invitation.receiver_id, supporter=user, status=CircleMember.Status.ACTIVE
    ).exists():
        raise ConflictError(_("You are already in this circle of support."), code="already_in_circle")
    invitation.status = CircleMember.Status.ACTIVE
    invitation.supporter = user
    invitation.responded_at = timezone.now()
    invitation._history_user = user  # type: ignore[attr-defined]
    invitation.save()
    return invitation


@transaction.atomic
def circle_decline(*, token: str, user: User) -> CircleMember:
    invitation = _lock_open_invitation(token=token, user=user)
    invitation.status = CircleMember.Status.DECLINED
    invitation.responded_at = timezone.now()
    invitation._history_user = user  # type: ignore[attr-defined]
    invitation.save()
    return invitation


@transaction.atomic
def circle_revoke(*, member: CircleMember, by: User) -> CircleMember:
    """The person (or staff) ends someone's place in their circle, or withdraws an invitation."""
    member = CircleMember.objects.select_for_update().select_related("receiver").get(pk=member.pk)
    if by.pk != member.receiver.user_id and not is_staff(by):
        raise ApplicationError(_("Only the person, or staff, can change their circle."), code="not_allowed")
    if member.status not in (CircleMember.Status.INVITED, CircleMember.Status.ACTIVE):
        raise ConflictError(_("This person is no longer in the circle."), code="circle_member_gone")
    was_invited = member.status == CircleMember.Status.INVITED
    if was_invited:
        outbox.emails_cancel(about=f"members.circle_invitation:{member.pk}")  # if not sent yet
    member.status = CircleMember.Status.REVOKED
    member.revoked_at = timezone.now()
    member.revoked_by = by
    member._history_user = by  # type: ignore[attr-defined]
    member.save()
    staff_action_record(
        by=by,
        action="circle.revoke",
        summary=(
            f"Withdrew an invitation into the circle of support of member {member.receiver.number}"
            if was_invited
            else f"Removed someone from the circle of support of member {member.receiver.number}"
        ),
        member=member.receiver.user,
    )
    return member
