from collections.abc import Callable
from typing import Any

from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import renderers, serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from carecoop.audit import staff_care_read
from carecoop.exceptions import ApplicationError, NotAllowedError
from carecoop.http import AuthenticatedRequest
from carecoop.once import idempotent
from matching import selectors as matching_selectors
from members.models import MemberClass, Membership, User
from scheduling import ical, permissions, selectors, services
from scheduling.api.serializers import (
    BookedSerializer,
    CalendarFeedSerializer,
    CancelInputSerializer,
    CheckInInputSerializer,
    CheckOutInputSerializer,
    ExpenseInputSerializer,
    ExpenseSerializer,
    HoursConfirmInputSerializer,
    HoursQueryInputSerializer,
    HoursSettleInputSerializer,
    NoteInputSerializer,
    ReasonInputSerializer,
    RunningLateInputSerializer,
    SeriesAnswerSerializer,
    TaskTickInputSerializer,
    VisitBookInputSerializer,
    VisitChangeInputSerializer,
    VisitDetailSerializer,
    VisitListInputSerializer,
    VisitSerializer,
)
from scheduling.models import SchedulingPolicy, Visit, VisitExpense
from scheduling.services import LONDON, Booked


def _context(request: Request) -> dict[str, Any]:
    # The policy is read once per request, not once per visit.
    return {"user": request.user, "policy": SchedulingPolicy.current()}


def _visit_body(request: Request, visit: Visit) -> dict[str, Any]:
    # A visit fresh from a service has its people but not their profiles (for their names).
    prefetch_related_objects([visit], "receiver__profile", "worker__profile")
    return dict(VisitSerializer(visit, context=_context(request)).data)


def _act(
    request: Request,
    pk: int,
    action: Callable[[Visit, dict[str, Any]], Visit],
    input_serializer: type[serializers.Serializer[None]] | None = None,
) -> Response:
    """One of a visit's actions: find the visit as the caller may see it (404 otherwise), check
    the input, call the service, and answer with the visit as it now is."""
    visit = selectors.visit_get_for_user(user=request.user, pk=pk)
    values: dict[str, Any] = {}
    if input_serializer is not None:
        data = input_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
    return Response(_visit_body(request, action(visit, values)))


def _booked_body(request: Request, booked: Booked) -> dict[str, Any]:
    prefetch_related_objects(booked.visits, "receiver__profile", "worker__profile")
    body = {
        "visits": booked.visits,
        "warnings": booked.warnings,
        "series": booked.series.pk if booked.series else None,
    }
    return dict(BookedSerializer(body, context=_context(request)).data)


def _receiver_for(user: User, number: int | None) -> Membership:
    """The person a booking is for: the caller themself, or the person with that number, if the
    caller may book for them or see their care (the service then says what they may not do);
    404 for anyone else."""
    receiver = matching_selectors.receiver_acted_for(
        user=user, number=number, allowed=permissions.can_book_or_see_care
    )
    if receiver is None:
        message = _("Say which person getting support this is for.")
        raise ApplicationError(message, code="receiver_required", fields={"receiver": [message]})
    return receiver


def _worker_for(number: int | None) -> Membership | None:
    if number is None:
        return None
    worker = Membership.objects.current().filter(number=number, member_class=MemberClass.WORKER).first()
    if worker is None:
        # The same words as for a worker outside the team: a number tells nobody who is a member.
        message = _("Visits are booked with workers in the person's team.")
        raise ApplicationError(message, code="not_in_team", fields={"worker": [message]})
    return worker


# --- Visits ---------------------------------------------------------------------------------------


class VisitListCreateApi(GenericAPIView[Visit]):
    serializer_class = VisitSerializer

    @extend_schema(
        parameters=[VisitListInputSerializer],
        responses=VisitSerializer(many=True),
        summary="Visits you may see",
        description=(
            "Offered, accepted and cancelled visits that overlap the span, in order: your own, open "
            "visits offered to your teams, and those of people you book for. At most 93 days at once."
        ),
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = VisitListInputSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        visits = selectors.calendar_for_user(user=request.user, start=values["start"], end=values["end"])
        if "worker" in values:
            visits = visits.filter(worker__number=values["worker"])
        if "receiver" in values:
            visits = visits.filter(receiver__number=values["receiver"])
        page = self.paginate_queryset(visits) or []
        context = _context(request)
        # What the reader may see of each person's visits, asked once for the page's people
        # rather than once for each person in it.
        others = [visit for visit in page if not permissions.is_visit_worker(request.user, visit)]
        among = permissions.booking_and_care_among(request.user, [visit.receiver for visit in others])
        context["sees_cost"] = {visit.receiver_id: visit.receiver_id in among.book for visit in others}
        context["sees_care"] = {visit.receiver_id: visit.receiver_id in among.care for visit in others}
        return self.get_paginated_response(VisitSerializer(page, many=True, context=context).data)  # type: ignore[arg-type]  # stubs: many=True takes a list

    @extend_schema(
        request=VisitBookInputSerializer,
        responses={201: BookedSerializer},
        summary="Book a visit, or a repeating visit",
        description=(
            "Offers the visit to a worker in the person's team, or (no worker) to the whole team. "
            "With `repeat`, books the pattern's visits over the coming weeks. `warnings` tell what "
            "the person should know (a worker's free times, a date that could not be booked)."
        ),
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        data = VisitBookInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        receiver = _receiver_for(request.user, values["receiver"])
        worker = _worker_for(values["worker"])
        repeat = values["repeat"]
        booking = services.Booking(
            receiver=receiver,
            worker=worker,
            starts=values["starts"],
            ends=values["ends"],
            sleep_in=values["sleep_in"],
            tasks=values["tasks"],
            notes=values["notes"],
            repeat=None
            if repeat is None
            else services.Repeat(
                weekdays=repeat["weekdays"],
                # The API's times are instants; the pattern's are the wall clock they fall on.
                first_date=values["starts"].astimezone(LONDON).date(),
                starts_at=values["starts"].astimezone(LONDON).time(),
                ends_at=values["ends"].astimezone(LONDON).time(),
                every_weeks=repeat["every_weeks"],
                until=repeat["until"],
                count=repeat["count"],
            ),
        )
        booked = services.booking_make(by=request.user, booking=booking)
        return Response(_booked_body(request, booked), status=status.HTTP_201_CREATED)


class VisitDetailApi(APIView):
    @extend_schema(responses=VisitDetailSerializer, summary="One visit, and what you may do with it now")
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        visit = selectors.visit_get_for_user(user=request.user, pk=pk)
        prefetch_related_objects([visit], "expenses")
        staff_care_read(
            by=request.user, person=visit.receiver, what=f"visit {visit.pk} with its notes, by the API"
        )
        return Response(VisitDetailSerializer(visit, context=_context(request)).data)

    @extend_schema(
        request=VisitChangeInputSerializer,
        responses=BookedSerializer,
        summary="Change a visit, or it and the following ones",
        description=(
            "A new time goes back to the worker as an offer. With scope `following`, the repeating "
            "booking ends before this visit and a new one, with the changes, takes over from it."
        ),
    )
    def patch(self, request: AuthenticatedRequest, pk: int) -> Response:
        visit = selectors.visit_get_for_user(user=request.user, pk=pk)
        data = VisitChangeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        starts, ends = values.get("starts"), values.get("ends")
        if values["scope"] == "following":
            booked = services.series_change_from(
                visit=visit,
                by=request.user,
                starts_at=starts.astimezone(LONDON).time() if starts else None,
                ends_at=ends.astimezone(LONDON).time() if ends else None,
                weekdays=values.get("weekdays"),
                tasks=values.get("tasks"),
                notes=values.get("notes"),
            )
        else:
            if (starts or visit.starts) >= (ends or visit.ends):
                message = _("The end must be after the start.")
                raise ApplicationError(message, code="invalid", fields={"ends": [message]})
            booked = services.visit_change(
                visit=visit,
                by=request.user,
                starts=starts,
                ends=ends,
                tasks=values.get("tasks"),
                notes=values.get("notes"),
                sleep_in=values.get("sleep_in"),
            )
        return Response(_booked_body(request, booked))


class VisitAcceptApi(APIView):
    @extend_schema(
        request=None,
        responses=VisitSerializer,
        summary="Accept an offered visit",
        description="For an open visit, the first worker in the team to accept gets it. A visit that "
        'overlaps one of yours already accepted is refused with 409 and code "overlap".',
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        return _act(request, pk, lambda visit, _values: services.visit_accept(visit=visit, by=request.user))


class VisitDeclineApi(APIView):
    @extend_schema(
        request=ReasonInputSerializer, responses=VisitSerializer, summary="Decline an offered visit"
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda visit, values: services.visit_decline(
                visit=visit, by=request.user, reason=values["reason"]
            ),
            ReasonInputSerializer,
        )


_SERIES_ANSWER_ERRORS = (
    ' 403 (code "not_allowed") when the booking is someone else\'s; 404 for a booking you may not '
    'see; 409 (code "nothing_to_answer") when none of its visits waits for your answer. Answering '
    "again changes nothing and tells nobody again."
)


def _series_answer(request: AuthenticatedRequest, pk: int, *, accept: bool) -> Response:
    series = selectors.series_get_for_user(user=request.user, pk=pk)
    reason = ""
    if not accept:
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data["reason"]
    answer = services.series_answer(series=series, by=request.user, accept=accept, reason=reason)
    everyone = answer.answered + [visit for visit, _why in answer.left]
    prefetch_related_objects(everyone, "receiver__profile", "worker__profile")
    body = {
        "series": series.pk,
        "accepted": answer.accepted,
        "answered": answer.answered,
        "left": [{"visit": visit, "reason": why} for visit, why in answer.left],
    }
    return Response(SeriesAnswerSerializer(body, context=_context(request)).data)


class SeriesAcceptApi(APIView):
    @extend_schema(
        request=None,
        responses=SeriesAnswerSerializer,
        summary="Accept every visit of a repeating booking offered to you",
        description="Every visit still offered to you is accepted in one step; one that clashes with a "
        "visit you already have stays offered and is listed in `left` with why. The person's side is "
        "told once." + _SERIES_ANSWER_ERRORS,
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        return _series_answer(request, pk, accept=True)


class SeriesDeclineApi(APIView):
    @extend_schema(
        request=ReasonInputSerializer,
        responses=SeriesAnswerSerializer,
        summary="Decline every visit of a repeating booking offered to you",
        description="Every visit still offered to you is declined, with the reason. The person's side "
        "is told once." + _SERIES_ANSWER_ERRORS,
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        return _series_answer(request, pk, accept=False)


class VisitCancelApi(APIView):
    @extend_schema(
        request=CancelInputSerializer,
        responses=VisitSerializer,
        summary="Cancel a visit, or every visit still to come in its repeating booking",
        description="A reason is required. Within the late-cancellation window it is recorded as late.",
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        visit = selectors.visit_get_for_user(user=request.user, pk=pk)
        data = CancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data["reason"]
        if data.validated_data["scope"] == "series":
            if visit.series is None:
                message = _("This visit is not part of a repeating booking.")
                raise ApplicationError(message, code="not_in_series", fields={"scope": [message]})
            services.series_cancel(series=visit.series, by=request.user, reason=reason)
            visit = selectors.visit_get_for_user(user=request.user, pk=pk)
        else:
            visit = services.visit_cancel(visit=visit, by=request.user, reason=reason)
        return Response(_visit_body(request, visit))


class VisitCheckInApi(APIView):
    @extend_schema(
        request=CheckInInputSerializer,
        responses=VisitSerializer,
        summary="Check in at a visit",
        description="Where you are, if given, is compared with the person's postcode: a check-in far "
        "away is flagged to the team, never refused.",
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda visit, values: services.visit_check_in(visit=visit, by=request.user, **values),
            CheckInInputSerializer,
        )


class VisitCheckOutApi(APIView):
    @extend_schema(
        request=CheckOutInputSerializer,
        responses=VisitSerializer,
        summary="Check out of a visit",
        description="A visit note is required (given here, or saved during the visit). Tasks left "
        "unticked do not stop a check-out (they show in `tasks`). The answer states the time booked "
        "(`booked_minutes`) against the time counted (`counted_minutes`: after an early check-out, "
        "from the check-in to now, which the person is asked to confirm), and the times checked in "
        "and out.",
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda visit, values: services.visit_check_out(
                visit=visit, by=request.user, note=values["note"], shorter=values["shorter"]
            ),
            CheckOutInputSerializer,
        )


class VisitRunningLateApi(APIView):
    @extend_schema(
        request=RunningLateInputSerializer,
        responses={
            201: OpenApiResponse(VisitDetailSerializer, description="Told; the visit as it now is."),
        },
        summary="Say you are running late for a visit",
        description="The visit's worker, before checking in, from two hours before the start: the "
        "person, their circle and the rest of the team are told (in the app, and by email as each "
        "chooses). Once per visit for each lateness (409 `already_told`); refused once checked in "
        "(409 `already_checked_in`).",
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        visit = selectors.visit_get_for_user(user=request.user, pk=pk)
        data = RunningLateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.visit_running_late(visit=visit, by=request.user, **data.validated_data)
        prefetch_related_objects([visit], "expenses", "receiver__profile", "worker__profile")
        body = VisitDetailSerializer(visit, context=_context(request)).data
        return Response(body, status=status.HTTP_201_CREATED)


class VisitNoteSaveApi(APIView):
    @extend_schema(
        request=NoteInputSerializer, responses=VisitSerializer, summary="Save the visit note during a visit"
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda visit, values: services.visit_note_save(visit=visit, by=request.user, note=values["note"]),
            NoteInputSerializer,
        )


class VisitTaskTickApi(APIView):
    @extend_schema(
        request=TaskTickInputSerializer,
        responses=VisitSerializer,
        summary="Tick a task done (or not) during a visit",
        description="`index` counts the visit's tasks from 0.",
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int, index: int) -> Response:
        return _act(
            request,
            pk,
            lambda visit, values: services.visit_task_tick(
                visit=visit, by=request.user, index=index, done=values["done"]
            ),
            TaskTickInputSerializer,
        )


class VisitHoursConfirmApi(APIView):
    @extend_schema(
        request=HoursConfirmInputSerializer,
        responses=VisitSerializer,
        summary="Confirm a delivered visit's hours, and its expenses with them",
        description=(
            "Give `expenses`, the ids of the expenses you were shown: if one was added or removed "
            "since, 409 expenses_changed, and nothing is confirmed."
        ),
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda visit, values: services.visit_hours_confirm(
                visit=visit, by=request.user, expenses_seen=values.get("expenses")
            ),
            HoursConfirmInputSerializer,
        )


class VisitHoursQueryApi(APIView):
    @extend_schema(
        request=HoursQueryInputSerializer,
        responses=VisitSerializer,
        summary="Query a delivered visit's hours (and its expenses)",
        description="Say what is wrong; the team and the co-op's staff are told.",
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda visit, values: services.visit_hours_query(
                visit=visit, by=request.user, reason=values["reason"], expenses_seen=values.get("expenses")
            ),
            HoursQueryInputSerializer,
        )


class VisitHoursSettleApi(APIView):
    @extend_schema(
        request=HoursSettleInputSerializer,
        responses=VisitSerializer,
        summary="Settle a visit's queried hours (staff)",
        description=(
            "As they were, or changed to `minutes`, with a reason both sides are shown and told; "
            "`strike` names expenses to strike for the same reason (400 bad_expense if one is not "
            "this visit's). 403 staff_only for anyone else; 409 not_queried unless the hours are queried."
        ),
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        return _act(
            request,
            pk,
            lambda visit, values: services.visit_hours_settle(
                visit=visit,
                by=request.user,
                minutes=values["minutes"],
                reason=values["reason"],
                strike=values["strike"],
            ),
            HoursSettleInputSerializer,
        )


# --- Expenses --------------------------------------------------------------------------------------


class VisitExpensesApi(GenericAPIView[VisitExpense]):
    serializer_class = ExpenseSerializer

    @extend_schema(
        responses=ExpenseSerializer(many=True),
        summary="A visit's expenses",
        description=(
            "For the visit's worker and the person's side who book and pay (the person, their circle "
            "with the power to book, the rota holder, staff), as its cost is; 403 not_allowed for the "
            "rest of the team and others who see the visit."
        ),
    )
    def get(self, request: AuthenticatedRequest, pk: int) -> Response:
        visit = selectors.visit_get_for_user(user=request.user, pk=pk)
        if not permissions.sees_visit_money(request.user, visit):
            raise NotAllowedError(
                _("Only the visit's worker and the person's side see its expenses."), code="not_allowed"
            )
        page = self.paginate_queryset(selectors.visit_expenses(visit=visit))
        return self.get_paginated_response(ExpenseSerializer(page, many=True).data)  # type: ignore[arg-type]  # stubs: many=True takes a list

    @extend_schema(
        request=ExpenseInputSerializer,
        responses={201: ExpenseSerializer},
        summary="Add mileage or another expense to a visit (its worker)",
        description=(
            "After the visit, while its hours wait for the person's answer. Mileage is paid at the "
            "co-op's rate a mile, worked out now. 403 not_allowed for anyone but the visit's "
            "worker; 409 not_delivered before the visit is finished, hours_answered once the hours "
            "are confirmed or queried, too_late after the time to answer, too_many_expenses past 20; "
            "400 bad_miles, bad_amount, note_required."
        ),
    )
    @idempotent
    def post(self, request: AuthenticatedRequest, pk: int) -> Response:
        visit = selectors.visit_get_for_user(user=request.user, pk=pk)
        data = ExpenseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        expense = services.visit_expense_add(
            visit=visit,
            by=request.user,
            kind=values["kind"],
            note=values["note"],
            miles=values["miles"] if values["kind"] == "mileage" else None,
            amount_pence=values["amount_pence"] if values["kind"] == "other" else None,
        )
        return Response(ExpenseSerializer(expense).data, status=status.HTTP_201_CREATED)


class VisitExpenseApi(APIView):
    @extend_schema(
        request=None,
        responses={204: None},
        summary="Remove an expense you added (while the hours wait for an answer)",
        description="403 not_allowed unless you added it; 409 hours_answered once the hours are answered.",
    )
    def delete(self, request: AuthenticatedRequest, pk: int, expense_pk: int) -> Response:
        expense = selectors.visit_expense_get_for_user(user=request.user, visit_pk=pk, pk=expense_pk)
        services.visit_expense_remove(expense=expense, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- The calendar feed -------------------------------------------------------------------------------


class CalendarFeedApi(APIView):
    @extend_schema(
        request=None,
        responses={201: CalendarFeedSerializer},
        summary="Make a new private calendar address",
        description="The old address stops working. The address is shown only now: keep it private.",
    )
    @idempotent
    def post(self, request: AuthenticatedRequest) -> Response:
        token = services.calendar_feed_renew(user=request.user)
        url = request.build_absolute_uri(reverse("api-calendar-ics", kwargs={"token": token}))
        return Response(CalendarFeedSerializer({"url": url}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None}, summary="Stop the private calendar address")
    def delete(self, request: AuthenticatedRequest) -> Response:
        services.calendar_feed_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ICalendarRenderer(renderers.BaseRenderer):
    """Lets calendar apps that ask only for text/calendar in; errors are then said in plain words."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(
        self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        detail = data.get("detail", "") if isinstance(data, dict) else str(data)
        return str(detail).encode(self.charset)


class CalendarFeedIcsApi(APIView):
    # The secret in the address is the credential: calendar apps cannot log in.
    authentication_classes: list[Any] = []
    permission_classes = [drf_permissions.AllowAny]
    renderer_classes = [renderers.JSONRenderer, ICalendarRenderer]

    @extend_schema(
        operation_id="calendar_feed_ics",
        auth=[],
        responses={
            (200, "text/calendar"): OpenApiResponse(
                OpenApiTypes.STR, description="Your visits from 30 days ago to 90 days ahead (iCalendar)."
            )
        },
        summary="Your visits as a private calendar feed",
        description="No login: the address is the secret. Times, names and status only; no care notes.",
    )
    def get(self, request: Request, token: str) -> HttpResponse:
        user = selectors.feed_user(token=token)
        if user is None:
            raise Http404
        response = HttpResponse(ical.feed_for(user=user), content_type="text/calendar; charset=utf-8")
        response["Cache-Control"] = "private, max-age=300"
        response["Content-Disposition"] = 'inline; filename="visits.ics"'
        return response
