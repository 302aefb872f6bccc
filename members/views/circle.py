"""The circle of support: inviting, revoking, and answering an invitation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carecoop.exceptions import ApplicationError
from carecoop.forms import form_add_application_error
from carecoop.http import AuthenticatedHttpRequest
from members import selectors, services
from members.forms import (
    CircleInviteForm,
)
from members.models import MemberClass, Membership
from members.permissions import can_manage_circle


@login_required
def circle_manage(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    receiver = get_object_or_404(Membership.objects.current().select_related("user"), number=number)
    if receiver.member_class != MemberClass.RECEIVER or not can_manage_circle(request.user, receiver):
        raise Http404
    form = CircleInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.circle_invite(
                receiver=receiver,
                by=request.user,
                **form.cleaned_data,
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(
                request, _("We have emailed %(email)s an invitation.") % {"email": form.cleaned_data["email"]}
            )
            return redirect("circle_manage", number=number)
    context = {"receiver": receiver, "circle": selectors.circle_for_receiver(receiver=receiver), "form": form}
    return render(request, "members/circle.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def circle_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = selectors.circle_member_get_for_user(user=request.user, pk=pk)
    try:
        services.circle_revoke(member=member, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s is no longer in the circle.") % {"name": member.shown_name})
    return redirect("circle_manage", number=member.receiver.number)


@login_required
def circle_invitation(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.circle_invitation_for_token(token=token)
    except ApplicationError as error:
        return render(request, "members/circle_invitation.html", {"problem": error.message}, status=404)
    if not selectors.user_has_verified_email(user=request.user, email=invitation.email):
        context = {
            "problem": _("This invitation was sent to someone else. Log in with the address it was sent to.")
        }
        return render(request, "members/circle_invitation.html", context, status=403)
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "accept":
                services.circle_accept(token=token, user=request.user)
                messages.success(
                    request,
                    _("You are now in %(name)s's circle of support.")
                    % {"name": invitation.receiver.legal_name},
                )
            else:
                services.circle_decline(token=token, user=request.user)
                messages.info(request, _("You have declined the invitation."))
        except ApplicationError as error:
            return render(
                request,
                "members/circle_invitation.html",
                {"invitation": invitation, "problem": error.message},
                status=400,
            )
        return redirect("account_overview")
    return render(request, "members/circle_invitation.html", {"invitation": invitation})
