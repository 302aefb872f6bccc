"""The account page, applying for membership, and the governing documents."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carecoop.exceptions import ApplicationError
from carecoop.forms import form_add_application_error
from carecoop.http import AuthenticatedHttpRequest
from carecoop.once import submitted_once
from members import selectors, services
from members.forms import (
    CLASS_HINTS,
    ApplicationForm,
)
from members.models import GoverningDocument, MemberClass, Policy
from members.paying import bank_details


@login_required
def account_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = selectors.membership_current_for_user(user=request.user)
    worker = membership if membership and membership.member_class == MemberClass.WORKER else None
    today = timezone.localdate()
    context = {
        "membership": membership,
        "holding": selectors.membership_shares_held(membership=membership) if membership else None,
        "application": None if membership else selectors.application_latest_for_user(user=request.user),
        "checks": selectors.vetting_latest_for(membership=worker) if worker else None,
        "supporting": selectors.supporting_for_user(user=request.user),
        "bookable": selectors.worker_is_bookable(membership=worker, on=today) if worker else None,
        "today": today,
    }
    return render(request, "members/account.html", context)


@login_required
@submitted_once
def application_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if selectors.membership_current_for_user(user=request.user):
        messages.info(request, _("You are already a member of the co-op."))
        return redirect("account_overview")
    if selectors.application_open_for_user(user=request.user):
        messages.info(
            request,
            _("You already have an application waiting for a decision: you can apply once at a time."),
        )
        return redirect("application_status")

    documents = selectors.documents_current()
    rules = documents.get(GoverningDocument.Kind.RULES)
    commitment = documents.get(GoverningDocument.Kind.COMMITMENT)
    if rules is None or commitment is None:
        return render(request, "members/apply_closed.html")

    policy = Policy.current()
    bounds = (policy.investor_min_pence, policy.investor_max_pence)
    initial = {"rules_version": rules.version, "commitment_version": commitment.version}
    form = ApplicationForm(request.POST or None, initial=initial, investor_bounds=bounds)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if (data["rules_version"], data["commitment_version"]) != (rules.version, commitment.version):
            form.add_error(
                None,
                _(
                    "The rules or the Members' Commitment have changed since you opened this page. "
                    "Please read the new version, then agree to it again."
                ),
            )
        else:
            try:
                services.application_submit(
                    user=request.user,
                    member_class=data["member_class"],
                    legal_name=data["legal_name"],
                    address=data["address"],
                    postcode=data["postcode"],
                    phone=str(data["phone"] or ""),
                    date_of_birth=data["date_of_birth"],
                    reason=data["reason"],
                    rules=rules,
                    commitment=commitment,
                    investment_pence=form.investment_pence(),
                )
            except ApplicationError as error:
                form_add_application_error(form, error, aliases={"investment_pence": "investment"})
            else:
                messages.success(request, _("Thank you. Your application has been sent to the co-op."))
                return redirect("application_status")
    context = {
        "form": form,
        "rules": rules,
        "commitment": commitment,
        "rules_url": reverse("document_version", args=[rules.kind, rules.version]),
        "commitment_url": reverse("document_version", args=[commitment.kind, commitment.version]),
        "class_options": [(radio, CLASS_HINTS[radio.data["value"]]) for radio in form["member_class"]],
    }
    return render(request, "members/apply.html", context, status=400 if form.errors else 200)


@login_required
def application_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    application = selectors.application_latest_for_user(user=request.user)
    if application is None:
        return redirect("application_create")
    context = {"application": application, "bank": bank_details()}
    return render(request, "members/application_status.html", context)


@login_required
@require_POST
def application_withdraw(request: AuthenticatedHttpRequest) -> HttpResponse:
    application = selectors.application_open_for_user(user=request.user)
    if application is None:
        raise Http404
    try:
        services.application_withdraw(application=application, by=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Your application has been withdrawn."))
    return redirect("account_overview")


def document_detail(request: HttpRequest, kind: str, version: int | None = None) -> HttpResponse:
    if kind not in GoverningDocument.Kind.values:
        raise Http404
    documents = GoverningDocument.objects.filter(kind=kind)
    document = (
        get_object_or_404(documents, version=version)
        if version is not None
        else documents.order_by("-version").first()
    )
    if document is None:
        raise Http404
    return render(request, "members/document.html", {"document": document})
