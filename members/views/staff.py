"""Staff pages: applications, the register of members, governing documents and vetting."""

import itertools

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.exceptions import ApplicationError
from carecoop.forms import form_add_application_error
from carecoop.http import AuthenticatedHttpRequest
from carecoop.money import pounds_figure
from carecoop.once import submitted_once
from carecoop.permissions import staff_required
from carecoop.spreadsheets import csv_streaming_response
from members import selectors, services
from members.forms import (
    CeaseForm,
    ChangeClassForm,
    DocumentForm,
    PaymentForm,
    RefundForm,
    RegisterDetailsForm,
    RegisterFilterForm,
    RejectForm,
    ShareTransactionForm,
    StaffActionFilterForm,
    VettingCheckForm,
)
from members.models import GoverningDocument, MemberClass, Membership, VettingCheck

REGISTER_PAGE_SIZE = 50
STAFF_LOG_PAGE_SIZE = 50


@staff_required
def staff_application_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request, "members/staff/application_queue.html", {"applications": selectors.application_queue()}
    )


@staff_required
@submitted_once
def staff_application_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get(pk=pk)
    payment_form = PaymentForm(
        prefix="payment",
        initial={
            "reference": application.reference,
            "amount": pounds_figure(application.amount_due_pence),
            "paid_on": timezone.localdate(),
        },
    )
    reject_form = RejectForm(prefix="reject")
    refund_form = RefundForm(prefix="refund", initial={"refunded_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "payment":
                payment_form = PaymentForm(request.POST, prefix="payment")
                if payment_form.is_valid():
                    services.application_record_payment(
                        application=application,
                        reference=payment_form.cleaned_data["reference"],
                        paid_on=payment_form.cleaned_data["paid_on"],
                        amount_pence=payment_form.amount_pence(),
                        by=request.user,
                    )
                    messages.success(request, _("Payment recorded."))
                    return redirect("staff_application_review", pk=pk)
            elif action == "approve":
                # Admitting someone cannot be undone in a click: say who, as what and with what,
                # and approve only on the confirmed post.
                if application.status != application.Status.SUBMITTED or not application.is_paid:
                    messages.error(request, _("Record the payment for the shares before approving."))
                    return redirect("staff_application_review", pk=pk)
                return render(
                    request, "members/staff/application_approve_confirm.html", {"application": application}
                )
            elif action == "approve_confirmed":
                membership = services.application_approve(application=application, by=request.user)
                messages.success(
                    request,
                    _("%(name)s is now member number %(number)s.")
                    % {"name": membership.legal_name, "number": membership.number},
                )
                return redirect("staff_application_queue")
            elif action == "refund":
                refund_form = RefundForm(request.POST, prefix="refund")
                if refund_form.is_valid():
                    services.application_record_refund(
                        application=application, by=request.user, **refund_form.cleaned_data
                    )
                    messages.success(request, _("Refund recorded."))
                    return redirect("staff_application_review", pk=pk)
            elif action == "reject":
                reject_form = RejectForm(request.POST, prefix="reject")
                if reject_form.is_valid():
                    services.application_reject(
                        application=application, by=request.user, reason=reject_form.cleaned_data["reason"]
                    )
                    messages.success(
                        request, _("The application was not approved; the applicant has been told.")
                    )
                    return redirect("staff_application_queue")
            else:
                raise Http404
        except ApplicationError as error:
            form = {"payment": payment_form, "reject": reject_form, "refund": refund_form}.get(action or "")
            # Paid meanwhile (by another member of staff): the page now shows that payment.
            if form is not None and error.code != "already_paid":
                form_add_application_error(form, error, aliases={"amount_pence": "amount"})
            else:
                messages.error(request, error.message)
                return redirect("staff_application_review", pk=pk)
        status = 400
    context = {
        "application": application,
        "payment_form": payment_form,
        "reject_form": reject_form,
        "refund_form": refund_form,
    }
    return render(request, "members/staff/application_review.html", context, status=status)


def _register_filtered(request: HttpRequest) -> tuple[RegisterFilterForm, QuerySet[Membership]]:
    form = RegisterFilterForm(request.GET or None)
    form.is_valid()  # a filter with a bad value is dropped; the others still apply
    filters = getattr(form, "cleaned_data", {})
    members = selectors.register_list(
        search=filters.get("q", ""),
        member_class=filters.get("member_class", ""),
        standing=filters.get("standing", ""),
    )
    return form, members


@staff_required
def staff_register(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    form, members = _register_filtered(request)
    if request.GET.get("format") == "csv":
        return csv_streaming_response(
            filename=f"register-of-members-{timezone.localdate().isoformat()}.csv",
            rows=itertools.chain([selectors.REGISTER_CSV_HEADER], selectors.register_csv_rows(members)),
        )
    page = Paginator(members, REGISTER_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    csv_query = query.copy()
    csv_query["format"] = "csv"
    context = {"form": form, "page": page, "query": query.urlencode(), "csv_query": csv_query.urlencode()}
    return render(request, "members/staff/register.html", context)


@staff_required
def staff_member_detail(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    membership = selectors.membership_get_by_number(number=number)
    forms = {
        "details": RegisterDetailsForm(
            prefix="details",
            initial={
                "legal_name": membership.legal_name,
                "address": membership.address,
                "postcode": membership.postcode,
            },
        ),
        "class": ChangeClassForm(prefix="class", initial={"member_class": membership.member_class}),
        "cease": CeaseForm(
            prefix="cease", initial={"ceased_on": timezone.localdate(), "withdraw_shares": True}
        ),
        "subscribe": ShareTransactionForm(prefix="subscribe", initial={"paid_on": timezone.localdate()}),
        "withdraw": ShareTransactionForm(prefix="withdraw", initial={"paid_on": timezone.localdate()}),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in forms:
            raise Http404
        form_class = type(forms[action])
        form = form_class(request.POST, prefix=action)
        forms[action] = form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "details":
                    services.membership_update_details(membership=membership, by=request.user, **data)
                    messages.success(request, _("The register is updated."))
                elif action == "class":
                    services.membership_change_class(
                        membership=membership,
                        member_class=data["member_class"],
                        by=request.user,
                        reason=data["reason"],
                    )
                    messages.success(request, _("Class changed."))
                elif action == "cease":
                    services.membership_cease(
                        membership=membership,
                        by=request.user,
                        reason=data["reason"],
                        ceased_on=data["ceased_on"],
                        note=data["note"],
                        withdraw_shares=data["withdraw_shares"],
                    )
                    messages.success(request, _("The membership has ended. It stays in the register."))
                elif action == "subscribe":
                    services.shares_subscribe(
                        membership=membership,
                        shares=data["shares"],
                        paid_on=data["paid_on"],
                        reference=data["reference"],
                        by=request.user,
                    )
                    messages.success(request, _("Shares recorded."))
                else:
                    services.shares_withdraw(
                        membership=membership,
                        shares=data["shares"],
                        paid_on=data["paid_on"],
                        reference=data["reference"],
                        by=request.user,
                    )
                    messages.success(request, _("Withdrawal recorded."))
                return redirect("staff_member_detail", number=number)
            except ApplicationError as error:
                form_add_application_error(form, error)
        status = 400
    context = {
        "membership": membership,
        "history": selectors.membership_history(membership=membership),
        "forms": forms,
    }
    return render(request, "members/staff/member_detail.html", context, status=status)


@staff_required
def staff_documents(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = selectors.documents_current()
    kind = request.GET.get("kind", GoverningDocument.Kind.RULES)
    latest = current.get(kind)
    form = DocumentForm(
        request.POST or None,
        initial={
            "kind": kind,
            "title": latest.title if latest else "",
            "body": latest.body if latest else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_publish(by=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(
                request,
                _("Version %(version)s of “%(title)s” is published. New applicants agree to it.")
                % {"version": document.version, "title": document.title},
            )
            return redirect("staff_documents")
    documents = [(value, label, current.get(value)) for value, label in GoverningDocument.Kind.choices]
    context = {"form": form, "documents": documents}
    return render(request, "members/staff/documents.html", context, status=400 if form.errors else 200)


@staff_required
def staff_vetting_dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "today": today,
        "expiring": selectors.vetting_expiring(today=today),
        "not_bookable": selectors.workers_not_bookable(on=today),
    }
    return render(request, "members/staff/vetting_dashboard.html", context)


@staff_required
@submitted_once
def staff_worker_vetting(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    membership = selectors.membership_get_by_number(number=number)
    if membership.member_class != MemberClass.WORKER:
        raise Http404
    forms = {kind: VettingCheckForm(prefix=kind, kind=kind) for kind in VettingCheck.Kind.values}
    status = 200
    if request.method == "POST" and request.POST.get("action") == "void":
        check = get_object_or_404(VettingCheck, pk=request.POST.get("check"), membership=membership)
        try:
            services.vetting_check_void(check=check, by=request.user, reason=request.POST.get("reason", ""))
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("That check no longer counts."))
        return redirect("staff_worker_vetting", number=number)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in forms:
            raise Http404
        form = VettingCheckForm(request.POST, prefix=kind, kind=kind)
        forms[kind] = form
        if form.is_valid():
            try:
                services.vetting_check_record(
                    membership=membership, by=request.user, kind=kind, **form.cleaned_data
                )
            except ApplicationError as error:
                form_add_application_error(form, error)
            else:
                messages.success(request, _("Check recorded."))
                return redirect("staff_worker_vetting", number=number)
        status = 400
    today = timezone.localdate()
    context = {
        "membership": membership,
        "latest": selectors.vetting_latest_for(membership=membership),
        "history": selectors.vetting_history_for(membership=membership),
        "bookable": selectors.worker_is_bookable(membership=membership, on=today),
        "today": today,
        "forms": [(VettingCheck.Kind(kind).label, kind, form) for kind, form in forms.items()],
    }
    return render(request, "members/staff/worker_vetting.html", context, status=status)


@staff_required
def staff_action_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The log of staff actions: read only, newest first, by member and by staff member."""
    form = StaffActionFilterForm(request.GET or None, staff=selectors.staff_list())
    form.is_valid()  # a filter with a bad value is dropped; the other still applies
    filters = getattr(form, "cleaned_data", {})
    by = filters.get("by")
    actions = selectors.staff_action_list(
        member_number=filters.get("member"), by_id=by.pk if by is not None else None
    )
    page = Paginator(actions, STAFF_LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "members/staff/action_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )
