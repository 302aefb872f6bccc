"""Who voted (Participation) and what was chosen (Vote), kept apart (rule 7)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models.ballots import Ballot
from governance.models.proxies import Proxy
from members.models import Membership


class Participation(models.Model):
    """That a member voted on a ballot, in person or by proxy: never what they chose.

    One row per member per ballot, by constraint: a second vote cannot be counted whatever the
    code does. `change_key_hash` is a hash of the receipt under another prefix than the vote's:
    with the receipt the voter can change their vote; without it the two rows cannot be joined.
    """

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="participations")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proxy = models.ForeignKey(Proxy, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    voted_at = models.DateTimeField(default=timezone.now)
    change_key_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ballot", "membership"], name="one_vote_per_member")]

    def __str__(self) -> str:
        return f"{self.membership_id} voted in {self.ballot_id}"


def _vote_key() -> uuid.UUID:
    return uuid.uuid4()


class Vote(models.Model):
    """A vote. In a secret ballot it has no voter, no time and a random key, so nothing in it
    joins it to the Participation of whoever cast it; `member_class` is kept because results are
    shown per class. `receipt_hash` is published, so a voter can see their vote was counted."""

    id = models.UUIDField(primary_key=True, default=_vote_key, editable=False)
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes")
    member_class = models.CharField(max_length=20)
    choice = models.CharField(max_length=10, blank=True)
    # Candidate ids, first preference first (election ballots).
    ranking = models.JSONField(default=list, blank=True)
    receipt_hash = models.CharField(max_length=64, unique=True)
    # Named ballots only (procedural votes): who cast it.
    voter = models.ForeignKey(Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(choice__in=["for", "against", "abstain"]) | Q(choice=""), name="vote_known_choice"
            ),
            models.UniqueConstraint(
                fields=["ballot", "voter"], condition=Q(voter__isnull=False), name="named_vote_once"
            ),
        ]
        indexes = [models.Index(fields=["ballot", "member_class", "choice"], name="vote_tally")]

    def __str__(self) -> str:
        return f"Vote in {self.ballot_id}"


class VotingChanges(models.Model):
    """One row counting the statements that changed what decides whose vote a ballot waits for:
    ballots, their lists of voters, who voted, proxies, attendance, meetings, members and their
    names. PostgreSQL triggers count them (bulk writes included, which Django's signals miss),
    inside the writing transaction, so a reader sees a new count only with the change itself.
    The ballots waiting for a member are kept in the cache under the count they were worked out
    at (governance.selectors.ballots)."""

    count = models.BigIntegerField(default=0)

    class Meta:
        verbose_name_plural = _("voting changes")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="voting_changes_single_row")]

    def __str__(self) -> str:
        return f"{self.count} changes"
