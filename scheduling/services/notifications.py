"""Telling people: notifications in the app, their emails, and reminders planned per visit."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from carecoop import outbox
from carecoop.money import pounds
from carecoop.outbox import Outgoing
from matching import selectors as matching_selectors
from members import selectors as member_selectors
from members.models import User
from scheduling.bookings import LONDON, local_datetime, weekly_pattern
from scheduling.models import (
    NOTIFICATION_KINDS,
    EmailChoice,
    LateNotice,
    Notification,
    Reminder,
    SchedulingPolicy,
    Series,
    Visit,
    VisitEvent,
    VisitExpense,
)
from scheduling.services.rules import refuse


def _when(visit: Visit) -> str:
    return f"{visit.starts.astimezone(LONDON):%A %-d %B, %H:%M}"


class _Audience:
    """Who hears about a person's visits: the person and their circle (with the power to book or
    to see their care), the workers in their team, and staff. Read once for all the visits of a
    batch, however many messages it sends."""

    def __init__(self, visits: Iterable[Visit]) -> None:
        self._receivers = {visit.receiver_id for visit in visits}
        self._circles: dict[int, list[User]] | None = None
        self._workers: dict[int, list[User]] | None = None
        self._staff: list[User] | None = None

    def receiver_side(self, visit: Visit) -> list[User]:
        if self._circles is None:
            self._circles = member_selectors.circle_supporters_for(
                receiver_ids=self._receivers, powers=("can_book", "can_view_care")
            )
        return [visit.receiver.user, *self._circles[visit.receiver_id]]

    def team_workers(self, visit: Visit) -> list[User]:
        if self._workers is None:
            self._workers = matching_selectors.team_workers_for(receiver_ids=self._receivers)
        return list(self._workers[visit.receiver_id])

    def staff(self) -> list[User]:
        if self._staff is None:
            self._staff = list(User.objects.filter(is_staff=True, is_active=True))
        return list(self._staff)


def _receiver_side_users(visit: Visit) -> list[User]:
    return _Audience([visit]).receiver_side(visit)


def _team_workers(visit: Visit) -> list[User]:
    return _Audience([visit]).team_workers(visit)


def _staff() -> list[User]:
    return _Audience([]).staff()


@dataclass
class _Message:
    users: Iterable[User]
    kind: str
    visit: Visit
    title: str
    body: str = ""
    reminder: Reminder | None = None


def _notify_all(messages: list[_Message]) -> None:
    """An in-app notification for each person a message is for, written now, in the caller's
    transaction. Those who did not turn this kind off are owed an email too, in the same
    transaction: the outbox sends it once the transaction commits."""
    recipients = [
        (message, {user.pk: user for user in message.users if user is not None}) for message in messages
    ]
    everyone = {pk for _message, users in recipients for pk in users}
    muted = set(
        EmailChoice.objects.filter(
            user__in=everyone, kind__in={message.kind for message in messages}
        ).values_list("kind", "user_id")
    )
    pairs = [(message, user) for message, users in recipients for user in users.values()]
    created = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                kind=message.kind,
                visit=message.visit,
                reminder=message.reminder,
                title=Truncator(message.title).chars(200),
                body=message.body,
            )
            for message, user in pairs
        ]
    )
    emailed = [
        (notification, user)
        for notification, (message, user) in zip(created, pairs, strict=True)
        if user.email and (message.kind, user.pk) not in muted
    ]
    if not emailed:
        return
    names = member_selectors.member_names_for(user_ids={user.pk for _n, user in emailed})
    outbox.emails_queue(
        emails=[
            Outgoing(
                kind="scheduling.notification",
                to=user.email,
                name=names.get(user.pk, ""),
                context={
                    "title": notification.title,
                    "text": _email_text(notification),
                    "visit": notification.visit_id,
                },
                about=f"scheduling.notification:{notification.pk}",
            )
            for notification, user in emailed
        ]
    )


def _email_text(notification: Notification) -> str:
    # A reminder's body can carry the visit's notes: care data stays in the app, not in email.
    if notification.kind in VisitEvent.values and notification.body:
        return notification.body
    return ""


def _notify(users: Iterable[User], kind: str, visit: Visit, title: str, body: str = "") -> None:
    """An in-app notification for each, and an email unless they chose not to get this kind."""
    _notify_all([_Message(users=users, kind=kind, visit=visit, title=title, body=body)])


def notify_offered(visit: Visit) -> None:
    who = visit.receiver.shown_name
    if visit.is_open:
        users = _team_workers(visit)
        title = _("An open visit for %(name)s on %(when)s") % {"name": who, "when": _when(visit)}
        body = _("Take it in your visits if you can.")
    elif visit.worker is not None:
        users = [visit.worker.user]
        title = _("%(name)s asks you to visit on %(when)s") % {"name": who, "when": _when(visit)}
        body = _("Accept or decline it in your visits.")
    _notify(users, VisitEvent.OFFERED, visit, title, body)


def _pattern(series: Series) -> str:
    return weekly_pattern(
        weekdays=series.weekdays,
        starts_at=series.starts_at,
        ends_at=series.ends_at,
        every_weeks=series.every_weeks,
    )


def notify_series_offered(series: Series, visits: list[Visit]) -> None:
    """One notice for the visits a repeating booking has just offered, not one each."""
    first = visits[0]
    values = {
        "name": series.receiver.shown_name,
        "n": len(visits),
        "pattern": _pattern(series),
        "when": _when(first),
    }
    if series.worker is None:
        users = _team_workers(first)
        title = _("%(n)s open visits for %(name)s (%(pattern)s), from %(when)s") % values
    else:
        users = [series.worker.user]
        title = _("%(name)s asks you to visit %(n)s times (%(pattern)s), from %(when)s") % values
    _notify(users, VisitEvent.OFFERED, first, title, _("Accept or decline each one in your visits."))


def notify_series_cancelled(series: Series, visits: list[Visit], by: User) -> None:
    """One notice for the visits of a repeating booking cancelled together."""
    first = visits[0]
    title = _("%(n)s visits for %(name)s (%(pattern)s) from %(when)s are cancelled") % {
        "n": len(visits),
        "name": series.receiver.shown_name,
        "pattern": _pattern(series),
        "when": _when(first),
    }
    users = _receiver_side_users(first)
    if any(visit.worker is None for visit in visits):
        users += _team_workers(first)
    users += [visit.worker.user for visit in visits if visit.worker is not None]
    late = sum(visit.late_cancellation for visit in visits)
    body = first.cancel_reason
    if late:
        body += "\n" + ngettext(
            "%(n)s of them was due within the late-cancellation window.",
            "%(n)s of them were due within the late-cancellation window.",
            late,
        ) % {"n": late}
    _notify([user for user in users if user.pk != by.pk], VisitEvent.CANCELLED, first, title, body)


def _short_when(visit: Visit) -> str:
    return f"{visit.starts.astimezone(LONDON):%a %-d %b %H:%M}"


def notify_series_answered(series: Series, answered: list[Visit], left: list[Visit], *, accept: bool) -> None:
    """One notice to the person's side for a whole repeating booking answered at once, not one
    per visit: how many were accepted (or declined), and the times of those left offered."""
    first = answered[0]
    values = {
        "worker": first.worker.shown_name if first.worker else _("A worker"),
        "n": len(answered),
        "total": len(answered) + len(left),
        "pattern": _pattern(series),
        "when": _when(first),
    }
    if accept:
        title = _("%(worker)s accepted %(n)s of %(total)s visits (%(pattern)s) from %(when)s") % values
        kind = VisitEvent.ACCEPTED
    else:
        title = _("%(worker)s cannot do %(n)s visits (%(pattern)s) from %(when)s") % values
        kind = VisitEvent.DECLINED
    body = first.decline_reason if not accept else ""
    if left:
        body = ngettext(
            "%(n)s clashes with a visit they already have and is still waiting: %(times)s.",
            "%(n)s clash with visits they already have and are still waiting: %(times)s.",
            len(left),
        ) % {"n": len(left), "times": ", ".join(_short_when(visit) for visit in left)}
    _notify(_receiver_side_users(first), kind, first, title, body)


def notify_receiver_side(visit: Visit, kind: str) -> None:
    worker = visit.worker.shown_name if visit.worker else _("A worker")
    titles: dict[str, str] = {
        VisitEvent.ACCEPTED: _("%(worker)s will visit on %(when)s"),
        VisitEvent.DECLINED: _("%(worker)s cannot visit on %(when)s"),
        VisitEvent.DELIVERED: _("%(worker)s has finished the visit of %(when)s: please confirm the hours"),
    }
    title = titles[kind] % {"worker": worker, "when": _when(visit)}
    _notify(_receiver_side_users(visit), kind, visit, title)


def notify_cancelled(visit: Visit, by: User | None) -> None:
    title = _("The visit on %(when)s is cancelled") % {"when": _when(visit)}
    users = _receiver_side_users(visit)
    users += [visit.worker.user] if visit.worker else _team_workers(visit)
    _notify(
        [user for user in users if by is None or user.pk != by.pk],
        VisitEvent.CANCELLED,
        visit,
        title,
        visit.cancel_reason,
    )


def notify_running_late(visit: Visit, notice: LateNotice) -> None:
    """The person's side (who get visit notifications) and the other workers of the team hear
    the worker is on the way but late, and by about how much."""
    values = {
        "worker": visit.worker.shown_name if visit.worker else _("The worker"),
        "late": notice.get_minutes_display().lower(),
        "when": _when(visit),
    }
    title = _("%(worker)s is running late (%(late)s) for the visit of %(when)s") % values
    body = notice.note or _("They are on their way.")
    users = _receiver_side_users(visit) + _team_workers(visit)
    _notify(
        [user for user in users if user.pk != notice.sent_by_id], VisitEvent.RUNNING_LATE, visit, title, body
    )


def notify_team(visit: Visit, kind: str, *, include_staff: bool, workers: bool = True) -> None:
    titles: dict[str, str] = {
        VisitEvent.CHECK_IN_FAR: _("A check-in for %(name)s's visit on %(when)s was far from home"),
        VisitEvent.HOURS_QUERIED: _("The hours of %(name)s's visit on %(when)s are queried"),
    }
    title = titles[kind] % {"name": visit.receiver.shown_name, "when": _when(visit)}
    users = _receiver_side_users(visit) + (_team_workers(visit) if workers else [])
    if visit.worker:
        users.append(visit.worker.user)
    if include_staff:
        users += _staff()
    _notify(users, kind, visit, title, visit.query_reason if kind == VisitEvent.HOURS_QUERIED else "")


def notify_expense_added(visit: Visit, expense: VisitExpense, *, total_pence: int) -> None:
    """The person's side is told of an expense added to a visit whose hours wait for them: the
    amount and the visit's total, to confirm or query with the hours. The note (which may say
    what was bought for the person) stays in the app."""
    title = _("%(worker)s added an expense of %(amount)s (%(kind)s) to the visit of %(when)s") % {
        "worker": visit.worker.shown_name if visit.worker else _("The worker"),
        "amount": pounds(expense.amount_pence),
        "kind": expense.get_kind_display().lower(),
        "when": _when(visit),
    }
    body = _(
        "The visit's expenses come to %(total)s. Confirm or query them with the hours on the visit's page."
    ) % {"total": pounds(total_pence)}
    _notify(_receiver_side_users(visit), VisitEvent.EXPENSE_ADDED, visit, title, body)


def notify_hours_settled(visit: Visit, *, struck: Sequence[VisitExpense] = ()) -> None:
    """Both sides of a queried visit are told how staff settled it, and why."""
    title = _("The queried hours of %(name)s's visit on %(when)s are settled") % {
        "name": visit.receiver.shown_name,
        "when": _when(visit),
    }
    hours, minutes = divmod(visit.counted_minutes, 60)
    counted = _("Counted: %(hours)s h %(minutes)02d min.") % {"hours": hours, "minutes": minutes}
    users = _receiver_side_users(visit) + ([visit.worker.user] if visit.worker else [])
    body = f"{visit.hours_settle_reason}\n{counted}"
    if struck:
        body += "\n" + _("Expenses struck, neither paid nor charged: %(amount)s.") % {
            "amount": pounds(sum(expense.amount_pence for expense in struck))
        }
    _notify(users, VisitEvent.HOURS_SETTLED, visit, title, body)


def _due_times(visit: Visit, policy: SchedulingPolicy) -> dict[str, datetime]:
    """When each reminder about this visit is due, for a visit as it now stands."""
    if visit.status == Visit.Status.ACCEPTED:
        local_start = visit.starts.astimezone(LONDON)
        evening_before = local_datetime(local_start.date() - timedelta(days=1), time(18))
        due: dict[str, datetime] = {
            Reminder.Kind.WORKER_DAY_BEFORE: visit.starts - timedelta(hours=24),
            Reminder.Kind.WORKER_HOUR_BEFORE: visit.starts - timedelta(hours=1),
            Reminder.Kind.RECEIVER_EVENING: evening_before,
        }
        if visit.checked_in_at is None:
            due[Reminder.Kind.MISSED] = visit.starts + timedelta(minutes=policy.missed_after_minutes)
        return due
    if visit.status == Visit.Status.OFFERED and visit.is_open:
        return {Reminder.Kind.OPEN_UNFILLED: visit.starts - timedelta(hours=policy.unfilled_alert_hours)}
    return {}


def reminders_plan(*, visit: Visit, policy: SchedulingPolicy | None = None) -> None:
    """Make the visit's reminder rows match the visit: new ones added, moved ones moved (and sent
    again for the new time), ones no longer wanted deleted. Sent ones for unchanged times stay."""
    policy = policy or SchedulingPolicy.current()
    due = _due_times(visit, policy)
    existing = {reminder.kind: reminder for reminder in Reminder.objects.filter(visit=visit)}
    now = timezone.now()
    for kind, reminder in existing.items():
        if kind not in due and reminder.sent_at is None:
            reminder.delete()
    for kind, due_at in due.items():
        planned = existing.get(kind)
        if planned is None:
            if kind == Reminder.Kind.OPEN_UNFILLED and due_at <= now:
                # Booked inside the alert's window: the team has an hour to take it, then the alert
                # goes (or at once, if the visit starts sooner than that).
                due_at = min(now + timedelta(hours=1), visit.starts)
            # Any other reminder whose moment passed before the visit was booked would only confuse.
            if kind in (Reminder.Kind.MISSED, Reminder.Kind.OPEN_UNFILLED) or due_at > now:
                Reminder.objects.create(visit=visit, kind=kind, due_at=due_at)
        elif planned.due_at != due_at and not (kind == Reminder.Kind.OPEN_UNFILLED and due_at <= now):
            # (An unfilled alert already inside its window stays as planned, sent or not: moving
            # it into the past would only send it again.)
            planned.due_at, planned.sent_at = due_at, None
            planned.save(update_fields=["due_at", "sent_at"])


def _reminder_message(reminder: Reminder, audience: _Audience) -> tuple[list[User], str, str]:
    visit = reminder.visit
    kind = reminder.kind
    who, when = visit.receiver.shown_name, _when(visit)
    worker = visit.worker.shown_name if visit.worker else ""
    if kind in (Reminder.Kind.WORKER_DAY_BEFORE, Reminder.Kind.WORKER_HOUR_BEFORE) and visit.worker:
        title = _("Reminder: your visit to %(name)s on %(when)s") % {"name": who, "when": when}
        return [visit.worker.user], title, visit.notes
    if kind == Reminder.Kind.RECEIVER_EVENING:
        title = _("Tomorrow: %(worker)s visits at %(when)s") % {"worker": worker, "when": when}
        return audience.receiver_side(visit), title, ""
    everyone = audience.team_workers(visit) + audience.receiver_side(visit) + audience.staff()
    if kind == Reminder.Kind.OPEN_UNFILLED:
        title = _("Nobody has taken the open visit for %(name)s on %(when)s") % {"name": who, "when": when}
        return everyone, title, ""
    title = _("%(worker)s has not checked in for %(name)s's visit at %(when)s") % {
        "worker": worker,
        "name": who,
        "when": when,
    }
    return everyone, title, ""


def _still_wanted(reminder: Reminder) -> bool:
    visit = reminder.visit
    if reminder.kind == Reminder.Kind.OPEN_UNFILLED:
        return visit.status == Visit.Status.OFFERED and visit.is_open
    if reminder.kind == Reminder.Kind.MISSED:
        return visit.status == Visit.Status.ACCEPTED and visit.checked_in_at is None
    return visit.status == Visit.Status.ACCEPTED


def reminders_send_due(*, now: datetime | None = None, batch: int = 200) -> int:
    """Send every reminder now due, each exactly once.

    Each batch is claimed with SELECT … FOR UPDATE SKIP LOCKED inside a transaction that also
    writes the in-app notifications and marks the rows sent: two sweeps at once take different
    rows, and a sweep that dies mid-batch rolls back, leaving its rows to the next one. The emails
    are owed in the outbox in the same transaction, and sent once it commits."""
    now = now or timezone.now()
    sent = 0
    while True:
        with transaction.atomic():
            due = list(
                Reminder.objects.filter(sent_at__isnull=True, due_at__lte=now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related(
                    "visit__receiver__user",
                    "visit__worker__user",
                    "visit__receiver__profile",
                    "visit__worker__profile",
                )
                .order_by("due_at", "pk")[:batch]
            )
            if not due:
                break
            messages = []
            audience = _Audience(reminder.visit for reminder in due)
            for reminder in due:
                if _still_wanted(reminder):
                    users, title, body = _reminder_message(reminder, audience)
                    messages.append(
                        _Message(
                            users=users,
                            kind=reminder.kind,
                            visit=reminder.visit,
                            title=title,
                            body=body,
                            reminder=reminder,
                        )
                    )
            _notify_all(messages)
            Reminder.objects.filter(pk__in=[r.pk for r in due]).update(sent_at=now)
            sent += len(due)
        if len(due) < batch:
            break
    return sent


@transaction.atomic
def email_choices_save(*, user: User, wanted: Iterable[str]) -> None:
    """Which kinds of notification come by email; the rest only appear in the app."""
    wanted_set = set(wanted)
    unknown = wanted_set - {kind for kind, _label in NOTIFICATION_KINDS}
    if unknown:
        raise refuse(_("There is no such kind of notification."), "bad_kind", "kinds")
    muted = [kind for kind, _label in NOTIFICATION_KINDS if kind not in wanted_set]
    EmailChoice.objects.filter(user=user).exclude(kind__in=muted).delete()
    for kind in muted:
        EmailChoice.objects.get_or_create(user=user, kind=kind)


@transaction.atomic
def notifications_mark_read(*, user: User, shown: Sequence[Notification]) -> int:
    """Marks read the notifications a page showed the user, and any older than those (the page shows
    only the newest, so an older one could never be seen and would stay counted as unread). One that
    arrived while the page was drawn is not among them, so it stays unread until it is seen."""
    if not shown:
        return 0
    oldest = min(notification.created_at for notification in shown)
    seen = Q(pk__in=[notification.pk for notification in shown]) | Q(created_at__lt=oldest)
    return Notification.objects.filter(seen, user=user, read_at__isnull=True).update(read_at=timezone.now())
