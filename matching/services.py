"""Choosing each other: introductions by mutual consent, trials, teams, roles, the noticeboard."""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from carecoop import outbox
from carecoop.audit import staff_action_record
from carecoop.exceptions import ApplicationError, ConflictError, NotFoundError, RateLimitedError
from carecoop.outbox import Outgoing
from matching import permissions
from matching.models import Introduction, MatchingPolicy, NoticeboardPost, TeamMember, TeamRole
from members import selectors as member_selectors
from members.models import MemberClass, Membership, User

MESSAGE_MAX_LENGTH = 500


def _email_queue(name: str, introduction: Introduction, to: Membership, **context: object) -> None:
    """Owe a member an email about an introduction, in the transaction that answers or sends it."""
    outbox.email_queue(
        kind=f"matching.{name}",
        to=to.user.email,
        name=to.shown_name,
        context=context,
        about=f"matching.introduction:{introduction.pk}",
    )


def _team_number(receiver: Membership) -> int | None:
    """The number a team's page is found by: a person getting support's. (Peer support teams of
    other members are reached from "my teams".)"""
    return receiver.number if receiver.member_class == MemberClass.RECEIVER else None


# --- Introductions ----------------------------------------------------------------------------


@transaction.atomic
def introduction_send(
    *,
    by: User,
    receiver: Membership,
    supporter: Membership,
    from_receiver: bool,
    message: str,
    kind: str = Introduction.Kind.CARE,
) -> Introduction:
    """Ask to be introduced. Either side may ask: the person getting support (or someone in their
    circle who manages their team) or the worker; for peer support, any member and a member who
    offers it. Contact details stay hidden until the other side accepts."""
    today = timezone.localdate()
    sender = receiver if from_receiver else supporter
    if not permissions.acts_for(by, sender):
        raise ApplicationError(_("You cannot ask on this member's behalf."), code="not_allowed")
    if receiver.pk == supporter.pk:
        raise ApplicationError(_("Choose someone else."), code="same_member")
    if not (receiver.is_current and supporter.is_current):
        raise ApplicationError(_("Introductions are between current members."), code="not_a_member")
    recipient = supporter if from_receiver else receiver
    recipient_profile = member_selectors.profile_get_for_membership(membership=recipient)
    listed = recipient_profile is not None and "display_name" in member_selectors.profile_visible_fields(
        profile=recipient_profile, viewer="member"
    )
    if not listed or not member_selectors.membership_can_participate(membership=recipient):
        # Someone who chose not to be listed is not there to be asked, by number or otherwise.
        raise NotFoundError(_("There is no member to ask with that number."), code="not_found")
    if not member_selectors.membership_can_participate(membership=sender):
        raise ApplicationError(_("Introductions are for members in good standing."), code="not_a_member")
    if kind == Introduction.Kind.CARE:
        if receiver.member_class != MemberClass.RECEIVER or supporter.member_class != MemberClass.WORKER:
            raise ApplicationError(
                _("Care introductions are between a person getting support and a worker."),
                code="wrong_classes",
            )
        if not member_selectors.worker_is_bookable(membership=supporter, on=today):
            raise ApplicationError(
                _("This worker cannot be introduced until their checks are current."),
                code="worker_not_bookable",
            )
    elif kind == Introduction.Kind.PEER:
        profile = member_selectors.profile_get_for_membership(membership=supporter)
        if profile is None or not profile.offers_peer_support:
            raise ApplicationError(_("This member does not offer peer support."), code="not_a_peer_supporter")
    else:
        raise ApplicationError(_("Unknown kind of introduction."), code="invalid_kind")
    message = message.strip()
    if not message or len(message) > MESSAGE_MAX_LENGTH:
        raise ApplicationError(
            _("Write a short message (up to %(n)s characters).") % {"n": MESSAGE_MAX_LENGTH},
            code="invalid_message",
            fields={
                "message": [_("Write a short message (up to %(n)s characters).") % {"n": MESSAGE_MAX_LENGTH}]
            },
        )
    if TeamMember.objects.filter(receiver=receiver, member=supporter).active().exists():
        raise ConflictError(_("You are already in the same team."), code="already_in_team")

    # The sender's row is locked so that requests sent at once are counted one after the other.
    Membership.objects.select_for_update().get(pk=sender.pk)
    policy = MatchingPolicy.current()
    # Every request sent today counts, whatever became of it: withdrawing and sending again
    # does not get round the limit.
    sent_today = Introduction.objects.filter(
        created_at__date=today,
        **(
            {"receiver": sender, "from_receiver": True}
            if from_receiver
            else {"supporter": sender, "from_receiver": False}
        ),
    ).count()
    if sent_today >= policy.daily_pending_limit:
        raise RateLimitedError(
            _("You have sent %(n)s requests today, the most in one day. Please try again tomorrow.")
            % {"n": sent_today},
            code="daily_limit",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            introduction = Introduction.objects.create(
                kind=kind,
                receiver=receiver,
                supporter=supporter,
                from_receiver=from_receiver,
                sent_by=by,
                message=message,
                created_at=now,
                expires_at=now + timedelta(days=policy.introduction_days),
            )
    except IntegrityError as exc:
        raise ConflictError(
            _("An introduction between you is already waiting for an answer."), code="introduction_pending"
        ) from exc
    _email_queue(
        "introduction_request",
        introduction,
        to=introduction.recipient,
        sender=introduction.sender.shown_name,
        message=introduction.message,
        answer_by=dateformat.format(timezone.localtime(introduction.expires_at), "j F"),
    )
    _logged(
        by,
        "send",
        introduction.sender,
        f"Asked, for member {sender.number}, for an introduction",
        introduction,
    )
    return introduction


def _lock_pending(introduction: Introduction) -> Introduction:
    introduction = (
        Introduction.objects.select_for_update()
        .select_related("receiver__user", "supporter__user")
        .get(pk=introduction.pk)
    )
    if introduction.status != Introduction.Status.PENDING:
        raise ConflictError(_("This introduction has already been answered."), code="introduction_closed")
    if introduction.expires_at <= timezone.now():
        raise ConflictError(_("This introduction has expired."), code="introduction_expired")
    return introduction


@transaction.atomic
def introduction_accept(*, introduction: Introduction, by: User) -> TeamMember:
    """The other side says yes: the worker (or peer supporter) joins the team on trial, and each
    can now see the other's contact details."""
    introduction = _lock_pending(introduction)
    if not permissions.acts_for(by, introduction.recipient):
        raise ApplicationError(_("Only the member asked can answer."), code="not_allowed")
    today = timezone.localdate()
    if introduction.kind == Introduction.Kind.CARE and not member_selectors.worker_is_bookable(
        membership=introduction.supporter, on=today
    ):
        raise ApplicationError(
            _("This worker cannot join a team until their checks are current."), code="worker_not_bookable"
        )
    introduction.status = Introduction.Status.ACCEPTED
    introduction.answered_at, introduction.answered_by = timezone.now(), by
    introduction.save(update_fields=["status", "answered_at", "answered_by"])
    policy = MatchingPolicy.current()
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(
                receiver=introduction.receiver,
                member=introduction.supporter,
                role=TeamMember.Role.WORKER
                if introduction.kind == Introduction.Kind.CARE
                else TeamMember.Role.PEER,
                introduction=introduction,
                joined_on=today,
                trial_ends_on=today + timedelta(weeks=policy.trial_weeks),
            )
    except IntegrityError as exc:
        raise ConflictError(_("You are already in the same team."), code="already_in_team") from exc
    _email_queue(
        "introduction_accepted",
        introduction,
        to=introduction.sender,
        recipient=introduction.recipient.shown_name,
        team=_team_number(introduction.receiver),
    )
    _logged(
        by,
        "accept",
        introduction.recipient,
        f"Accepted, for member {introduction.recipient.number}, an introduction (member "
        f"{introduction.supporter.number} joins the team of member {introduction.receiver.number} on trial)",
        introduction,
    )
    return member


@transaction.atomic
def introduction_decline(*, introduction: Introduction, by: User, reason: str = "") -> Introduction:
    introduction = _lock_pending(introduction)
    if not permissions.acts_for(by, introduction.recipient):
        raise ApplicationError(_("Only the member asked can answer."), code="not_allowed")
    introduction.status = Introduction.Status.DECLINED
    introduction.answered_at, introduction.answered_by = timezone.now(), by
    introduction.decline_reason = reason.strip()[:MESSAGE_MAX_LENGTH]
    introduction.save(update_fields=["status", "answered_at", "answered_by", "decline_reason"])
    _email_queue(
        "introduction_declined", introduction, to=introduction.sender, reason=introduction.decline_reason
    )
    _logged(
        by,
        "decline",
        introduction.recipient,
        f"Declined, for member {introduction.recipient.number}, an introduction",
        introduction,
    )
    return introduction


@transaction.atomic
def introduction_withdraw(*, introduction: Introduction, by: User) -> Introduction:
    introduction = _lock_pending(introduction)
    if not permissions.acts_for(by, introduction.sender):
        raise ApplicationError(_("Only the member who asked can withdraw."), code="not_allowed")
    introduction.status = Introduction.Status.WITHDRAWN
    introduction.answered_at, introduction.answered_by = timezone.now(), by
    introduction.save(update_fields=["status", "answered_at", "answered_by"])
    outbox.emails_cancel(about=f"matching.introduction:{introduction.pk}")  # the request, if not sent yet
    _logged(
        by,
        "withdraw",
        introduction.sender,
        f"Withdrew, for member {introduction.sender.number}, a request for an introduction",
        introduction,
    )
    return introduction


def _logged(by: User, what: str, member: Membership, summary: str, introduction: Introduction) -> None:
    """Staff answering or asking for a member is a staff action on that member (decision 44)."""
    staff_action_record(
        by=by,
        action=f"introduction.{what}",
        summary=f"{summary} (introduction {introduction.pk}, member {introduction.receiver.number} "
        f"and member {introduction.supporter.number})",
        member=member.user,
    )


def introductions_expire(*, now: datetime | None = None) -> int:
    """Close the introductions nobody answered in time. Safe to run as often as wanted."""
    moment = now or timezone.now()
    return Introduction.objects.filter(status=Introduction.Status.PENDING, expires_at__lte=moment).update(
        status=Introduction.Status.EXPIRED, answered_at=moment
    )


# --- Teams ----------------------------------------------------------------------------------------


def _lock_active_member(member: TeamMember) -> TeamMember:
    member = (
        TeamMember.objects.select_for_update()
        .select_related("receiver__user", "member__user")
        .get(pk=member.pk)
    )
    if not member.is_active:
        raise ConflictError(_("They have already left the team."), code="not_in_team")
    return member


@transaction.atomic
def team_member_confirm(*, member: TeamMember, by: User) -> TeamMember:
    """At (or before) the end of the trial, either side confirms the place in the team."""
    member = _lock_active_member(member)
    if not (permissions.acts_for(by, member.receiver) or by.pk == member.member.user_id):
        raise ApplicationError(_("Only the team's person or the worker can confirm."), code="not_allowed")
    if member.status == TeamMember.Status.CONFIRMED:
        raise ConflictError(_("Already confirmed."), code="already_confirmed")
    member.status, member.confirmed_at = TeamMember.Status.CONFIRMED, timezone.now()
    member._history_user = by  # type: ignore[attr-defined]
    member.save(update_fields=["status", "confirmed_at"])
    outbox.emails_cancel(about=f"matching.team_member:{member.pk}")  # "the trial has ended", if not sent
    _team_logged(by, "confirm", member.receiver, f"Confirmed member {member.member.number} in the team")
    return member


@transaction.atomic
def team_member_end(*, member: TeamMember, by: User, reason: str = "") -> TeamMember:
    """Either side ends a place in the team (the person removes someone, or a worker leaves)."""
    member = _lock_active_member(member)
    if not (permissions.acts_for(by, member.receiver) or by.pk == member.member.user_id):
        raise ApplicationError(_("Only the team's person or the worker can end this."), code="not_allowed")
    member.status, member.ended_at, member.ended_by = TeamMember.Status.ENDED, timezone.now(), by
    member.end_reason = reason.strip()
    member._history_user = by  # type: ignore[attr-defined]
    member.save(update_fields=["status", "ended_at", "ended_by", "end_reason"])
    outbox.emails_cancel(about=f"matching.team_member:{member.pk}")  # "the trial has ended", if not sent
    TeamRole.objects.filter(
        receiver=member.receiver, holder=member.member.user, ended_at__isnull=True
    ).update(ended_at=timezone.now())
    _team_logged(by, "end", member.receiver, f"Ended the place of member {member.member.number} in the team")
    return member


def _team_logged(by: User, what: str, receiver: Membership, summary: str) -> None:
    """What staff change in a person's team is a staff action on that person (decision 44)."""
    staff_action_record(
        by=by,
        action=f"team.{what}",
        summary=f"{summary} of member {receiver.number}",
        member=receiver.user,
    )


def trial_reminders_send(*, today: date | None = None) -> int:
    """Remind both sides when a trial has ended and nobody has confirmed or ended it: once."""
    day = today or timezone.localdate()
    due = TeamMember.objects.filter(
        status=TeamMember.Status.TRIAL, trial_ends_on__lte=day, trial_reminded_at__isnull=True
    ).values_list("pk", flat=True)
    return sum(1 for pk in list(due) if _trial_reminder_send(member_id=pk))


@transaction.atomic
def _trial_reminder_send(*, member_id: int) -> bool:
    member = (
        TeamMember.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("receiver__user", "member__user")
        .filter(pk=member_id, status=TeamMember.Status.TRIAL, trial_reminded_at__isnull=True)
        .first()
    )
    if member is None:
        return False
    values = {
        "worker": member.member.legal_name,
        "person": member.receiver.legal_name,
        "ended": dateformat.format(member.trial_ends_on, "j F"),
        "team": _team_number(member.receiver),
    }
    outbox.emails_queue(
        emails=[
            Outgoing(
                kind="matching.trial_ended",
                to=side.user.email,
                name=side.shown_name,
                context=values,
                about=f"matching.team_member:{member.pk}",
            )
            for side in (member.receiver, member.member)
        ]
    )
    member.trial_reminded_at = timezone.now()
    member.save(update_fields=["trial_reminded_at"])
    return True


@transaction.atomic
def team_role_give(*, receiver: Membership, holder: User, name: str, review_on: date, by: User) -> TeamRole:
    """Give someone in the team a role ("hat"), to be reviewed on a date."""
    if not permissions.acts_for(by, receiver):
        raise ApplicationError(
            _("Only the person, or someone managing their team, gives roles."), code="not_allowed"
        )
    from matching import selectors

    in_team = member_selectors.circle_power(
        user=holder, receiver=receiver, power="can_view_care"
    ) or selectors.in_team(user=holder, receiver=receiver)
    if not (in_team or holder.pk == receiver.user_id):
        raise ApplicationError(_("Roles go to people in the team."), code="not_in_team")
    if not name.strip():
        raise ApplicationError(
            _("Name the role."), code="role_name_required", fields={"name": [_("Name the role.")]}
        )
    if review_on <= timezone.localdate():
        raise ApplicationError(
            _("Choose a review date in the future."),
            code="review_date_past",
            fields={"review_on": [_("Choose a date in the future.")]},
        )
    role = TeamRole(
        receiver=receiver, holder=holder, name=name.strip()[:80], review_on=review_on, given_by=by
    )
    role._history_user = by  # type: ignore[attr-defined]
    role.save()
    _team_logged(by, "role_give", receiver, f"Gave the role “{role.name}” in the team")
    return role


@transaction.atomic
def team_role_end(*, role: TeamRole, by: User) -> TeamRole:
    role = TeamRole.objects.select_for_update().select_related("receiver").get(pk=role.pk)
    if not permissions.acts_for(by, role.receiver):
        raise ApplicationError(
            _("Only the person, or someone managing their team, changes roles."), code="not_allowed"
        )
    role.ended_at = timezone.now()
    role._history_user = by  # type: ignore[attr-defined]
    role.save(update_fields=["ended_at"])
    _team_logged(by, "role_end", role.receiver, f"Ended the role “{role.name}” in the team")
    return role


@transaction.atomic
def noticeboard_post(*, receiver: Membership, by: User, body: str) -> NoticeboardPost:
    """A short message to the whole team; everyone else in it is emailed."""
    from matching import selectors

    if not permissions.reads_noticeboard(by, receiver):
        raise ApplicationError(_("Only the team can post on its noticeboard."), code="not_in_team")
    body = body.strip()
    if not body or len(body) > 1000:
        raise ApplicationError(
            _("Write a message of up to 1,000 characters."),
            code="invalid_message",
            fields={"body": [_("Write a message of up to 1,000 characters.")]},
        )
    post = NoticeboardPost.objects.create(receiver=receiver, author=by, body=body)
    # Each address once, greeted by the name they go by in the co-op where they have one.
    recipients: dict[str, str] = {receiver.user.email: receiver.shown_name}
    for place in selectors.team_for(receiver=receiver):
        recipients.setdefault(place.member.user.email, place.member.shown_name)
    # Only those in the circle who may see the person's care hear what the team says.
    for circle_member in member_selectors.circle_for_receiver(receiver=receiver):
        supporter = circle_member.supporter
        if supporter and circle_member.status == circle_member.Status.ACTIVE and circle_member.can_view_care:
            recipients.setdefault(supporter.email, "")
    recipients.pop(by.email, None)
    author = member_selectors.membership_current_for_user(user=by)
    values = {
        # Their name in the co-op, never their address: the team may not have been given it.
        "author": author.shown_name
        if author is not None
        else _("Someone in %(person)s's circle of support") % {"person": receiver.shown_name},
        "person": receiver.shown_name,
        "body": post.body,
        "team": _team_number(receiver),
    }
    outbox.emails_queue(
        emails=[
            Outgoing(
                kind="matching.noticeboard_post",
                to=address,
                name=name,
                context=values,
                about=f"matching.noticeboard_post:{post.pk}",
            )
            for address, name in sorted(recipients.items())
        ]
    )
    _team_logged(by, "noticeboard_post", receiver, "Posted on the noticeboard of the team")
    return post


def introductions_and_posts_erase(*, user: User) -> dict[str, int]:
    """This app's part of an erasure: the messages of introductions the user was in (either side),
    why someone left a team the user was in (either side) and the noticeboard of their own team.
    Who was introduced to whom, who was in which team, and when, stays: the team's history rests
    on it. The caller holds the transaction and has checked the rules."""
    in_team = Q(receiver__user=user) | Q(member__user=user)
    removed = {
        "introduction_messages": Introduction.objects.filter(Q(receiver__user=user) | Q(supporter__user=user))
        .exclude(message="", decline_reason="")
        .update(message="", decline_reason=""),
        "team_leaving_reasons": TeamMember.objects.filter(in_team)
        .exclude(end_reason="")
        .update(end_reason=""),
        "noticeboard_posts": NoticeboardPost.objects.filter(receiver__user=user).delete()[0],
    }
    TeamMember.history.filter(
        Q(receiver_id__in=user.memberships.values("pk")) | Q(member_id__in=user.memberships.values("pk"))
    ).exclude(end_reason="").update(end_reason="")
    return {kind: count for kind, count in removed.items() if count}
