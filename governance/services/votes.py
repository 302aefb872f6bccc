"""Casting a vote, in person or as a proxy.

Rule 6 (one eligible member, one vote) holds under any concurrency: `Participation` is unique
per member and ballot, so of twenty votes racing for one member the database lets one in. A vote
locks its ballot FOR SHARE and closing locks it FOR UPDATE, so no vote lands after the count.
Rule 7 (secret ballots): the vote row written here carries nothing that joins it to the voter.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.exceptions import ApplicationError, ConflictError, NotAllowedError
from governance.models import (
    Attendance,
    Ballot,
    Eligibility,
    Participation,
    Proxy,
    Vote,
)
from governance.receipts import change_key_hash, receipt_hash, receipt_new
from governance.services.proxies import proxy_emails_cancel, proxy_to_use
from members import selectors as member_selectors
from members.models import Membership, User


def _lock_ballot_for_voting(ballot_id: int) -> Ballot:
    # FOR SHARE: votes do not wait for each other, but closing (FOR UPDATE) waits for every vote
    # in flight, and a vote arriving after the close finds the ballot closed.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM governance_ballot WHERE id = %s FOR SHARE", [ballot_id])
    return Ballot.objects.select_related("meeting").get(pk=ballot_id)


def _checked_vote(ballot: Ballot, choice: str, ranking: Sequence[Any]) -> tuple[str, list[int]]:
    if ballot.kind == Ballot.Kind.MOTION:
        if choice not in ("for", "against", "abstain"):
            message = _("Choose for, against or abstain.")
            raise ApplicationError(message, code="invalid_choice", fields={"choice": [message]})
        return choice, []
    standing = set(ballot.candidates.filter(withdrawn_at__isnull=True).values_list("pk", flat=True))
    try:
        ids = [int(c) for c in ranking]
    except (TypeError, ValueError):
        ids = [-1]
    if any(c not in standing for c in ids) or len(set(ids)) != len(ids) or isinstance(ranking, str):
        message = _("Rank candidates who are standing, each once.")
        raise ApplicationError(message, code="invalid_ranking", fields={"ranking": [message]})
    return "", ids


def vote_cast(
    *,
    ballot: Ballot,
    user: User,
    choice: str = "",
    ranking: Sequence[Any] = (),
    for_member: Membership | None = None,
    receipt: str = "",
    now: datetime | None = None,
) -> str:
    """Cast (or change) a vote, in person or as `for_member`'s proxy, and return its receipt.

    A change in a secret ballot needs the receipt of the vote it replaces: nothing else in the
    database can find that vote. A change gets a new receipt; the old one leaves the list.
    """
    try:
        with transaction.atomic():
            return _vote_cast(ballot.pk, user, choice, ranking, for_member, receipt, now or timezone.now())
    except IntegrityError as error:
        # Another vote for the same member committed first (rule 6).
        raise ConflictError(
            _("A vote has already been recorded for this member."), code="already_voted"
        ) from error


def _vote_cast(
    ballot_id: int,
    user: User,
    choice: str,
    ranking: Sequence[Any],
    for_member: Membership | None,
    receipt: str,
    now: datetime,
) -> str:
    ballot = _lock_ballot_for_voting(ballot_id)
    if ballot.status == Ballot.Status.CLOSED or ballot.closes_at <= now:
        raise ConflictError(_("This ballot has closed: no more votes can be taken."), code="ballot_closed")
    if ballot.status != Ballot.Status.OPEN:
        raise ConflictError(_("This ballot is not open yet."), code="ballot_not_open")
    # Rule 1: only a member votes. The snapshot adds nobody after opening, and a member who has
    # ceased since has no vote left to cast.
    me = member_selectors.membership_current_for_user(user=user)
    if me is None:
        raise NotAllowedError(_("You are not eligible to vote on this ballot."), code="not_eligible")
    proxy = None
    voter = me
    if for_member is not None and for_member.pk != me.pk:
        proxy = proxy_to_use(ballot, for_member, me)
        voter = for_member
        if proxy.instruction and choice != proxy.instruction:
            raise ApplicationError(
                _("%(name)s instructed you to vote “%(choice)s”.")
                % {"name": voter.shown_name, "choice": Proxy.Instruction(proxy.instruction).label},
                code="against_instructions",
            )
    present = Attendance.objects.filter(meeting=ballot.meeting, membership=me)
    if ballot.method == Ballot.Method.AT_MEETING and not present.exists():
        raise NotAllowedError(_("This vote is taken at the meeting: check in first."), code="not_present")
    eligibility = Eligibility.objects.filter(ballot=ballot, membership=voter).first()
    if eligibility is None:
        who = _("This member is") if proxy else _("You are")
        raise NotAllowedError(
            _("%(who)s not eligible to vote on this ballot: those who may vote were fixed when it opened.")
            % {"who": who},
            code="not_eligible",
        )
    choice, ids = _checked_vote(ballot, choice, ranking)
    new_receipt = receipt_new()

    participation = Participation.objects.select_for_update().filter(ballot=ballot, membership=voter).first()
    if participation is not None:
        if not ballot.changes_allowed:
            raise ConflictError(_("A vote on this ballot cannot be changed."), code="already_voted")
        if participation.proxy_id is not None and proxy is None:
            raise ConflictError(
                _("Your proxy has already voted for you on this ballot."), code="voted_by_proxy"
            )
        if proxy is not None and participation.proxy_id is None:
            raise ConflictError(
                _("%(name)s has voted themselves, which cancels their proxy.") % {"name": voter.shown_name},
                code="voted_in_person",
            )
        if ballot.secret:
            if not receipt:
                message = _(
                    "To change a secret vote, give the receipt you were given for it. "
                    "Without it, the vote stands as cast."
                )
                raise ApplicationError(message, code="receipt_needed", fields={"receipt": [message]})
            if participation.change_key_hash != change_key_hash(receipt):
                message = _(
                    "This is not the receipt of the vote cast: check it against the one you kept. "
                    "Without it, the vote stands as cast."
                )
                raise ApplicationError(message, code="receipt_wrong", fields={"receipt": [message]})
            Vote.objects.filter(ballot=ballot, receipt_hash=receipt_hash(receipt)).delete()
        else:
            Vote.objects.filter(ballot=ballot, voter=voter).delete()
        participation.change_key_hash = change_key_hash(new_receipt)
        participation.voted_at, participation.cast_by = now, user
        participation.save(update_fields=["change_key_hash", "voted_at", "cast_by"])
    else:
        with transaction.atomic():
            Participation.objects.create(
                ballot=ballot,
                membership=voter,
                cast_by=user,
                proxy=proxy,
                voted_at=now,
                change_key_hash=change_key_hash(new_receipt),
            )
        if proxy is None:
            # Voting in person cancels a proxy given for this ballot alone (a proxy for the
            # whole meeting stays for its other ballots; this ballot is now voted).
            cancelled = Proxy.objects.live().filter(appointer=voter, ballot=ballot)
            proxy_emails_cancel(proxy_ids=list(cancelled.values_list("pk", flat=True)))
            cancelled.update(revoked_at=now)
    Vote.objects.create(
        ballot=ballot,
        member_class=eligibility.member_class,
        choice=choice,
        ranking=ids,
        receipt_hash=receipt_hash(new_receipt),
        voter=None if ballot.secret else voter,
    )
    return new_receipt
