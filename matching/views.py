from datetime import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carecoop.audit import staff_care_read
from carecoop.exceptions import ApplicationError
from carecoop.forms import form_add_application_error
from carecoop.http import AuthenticatedHttpRequest
from carecoop.money import pence_from_pounds
from carecoop.once import submitted_once
from carecoop.pagination import CountedPaginator
from matching import permissions, selectors, services
from matching.forms import (
    DeclineForm,
    IntroductionForm,
    NoticeboardForm,
    PeerSearchForm,
    TeamRoleForm,
    WorkerSearchForm,
)
from matching.models import Introduction, TeamMember, TeamRole
from matching.selectors import TimeWanted, WorkerCriteria
from members import geo, pricing
from members import selectors as member_selectors
from members.models import MemberClass, Membership, Policy, User

PAGE_SIZE = 20
PARTS = {"morning": (time(6), time(12)), "afternoon": (time(12), time(17)), "evening": (time(17), time(23))}


def _acting_for(request: AuthenticatedHttpRequest) -> Membership | None:
    """The person getting support the user is acting for (see selectors.receiver_acted_for)."""
    number = request.GET.get("for") or request.POST.get("for")
    return selectors.receiver_acted_for(user=request.user, number=number, allowed=permissions.manages_team)


def _member_or_redirect(request: HttpRequest) -> Membership | None:
    membership = member_selectors.membership_current_for_user(user=request.user)
    if membership is None:
        messages.info(request, _("This part of the co-op opens when you become a member."))
    return membership


@login_required
def worker_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    receiver = _acting_for(request)
    if receiver is None and _member_or_redirect(request) is None:
        return redirect("account_overview")
    profile = member_selectors.profile_whereabouts_for(membership=receiver) if receiver else None
    share = Policy.current()
    form = WorkerSearchForm(request.GET or None)
    form.is_valid()  # a bad filter is dropped; the others still apply
    data = getattr(form, "cleaned_data", {})
    near = None
    if profile is not None and profile.latitude is not None and profile.longitude is not None:
        near = geo.Point(profile.latitude, profile.longitude)
    available = []
    if data.get("day") is not None:
        starts, ends = PARTS.get(data.get("part") or "", (time(0), time(23, 59)))
        available = [TimeWanted(data["day"], starts, ends)]
    criteria = WorkerCriteria(
        skills=list(data.get("skills") or []),
        language=data.get("language"),
        near=near,
        within_km=data.get("within_km") or (profile.max_distance_km if profile else None),
        available=available,
        # What the person would pay an hour, at most: the worker's rates that come within it.
        max_rate_pence=pricing.highest_rate_within(pence_from_pounds(data["max_rate"]), share)
        if data.get("max_rate")
        else None,
        gender=data.get("gender") or "",
        peer_support=bool(data.get("peer_support")),
        sort=data.get("sort") or "distance",
    )
    results = selectors.worker_search(criteria=criteria, on=timezone.localdate(), receiver=receiver)
    page = CountedPaginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "receiver": receiver,
        "profile": profile,
        "share": share,
    }
    return render(request, "matching/worker_search.html", context)


@login_required
def suggestions(request: AuthenticatedHttpRequest) -> HttpResponse:
    receiver = _acting_for(request)
    if receiver is None:
        messages.info(
            request, _("Suggestions are for members getting support, and the people acting for them.")
        )
        return redirect("account_overview")
    profile = member_selectors.profile_whereabouts_for(membership=receiver)
    ranked = selectors.suggestions_for(receiver=profile, on=timezone.localdate()) if profile else []
    return render(
        request,
        "matching/suggestions.html",
        {"receiver": receiver, "profile": profile, "suggestions": ranked, "share": Policy.current()},
    )


@login_required
def member_profile(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    """A member's profile, showing only what the viewer may see; a 404 for anyone who may see none.
    A worker's profile offers "Ask to meet" to whoever may ask for a person not yet in their team
    (it lives here, not in members, because teams and introductions are matching's)."""
    membership = get_object_or_404(Membership.objects.current(), number=number)
    profile = member_selectors.profile_get_for_membership(membership=membership)
    # A worker in the person's team sees what the team sees (rule 9), as on the team's page.
    in_team = profile is not None and selectors.in_team(user=request.user, receiver=membership)
    viewer = (
        member_selectors.profile_viewer(user=request.user, profile=profile, in_team=in_team)
        if profile
        else None
    )
    visible = (
        member_selectors.profile_visible_fields(profile=profile, viewer=viewer) if profile else frozenset()
    )
    if profile is None or viewer is None or "display_name" not in visible:
        raise Http404  # someone who chose not to be seen is not there to find
    if membership.member_class == MemberClass.RECEIVER:
        staff_care_read(by=request.user, person=membership, what="the profile, with the support wanted")
    today = timezone.localdate()
    is_worker = membership.member_class == MemberClass.WORKER
    context = {
        "profile": profile,
        "membership": membership,
        "visible": visible,
        "photo_shown": "photo" in visible and member_selectors.profile_photo_kept(profile=profile),
        "viewer": viewer,
        "share": Policy.current(),
        "checks_current": is_worker
        and member_selectors.worker_checks_up_to_date(membership=membership, on=today),
        "asks": selectors.asks_to_meet(
            user=request.user,
            worker=membership,
            number=request.GET.get("for"),
            allowed=permissions.manages_team,
            on=today,
        )
        if viewer != "self"
        else [],
    }
    return render(request, "members/member_profile.html", context)


@login_required
def profile_photo(request: AuthenticatedHttpRequest, number: int) -> FileResponse:
    """A member's photo, to whoever may see it on their profile page (a worker in the person's
    team among them, which is why it lives here); to anyone else, no such photo."""
    membership = get_object_or_404(Membership.objects.current(), number=number)
    profile = member_selectors.profile_get_for_membership(membership=membership)
    if profile is None or not profile.photo:
        raise Http404
    in_team = selectors.in_team(user=request.user, receiver=membership)
    viewer = member_selectors.profile_viewer(user=request.user, profile=profile, in_team=in_team)
    if "photo" not in member_selectors.profile_visible_fields(profile=profile, viewer=viewer):
        raise Http404
    if not member_selectors.profile_photo_kept(profile=profile):
        raise Http404  # its file is lost: the pages show the member's initials instead
    response = FileResponse(profile.photo.open("rb"), content_type="image/jpeg")
    # Checked again on every view: a narrowed choice, a removed supporter or a worker who left the
    # team takes effect at once.
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@submitted_once
def introduction_create(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    """Ask to be introduced to the member with this number."""
    other = get_object_or_404(Membership.objects.current(), number=number)
    other_profile = member_selectors.profile_get_for_membership(membership=other)
    viewer = (
        member_selectors.profile_viewer(user=request.user, profile=other_profile) if other_profile else None
    )
    if other_profile is None or "display_name" not in member_selectors.profile_visible_fields(
        profile=other_profile, viewer=viewer
    ):
        raise Http404
    kind = Introduction.Kind.PEER if request.GET.get("kind") == "peer" else Introduction.Kind.CARE
    own = member_selectors.membership_current_for_user(user=request.user)
    receiver: Membership | None
    supporter: Membership | None
    if kind == Introduction.Kind.PEER or other.member_class == MemberClass.WORKER:
        receiver = _acting_for(request) or own
        supporter, from_receiver = other, True
    else:
        receiver, supporter, from_receiver = other, own, False
    if receiver is None or supporter is None:
        raise Http404
    form = IntroductionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.introduction_send(
                by=request.user,
                receiver=receiver,
                supporter=supporter,
                from_receiver=from_receiver,
                message=form.cleaned_data["message"],
                kind=kind,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(
                request,
                _("Your request is sent to %(name)s. We will email you the answer.")
                % {"name": other_profile.display_name},
            )
            return redirect("introductions")
    context = {"form": form, "other": other_profile, "kind": kind, "receiver": receiver}
    return render(request, "matching/introduction_create.html", context, status=400 if form.errors else 200)


@login_required
def introductions(request: AuthenticatedHttpRequest) -> HttpResponse:
    own = _member_or_redirect(request)
    if own is None:
        return redirect("account_overview")
    acting = [
        c.receiver for c in member_selectors.supporting_for_user(user=request.user) if c.can_manage_team
    ]
    rows = []
    for membership in [own, *acting]:
        for introduction in selectors.introductions_for(membership=membership)[:50]:
            rows.append(
                (introduction, introduction.recipient == membership or introduction.recipient in acting)
            )
    context = {"rows": rows, "decline_form": DeclineForm()}
    return render(request, "matching/introductions.html", context)


@login_required
@require_POST
def introduction_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    introduction = selectors.introduction_get_for_user(user=request.user, pk=pk)
    answer = request.POST.get("answer")
    try:
        if answer == "accept":
            place = services.introduction_accept(introduction=introduction, by=request.user)
            messages.success(
                request,
                _("Accepted. You are now in the same team, on trial until %(day)s.")
                % {"day": place.trial_ends_on.strftime("%-d %B")},
            )
            return redirect("team", number=place.receiver.number)
        if answer == "decline":
            services.introduction_decline(
                introduction=introduction, by=request.user, reason=request.POST.get("reason", "")
            )
            messages.info(request, _("Declined. They have been told."))
        elif answer == "withdraw":
            services.introduction_withdraw(introduction=introduction, by=request.user)
            messages.info(request, _("Withdrawn."))
        else:
            raise Http404
    except ApplicationError as error:
        messages.error(request, error.message)
    return redirect("introductions")


def _team_access(request: AuthenticatedHttpRequest, receiver: Membership) -> str:
    """ "manage" (the person, staff, or circle with the power), "member" (in the team or the
    circle), or a 404: a team's page is not for anyone else."""
    if permissions.manages_team(request.user, receiver):
        return "manage"
    if permissions.sees_team(request.user, receiver):
        return "member"
    raise Http404


@login_required
def team(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    receiver = get_object_or_404(
        Membership.objects.current().select_related("user", "profile"),
        number=number,
        member_class=MemberClass.RECEIVER,
    )
    access = _team_access(request, receiver)
    reads_noticeboard = permissions.reads_noticeboard(request.user, receiver)
    members = selectors.team_for(receiver=receiver, on=timezone.localdate())
    circle = [c for c in member_selectors.circle_for_receiver(receiver=receiver) if c.status == "active"]
    people = [(receiver.user_id, receiver.legal_name)] + [
        (m.member.user_id, m.member.legal_name) for m in members
    ]
    people += [(c.supporter.pk, c.shown_name) for c in circle if c.supporter is not None]
    role_form = TeamRoleForm(prefix="role", people=people)
    post_form = NoticeboardForm(prefix="post")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "post":
                post_form = NoticeboardForm(request.POST, prefix="post")
                if post_form.is_valid():
                    services.noticeboard_post(
                        receiver=receiver, by=request.user, body=post_form.cleaned_data["body"]
                    )
                    messages.success(request, _("Posted. The rest of the team has been emailed."))
                    return redirect("team", number=number)
            elif action == "role" and access == "manage":
                role_form = TeamRoleForm(request.POST, prefix="role", people=people)
                if role_form.is_valid():
                    holder = get_object_or_404(User, pk=role_form.cleaned_data["holder"])
                    services.team_role_give(
                        receiver=receiver,
                        holder=holder,
                        name=role_form.cleaned_data["name"],
                        review_on=role_form.cleaned_data["review_on"],
                        by=request.user,
                    )
                    messages.success(request, _("Role given."))
                    return redirect("team", number=number)
            elif action in ("confirm", "end"):
                place = get_object_or_404(TeamMember, pk=request.POST.get("member"), receiver=receiver)
                if action == "confirm":
                    services.team_member_confirm(member=place, by=request.user)
                    messages.success(request, _("Confirmed in the team."))
                else:
                    services.team_member_end(
                        member=place, by=request.user, reason=request.POST.get("reason", "")
                    )
                    messages.info(request, _("They are no longer in the team."))
                return redirect("team", number=number)
            elif action == "end_role" and access == "manage":
                role = get_object_or_404(TeamRole, pk=request.POST.get("role"), receiver=receiver)
                services.team_role_end(role=role, by=request.user)
                return redirect("team", number=number)
            else:
                raise Http404
        except ApplicationError as error:
            form = role_form if action == "role" else post_form
            form_add_application_error(form, error)
        status = 400
    if reads_noticeboard:
        staff_care_read(by=request.user, person=receiver, what="the team's noticeboard")
    context = {
        "receiver": receiver,
        "access": access,
        "members": members,
        "circle": circle,
        "roles": selectors.team_roles_for(receiver=receiver),
        "reads_noticeboard": reads_noticeboard,
        "books": permissions.books_from_team(request.user, receiver),
        "posts": selectors.noticeboard_for(receiver=receiver) if reads_noticeboard else [],
        "role_form": role_form,
        "post_form": post_form,
        "phones": member_selectors.phones_for(memberships=[receiver, *[m.member for m in members]]),
        "receiver_photo": _team_photo(request, receiver, members),
    }
    return render(request, "matching/team.html", context, status=status)


def _team_photo(request: AuthenticatedHttpRequest, receiver: Membership, members: list[TeamMember]) -> bool:
    """Whether the person's photo is shown at the head of her team's page: as her profile page
    would show it to the user, who may be one of the team listed."""
    profile = getattr(receiver, "profile", None)
    if profile is None:
        return False
    in_team = any(place.member.user_id == request.user.pk for place in members)
    return receiver.pk in member_selectors.photos_visible_to(
        user=request.user, profiles=[profile], in_team_of={receiver.pk} if in_team else frozenset()
    )


@login_required
def my_teams(request: AuthenticatedHttpRequest) -> HttpResponse:
    own = _member_or_redirect(request)
    if own is None:
        return redirect("account_overview")
    if own.member_class == MemberClass.RECEIVER:
        return redirect("team", number=own.number)
    return render(request, "matching/my_teams.html", {"places": selectors.teams_of(member=own)})


@login_required
def people_looking(request: AuthenticatedHttpRequest) -> HttpResponse:
    """People getting support who chose to be listed, as workers see them."""
    own = _member_or_redirect(request)
    if own is None:
        return redirect("account_overview")
    if not permissions.sees_people_looking(request.user, own):
        raise Http404
    page = Paginator(selectors.receivers_listed(on=timezone.localdate()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    cards = []
    for profile in page:
        visible = member_selectors.profile_visible_fields(profile=profile, viewer="member")
        cards.append((profile, visible))
    return render(request, "matching/people.html", {"page": page, "cards": cards})


@login_required
def peer_support(request: AuthenticatedHttpRequest) -> HttpResponse:
    own = _member_or_redirect(request)
    if own is None:
        return redirect("account_overview")
    form = PeerSearchForm(request.GET or None)
    form.is_valid()
    topic = getattr(form, "cleaned_data", {}).get("topic")
    page = Paginator(selectors.peer_supporters(topic=topic, exclude=own), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "matching/peer_support.html", {"form": form, "page": page, "query": query.urlencode()}
    )
