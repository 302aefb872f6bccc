"""Visits: booked inside a person's team, offered, accepted, delivered, confirmed.

Times are stored in UTC and shown in Europe/London. A worker never holds two accepted visits
that overlap: PostgreSQL refuses it with an exclusion constraint (migration 0002); on the
embedded SQLite, where writes are serialised, the booking services check it.
"""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from carecoop.policies import SingletonPolicy
from members import pricing
from members.models import Membership
from scheduling.bookings import LONGEST


class SchedulingPolicy(SingletonPolicy):
    """The co-op's timings for visits. One row; staff tune it in the admin."""

    offer_expiry_hours = models.PositiveSmallIntegerField(
        _("an unanswered offer expires this many hours before the start"), default=12
    )
    late_cancellation_hours = models.PositiveSmallIntegerField(
        _("a cancellation this many hours or less before the start is late"), default=24
    )
    confirmation_hours = models.PositiveSmallIntegerField(
        _("hours to confirm or query a visit's hours before they are confirmed automatically"), default=48
    )
    horizon_weeks = models.PositiveSmallIntegerField(
        _("weeks ahead that repeating visits are booked"), default=8
    )
    check_in_far_km = models.PositiveSmallIntegerField(
        _("a check-in further than this from the person's postcode is flagged (km)"), default=3
    )
    early_check_out_minutes = models.PositiveSmallIntegerField(
        _("a check-out this many minutes before the end is early: the worker confirms the shorter time"),
        default=15,
    )
    missed_after_minutes = models.PositiveSmallIntegerField(
        _("minutes after the start without a check-in before the team is alerted"), default=15
    )
    unfilled_alert_hours = models.PositiveSmallIntegerField(
        _("hours before the start that an unfilled open visit alerts the team"), default=48
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("scheduling policy")
        verbose_name_plural = _("scheduling policy")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="scheduling_policy_single_row")]

    def __str__(self) -> str:
        return str(_("Scheduling policy"))


class Series(models.Model):
    """A weekly pattern of visits. Its occurrences are booked as visits over a rolling horizon."""

    receiver = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="visit_series")
    # None: each occurrence is an open visit, offered to the whole team.
    worker = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="visit_series_worked"
    )
    weekdays = models.JSONField(_("days"), help_text=_("0 is Monday"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"), help_text=_("Earlier than the start: the next morning."))
    every_weeks = models.PositiveSmallIntegerField(_("every so many weeks"), default=1)
    first_date = models.DateField(_("from"))
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("number of visits"), null=True, blank=True)
    sleep_in = models.BooleanField(_("sleep-in"), default=False)
    tasks = models.JSONField(default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The last day whose occurrences have been booked; the daily task moves it on.
    booked_through = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = _("series")
        constraints = [
            models.CheckConstraint(
                condition=Q(every_weeks__gte=1, every_weeks__lte=8), name="series_every_weeks"
            ),
        ]

    def __str__(self) -> str:
        return f"Series {self.pk} for {self.receiver}"


class VisitQuerySet(models.QuerySet["Visit"]):
    def accepted(self) -> "VisitQuerySet":
        return self.filter(status=Visit.Status.ACCEPTED)

    def between(self, start: datetime, end: datetime) -> "VisitQuerySet":
        """Visits that overlap the span from start to end. A visit lasts at most LONGEST (a
        constraint holds it), so only those starting up to that long before can: saying so lets
        PostgreSQL read a few days of an index, where `ends > start` alone matched every visit
        still to come and it read the whole membership to join them."""
        return self.filter(starts__lt=end, starts__gt=start - LONGEST, ends__gt=start)

    def with_expenses_total(self) -> "VisitQuerySet":
        """Each visit annotated with `expenses_pence`: its expenses not struck, added up in the
        database (0 when none). A subquery, so that it composes with other sums and groupings.
        They count, like the hours, once the hours are confirmed (`hours="confirmed"`)."""
        total = (
            VisitExpense.objects.standing()
            .filter(visit=models.OuterRef("pk"))
            .order_by()
            .values("visit")
            .annotate(total=Sum("amount_pence"))
            .values("total")
        )
        return self.annotate(
            expenses_pence=Coalesce(models.Subquery(total, output_field=models.IntegerField()), 0)
        )


class Visit(models.Model):
    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired unanswered")
        CANCELLED = "cancelled", _("Cancelled")

    class Hours(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        QUERIED = "queried", _("Queried")

    receiver = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="visits_received")
    worker = models.ForeignKey(
        Membership, on_delete=models.PROTECT, null=True, blank=True, related_name="visits_worked"
    )
    is_open = models.BooleanField(_("open to the whole team"), default=False)
    series = models.ForeignKey(Series, on_delete=models.PROTECT, null=True, blank=True, related_name="visits")
    # The day of the pattern this visit stands for, kept when one occurrence is moved.
    series_date = models.DateField(null=True, blank=True)
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    sleep_in = models.BooleanField(_("sleep-in"), default=False)
    tasks = models.JSONField(default=list, blank=True)  # [{"label": "...", "done": false}, ...]
    notes = models.TextField(_("notes for the worker"), blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    # The worker's hourly rate when it was booked (an open visit: when taken): what it is paid at.
    rate_pence = models.PositiveIntegerField(null=True, blank=True)
    # A sleep-in is paid the worker's flat rate for the night, kept as booked (decision 25). None
    # on a sleep-in booked before sleep-in rates: it stays priced by the hour, as it was agreed.
    sleep_in_rate_pence = models.PositiveIntegerField(null=True, blank=True)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    offer_expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True, max_length=500)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(blank=True, max_length=500)
    late_cancellation = models.BooleanField(default=False)
    # Delivery, from the worker's phone.
    checked_in_at = models.DateTimeField(null=True, blank=True)
    check_in_latitude = models.FloatField(null=True, blank=True)
    check_in_longitude = models.FloatField(null=True, blank=True)
    check_in_distance_km = models.FloatField(null=True, blank=True)
    check_in_far = models.BooleanField(default=False)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    visit_note = models.TextField(_("visit note"), blank=True, max_length=5000)
    # The person (or their advocate) confirms the hours or queries them; pay reads confirmed hours.
    hours = models.CharField(max_length=10, choices=Hours.choices, default=Hours.PENDING)
    hours_answered_at = models.DateTimeField(null=True, blank=True)
    hours_answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    query_reason = models.TextField(blank=True, max_length=1000)
    # The minutes that count (what the person pays for and the worker is paid for) when they are
    # not the booked length: a check-out the worker confirmed was early, or hours staff settled.
    worked_minutes = models.PositiveIntegerField(null=True, blank=True)
    # Queried hours settled by staff, with the reason both sides are shown.
    hours_settled_at = models.DateTimeField(null=True, blank=True)
    hours_settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hours_settle_reason = models.TextField(blank=True, max_length=1000, default="", db_default="")

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = VisitQuerySet.as_manager()

    class Meta:
        ordering = ["starts", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=models.F("starts")), name="visit_ends_after_start"),
            # Lets a query for the visits over a span know how far back they can start (`between`).
            models.CheckConstraint(
                condition=Q(ends__lte=models.F("starts") + LONGEST),
                name="visit_at_most_longest",
                violation_error_message=_("A visit lasts at most 12 hours."),
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(worker__isnull=False), name="visit_accepted_has_worker"
            ),
            models.CheckConstraint(
                condition=Q(is_open=True) | Q(worker__isnull=False), name="visit_booked_has_worker"
            ),
            models.UniqueConstraint(
                fields=["series", "series_date"],
                condition=Q(series__isnull=False),
                name="visit_one_per_series_date",
            ),
        ]
        indexes = [
            models.Index(fields=["worker", "starts"], name="visit_worker_starts"),
            models.Index(fields=["receiver", "starts"], name="visit_receiver_starts"),
            models.Index(
                fields=["offer_expires_at"], condition=Q(status="offered"), name="visit_offers_waiting"
            ),
            models.Index(fields=["checked_out_at"], condition=Q(hours="pending"), name="visit_hours_pending"),
            # Staff's queue of queried hours, oldest first: a few rows among a town's visits.
            models.Index(
                fields=["hours_answered_at"], condition=Q(hours="queried"), name="visit_hours_queried"
            ),
            # A worker's today: the open visits of the teams they work in, read team by team
            # rather than by going through every open visit in the town.
            models.Index(
                fields=["receiver", "starts"],
                condition=Q(is_open=True, status="offered"),
                name="visit_open_to_team",
            ),
            # Staff's home counts visits soon unfilled and visits missed: a few rows each, where
            # counting them from all visits read the town's year of them.
            models.Index(fields=["starts"], condition=Q(status="offered"), name="visit_offered_starts"),
            # A worker's today: their accepted visits not yet over, and their visits whose hours
            # wait for the person, each read from these few rows rather than from the worker's
            # every visit since they joined.
            models.Index(
                fields=["worker", "ends"], condition=Q(status="accepted"), name="visit_worker_accepted"
            ),
            models.Index(
                fields=["worker", "starts"],
                condition=Q(hours="pending", checked_out_at__isnull=False),
                name="visit_worker_hours_pending",
            ),
            models.Index(
                fields=["starts"],
                condition=Q(status="accepted", checked_in_at__isnull=True, checked_out_at__isnull=True),
                name="visit_not_checked_in",
            ),
        ]

    def __str__(self) -> str:
        return f"Visit {self.pk} for {self.receiver} at {self.starts:%Y-%m-%d %H:%M}"

    @property
    def duration_minutes(self) -> int:
        return int((self.ends - self.starts).total_seconds() // 60)

    @property
    def counted_minutes(self) -> int:
        """The minutes the money follows: the booked length, unless the hours were counted
        otherwise (an early check-out confirmed, or hours settled)."""
        return self.worked_minutes if self.worked_minutes is not None else self.duration_minutes

    @property
    def is_delivered(self) -> bool:
        return self.checked_out_at is not None

    @property
    def paid_a_night(self) -> bool:
        """A sleep-in at a flat rate for the night (not by the hour)."""
        return self.sleep_in and self.sleep_in_rate_pence is not None

    def cost(self, share: pricing.Share) -> pricing.Cost | None:
        """What the person pays, the worker gets and the co-op keeps, to the penny, for the
        minutes that count, at the rate the visit was booked at (members.pricing). A sleep-in
        costs its night, whatever the minutes, unless the minutes that count are none (settled
        as not having happened): then it costs nothing (decision 25). Expenses are apart."""
        if self.sleep_in_rate_pence is not None and self.sleep_in:
            if self.counted_minutes == 0:
                return pricing.NOTHING
            return pricing.night(self.sleep_in_rate_pence, share)
        if self.rate_pence is None:
            return None
        return pricing.cost_of(rate_pence=self.rate_pence, minutes=self.counted_minutes, share=share)


class VisitExpenseQuerySet(models.QuerySet["VisitExpense"]):
    def standing(self) -> "VisitExpenseQuerySet":
        """Not struck by staff settling a query: what is paid and charged."""
        return self.filter(struck_at__isnull=True)

    def confirmed(self) -> "VisitExpenseQuerySet":
        """Standing, on visits whose hours are confirmed: what reaches statements."""
        return self.standing().filter(visit__hours=Visit.Hours.CONFIRMED)


class VisitExpense(models.Model):
    """Mileage or another expense a worker had on a visit (a bus fare, shopping bought for the
    person), added after the visit while its hours wait for the person's answer, who confirms or
    queries them with the hours. Paid to the worker and charged to the person in full, with no
    co-op share (decision 25). Frozen once the hours are answered; staff settling a query may
    strike one, which is then neither paid nor charged (the row is kept)."""

    class Kind(models.TextChoices):
        MILEAGE = "mileage", _("Mileage")
        OTHER = "other", _("Other expense")

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="expenses")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Mileage only: the miles, paid at the co-op policy's rate a mile when added.
    miles = models.DecimalField(_("miles"), max_digits=4, decimal_places=1, null=True, blank=True)
    # The final amount, in pence: for mileage, worked out when added (members.pricing.mileage).
    amount_pence = models.PositiveIntegerField(_("amount (pence)"))
    note = models.CharField(_("note"), max_length=300)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Struck by staff settling queried hours; the reason is the settlement's.
    struck_at = models.DateTimeField(null=True, blank=True)
    struck_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = VisitExpenseQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="visit_expense_amount_positive"),
            # A backstop: the service refuses well before (£500 an expense, 500 miles).
            models.CheckConstraint(condition=Q(amount_pence__lte=1_000_00), name="visit_expense_amount_cap"),
            models.CheckConstraint(
                condition=Q(kind="mileage", miles__isnull=False, miles__gt=0)
                | Q(kind="other", miles__isnull=True),
                name="visit_expense_miles_for_mileage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.amount_pence}p on visit {self.visit_id}"

    @property
    def is_struck(self) -> bool:
        return self.struck_at is not None


class LateNotice(models.Model):
    """A worker on their way told the person and the team they are running late. Once per visit
    for each lateness: a second "20 minutes late" would only alarm; "30 or more" after "10" says
    something new."""

    class Minutes(models.IntegerChoices):
        TEN = 10, _("About 10 minutes")
        TWENTY = 20, _("About 20 minutes")
        THIRTY = 30, _("30 minutes or more")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="late_notices")
    minutes = models.PositiveSmallIntegerField(_("how late"), choices=Minutes.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "minutes"], name="late_notice_once_per_lateness"),
        ]

    def __str__(self) -> str:
        return f"{self.minutes} minutes late for visit {self.visit_id}"


class Reminder(models.Model):
    """One message due about one visit. A beat task claims the due rows and sends each once."""

    class Kind(models.TextChoices):
        WORKER_DAY_BEFORE = "worker_24h", _("Your visit tomorrow (24 hours before)")
        WORKER_HOUR_BEFORE = "worker_1h", _("Your visit in an hour")
        RECEIVER_EVENING = "receiver_evening", _("Who is coming tomorrow (the evening before)")
        OPEN_UNFILLED = "open_unfilled", _("An open visit nobody has taken (48 hours before)")
        MISSED = "missed", _("A worker has not checked in (15 minutes after the start)")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visit", "kind"], name="reminder_one_per_kind")]
        indexes = [models.Index(fields=["due_at"], condition=Q(sent_at__isnull=True), name="reminder_due")]

    def __str__(self) -> str:
        return f"{self.kind} for visit {self.visit_id} at {self.due_at:%Y-%m-%d %H:%M}"


class VisitEvent(models.TextChoices):
    """What happened to a visit, told to the people it concerns as it happens."""

    OFFERED = "visit_offered", _("Visits offered to me")
    ACCEPTED = "visit_accepted", _("Visits accepted")
    DECLINED = "visit_declined", _("Visits declined")
    CANCELLED = "visit_cancelled", _("Visits cancelled")
    DELIVERED = "visit_delivered", _("Visits finished, hours to confirm")
    CHECK_IN_FAR = "check_in_far", _("Check-ins far from home")
    HOURS_QUERIED = "hours_queried", _("Hours queried")
    HOURS_SETTLED = "hours_settled", _("Queried hours settled")
    EXPENSE_ADDED = "expense_added", _("Expenses added to a visit, to confirm with the hours")
    RUNNING_LATE = "running_late", _("A worker running late for a visit")


# Every kind of notification, as people choose which come by email: reminders, then events.
NOTIFICATION_KINDS = [*Reminder.Kind.choices, *VisitEvent.choices]


class Notification(models.Model):
    """A message in someone's in-app list; some also go by email (through the outbox, written in
    the same transaction), as each person chooses."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NOTIFICATION_KINDS)
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reminder = models.ForeignKey(Reminder, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_recent"),
            # The menu counts the unread on every page: an index of only the unread keeps it small.
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="notification_unread"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EmailChoice(models.Model):
    """A kind of reminder someone chose not to get by email (they still see it in the app)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=NOTIFICATION_KINDS)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="email_choice_once")]

    def __str__(self) -> str:
        return f"No email for {self.kind}"


class CalendarFeed(models.Model):
    """A private iCal address for one person's visits. Only a hash of its secret is kept;
    making a new address revokes the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed of user {self.user_id}"


class ClosedMonth(models.Model):
    """A month whose statements are final (decision 22). Closing writes every member's statement
    for it; nothing in a closed month's statements changes after: a visit confirmed later, or a
    correction, appears on the next statement as an adjustment. Months close in order."""

    month = models.DateField(_("month"), unique=True, help_text=_("Its first day."))
    closed_at = models.DateTimeField(default=timezone.now)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-month"]
        constraints = [models.CheckConstraint(condition=Q(month__day=1), name="closed_month_first_day")]

    def __str__(self) -> str:
        return f"{self.month:%B %Y}"


class StatementSide(models.TextChoices):
    """Whose statement: the person getting support pays for visits, the worker is paid for them."""

    PERSON = "person", _("Person getting support")
    WORKER = "worker", _("Worker")


class Statement(models.Model):
    """One member's statement for a closed month, as it was when the month closed: the figures
    are kept, not worked out again, so a later change of policy or rate cannot alter them."""

    member = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="statements")
    month = models.ForeignKey(ClosedMonth, on_delete=models.PROTECT, related_name="statements")
    side = models.CharField(max_length=6, choices=StatementSide.choices)
    visits = models.PositiveIntegerField(default=0)
    minutes = models.IntegerField(default=0)
    # The person: what they were charged; the worker: what they earned.
    amount_pence = models.IntegerField(default=0)
    coop_pence = models.IntegerField(default=0)
    expenses_pence = models.IntegerField(default=0)
    total_pence = models.IntegerField(default=0)

    class Meta:
        ordering = ["month", "side"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "month", "side"], name="statement_one_per_member_month_side"
            ),
            models.CheckConstraint(
                condition=Q(total_pence=models.F("amount_pence") + models.F("expenses_pence")),
                name="statement_total_is_its_sum",
            ),
        ]
        indexes = [models.Index(fields=["month", "side"], name="statement_month_side")]

    def __str__(self) -> str:
        return f"{self.get_side_display()} statement of {self.member} for {self.month}"


class StatementLine(models.Model):
    """A visit on a closed statement. A visit is on one statement of each side, once: the
    database refuses a second line (so closing a month twice, or a visit counted twice, cannot
    pay or charge it twice)."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    side = models.CharField(max_length=6, choices=StatementSide.choices)
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="+")
    # Confirmed after its month had closed: shown as an adjustment on the next statement.
    late = models.BooleanField(default=False)
    starts = models.DateTimeField()
    other = models.CharField(max_length=200, help_text=_("The worker, or the person visited."))
    minutes = models.IntegerField()
    amount_pence = models.IntegerField()
    coop_pence = models.IntegerField()
    expenses_pence = models.IntegerField(default=0)

    class Meta:
        ordering = ["late", "starts"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "side"], name="statement_line_visit_once_a_side")
        ]

    def __str__(self) -> str:
        return f"Visit {self.visit_id} on statement {self.statement_id}"
