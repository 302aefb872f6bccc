"""Requisitions: opening one, signing, taking a signature back."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carecoop.exceptions import ApplicationError
from carecoop.http import AuthenticatedHttpRequest
from carecoop.once import submitted_once
from governance import selectors, services
from governance.forms.meetings import (
    RequisitionForm,
)
from governance.views.common import act, form_error, governance_view, membership_of


@governance_view
@submitted_once
def requisitions(request: AuthenticatedHttpRequest) -> HttpResponse:
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
            form_error(form, error)
        else:
            messages.success(
                request, _("The requisition is open with your signature. Ask other members to sign it.")
            )
            return redirect("requisition_detail", pk=requisition.pk)
    context = {
        "page": Paginator(listed, 20).get_page(request.GET.get("page")),
        "form": form,
        "signatures_needed": selectors.requisition_signatures_needed(),
        "is_member": membership_of(request) is not None,
    }
    return render(request, "governance/requisitions.html", context, status=400 if form.errors else 200)


@governance_view
def requisition_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    requisition = selectors.requisition_get_for_user(user=request.user, pk=pk)
    me = membership_of(request)
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
def requisition_unsign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    requisition = selectors.requisition_get_for_user(user=request.user, pk=pk)
    act(
        request,
        lambda: services.requisition_unsign(requisition=requisition, user=request.user),
        _("Your signature is taken off the requisition."),
    )
    return redirect("requisition_detail", pk=requisition.pk)


@governance_view
@require_POST
def requisition_sign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
