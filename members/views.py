from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from carecoop.exceptions import ApplicationError
from carecoop.forms import form_add_application_error
from carecoop.http import AuthenticatedHttpRequest
from carecoop.money import pounds_figure
from carecoop.permissions import staff_required
from carecoop.spreadsheets import csv_response
from members import profiles, selectors, services
from members.forms import (
    CLASS_HINTS,
    ApplicationForm,
    CeaseForm,
    ChangeClassForm,
    CircleInviteForm,
    DocumentForm,
    PaymentForm,
    ProfileForm,
    RefundForm,
    RegisterDetailsForm,
    RegisterFilterForm,
    RejectForm,
    ShareTransactionForm,
    VettingCheckForm,
    WeeklyTimeFormSet,
)
from members.models import GoverningDocument, MemberClass, Membership, Policy, Profile, VettingCheck
from members.permissions import can_manage_circle

REGISTER_PAGE_SIZE = 50


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


# --- Applying -------------------------------------------------------------------------------------


@login_required
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
    return render(request, "members/application_status.html", {"application": application})


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


# --- Staff: applications ----------------------------------------------------------------------


@staff_required
def staff_application_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request, "members/staff/application_queue.html", {"applications": selectors.application_queue()}
    )


@staff_required
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
            if form is not None:
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


# --- Staff: the register ------------------------------------------------------------------------


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
def staff_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, members = _register_filtered(request)
    if request.GET.get("format") == "csv":
        return csv_response(
            filename=f"register-of-members-{timezone.localdate().isoformat()}.csv",
            rows=[selectors.REGISTER_CSV_HEADER, *selectors.register_csv_rows(members)],
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


# --- Profiles -----------------------------------------------------------------------------------


def _initial_profile(profile: Profile) -> tuple[dict[str, object], list[dict[str, object]]]:
    initial: dict[str, object] = {
        "display_name": profile.display_name,
        "bio": profile.bio,
        "what_matters": profile.what_matters,
        "worker_preferences": profile.worker_preferences,
        "gender": profile.gender,
        "interests": profile.interests,
        "postcode": profile.postcode,
        "travel_radius_km": profile.travel_radius_km or 10,
        "max_distance_km": profile.max_distance_km,
        "offers_peer_support": profile.offers_peer_support,
        "languages": list(profile.languages.all()),
        "skills": list(profile.skills.all()),
        "support_wanted": list(profile.support_wanted.all()),
        "lived_experience": list(profile.lived_experience.all()),
    }
    if profile.hourly_rate_pence is not None:
        initial["hourly_rate"] = pounds_figure(profile.hourly_rate_pence)
    visibility = profiles.visibility_with_defaults(profile.membership.member_class, profile.visibility)
    initial.update({f"visibility_{name}": audience for name, audience in visibility.items()})
    times = [{"weekday": t.weekday, "starts": t.starts, "ends": t.ends} for t in profile.weekly_times.all()]
    return initial, times


@login_required
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = selectors.membership_current_for_user(user=request.user)
    if membership is None:
        messages.info(request, _("Your profile opens when you become a member."))
        return redirect("account_overview")
    profile = services.profile_get_or_create(membership=membership)
    profile = selectors.profile_get_for_membership(membership=membership) or profile
    policy = Policy.current()
    initial, times = _initial_profile(profile)
    profile_form = partial(
        ProfileForm,
        initial=initial,
        member_class=membership.member_class,
        rate_bounds=(policy.hourly_rate_min_pence, policy.hourly_rate_max_pence),
        private=profiles.private_fields_for(membership.member_class),
    )
    has_times = membership.member_class in (MemberClass.WORKER, MemberClass.RECEIVER)
    if request.method == "POST":
        form = profile_form(request.POST, request.FILES)
        formset = WeeklyTimeFormSet(request.POST, prefix="times") if has_times else None
    else:
        form = profile_form()
        formset = WeeklyTimeFormSet(initial=times, prefix="times") if has_times else None
    if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
        weekly_times = (
            [
                (row["weekday"], row["starts"], row["ends"])
                for row in formset.cleaned_data
                if row and not row.get("DELETE") and row.get("weekday") is not None
            ]
            if formset is not None
            else None
        )
        upload = form.cleaned_data.get("photo")
        try:
            services.profile_save(
                profile=profile,
                by=request.user,
                changes=form.changes(),
                visibility=form.visibility(),
                weekly_times=weekly_times,
                photo=(upload, upload.size) if upload else None,
                remove_photo=form.cleaned_data.get("remove_photo", False),
            )
        except ApplicationError as error:
            form_add_application_error(form, error)
        else:
            messages.success(request, _("Your profile is saved."))
            return redirect("profile_edit")
    context = {
        "form": form,
        "formset": formset,
        "profile": profile,
        "membership": membership,
        "times_label": _("When I need support")
        if membership.member_class == MemberClass.RECEIVER
        else _("When I am free to work"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "members/profile_edit.html", context, status=status)


@login_required
def profile_photo(request: AuthenticatedHttpRequest, number: int) -> FileResponse:
    """A member's photo, to whoever they chose may see it; to anyone else, no such photo."""
    membership = get_object_or_404(Membership.objects.current(), number=number)
    profile = selectors.profile_get_for_membership(membership=membership)
    if profile is None or not profile.photo:
        raise Http404
    viewer = selectors.profile_viewer(user=request.user, profile=profile)
    if "photo" not in selectors.profile_visible_fields(profile=profile, viewer=viewer):
        raise Http404
    response = FileResponse(profile.photo.open("rb"), content_type="image/jpeg")
    # Checked again on every view: a narrowed choice or a removed supporter takes effect at once.
    response["Cache-Control"] = "private, no-cache"
    return response


# --- Staff: vetting -------------------------------------------------------------------------------


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


# --- Circle of support ----------------------------------------------------------------------------


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
        messages.success(request, _("%(email)s is no longer in the circle.") % {"email": member.email})
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


@login_required
def member_profile(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    """A member's profile, showing only what the viewer may see; a 404 for anyone who may see none."""
    membership = get_object_or_404(Membership.objects.current(), number=number)
    profile = selectors.profile_get_for_membership(membership=membership)
    viewer = selectors.profile_viewer(user=request.user, profile=profile) if profile else None
    visible = selectors.profile_visible_fields(profile=profile, viewer=viewer) if profile else frozenset()
    if profile is None or viewer is None or "display_name" not in visible:
        raise Http404  # someone who chose not to be seen is not there to find
    context = {
        "profile": profile,
        "membership": membership,
        "visible": visible,
        "viewer": viewer,
    }
    return render(request, "members/member_profile.html", context)
