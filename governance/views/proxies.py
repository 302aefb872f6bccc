"""Proxies: appointing one, those given and held, cancelling."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carecoop.exceptions import ApplicationError, NotFoundError
from carecoop.forms import form_add_application_error
from carecoop.http import AuthenticatedHttpRequest
from carecoop.once import submitted_once
from governance import selectors, services
from governance.forms.ballots import ProxyForm
from governance.models import Ballot, GovernancePolicy, Meeting, Proxy
from governance.views.common import int_param, taking_part
from members import selectors as member_selectors


@login_required
@submitted_once
def proxies(request: AuthenticatedHttpRequest) -> HttpResponse:
    taking_part(request)
    meeting_id, ballot_id = int_param(request, "meeting"), int_param(request, "ballot")
    meeting: Meeting | None = None
    ballot: Ballot | None = None
    try:
        if ballot_id is not None:
            ballot = selectors.ballot_get_for_user(user=request.user, pk=ballot_id)
        elif meeting_id is not None:
            meeting = selectors.meeting_get_for_user(user=request.user, pk=meeting_id)
    except NotFoundError as error:
        raise Http404 from error
    me = member_selectors.membership_current_for_user(user=request.user)
    form = None
    if meeting is not None or ballot is not None:
        members = list(
            member_selectors.memberships_participating(on=timezone.localdate())
            .exclude(user=request.user)
            .select_related("profile")
            .order_by("legal_name", "number")
        )
        form = ProxyForm(
            request.POST or None,
            members=members,
            chair=meeting is not None or (ballot is not None and ballot.meeting_id is not None),
            instruction=ballot is not None and ballot.kind == Ballot.Kind.MOTION,
        )
        if request.method == "POST" and form.is_valid():
            holder, to_chair = form.chosen()
            try:
                services.proxy_appoint(
                    user=request.user,
                    holder=holder,
                    to_chair=to_chair,
                    meeting=meeting,
                    ballot=ballot,
                    instruction=form.cleaned_data.get("instruction", ""),
                    instructions_text=form.cleaned_data["instructions_text"],
                )
            except ApplicationError as error:
                form_add_application_error(form, error)
            else:
                messages.success(request, _("Your proxy is appointed."))
                return redirect("proxies")
    listing = selectors.ballots_listing(user=request.user) if form is None else None
    context = {
        "form": form,
        "meeting": meeting,
        "ballot": ballot,
        "given": list(selectors.proxies_given_by(user=request.user)) if me else [],
        "held": selectors.proxies_held_by(user=request.user),
        "meetings": list(selectors.upcoming_meetings(user=request.user)[:20]) if form is None else [],
        "ballots": (listing.open + listing.coming) if listing else [],
        "max_proxies": GovernancePolicy.current().max_proxies,
    }
    return render(request, "governance/proxies.html", context)


@login_required
@require_POST
def proxy_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    taking_part(request)
    proxy: Proxy | None = selectors.proxies_given_by(user=request.user).filter(pk=pk).first()
    if proxy is None:
        raise Http404
    try:
        services.proxy_revoke(proxy=proxy, user=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your proxy is cancelled."))
    return redirect("proxies")
