"""General meetings, motions, ballots, votes and proxies.

The rules that must hold whatever the code does are constraints here: one vote per member per
ballot (rule 6), one proxy per member per meeting or ballot, nobody seconding their own motion.
A secret ballot's `Vote` rows carry no voter, no time and no ordered key (rule 7): who voted is
kept in `Participation`, apart from what was chosen. See docs/decisions/0016-meetings-and-ballots.md.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecoop.policies import SingletonPolicy
from members.models import Membership

CHECK_IN_OPENS_BEFORE = timedelta(minutes=30)


class SeatClass(models.TextChoices):
    """The board's seats are shared between these groups of member classes."""

    RECEIVERS = "receivers", _("People getting support and their advocates")
    WORKERS = "workers", _("Workers")
    INVESTORS = "investors", _("Investors")


SEAT_CLASS_MEMBERS: dict[str, tuple[str, ...]] = {
    SeatClass.RECEIVERS: ("receiver", "advocate"),
    SeatClass.WORKERS: ("worker",),
    SeatClass.INVESTORS: ("investor",),
}


class Weighting(models.TextChoices):
    ONE_MEMBER_ONE_VOTE = "one_member_one_vote", _("One member, one vote (no class limit)")
    CLASS_CAP = "class_cap", _("One member, one vote, with the investors' share capped")
    CLASS_SHARES = "class_shares", _("Fixed shares of the vote for each class")


class GovernancePolicy(SingletonPolicy):
    """The numbers of the society's registered rules about meetings and votes, which staff keep in
    step with the rules. One row (pk=1); every change is kept in its history."""

    notice_clear_days = models.PositiveSmallIntegerField(
        _("clear days' notice of a general meeting"),
        default=14,
        help_text=_("Not counting the day the notice goes out or the day of the meeting."),
    )
    requisition_percent = models.PositiveSmallIntegerField(
        _("members needed to requisition a meeting (% of members)"), default=10
    )
    requisition_max_signatures = models.PositiveIntegerField(
        _("…or this many members, if fewer"), default=100
    )
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (% of members)"), default=10)
    quorum_max_members = models.PositiveIntegerField(_("…or this many members, if fewer"), default=20)
    quorum_counts_proxies = models.BooleanField(
        _("members represented by a proxy count towards the quorum"), default=True
    )
    max_proxies = models.PositiveSmallIntegerField(_("most proxies one person may hold"), default=5)
    weighting = models.CharField(
        _("how votes are weighted"), max_length=20, choices=Weighting.choices, default=Weighting.CLASS_CAP
    )
    investor_cap_percent = models.PositiveSmallIntegerField(
        _("most of the voting strength the investors may hold (%)"), default=10
    )
    share_receivers_percent = models.PositiveSmallIntegerField(
        _("fixed share: people getting support and advocates (%)"), default=50
    )
    share_workers_percent = models.PositiveSmallIntegerField(_("fixed share: workers (%)"), default=50)
    share_investors_percent = models.PositiveSmallIntegerField(_("fixed share: investors (%)"), default=0)
    seats_receivers = models.PositiveSmallIntegerField(
        _("board seats: people getting support and advocates"), default=5
    )
    seats_workers = models.PositiveSmallIntegerField(_("board seats: workers"), default=5)
    seats_investors = models.PositiveSmallIntegerField(_("board seats: investors"), default=2)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting and voting rules")
        verbose_name_plural = _("meeting and voting rules")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="governance_policy_single_row"),
            models.CheckConstraint(
                condition=Q(requisition_percent__gte=1, requisition_percent__lte=100),
                name="governance_policy_requisition_percent",
            ),
            models.CheckConstraint(
                condition=Q(quorum_percent__gte=1, quorum_percent__lte=100),
                name="governance_policy_quorum_percent",
            ),
            models.CheckConstraint(
                condition=Q(investor_cap_percent__gte=1, investor_cap_percent__lte=99),
                name="governance_policy_investor_cap",
            ),
            models.CheckConstraint(
                condition=Q(
                    share_receivers_percent__lte=100,
                    share_workers_percent__lte=100,
                    share_investors_percent__lte=100,
                )
                & Q(share_receivers_percent=100 - F("share_workers_percent") - F("share_investors_percent")),
                name="governance_policy_shares_add_up",
            ),
            models.CheckConstraint(condition=Q(max_proxies__gte=1), name="governance_policy_max_proxies"),
        ]

    def __str__(self) -> str:
        return str(_("Meeting and voting rules"))

    def seats_for(self, seat_class: str) -> int:
        return int(getattr(self, f"seats_{seat_class}"))


# --- Meetings -----------------------------------------------------------------------------------


class Requisition(models.Model):
    """Members asking for a general meeting. It is met when enough members sign; the secretary
    then calls the meeting it asks for."""

    purpose = models.TextField(_("what the meeting is for"))
    opened_by = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    met_at = models.DateTimeField(null=True, blank=True)
    signatures_needed = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-opened_at", "-pk"]

    def __str__(self) -> str:
        return self.purpose[:60]


class RequisitionSignature(models.Model):
    requisition = models.ForeignKey(Requisition, on_delete=models.CASCADE, related_name="signatures")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["requisition", "membership"], name="requisition_signed_once")
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} signed {self.requisition_id}"


class Meeting(models.Model):
    class Kind(models.TextChoices):
        AGM = "agm", _("Annual general meeting")
        GENERAL = "general", _("General meeting")

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("In person and online")

    kind = models.CharField(_("kind of meeting"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    format = models.CharField(_("where it happens"), max_length=10, choices=Format.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.TextField(_("place"), blank=True)
    online_link = models.URLField(_("link to join online"), blank=True)
    agenda = models.TextField(_("agenda"))
    requisition = models.OneToOneField(
        Requisition, on_delete=models.PROTECT, null=True, blank=True, related_name="meeting"
    )
    chair = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("chair")
    )
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    called_at = models.DateTimeField(default=timezone.now)
    # When its details were last corrected and the amended notice sent to every member.
    notice_amended_at = models.DateTimeField(null=True, blank=True)
    members_at_notice = models.PositiveIntegerField(default=0, editable=False)

    history = HistoricalRecords(excluded_fields=["members_at_notice"])

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_start"),
            models.CheckConstraint(
                condition=Q(format="online") | ~Q(place=""), name="meeting_in_person_has_place"
            ),
            models.CheckConstraint(
                condition=Q(format="in_person") | ~Q(online_link=""), name="meeting_online_has_link"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def in_session(self, at: datetime | None = None) -> bool:
        """Whether members can check in: from half an hour before the start until the end."""
        now = at or timezone.now()
        return self.starts_at - CHECK_IN_OPENS_BEFORE <= now < self.ends_at


class MeetingNotice(models.Model):
    """The notice of a meeting given to one member, at this address: the record that every member
    was told. The email itself leaves through the outbox (carecoop.Email), written with it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notices")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    email = models.EmailField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "membership"], name="meeting_notice_once"),
        ]

    def __str__(self) -> str:
        return f"Notice of {self.meeting_id} to {self.membership_id}"


class MeetingDocument(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="meetings/%Y/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Minutes(models.Model):
    """The minutes of a meeting, approved (and then fixed) at a later meeting."""

    meeting = models.OneToOneField(Meeting, on_delete=models.PROTECT, related_name="minutes")
    text = models.TextField(_("minutes"))
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    approved_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="minutes_approved"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("minutes")
        constraints = [
            models.CheckConstraint(
                condition=~Q(approved_at_meeting=F("meeting")), name="minutes_approved_at_another_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}"


class Attendance(models.Model):
    class How(models.TextChoices):
        ONLINE = "online", _("Checked in online")
        IN_ROOM = "in_room", _("Marked present in the room")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    how = models.CharField(max_length=10, choices=How.choices)
    present_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["present_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "membership"], name="attendance_once_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} at {self.meeting_id}"


# --- Motions ------------------------------------------------------------------------------------


class Majority(models.TextChoices):
    ORDINARY = "ordinary", _("Ordinary resolution (more than half of the votes cast)")
    SPECIAL = "special", _("Special resolution (at least three quarters of the votes cast)")


class Motion(models.Model):
    class Status(models.TextChoices):
        AWAITING_SECONDER = "awaiting_seconder", _("Waiting for a seconder")
        TABLED = "tabled", _("Proposed and seconded")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CARRIED = "carried", _("Carried")
        LOST = "lost", _("Lost")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="motions")
    title = models.CharField(_("title"), max_length=200)
    majority = models.CharField(_("kind of resolution"), max_length=10, choices=Majority.choices)
    amends = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amendments"
    )
    by_board = models.BooleanField(_("proposed by the board"), default=False)
    proposer = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seconder = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(by_board=True, proposer__isnull=True, seconder__isnull=True)
                | Q(by_board=False, proposer__isnull=False),
                name="motion_by_board_or_a_member",
            ),
            models.CheckConstraint(
                condition=Q(seconder__isnull=True) | ~Q(seconder=F("proposer")),
                name="motion_not_seconded_by_proposer",
            ),
            models.CheckConstraint(
                condition=~Q(status="awaiting_seconder") | Q(seconder__isnull=True, by_board=False),
                name="motion_awaiting_has_no_seconder",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["awaiting_seconder", "withdrawn"])
                | Q(by_board=True)
                | Q(seconder__isnull=False),
                name="motion_tabled_is_seconded",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MotionVersion(models.Model):
    """The text of a motion. A change is a new version; versions are never edited."""

    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(_("text"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["motion", "number"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "number"], name="motion_version_number_once")
        ]

    def __str__(self) -> str:
        return f"{self.motion_id} v{self.number}"


# --- Ballots ------------------------------------------------------------------------------------


class Ballot(models.Model):
    class Kind(models.TextChoices):
        MOTION = "motion", _("A motion: for, against or abstain")
        ELECTION = "election", _("A board election: rank the candidates")

    class Method(models.TextChoices):
        ONLINE = "online", _("Online, open to every eligible member until it closes")
        AT_MEETING = "at_meeting", _("At the meeting: members present and proxies")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Not open yet")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="ballots"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    method = models.CharField(max_length=12, choices=Method.choices, default=Method.ONLINE)
    motion = models.ForeignKey(
        Motion, on_delete=models.PROTECT, null=True, blank=True, related_name="ballots"
    )
    seat_class = models.CharField(max_length=10, choices=SeatClass.choices, blank=True)
    seats = models.PositiveSmallIntegerField(default=0)
    secret = models.BooleanField(_("secret ballot"), default=True)
    changes_allowed = models.BooleanField(_("a vote may be changed until the ballot closes"), default=True)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Fixed when the ballot opens, so a change of the rules during a vote does not change it.
    weighting = models.JSONField(default=dict, blank=True)
    majority = models.CharField(max_length=10, choices=Majority.choices, blank=True)
    eligible_count = models.PositiveIntegerField(default=0)
    # Counted once, at close: the figures every results page and export shows.
    result = models.JSONField(null=True, blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords(excluded_fields=["result"])

    class Meta:
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="ballot_closes_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(kind="motion", motion__isnull=False, seat_class="")
                | Q(kind="election", motion__isnull=True, seats__gte=1) & ~Q(seat_class=""),
                name="ballot_motion_or_election",
            ),
            models.CheckConstraint(
                condition=Q(method="online") | Q(meeting__isnull=False), name="ballot_at_meeting_has_meeting"
            ),
            models.UniqueConstraint(
                fields=["motion"], condition=Q(motion__isnull=False), name="ballot_one_per_motion"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="candidates")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    statement = models.TextField(_("statement"))
    stood_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["ballot", "membership"], name="candidate_stands_once")]

    def __str__(self) -> str:
        return f"{self.membership_id} in {self.ballot_id}"


class Eligibility(models.Model):
    """The members who may vote on a ballot, fixed when it opens (rule 6)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="eligibility")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="+")
    member_class = models.CharField(max_length=20)

    class Meta:
        verbose_name_plural = _("eligibility")
        constraints = [models.UniqueConstraint(fields=["ballot", "membership"], name="eligible_once")]

    def __str__(self) -> str:
        return f"{self.membership_id} may vote in {self.ballot_id}"


class ProxyQuerySet(models.QuerySet["Proxy"]):
    """Every question about which proxies count is asked through these, so that the vote, the
    ballot page, the quorum and the lists agree on it."""

    def live(self) -> "ProxyQuerySet":
        """Not cancelled."""
        return self.filter(revoked_at__isnull=True)

    def for_ballot(self, ballot: "Ballot") -> "ProxyQuerySet":
        """Live proxies that may vote on this ballot: given for it, or for its whole meeting."""
        scope = Q(ballot=ballot)
        if ballot.meeting_id is not None:
            scope |= Q(meeting_id=ballot.meeting_id)
        return self.live().filter(scope)

    def for_meeting(self, meeting: "Meeting") -> "ProxyQuerySet":
        """Live proxies at this meeting: given for it, or for one of its ballots."""
        return self.live().filter(Q(meeting=meeting) | Q(ballot__meeting=meeting))

    def held_by(self, members: models.QuerySet[Membership]) -> "ProxyQuerySet":
        """Proxies named to one of `members`, or to the chair of a meeting one of them chairs."""
        return self.filter(
            Q(holder__in=members)
            | Q(to_chair=True, meeting__chair__in=members)
            | Q(to_chair=True, ballot__meeting__chair__in=members)
        )

    def held_by_chair(self, meeting: "Meeting") -> "ProxyQuerySet":
        """Proxies the chair of `meeting` holds: given to the chair, or named to whoever chairs."""
        held = Q(to_chair=True)
        if meeting.chair_id is not None:
            held |= Q(holder_id=meeting.chair_id)
        return self.filter(held)

    def in_force(self, now: datetime) -> "ProxyQuerySet":
        """Proxies not cancelled, for a meeting not yet over or a ballot not yet closed."""
        return self.filter(revoked_at__isnull=True).filter(
            Q(meeting__ends_at__gt=now) | (Q(ballot__isnull=False) & ~Q(ballot__status=Ballot.Status.CLOSED))
        )


class Proxy(models.Model):
    """A member's appointment of another member, or of the chair, to vote for them at a meeting
    (every ballot of it) or on one ballot."""

    class Instruction(models.TextChoices):
        DISCRETION = "", _("As the proxy thinks best")
        FOR = "for", _("Vote for")
        AGAINST = "against", _("Vote against")
        ABSTAIN = "abstain", _("Abstain")

    appointer = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="proxies_given")
    holder = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="proxies_held"
    )
    to_chair = models.BooleanField(_("the chair of the meeting"), default=False)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="proxies"
    )
    ballot = models.ForeignKey(
        Ballot, on_delete=models.PROTECT, null=True, blank=True, related_name="proxies"
    )
    instruction = models.CharField(max_length=10, choices=Instruction.choices, blank=True)
    instructions_text = models.TextField(_("instructions"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ProxyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = _("proxies")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(meeting__isnull=True) ^ Q(ballot__isnull=True), name="proxy_for_meeting_or_ballot"
            ),
            models.CheckConstraint(
                condition=Q(holder__isnull=True, to_chair=True) | Q(holder__isnull=False, to_chair=False),
                name="proxy_member_or_chair",
            ),
            models.CheckConstraint(condition=~Q(holder=F("appointer")), name="proxy_not_oneself"),
            models.UniqueConstraint(
                fields=["appointer", "meeting"],
                condition=Q(revoked_at__isnull=True, meeting__isnull=False),
                name="proxy_one_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["appointer", "ballot"],
                condition=Q(revoked_at__isnull=True, ballot__isnull=False),
                name="proxy_one_per_ballot",
            ),
        ]

    def __str__(self) -> str:
        return f"Proxy of {self.appointer_id}"

    @staticmethod
    def applying(proxies: "Iterable[Proxy]") -> "Proxy | None":
        """Of one member's live proxies for a ballot, the one that votes: one given for the ballot
        itself wins over one for its whole meeting; else the first given."""
        ordered = sorted(proxies, key=lambda p: (p.ballot_id is None, p.created_at, p.pk))
        return ordered[0] if ordered else None

    def is_held_by(self, member: Membership) -> bool:
        """Named to `member`, or to the chair of the meeting when `member` chairs it."""
        if self.holder_id == member.pk:
            return True
        meeting = self.meeting if self.meeting_id else (self.ballot.meeting if self.ballot else None)
        return self.to_chair and meeting is not None and meeting.chair_id == member.pk


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
