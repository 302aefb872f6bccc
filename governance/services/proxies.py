"""Proxies: appointed for a meeting or one ballot, at most five held by anyone (locked rows)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop import outbox
from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from governance.models import (
    Ballot,
    Eligibility,
    GovernancePolicy,
    Meeting,
    Participation,
    Proxy,
)
from governance.services.common import membership_of
from members import selectors as member_selectors
from members.models import Membership, User


@transaction.atomic
def proxy_appoint(
    *,
    user: User,
    holder: Membership | None = None,
    to_chair: bool = False,
    meeting: Meeting | None = None,
    ballot: Ballot | None = None,
    instruction: str = "",
    instructions_text: str = "",
    now: datetime | None = None,
) -> Proxy:
    """Appoint a member, or the chair, to vote for you at a meeting or on one ballot. A new
    appointment for the same meeting or ballot replaces the old one."""
    now = now or timezone.now()
    appointer = membership_of(user)
    if (meeting is None) == (ballot is None):
        raise ApplicationError(_("Choose the meeting or the ballot the proxy is for."), code="proxy_scope")
    if (holder is None) == (not to_chair):
        raise ApplicationError(
            _("Choose a member, or the chair, as your proxy."),
            code="proxy_holder",
            fields={"holder": [_("Choose a member, or the chair.")]},
        )
    if holder is not None:
        if holder.pk == appointer.pk:
            raise ApplicationError(
                _("You cannot be your own proxy."),
                code="proxy_self",
                fields={"holder": [_("Choose someone else.")]},
            )
        if not member_selectors.membership_can_participate(membership=holder):
            raise ApplicationError(
                _("A proxy must be a current member."),
                code="holder_not_member",
                fields={"holder": [_("Not a current member.")]},
            )
    meeting_of: Meeting | None = None
    if ballot is not None:
        ballot = Ballot.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=ballot.pk)
        if ballot.status == Ballot.Status.CLOSED or ballot.closes_at <= now:
            raise ConflictError(_("This ballot has closed."), code="ballot_closed")
        if ballot.status == Ballot.Status.OPEN:
            if not Eligibility.objects.filter(ballot=ballot, membership=appointer).exists():
                raise NotAllowedError(_("You are not eligible to vote on this ballot."), code="not_eligible")
            if Participation.objects.filter(ballot=ballot, membership=appointer).exists():
                raise ConflictError(_("You have already voted on this ballot."), code="already_voted")
        if instruction and ballot.kind != Ballot.Kind.MOTION:
            raise ApplicationError(
                _("Instructions for, against or abstain are for motions."),
                code="instruction_not_for_election",
            )
        meeting_of = ballot.meeting
    elif meeting is not None:
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.ends_at <= now:
            raise ConflictError(_("This meeting is over."), code="meeting_over")
        if instruction:
            raise ApplicationError(
                _("For a whole meeting, write instructions; for, against or abstain is given per ballot."),
                code="instruction_needs_ballot",
            )
        meeting_of = meeting
    if instruction not in Proxy.Instruction.values:
        raise ApplicationError(
            _("Choose an instruction."), code="invalid", fields={"instruction": [_("Choose one.")]}
        )
    if to_chair and meeting_of is None:
        raise ApplicationError(_("An online ballot has no chair: choose a member."), code="no_chair")
    instructions_text = (instructions_text or "").strip()[:2000]

    # Serialise appointments to the same person (or the chair of the same meeting), so two at
    # once cannot both take the last place.
    if meeting_of is not None:
        Meeting.objects.select_for_update().filter(pk=meeting_of.pk).first()
    if holder is not None:
        Membership.objects.select_for_update().filter(pk=holder.pk).first()
    scope = (
        Proxy.objects.for_ballot(ballot)
        if ballot is not None
        else Proxy.objects.for_meeting(meeting)
        if meeting is not None
        else Proxy.objects.none()  # one of the two was given: checked first of all
    )
    if to_chair and meeting_of is not None:
        held = scope.held_by_chair(meeting_of)
    else:
        held = scope.held_by(Membership.objects.filter(pk__in=[holder.pk] if holder else []))
    replaced = Proxy.objects.live().filter(appointer=appointer, meeting=meeting, ballot=ballot)
    # Changing the instructions to the same holder is not news by email, once they have been told:
    # the page shows them. A replaced proxy's holder not yet told is not told of it; the same holder
    # not yet told is told of the new one instead.
    same_holder = holder is not None and replaced.filter(holder=holder).exists()
    untold = outbox.emails_cancel(about=[_about(pk) for pk in replaced.values_list("pk", flat=True)])
    replaced.update(revoked_at=now)
    max_proxies = GovernancePolicy.current().max_proxies
    held_count = held.exclude(appointer=appointer).values("appointer").distinct().count()
    if held_count >= max_proxies:
        who = _("The chair") if to_chair else holder.shown_name  # type: ignore[union-attr]
        message = _("%(who)s already holds %(n)s proxies, the most anyone may hold.") % {
            "who": who,
            "n": max_proxies,
        }
        raise ConflictError(message, code="proxy_limit", fields={"holder": [message]})
    proxy = Proxy.objects.create(
        appointer=appointer,
        holder=holder,
        to_chair=to_chair,
        meeting=meeting,
        ballot=ballot,
        instruction=instruction,
        instructions_text=instructions_text,
        created_at=now,
    )
    # The member named is told by email; the chair sees the proxies on the meeting's page.
    if holder is not None and (not same_holder or untold):
        _holder_email_queue(proxy, holder=holder, ballot=ballot, meeting=meeting)
    return proxy


def _about(proxy_id: int) -> str:
    return f"governance.proxy:{proxy_id}"


def proxy_emails_cancel(*, proxy_ids: list[int]) -> None:
    """The holders of these proxies, cancelled before they were told, are not told now."""
    outbox.emails_cancel(about=[_about(pk) for pk in proxy_ids])


def _holder_email_queue(
    proxy: Proxy, *, holder: Membership, ballot: Ballot | None, meeting: Meeting | None
) -> None:
    """Tell the member named that they hold this proxy: once, and only while it is news. The
    email is written from the proxy as it stands when it goes (governance/emails.py): not at all
    if by then it is cancelled, replaced, or its meeting over or ballot closed."""
    holder = Membership.objects.select_related("user", "profile").get(pk=holder.pk)
    context: dict[str, object] = {
        "proxy": proxy.pk,
        "appointer": proxy.appointer.shown_name,
        "instruction": proxy.get_instruction_display() if proxy.instruction else "",
        "instructions_text": proxy.instructions_text,
    }
    if ballot is None and meeting is None:
        return  # a proxy is for a ballot or a meeting: the model's constraint says so
    outbox.email_queue(
        kind="governance.proxy_held",
        to=holder.user.email,
        name=holder.shown_name,
        context=context,
        about=_about(proxy.pk),
    )


@transaction.atomic
def proxy_revoke(*, proxy: Proxy, user: User, now: datetime | None = None) -> Proxy:
    proxy = Proxy.objects.select_for_update(of=("self",)).select_related("appointer").get(pk=proxy.pk)
    # Not staff either: cancelling a proxy can take away a member's vote, so only they may.
    if proxy.appointer.user_id != user.pk:
        raise NotAllowedError(_("Only the member who appointed a proxy can cancel it."), code="not_appointer")
    if proxy.revoked_at is None:
        proxy.revoked_at = now or timezone.now()
        proxy.save(update_fields=["revoked_at"])
        # Cancelled before the holder was told: there is nothing to tell them.
        outbox.emails_cancel(about=_about(proxy.pk))
    return proxy


def proxy_to_use(ballot: Ballot, appointer: Membership, holder: Membership) -> Proxy:
    """The appointer's proxy for this ballot (one for the ballot itself wins over one for the
    whole meeting), if `holder` holds it; and within the most anyone may hold."""
    proxy = Proxy.applying(
        Proxy.objects.for_ballot(ballot)
        .filter(appointer=appointer)
        .select_related("meeting", "ballot__meeting")
    )
    if proxy is None or not proxy.is_held_by(holder):
        raise NotAllowedError(_("You do not hold this member's proxy for this ballot."), code="no_proxy")
    held = list(
        Proxy.objects.for_ballot(ballot)
        .held_by(Membership.objects.filter(pk=holder.pk))
        .order_by("created_at", "pk")
        .values_list("appointer_id", flat=True)
    )
    most = GovernancePolicy.current().max_proxies
    firsts = list(dict.fromkeys(held))[:most]
    # Proxy votes already cast on this ballot count too, even if those proxies were cancelled or
    # moved since: otherwise a freed place could be filled and used again on the same ballot.
    used = set(
        Participation.objects.filter(ballot=ballot, cast_by_id=holder.user_id, proxy__isnull=False)
        .exclude(membership=appointer)
        .values_list("membership_id", flat=True)
    )
    if appointer.pk not in firsts or len(used) >= most:
        raise ConflictError(
            _("You hold more proxies than anyone may: this one cannot be used."), code="proxy_over_limit"
        )
    return proxy
