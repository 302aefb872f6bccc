"""The browser door onto general meetings: the list, calling a meeting, one meeting (notice,
papers, motions, ballots, check-in, quorum, chair and minutes), the register of attendance,
motions and their versions, requisitions, and the meeting and voting rules.

Members and staff read everything here; a logged-in person who is not a member finds nothing
(the selectors answer 404). Staff-only pages answer 403 to members.
"""

import os
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from carecoop.db import number_from_text
from carecoop.exceptions import ApplicationError, NotFoundError
from carecoop.forms import form_add_application_error
from governance import rules, selectors, services
from governance.forms import (
    POLICY_FIELDS,
    ChairForm,
    DocumentForm,
    GovernancePolicyForm,
    MeetingAmendForm,
    MeetingForm,
    MembershipNumberForm,
    MinutesApproveForm,
    MinutesForm,
    MotionForm,
    MotionReviseForm,
    RequisitionForm,
)
from governance.models import CHECK_IN_OPENS_BEFORE, Ballot, GovernancePolicy, Meeting, Motion, Requisition
from members import selectors as member_selectors
from members.models import Membership

View = Callable[..., HttpResponse]
LIVE = (Motion.Status.AWAITING_SECONDER, Motion.Status.TABLED)


def governance_view(view: View) -> View:
    """Log in first; what the selectors do not show the user is not found."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError as error:
            raise Http404(error.message) from error

    return wrapper


def _staff_only(request: HttpRequest) -> None:
    """A member may know a staff page exists but not use it (403); anyone else finds nothing."""
    if request.user.is_staff:
        return
    if not selectors.can_take_part(request.user):
        raise Http404
    raise PermissionDenied


def _form_error(form: Any, error: ApplicationError, aliases: dict[str, str] | None = None) -> None:
    """A refusal shown on the form: beside its field when it names one of the form's fields (the
    error summary links to it), else at the top; not both, so the summary says it once."""
    names = {(aliases or {}).get(name, name) for name in error.fields}
    if names and names <= set(form.fields):
        for name, field_messages in error.fields.items():
            for message in field_messages:
                form.add_error((aliases or {}).get(name, name), message)
    else:
        form_add_application_error(form, error, aliases)


def _me(request: HttpRequest) -> Membership | None:
    return member_selectors.membership_current_for_user(user=request.user)


def _member_by_number(number: int) -> Membership | None:
    try:
        return member_selectors.membership_get_by_number(number=number)
    except Http404:
        return None


# --- Meetings -------------------------------------------------------------------------------------


@governance_view
def meetings(request: HttpRequest) -> HttpResponse:
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
def meeting_call(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
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
            _form_error(form, error)
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
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    now = timezone.now()
    me = _me(request)
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
    if request.user.is_staff:
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
def meeting_amend(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    _staff_only(request)
    fields = ["title", "format", "starts_at", "ends_at", "place", "online_link", "agenda"]
    initial = {field: getattr(meeting, field) for field in fields}
    form = MeetingAmendForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            amended = services.meeting_amend(
                meeting=meeting, user=request.user, **{field: form.cleaned_data[field] for field in fields}
            )
        except ApplicationError as error:
            _form_error(form, error)
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
def meeting_check_in(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    _act(
        request,
        lambda: services.attendance_check_in(meeting=meeting, user=request.user),
        _("You are checked in. Welcome to the meeting."),
    )
    return redirect("meeting_detail", pk=meeting.pk)


def _act(request: HttpRequest, action: Callable[[], object], done: str) -> None:
    """Run a service for a button, and say how it went: its refusal, or `done`."""
    try:
        action()
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)


@governance_view
@require_POST
def meeting_chair(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    _staff_only(request)
    form = ChairForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the chair's membership number, or leave it empty."))
        return redirect("meeting_detail", pk=meeting.pk)
    number = form.cleaned_data["number"]
    chair = _member_by_number(number) if number else None
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
def meeting_register(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    _staff_only(request)
    form = MembershipNumberForm(request.POST or None, label=_("Membership number"))
    search = request.GET.get("q", "")[:100]
    found = selectors.members_found_for_meeting(meeting=meeting, search=search)
    for member in found:
        member.done = member.is_present
    if request.method == "POST" and form.is_valid():
        membership = _member_by_number(form.cleaned_data["number"])
        if membership is None:
            form.add_error("number", _("No member has this number."))
        else:
            try:
                services.attendance_mark(meeting=meeting, membership=membership, user=request.user)
            except ApplicationError as error:
                _form_error(form, error, aliases={"membership": "number"})
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
def document_attach(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    _staff_only(request)
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
            _form_error(form, error)
        else:
            messages.success(request, _("The document is attached to the meeting."))
            return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#documents")
    context = {"meeting": meeting, "form": form}
    return render(request, "governance/document_attach.html", context, status=400 if form.errors else 200)


@governance_view
def document_download(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
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
def minutes_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    _staff_only(request)
    minutes = getattr(meeting, "minutes", None)
    form = MinutesForm(request.POST or None, initial={"text": minutes.text if minutes else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_save(meeting=meeting, text=form.cleaned_data["text"], user=request.user)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The minutes are saved."))
            return redirect(reverse("meeting_detail", args=[meeting.pk]) + "#minutes")
    context = {"meeting": meeting, "form": form, "minutes": minutes}
    return render(request, "governance/minutes_edit.html", context, status=400 if form.errors else 200)


@governance_view
@require_POST
def minutes_approve(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    _staff_only(request)
    minutes = getattr(meeting, "minutes", None)
    later = selectors.meetings_for_user(user=request.user).filter(
        pk=number_from_text(request.POST.get("approve-at_meeting"))
    )
    at_meeting = later.first()
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


# --- Motions --------------------------------------------------------------------------------------


@governance_view
def motion_propose(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    amends_id = number_from_text(request.GET.get("amends"))
    amends: Motion | None = None
    if request.GET.get("amends") is not None:
        amends = selectors.motion_get_for_user(user=request.user, pk=amends_id or 0)
        if amends.meeting_id != meeting.pk:
            raise Http404
    staff = bool(request.user.is_staff)
    initial: dict[str, Any] = {"by_board": staff and request.GET.get("board") == "1"}
    if amends is not None:
        versions = list(amends.versions.all())
        initial |= {
            "title": _("Amendment to “%(title)s”") % {"title": amends.title},
            "text": versions[-1].text if versions else "",
        }
    form = MotionForm(request.POST or None, initial=initial, staff=staff, amendment=amends is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            motion = services.motion_propose(
                user=request.user,
                meeting=meeting,
                title=data["title"],
                text=data["text"],
                majority=data.get("majority") or "ordinary",
                by_board=bool(data.get("by_board")),
                amends=amends,
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            if motion.status == Motion.Status.AWAITING_SECONDER:
                messages.success(
                    request, _("Your motion is proposed. It now needs another member to second it.")
                )
            else:
                messages.success(request, _("The board's motion is on the agenda."))
            return redirect("motion_detail", pk=motion.pk)
    context = {"meeting": meeting, "form": form, "amends": amends}
    return render(request, "governance/motion_propose.html", context, status=400 if form.errors else 200)


def _can_change(request: HttpRequest, motion: Motion, ballot: Ballot | None) -> bool:
    mine = motion.proposer is not None and motion.proposer.user_id == request.user.pk
    fixed = ballot is not None and ballot.status != Ballot.Status.DRAFT
    return (bool(request.user.is_staff) or mine) and motion.status in LIVE and not fixed


@governance_view
def motion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    motion = selectors.motion_get_for_user(user=request.user, pk=pk)
    me = _me(request)
    ballot = motion.ballots.first()
    motion.ballot = ballot  # type: ignore[attr-defined]  # for its status label
    amendments = list(selectors.motions_for_meeting(meeting=motion.meeting).filter(amends=motion))
    for amendment in amendments:
        versions = list(amendment.versions.all())
        amendment.current = versions[-1] if versions else None  # type: ignore[attr-defined]
    versions = list(motion.versions.all())
    open_for_amendment = (
        motion.amends_id is None
        and motion.status in LIVE
        and motion.meeting.ends_at > timezone.now()
        and (ballot is None or ballot.status == Ballot.Status.DRAFT)
    )
    context = {
        "motion": motion,
        "meeting": motion.meeting,
        "me": me,
        "versions": versions,
        "current": versions[-1] if versions else None,
        "ballot": ballot,
        "amendments": amendments,
        "can_change": _can_change(request, motion, ballot),
        "can_second": me is not None
        and motion.status == Motion.Status.AWAITING_SECONDER
        and motion.proposer_id != me.pk,
        "can_amend": open_for_amendment and (me is not None or request.user.is_staff),
    }
    return render(request, "governance/motion_detail.html", context)


@governance_view
@require_POST
def motion_second(request: HttpRequest, pk: int) -> HttpResponse:
    motion = selectors.motion_get_for_user(user=request.user, pk=pk)
    try:
        services.motion_second(motion=motion, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("You seconded “%(title)s”. It is on the table.") % {"title": motion.title}
        )
    if request.POST.get("back") == "meeting":
        return redirect(reverse("meeting_detail", args=[motion.meeting_id]) + f"#motion-{motion.pk}")
    return redirect("motion_detail", pk=motion.pk)


@governance_view
def motion_revise(request: HttpRequest, pk: int) -> HttpResponse:
    motion = selectors.motion_get_for_user(user=request.user, pk=pk)
    if request.method == "GET" and not _can_change(request, motion, motion.ballots.first()):
        messages.info(
            request, _("Only the proposer or the co-op's staff can change this motion, while it is open.")
        )
        return redirect("motion_detail", pk=motion.pk)
    versions = list(motion.versions.all())
    current = versions[-1] if versions else None
    form = MotionReviseForm(request.POST or None, initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.motion_revise(
                motion=motion,
                text=form.cleaned_data["text"],
                note=form.cleaned_data["note"],
                user=request.user,
            )
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Version %(n)s of the text is saved.") % {"n": version.number})
            return redirect("motion_detail", pk=motion.pk)
    context = {"motion": motion, "meeting": motion.meeting, "form": form, "current": current}
    return render(request, "governance/motion_revise.html", context, status=400 if form.errors else 200)


@governance_view
@require_POST
def motion_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    motion = selectors.motion_get_for_user(user=request.user, pk=pk)
    _act(
        request,
        lambda: services.motion_withdraw(motion=motion, user=request.user),
        _("The motion is withdrawn."),
    )
    return redirect("motion_detail", pk=motion.pk)


# --- Requisitions ---------------------------------------------------------------------------------


@governance_view
def requisitions(request: HttpRequest) -> HttpResponse:
    listed = (
        selectors.requisitions_for_user(user=request.user)
        .select_related("meeting")
        .order_by("-opened_at", "-pk")
    )
    form = RequisitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            requisition = services.requisition_open(user=request.user, purpose=form.cleaned_data["purpose"])
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(
                request, _("The requisition is open with your signature. Ask other members to sign it.")
            )
            return redirect("requisition_detail", pk=requisition.pk)
    context = {
        "page": Paginator(listed, 20).get_page(request.GET.get("page")),
        "form": form,
        "signatures_needed": selectors.requisition_signatures_needed(),
        "is_member": _me(request) is not None,
    }
    return render(request, "governance/requisitions.html", context, status=400 if form.errors else 200)


@governance_view
def requisition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    requisition = selectors.requisition_get_for_user(user=request.user, pk=pk)
    me = _me(request)
    signatures = list(requisition.signatures.select_related("membership__profile"))
    context = {
        "requisition": requisition,
        "meeting": getattr(requisition, "meeting", None),
        "needed": requisition.signatures_needed or selectors.requisition_signatures_needed(),
        "signatures": signatures,
        "signed": me is not None and any(s.membership_id == me.pk for s in signatures),
        "me": me,
    }
    return render(request, "governance/requisition_detail.html", context)


@governance_view
@require_POST
def requisition_unsign(request: HttpRequest, pk: int) -> HttpResponse:
    requisition = selectors.requisition_get_for_user(user=request.user, pk=pk)
    _act(
        request,
        lambda: services.requisition_unsign(requisition=requisition, user=request.user),
        _("Your signature is taken off the requisition."),
    )
    return redirect("requisition_detail", pk=requisition.pk)


@governance_view
@require_POST
def requisition_sign(request: HttpRequest, pk: int) -> HttpResponse:
    requisition = selectors.requisition_get_for_user(user=request.user, pk=pk)
    try:
        signed = services.requisition_sign(requisition=requisition, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if signed.met_at:
            messages.success(
                request,
                _("Thank you for signing. The requisition has the signatures it needs: staff are told."),
            )
        else:
            messages.success(request, _("Thank you: your signature is added."))
    return redirect("requisition_detail", pk=requisition.pk)


# --- The rules ------------------------------------------------------------------------------------


@governance_view
def governance_policy(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    policy = GovernancePolicy.current()
    form = GovernancePolicyForm(request.POST or None, initial=model_to_dict(policy, fields=POLICY_FIELDS))
    if request.method == "POST" and form.is_valid():
        try:
            services.governance_policy_update(user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The meeting and voting rules are saved."))
            return redirect("governance_policy")
    return render(
        request,
        "governance/policy.html",
        {"form": form, "policy": policy, "changes": selectors.governance_policy_changes()},
        status=400 if form.errors else 200,
    )
