"""General meetings: the list, calling a meeting, one meeting (notice, papers, motions, ballots,
check-in, quorum, chair and minutes), changing its notice, and the register of attendance."""

import os
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from carecoop.db import number_from_text
from carecoop.exceptions import ApplicationError
from carecoop.http import AuthenticatedHttpRequest
from carecoop.once import submitted_once
from carecoop.permissions import is_staff
from governance import rules, selectors, services
from governance.forms.meetings import (
    ChairForm,
    DocumentForm,
    MeetingAmendForm,
    MeetingForm,
    MembershipNumberForm,
    MinutesApproveForm,
    MinutesForm,
)
from governance.models import CHECK_IN_OPENS_BEFORE, Ballot, GovernancePolicy, Meeting, Motion, Requisition
from governance.views.common import (
    act,
    form_error,
    governance_view,
    member_by_number,
    membership_of,
    staff_only,
)


@governance_view
def meetings(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    upcoming = list(selectors.upcoming_meetings(user=request.user, now=now))
    past = Paginator(
        selectors.meetings_for_user(user=request.user).filter(ends_at__lte=now).order_by("-starts_at", "-pk"),
        20,
    ).get_page(request.GET.get("page"))
    requisitions = list(
        selectors.requisitions_for_user(user=request.user)
        .filter(meeting__isnull=True)
        .order_by("-opened_at")[:20]
    )
    context = {
        "upcoming": upcoming,
        "past": past,
        "requisitions": requisitions,
        "policy": GovernancePolicy.current(),
        "quorum_needed": selectors.quorum_needed(),
        "signatures_needed": selectors.requisition_signatures_needed(),
    }
    return render(request, "governance/meetings.html", context)


@governance_view
@submitted_once
def meeting_call(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff_only(request)
    requisition_id = number_from_text(request.POST.get("requisition") or request.GET.get("requisition"))
    requisition: Requisition | None = None
    initial: dict[str, Any] = {"kind": Meeting.Kind.GENERAL, "format": Meeting.Format.HYBRID}
    if requisition_id is not None:
        requisition = selectors.requisition_get_for_user(user=request.user, pk=requisition_id)
        initial |= {
            "requisition": requisition.pk,
            "title": _("General meeting requisitioned by members"),
            "agenda": requisition.purpose,
        }
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_call(
                called_by=request.user,
                kind=data["kind"],
                title=data["title"],
                format=data["format"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                online_link=data["online_link"],
                agenda=data["agenda"],
                requisition=requisition,
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            count = meeting.members_at_notice
            messages.success(
                request,
                ngettext(
                    "The meeting is called. Notice is sent to %(count)s member by email.",
                    "The meeting is called. Notice is sent to %(count)s members by email.",
                    count,
                )
                % {"count": count},
            )
            return redirect("meeting_detail", pk=meeting.pk)
    earliest = rules.notice_earliest_day(
        today=timezone.localdate(), clear_days=GovernancePolicy.current().notice_clear_days
    )
    context = {"form": form, "requisition": requisition, "earliest": earliest}
    return render(request, "governance/meeting_call.html", context, status=400 if form.errors else 200)


def _motion_rows(motions: list[Motion], ballots: dict[int, Ballot]) -> list[Motion]:
    """The motions of a meeting, each with its current text, its ballot and its amendments."""
    by_id = {motion.pk: motion for motion in motions}
    rows = []
    for motion in motions:
        versions = list(motion.versions.all())
        motion.current = versions[-1] if versions else None  # type: ignore[attr-defined]
        motion.ballot = ballots.get(motion.pk)  # type: ignore[attr-defined]
        motion.amendment_list = []  # type: ignore[attr-defined]
    for motion in motions:
        parent = by_id.get(motion.amends_id) if motion.amends_id else None
        if parent is not None:
            parent.amendment_list.append(motion)  # type: ignore[attr-defined]
        else:
            rows.append(motion)
    return rows


@governance_view
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    now = timezone.now()
    me = membership_of(request)
    ballots = list(selectors.ballots_for_user(user=request.user).filter(meeting=meeting).order_by("opens_at"))
    by_motion = {ballot.motion_id: ballot for ballot in ballots if ballot.motion_id}
    motions = _motion_rows(list(selectors.motions_for_meeting(meeting=meeting)), by_motion)
    attendance = (
        selectors.attendance_for_meeting(meeting=meeting).filter(membership=me).first() if me else None
    )
    minutes = getattr(meeting, "minutes", None)
    context: dict[str, Any] = {
        "meeting": meeting,
        "me": me,
        "now": now,
        "in_session": meeting.in_session(now),
        "is_over": meeting.ends_at <= now,
        "check_in_opens": meeting.starts_at - CHECK_IN_OPENS_BEFORE,
        "attendance": attendance,
        "motions": motions,
        "ballots": ballots,
        "documents": list(meeting.documents.all()),
        "quorum": selectors.meeting_quorum(meeting=meeting),
        "minutes": minutes,
        "held": [
            proxy
            for proxy in selectors.proxies_held_by(user=request.user, now=now)
            if meeting.pk in (proxy.meeting_id, proxy.ballot.meeting_id if proxy.ballot else None)
        ],
    }
    if is_staff(request.user):
        context["chair_form"] = ChairForm(initial={"number": meeting.chair.number if meeting.chair else None})
        context["chair_search"] = request.GET.get("chair", "")[:100]
        context["chair_found"] = selectors.members_found_for_meeting(
            meeting=meeting, search=context["chair_search"]
        )
        for member in context["chair_found"]:
            member.done = member.pk == meeting.chair_id
        if minutes is not None and minutes.approved_at_meeting_id is None:
            later = list(
                selectors.meetings_for_user(user=request.user)
                .filter(starts_at__gt=meeting.starts_at, starts_at__lte=now)
                .order_by("starts_at")[:20]
            )
            context["approve_form"] = MinutesApproveForm(meetings=later) if later else None
    return render(request, "governance/meeting_detail.html", context)


@governance_view
def meeting_amend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    staff_only(request)
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    fields = ["title", "format", "starts_at", "ends_at", "place", "online_link", "agenda"]
    initial = {field: getattr(meeting, field) for field in fields}
    form = MeetingAmendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            amended = services.meeting_amend(
                meeting=meeting, user=request.user, **{field: form.cleaned_data[field] for field in fields}
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            if amended.notice_amended_at != meeting.notice_amended_at:
                messages.success(
                    request,
                    ngettext(
                        "The meeting is changed. The amended notice is sent to %(count)s member by email.",
                        "The meeting is changed. The amended notice is sent to %(count)s members by email.",
                        amended.members_at_notice,
                    )
                    % {"count": amended.members_at_notice},
                )
            else:
                messages.info(request, _("Nothing was changed, so no notice was sent."))
            return redirect("meeting_detail", pk=meeting.pk)
    context = {"meeting": meeting, "form": form, "is_over": meeting.starts_at <= timezone.now()}
    return render(request, "governance/meeting_amend.html", context, status=400 if form.errors else 200)


@governance_view
@require_POST
def meeting_check_in(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    act(
        request,
        lambda: services.attendance_check_in(meeting=meeting, user=request.user),
        _("You are checked in. Welcome to the meeting."),
    )
    return redirect("meeting_detail", pk=meeting.pk)


@governance_view
@require_POST
def meeting_chair(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    staff_only(request)
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    form = ChairForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the chair's membership number, or leave it empty."))
        return redirect("meeting_detail", pk=meeting.pk)
    number = form.cleaned_data["number"]
    chair = member_by_number(number) if number else None
    if number and chair is None:
        messages.error(request, _("No member has the number %(number)s.") % {"number": number})
        return redirect("meeting_detail", pk=meeting.pk)
    try:
        services.meeting_chair_set(meeting=meeting, chair=chair, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if chair is None:
            messages.success(request, _("The meeting has no chair for now."))
        else:
            messages.success(request, _("%(name)s will chair the meeting.") % {"name": chair.shown_name})
    return redirect("meeting_detail", pk=meeting.pk)


@governance_view
def meeting_register(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    staff_only(request)
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    form = MembershipNumberForm(request.POST or None, label=_("Membership number"))
    search = request.GET.get("q", "")[:100]
    found = selectors.members_found_for_meeting(meeting=meeting, search=search)
    for member in found:
        # _member_search.html marks a member "done"; here, present (annotated by the selector).
        member.done = member.is_present  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        membership = member_by_number(form.cleaned_data["number"])
        if membership is None:
            form.add_error("number", _("No member has this number."))
        else:
            try:
                services.attendance_mark(meeting=meeting, membership=membership, user=request.user)
            except ApplicationError as error:
                form_error(form, error, aliases={"membership": "number"})
            else:
                messages.success(request, _("%(name)s is marked present.") % {"name": membership.shown_name})
                return redirect("meeting_register", pk=meeting.pk)
    context = {
        "meeting": meeting,
        "form": form,
        "attendance": list(selectors.attendance_for_meeting(meeting=meeting)),
        "quorum": selectors.meeting_quorum(meeting=meeting),
        "in_session": meeting.in_session(),
        "check_in_opens": meeting.starts_at - CHECK_IN_OPENS_BEFORE,
        "search": search,
        "found": found,
    }
    return render(request, "governance/meeting_register.html", context, status=400 if form.errors else 200)


@governance_view
def document_attach(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    staff_only(request)
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_attach(
                meeting=meeting,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
                user=request.user,
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The document is attached to the meeting."))
            return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#documents")
    context = {"meeting": meeting, "form": form}
    return render(request, "governance/document_attach.html", context, status=400 if form.errors else 200)


@governance_view
def document_download(request: AuthenticatedHttpRequest, pk: int, document_pk: int) -> FileResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    document = meeting.documents.filter(pk=document_pk).first()
    if document is None or not document.file:
        raise Http404
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=os.path.basename(document.file.name))
    # Checked on every download: the papers are for members, not for a shared cache.
    response["Cache-Control"] = "private, no-cache"
    return response


@governance_view
def minutes_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    staff_only(request)
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    minutes = getattr(meeting, "minutes", None)
    form = MinutesForm(request.POST or None, initial={"text": minutes.text if minutes else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_save(meeting=meeting, text=form.cleaned_data["text"], user=request.user)
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#minutes")
    context = {"meeting": meeting, "form": form, "minutes": minutes}
    return render(request, "governance/minutes_edit.html", context, status=400 if form.errors else 200)


@governance_view
@require_POST
def minutes_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    staff_only(request)
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    minutes = getattr(meeting, "minutes", None)
    at_number = number_from_text(request.POST.get("approve-at_meeting"))
    later = selectors.meetings_for_user(user=request.user)
    at_meeting = later.filter(pk=at_number).first() if at_number is not None else None
    if minutes is None or at_meeting is None:
        messages.error(request, _("Choose the meeting that approved the minutes."))
        return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#minutes")
    try:
        services.minutes_approve(minutes=minutes, at_meeting=at_meeting, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The minutes are recorded as approved at %(title)s.") % {"title": at_meeting.title}
        )
    return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#minutes")
