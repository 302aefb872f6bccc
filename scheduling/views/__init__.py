"""The browser door onto visits: the calendar, booking, one visit (answering, delivering,
confirming), the care log, notifications and the calendar feed."""

import calendar as month_calendar
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from carecoop.audit import staff_care_read
from carecoop.exceptions import ApplicationError
from carecoop.forms import form_add_application_error
from carecoop.http import AuthenticatedHttpRequest
from carecoop.once import submitted_once
from carecoop.permissions import staff_required
from matching import selectors as matching_selectors
from matching.models import TeamMember
from members import selectors as member_selectors
from members.models import MemberClass, Membership, Policy
from scheduling import permissions, selectors, services
from scheduling.bookings import occurrence_dates
from scheduling.forms import (
    OPEN,
    EmailChoicesForm,
    ExpenseForm,
    HoursSettleForm,
    NoteForm,
    OptionalReasonForm,
    ReasonForm,
    RunningLateForm,
    SeriesCancelForm,
    VisitChangeForm,
    VisitForm,
    week_start,
)
from scheduling.models import NOTIFICATION_KINDS, EmailChoice, SchedulingPolicy, Visit

VIEWS = ("agenda", "week", "month")


def _day_start(day: date) -> datetime:
    return services.local_datetime(day, datetime.min.time())


def _receiver_for(request: AuthenticatedHttpRequest) -> Membership | None:
    """The person whose visits are booked or shown: the user, or someone they may book for or
    whose care they may see (404 for anyone else)."""
    return matching_selectors.receiver_acted_for(
        user=request.user,
        number=request.GET.get("for") or request.POST.get("for"),
        allowed=permissions.can_book_or_see_care,
    )


@login_required
def calendar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Week, month and agenda views of the visits a user sees."""
    view = request.GET.get("view") if request.GET.get("view") in VIEWS else "agenda"
    try:
        focus = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        focus = timezone.localdate()
    if not 1900 <= focus.year <= 2999:  # the weeks around year 1 or 9999 overflow
        focus = timezone.localdate()
    acting_for = _receiver_for(request)
    receiver = acting_for if request.GET.get("for") else None
    if view == "month":
        first = focus.replace(day=1)
        days_in = month_calendar.monthrange(first.year, first.month)[1]
        start, end = week_start(first), first + timedelta(days=days_in)
        end = end + timedelta(days=(7 - end.weekday()) % 7)
        previous, following = (first - timedelta(days=1)).replace(day=1), first + timedelta(days=days_in)
        title = _("%(month)s") % {"month": first.strftime("%B %Y")}
    elif view == "week":
        start = week_start(focus)
        end = start + timedelta(days=7)
        previous, following = start - timedelta(days=7), end
        title = _("Week of %(day)s") % {"day": start.strftime("%-d %B %Y")}
    else:
        start, end = focus, focus + timedelta(days=28)
        previous, following = focus - timedelta(days=28), end
        title = _("The four weeks from %(day)s") % {"day": focus.strftime("%-d %B %Y")}
    # The user's places in circles, read once: whose visits they see, whose hours they answer,
    # and the people they act for.
    places = member_selectors.supporting_for_user(user=request.user)
    visits = list(
        selectors.as_cards(
            selectors.calendar_for_user(
                user=request.user,
                start=_day_start(start),
                end=_day_start(end),
                receiver=receiver,
                places=places,
            )
        )
    )
    by_day: dict[date, list[Visit]] = {}
    for visit in visits:
        by_day.setdefault(timezone.localdate(visit.starts), []).append(visit)
    days = [start + timedelta(days=n) for n in range((end - start).days)]
    pairs = [(day, by_day.get(day, [])) for day in days]
    context = {
        "view": view,
        "focus": focus,
        "title": title,
        "receiver": receiver,
        "today": timezone.localdate(),
        "previous": previous,
        "following": following,
        "days": pairs,
        # The month's grid, a row of (day, its visits) for each week: each cell finds its visits
        # at once, where looking them up among all the days cost a loop of days × days.
        "weeks": [pairs[i : i + 7] for i in range(0, len(pairs), 7)],
        "by_day": by_day,
        "month": focus.month,
        "to_confirm": list(
            selectors.visits_to_confirm(
                user=request.user,
                people=selectors.booked_for(
                    own=member_selectors.membership_current_for_user(user=request.user), places=places
                ),
            )[:20]
        ),
        "can_book": acting_for is not None and permissions.can_book(request.user, acting_for),
        # Someone in a circle of support finds each person's visits from here.
        "supporting": [] if receiver else places,
    }
    return render(request, "scheduling/calendar.html", context)


def _team_workers(receiver: Membership) -> list[tuple[Membership, str]]:
    places = matching_selectors.team_for(receiver=receiver)
    return [
        (place.member, place.member.shown_name) for place in places if place.role == TeamMember.Role.WORKER
    ]


# A weekly booking with no end yet shows its first week: the end decides the count and the cost.
_FIRST_WEEK = timedelta(days=6)
_CHECK_REACH = timedelta(days=3653)


def _form_problems(form: VisitForm) -> list[str]:
    """What is wrong with what has been filled in so far: a field left empty is not yet a
    problem while the person is still choosing."""
    problems = []
    for name, errors in form.errors.as_data().items():
        for error in errors:
            if error.code == "required":
                continue
            if name == "worker":
                problems.append(_("Visits are booked with workers in the person's team."))
            else:
                problems.extend(error.messages)
    return problems


def _booking_check(receiver: Membership, form: VisitForm, data: dict[str, Any]) -> selectors.BookingCheck:
    """The check of what the form holds so far (its valid fields): the worker's days, the warnings
    for the times picked, and the cost once the times (and a repeat's end) are known."""
    worker = form.workers.get(str(data.get("worker", "")))
    day, starts_at, ends_at = data.get("day"), data.get("starts_at"), data.get("ends_at")
    times = (starts_at, ends_at) if starts_at and ends_at else None
    repeat = None
    days: list[date] = []
    if day is not None and data.get("repeat"):
        ends_known = bool(data.get("until") or data.get("count"))
        days = occurrence_dates(
            weekdays=data.get("weekdays") or [day.weekday()],
            first_date=day,
            every_weeks=data.get("every_weeks") or 1,
            until=data.get("until"),
            count=data.get("count"),
            through=day + (_CHECK_REACH if ends_known else _FIRST_WEEK),
        )
        if ends_known and times:
            repeat = services.Repeat(
                weekdays=data.get("weekdays") or [day.weekday()],
                first_date=day,
                starts_at=times[0],
                ends_at=times[1],
                every_weeks=data.get("every_weeks") or 1,
                until=data.get("until"),
                count=data.get("count"),
            )
    elif day is not None:
        days = [day]
    booking = None
    names_whom = worker is not None or data.get("worker") == OPEN
    if times and day is not None and names_whom and (repeat is not None or not data.get("repeat")):
        starts, ends = services.span_for(day, *times)
        booking = services.Booking(
            receiver=receiver,
            worker=worker,
            starts=starts,
            ends=ends,
            sleep_in=bool(data.get("sleep_in")),
            repeat=repeat,
        )
    return selectors.booking_check(
        receiver=receiver,
        worker=worker,
        days=days,
        times=times,
        sleep_in=bool(data.get("sleep_in")),
        booking=booking,
        share=Policy.current(),
        now=timezone.now(),
    )


@login_required
def visit_book_check(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The booking form's check as a fragment, fetched by its script as the worker, the days and
    the times change: the worker's free and busy times (never whose visits), the warnings and the
    cost. Only for someone who may book for the person; bad input is said in the fragment."""
    receiver = _receiver_for(request)
    if receiver is None or not permissions.can_book(request.user, receiver):
        context: dict[str, object] = {
            "problems": [_("Visits are booked by the person getting support, or someone they ask.")]
        }
        return render(request, "scheduling/_booking_check.html", context, status=403)
    form = VisitForm(request.GET, workers=_team_workers(receiver))
    form.is_valid()
    problems = _form_problems(form)
    check = _booking_check(receiver, form, form.cleaned_data)
    context = {"check": check, "problems": problems}
    return render(request, "scheduling/_booking_check.html", context, status=400 if problems else 200)


@login_required
@submitted_once
def visit_book(request: AuthenticatedHttpRequest) -> HttpResponse:
    receiver = _receiver_for(request)
    if receiver is None and not (request.GET.get("for") or request.POST.get("for")):
        # Someone who books for one person only is taken to booking for them.
        bookable = [c for c in member_selectors.supporting_for_user(user=request.user) if c.can_book]
        if len(bookable) == 1:
            return redirect(reverse("visit_book") + f"?for={bookable[0].receiver.number}")
    if receiver is None or not permissions.can_book(request.user, receiver):
        messages.info(request, _("Visits are booked by the person getting support, or someone they ask."))
        return redirect("visits")
    workers = _team_workers(receiver)
    initial: dict[str, Any] = {"day": timezone.localdate() + timedelta(days=1)}
    # From the team page's "Book" beside a worker: that worker chosen (anyone else is ignored).
    chosen = request.GET.get("worker", "")
    if any(str(worker.number) == chosen for worker, _name in workers):
        initial["worker"] = chosen
    form = VisitForm(request.POST or None, workers=workers, initial=initial)
    if request.method != "POST":
        check = _booking_check(receiver, form, initial)
        context = {"form": form, "receiver": receiver, "check": check}
        return render(request, "scheduling/visit_book.html", context)
    if not form.is_valid():
        check = _booking_check(receiver, form, form.cleaned_data)
        context = {"form": form, "receiver": receiver, "check": check}
        return render(request, "scheduling/visit_book.html", context)
    data = form.cleaned_data
    worker = form.chosen_worker()
    starts, ends = services.span_for(data["day"], data["starts_at"], data["ends_at"])
    booking = services.Booking(
        receiver=receiver,
        worker=worker,
        starts=starts,
        ends=ends,
        sleep_in=data["sleep_in"],
        tasks=data["tasks"],
        notes=data["notes"],
        repeat=services.Repeat(
            weekdays=data["weekdays"],
            first_date=data["day"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            every_weeks=data.get("every_weeks") or 1,
            until=data.get("until"),
            count=data.get("count"),
        )
        if data["repeat"]
        else None,
    )
    if not request.POST.get("estimate"):
        try:
            booked = services.booking_make(by=request.user, booking=booking)
        except ApplicationError as error:
            form_add_application_error(
                form, error, aliases={"starts": "starts_at", "ends": "ends_at", "first_date": "day"}
            )
        else:
            count = len(booked.visits)
            messages.success(
                request,
                ngettext(
                    "Booked: %(count)s visit, waiting for an answer.",
                    "Booked: %(count)s visits, waiting for an answer.",
                    count,
                )
                % {"count": count}
                if data["worker"] != OPEN
                else ngettext(
                    "Offered to your team: %(count)s visit.", "Offered to your team: %(count)s visits.", count
                )
                % {"count": count},
            )
            for warning in booked.warnings[:10]:
                messages.warning(request, warning)
            return redirect(reverse("visit_detail", args=[booked.visits[0].pk]))
    # "Check" (or a booking refused): the worker's days, the warnings and the cost, nothing booked.
    check = _booking_check(receiver, form, data)
    context = {"form": form, "receiver": receiver, "check": check, "checked": True}
    return render(request, "scheduling/visit_book.html", context)


@login_required
def visit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _visit_page(request, selectors.visit_get_for_user(user=request.user, pk=pk))


def _visit_page(
    request: AuthenticatedHttpRequest,
    visit: Visit,
    *,
    settle_form: HoursSettleForm | None = None,
    expense_form: ExpenseForm | None = None,
    late_form: RunningLateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    policy = SchedulingPolicy.current()
    # Expenses are money: seen by those who see the visit's cost, not by the rest of the team.
    expenses = (
        list(selectors.visit_expenses(visit=visit))
        if permissions.sees_visit_money(request.user, visit)
        else []
    )
    now = timezone.now()
    can = permissions.visit_actions(request.user, visit, now=now, policy=policy)
    staff_care_read(by=request.user, person=visit.receiver, what=f"visit {visit.pk} with its notes")
    context = {
        "visit": visit,
        "can": can,
        # The worker on their way needs the address, a phone and whom to call in an emergency;
        # nobody else is shown them here, and the worker only while the visit is theirs to do.
        "doorstep": selectors.visit_doorstep(visit=visit)
        if permissions.sees_doorstep(request.user, visit, now=now)
        else None,
        "late_notices": list(selectors.visit_late_notices(visit=visit)),
        "late_form": late_form or RunningLateForm(),
        "cost": visit.cost(Policy.current()),
        "reason_form": ReasonForm(),
        "series_cancel_form": SeriesCancelForm(),
        "series_to_come": selectors.series_visits_to_come(series_id=visit.series_id)
        if visit.series_id
        else 0,
        "cancel_is_late": visit.status == Visit.Status.ACCEPTED
        and visit.starts - timezone.now() <= timedelta(hours=policy.late_cancellation_hours),
        "late_hours": policy.late_cancellation_hours,
        "optional_reason_form": OptionalReasonForm(),
        "series_offered": selectors.series_offered_to(series_id=visit.series_id, user=request.user)
        if can.answer_series and visit.series_id
        else 0,
        "series_reason_form": OptionalReasonForm(prefix="all"),
        "note_form": NoteForm(initial={"note": visit.visit_note}),
        # Leaving now would be early: the worker is asked to confirm the shorter time.
        "early_by": permissions.early_by(visit, now=now, policy=policy) if can.deliver else None,
        # From check-in to check-out, as it happened (the time counted is shown apart).
        "stayed_minutes": int((visit.checked_out_at - visit.checked_in_at).total_seconds() // 60)
        if visit.checked_in_at and visit.checked_out_at
        else None,
        "settle_form": settle_form or HoursSettleForm(expenses=expenses),
        "expenses": expenses,
        "expenses_pence": sum(expense.amount_pence for expense in expenses if not expense.is_struck),
        "expense_form": expense_form or ExpenseForm(),
        "mileage_rate": Policy.current().mileage_pence_per_mile,
    }
    return render(request, "scheduling/visit_detail.html", context, status=status)


@staff_required
def hours_queried(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Staff's queue of queried hours, oldest first: each is settled on its visit's page."""
    page = Paginator(selectors.visits_hours_queried(), 50).get_page(request.GET.get("page"))
    return render(request, "scheduling/hours_queried.html", {"page": page})


def _ids(post: QueryDict, name: str) -> list[int] | None:
    """The ids a form sent under `name` (the expenses a person was shown, say); None when the
    form sent none of the field at all."""
    if f"{name}s-shown" not in post and name not in post:
        return None
    return [int(value) for value in post.getlist(name) if value.isascii() and value.isdigit()]


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _series_answer_message(answer: services.SeriesAnswer) -> str:
    n, total = len(answer.answered), len(answer.answered) + len(answer.left)
    if not answer.accepted:
        return ngettext(
            "You declined %(n)s visit of this weekly booking.",
            "You declined %(n)s visits of this weekly booking.",
            n,
        ) % {"n": n}
    return ngettext(
        "You accepted %(n)s of %(total)s visits of this weekly booking.",
        "You accepted %(n)s of %(total)s visits of this weekly booking.",
        n,
    ) % {"n": n, "total": total}


def _delivering(request: AuthenticatedHttpRequest, visit: Visit, note: str | None) -> bool:
    """The visit's worker, at the visit, with a note to leave: a check-out the service would take
    (anything else goes straight to the service, to be refused with its reason)."""
    has_note = bool(note.strip()) if note is not None else bool(visit.visit_note)
    return (
        has_note
        and permissions.is_visit_worker(request.user, visit)
        and visit.status == Visit.Status.ACCEPTED
        and visit.checked_in_at is not None
        and visit.checked_out_at is None
    )


@login_required
@require_POST
@submitted_once
def visit_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Every button on a visit's page: each calls one service and comes back to the page."""
    visit = selectors.visit_get_for_user(user=request.user, pk=pk)
    post = request.POST
    warning = ""
    done = {
        "accept": _("You accepted the visit."),
        "decline": _("You declined the visit."),
        "cancel": _("The visit is cancelled."),
        "cancel-series": _("The repeating visits are cancelled."),
        "check-in": _("You are checked in."),
        "task": _("Task updated."),
        "note": _("Note saved."),
        "check-out": _("You are checked out. Thank you."),
        "confirm": _("Hours confirmed. Thank you."),
        "query": _("Your query is sent to the team and the office."),
        "settle": _("The hours are settled; both sides are told."),
        "expense-add": _("Expense added. The person confirms it with the hours."),
        "expense-remove": _("Expense removed."),
        "running-late": _("They are told you are running late."),
        "accept-series": "",
        "decline-series": "",
    }
    if action not in done:
        raise Http404
    try:
        if action == "accept":
            services.visit_accept(visit=visit, by=request.user)
        elif action == "decline":
            services.visit_decline(visit=visit, by=request.user, reason=post.get("reason", ""))
        elif action in ("accept-series", "decline-series"):
            if visit.series is None:
                raise Http404
            answer = services.series_answer(
                series=visit.series,
                by=request.user,
                accept=action == "accept-series",
                reason=post.get("all-reason", ""),
            )
            done[action] = _series_answer_message(answer)
            if answer.left:
                left = "; ".join(
                    f"{clash.starts.astimezone(services.LONDON):%a %-d %b %H:%M} ({why})"
                    for clash, why in answer.left
                )
                warning = _("Still waiting, not accepted: %(left)s") % {"left": left}
        elif action == "cancel":
            services.visit_cancel(visit=visit, by=request.user, reason=post.get("reason", ""))
        elif action == "cancel-series":
            if visit.series is None:
                raise Http404
            if not post.get("series-confirm"):
                raise ApplicationError(
                    _("Tick the box to say you mean to cancel every visit still to come."),
                    code="confirm_required",
                )
            services.series_cancel(series=visit.series, by=request.user, reason=post.get("series-reason", ""))
        elif action == "check-in":
            services.visit_check_in(
                visit=visit,
                by=request.user,
                latitude=_float(post.get("latitude")),
                longitude=_float(post.get("longitude")),
            )
        elif action == "task":
            index = post.get("index", "")
            services.visit_task_tick(
                visit=visit,
                by=request.user,
                index=int(index) if index.isascii() and index.isdigit() else -1,
                done=post.get("done") == "1",
            )
        elif action == "note":
            services.visit_note_save(visit=visit, by=request.user, note=post.get("note", ""))
        elif action == "running-late":
            late_form = RunningLateForm(post)
            if not late_form.is_valid():
                return _visit_page(request, visit, late_form=late_form, status=400)
            services.visit_running_late(visit=visit, by=request.user, **late_form.cleaned_data)
        elif action == "check-out":
            note = post.get("note")
            if post.get("confirmed") != "1" and _delivering(request, visit, note):
                # Leaving early or with tasks unticked is confirmed on a page of its own first
                # (a server-rendered step, not a script's dialog): it says what changes.
                leaving = permissions.check_out_warning(
                    visit, now=timezone.now(), policy=SchedulingPolicy.current()
                )
                if leaving:
                    context = {"visit": visit, "warning": leaving, "note": note}
                    return render(request, "scheduling/visit_check_out.html", context)
            services.visit_check_out(
                visit=visit, by=request.user, note=note, shorter=post.get("shorter") == "1"
            )
        elif action == "confirm":
            services.visit_hours_confirm(visit=visit, by=request.user, expenses_seen=_ids(post, "expense"))
        elif action == "query":
            services.visit_hours_query(
                visit=visit,
                by=request.user,
                reason=post.get("reason", ""),
                expenses_seen=_ids(post, "expense"),
            )
        elif action == "settle":
            settle_form = HoursSettleForm(post, expenses=list(selectors.visit_expenses(visit=visit)))
            if not settle_form.is_valid():
                return _visit_page(request, visit, settle_form=settle_form, status=400)
            services.visit_hours_settle(
                visit=visit,
                by=request.user,
                minutes=settle_form.counted_minutes(),
                reason=settle_form.cleaned_data["reason"],
                strike=settle_form.struck(),
            )
        elif action == "expense-add":
            expense_form = ExpenseForm(post)
            if not expense_form.is_valid():
                return _visit_page(request, visit, expense_form=expense_form, status=400)
            data = expense_form.cleaned_data
            services.visit_expense_add(
                visit=visit,
                by=request.user,
                kind=data["kind"],
                note=data["note"],
                miles=data["miles"] if data["kind"] == "mileage" else None,
                amount_pence=expense_form.amount_pence() if data["kind"] == "other" else None,
            )
        elif action == "expense-remove":
            expense_pk = (_ids(post, "expense") or [0])[0]
            expense = selectors.visit_expense_get_for_user(
                user=request.user, visit_pk=visit.pk, pk=expense_pk
            )
            services.visit_expense_remove(expense=expense, by=request.user)
    except ApplicationError as error:
        if action == "settle":
            form_add_application_error(settle_form, error)
            return _visit_page(request, visit, settle_form=settle_form, status=400)
        if action == "running-late" and error.fields:
            form_add_application_error(late_form, error)
            return _visit_page(request, visit, late_form=late_form, status=400)
        if action == "expense-add" and error.fields:
            form_add_application_error(expense_form, error, aliases={"amount_pence": "amount"})
            return _visit_page(request, visit, expense_form=expense_form, status=400)
        messages.error(request, error.message)
    else:
        messages.success(request, done[action])
        if warning:
            messages.warning(request, warning)
    back = post.get("next", "")
    if action in ("accept", "decline") and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # Answered from a member's day (an offer among others): back there, not to the visit.
        return redirect(back)
    anchor = "#tasks" if action == "task" else ""
    return redirect(reverse("visit_detail", args=[visit.pk]) + anchor)


@login_required
def visit_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    visit = selectors.visit_get_for_user(user=request.user, pk=pk)
    if not permissions.visit_actions(
        request.user, visit, now=timezone.now(), policy=SchedulingPolicy.current()
    ).change:
        raise Http404
    local_start, local_end = timezone.localtime(visit.starts), timezone.localtime(visit.ends)
    form = VisitChangeForm(
        request.POST or None,
        initial={
            "day": local_start.date(),
            "starts_at": local_start.time(),
            "ends_at": local_end.time(),
            "tasks": "\n".join(task["label"] for task in visit.tasks),
            "notes": visit.notes,
            "scope": "this",
        },
    )
    if visit.series_id is None:
        form.fields["scope"].widget = form.fields["scope"].hidden_widget()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["scope"] == "following" and visit.series_id:
                booked = services.series_change_from(
                    visit=visit,
                    by=request.user,
                    starts_at=data["starts_at"],
                    ends_at=data["ends_at"],
                    tasks=data["tasks"],
                    notes=data["notes"],
                )
            else:
                starts, ends = services.span_for(data["day"], data["starts_at"], data["ends_at"])
                booked = services.visit_change(
                    visit=visit,
                    by=request.user,
                    starts=starts,
                    ends=ends,
                    tasks=data["tasks"],
                    notes=data["notes"],
                )
        except ApplicationError as error:
            form_add_application_error(form, error, aliases={"starts": "starts_at", "ends": "ends_at"})
        else:
            messages.success(request, _("Changed. A new time goes to the worker to accept."))
            for warning in booked.warnings[:10]:
                messages.warning(request, warning)
            return redirect(
                reverse("visit_detail", args=[booked.visits[0].pk if booked.visits else visit.pk])
            )
    return render(request, "scheduling/visit_change.html", {"form": form, "visit": visit})


@login_required
def care_log(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    receiver = Membership.objects.filter(number=number, member_class=MemberClass.RECEIVER).first()
    if receiver is None or not permissions.can_see_care(request.user, receiver):
        raise Http404
    page = Paginator(selectors.care_log(receiver=receiver), 20).get_page(request.GET.get("page"))
    staff_care_read(by=request.user, person=receiver, what="the care log")
    return render(
        request, "scheduling/care_log.html", {"page": page, "receiver": receiver, "name": receiver.shown_name}
    )


@login_required
def notifications(request: AuthenticatedHttpRequest) -> HttpResponse:
    kinds = NOTIFICATION_KINDS
    muted = set(EmailChoice.objects.filter(user=request.user).values_list("kind", flat=True))
    form = EmailChoicesForm(
        request.POST or None, choices=kinds, initial={"kinds": [k for k, _l in kinds if k not in muted]}
    )
    if request.method == "POST" and form.is_valid():
        services.email_choices_save(user=request.user, wanted=form.cleaned_data["kinds"])
        messages.success(request, _("Your email choices are saved."))
        return redirect("notifications")
    items = selectors.notifications_for(user=request.user)
    services.notifications_mark_read(user=request.user, shown=items)
    return render(request, "scheduling/notifications.html", {"items": items, "form": form})


@login_required
def calendar_feed(request: AuthenticatedHttpRequest) -> HttpResponse:
    url = None
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "revoke":
        services.calendar_feed_revoke(user=request.user)
        messages.success(request, _("Your calendar address no longer works."))
        return redirect("calendar_feed")
    if action == "renew":
        token = services.calendar_feed_renew(user=request.user)
        url = request.build_absolute_uri(reverse("api-calendar-ics", args=[token]))
    has_feed = hasattr(request.user, "calendar_feed")
    context = {"url": url, "has_feed": has_feed}
    if request.method == "POST" and action not in ("renew", "revoke"):
        # Not one of the page's two buttons: the address is left as it was.
        context["refused"] = _("Choose one of the buttons: make a new address, or stop it working.")
        return render(request, "scheduling/calendar_feed.html", context, status=400)
    return render(request, "scheduling/calendar_feed.html", context)
