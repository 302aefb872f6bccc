"""Motions: proposing, reading with their versions, seconding, revising and withdrawing."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carecoop.db import number_from_text
from carecoop.exceptions import ApplicationError
from carecoop.http import AuthenticatedHttpRequest
from carecoop.once import submitted_once
from carecoop.permissions import is_staff
from governance import selectors, services
from governance.forms.meetings import (
    MotionForm,
    MotionReviseForm,
)
from governance.models import Ballot, Motion
from governance.views.common import LIVE, act, form_error, governance_view, membership_of


@governance_view
@submitted_once
def motion_propose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_get_for_user(user=request.user, pk=pk)
    amends_id = number_from_text(request.GET.get("amends"))
    amends: Motion | None = None
    if request.GET.get("amends") is not None:
        amends = selectors.motion_get_for_user(user=request.user, pk=amends_id or 0)
        if amends.meeting_id != meeting.pk:
            raise Http404
    staff = is_staff(request.user)
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
            form_error(form, error)
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
    return (is_staff(request.user) or mine) and motion.status in LIVE and not fixed


@governance_view
def motion_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    motion = selectors.motion_get_for_user(user=request.user, pk=pk)
    me = membership_of(request)
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
        "can_amend": open_for_amendment and (me is not None or is_staff(request.user)),
    }
    return render(request, "governance/motion_detail.html", context)


@governance_view
@require_POST
def motion_second(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
def motion_revise(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
            form_error(form, error)
        else:
            messages.success(request, _("Version %(n)s of the text is saved.") % {"n": version.number})
            return redirect("motion_detail", pk=motion.pk)
    context = {"motion": motion, "meeting": motion.meeting, "form": form, "current": current}
    return render(request, "governance/motion_revise.html", context, status=400 if form.errors else 200)


@governance_view
@require_POST
def motion_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    motion = selectors.motion_get_for_user(user=request.user, pk=pk)
    act(
        request,
        lambda: services.motion_withdraw(motion=motion, user=request.user),
        _("The motion is withdrawn."),
    )
    return redirect("motion_detail", pk=motion.pk)
