"""A member's own data, to read and print or to download as JSON (UK GDPR article 15); their
requests to the office (a copy, erasure), and staff's queue of them."""

import json
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from carecoop.exceptions import ApplicationError
from carecoop.http import AuthenticatedHttpRequest
from carecoop.permissions import staff_required
from governance import services
from governance.forms.personal_data import AnswerForm, DataRequestForm, EraseForm
from governance.selectors import personal_data as selectors
from governance.views.common import form_error
from members import services as member_services


@login_required
def personal_data_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Everything held about the signed-in person, readable and printable."""
    sections = [
        (
            part,
            [[(part.labels.get(key, key), _shown(value)) for key, value in row.items()] for row in part.rows],
        )
        for part in selectors.personal_data_for(user=request.user)
    ]
    return render(request, "governance/personal_data.html", {"sections": sections, "now": timezone.now()})


def _shown(value: object) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@login_required
def personal_data_download(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The same, as one JSON file for another program."""
    data = selectors.personal_data_json(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{day}.json"'
    return response


@login_required
def personal_data_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The member's requests (a copy from the office, erasure), and a form to make one."""
    form = DataRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member_services.data_request_make(
                user=request.user, kind=form.cleaned_data["kind"], note=form.cleaned_data["note"]
            )
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("Your request is with the office. They answer within one month."))
            return redirect("personal_data_requests")
    context = {
        "form": form,
        "requests": selectors.data_requests_for_user(user=request.user),
        "retention": selectors.retention_for(user=request.user),
    }
    return render(request, "governance/personal_data_requests.html", context)


@staff_required
def staff_data_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every request, those waiting first with the day each is due by."""
    return render(
        request, "governance/staff_data_requests.html", {"requests": selectors.data_requests_queue()}
    )


@staff_required
def staff_data_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One request: erase it (an erasure) or answer it by hand; what an erasure removed."""
    data_request = get_object_or_404(selectors.data_requests_queue(), pk=pk)
    erase_form = EraseForm(request.POST if "erase" in request.POST else None)
    answer_form = AnswerForm(request.POST if "answer_request" in request.POST else None)
    actions: list[tuple[forms.Form, Callable[[dict[str, Any]], object], str]] = [
        (
            erase_form,
            lambda data: services.member_erase(
                data_request=data_request, by=request.user, today=timezone.localdate(), **data
            ),
            _("The data is erased. What was removed is listed below."),
        ),
        (
            answer_form,
            lambda data: member_services.data_request_answer(
                data_request=data_request, by=request.user, **data
            ),
            _("The request is answered."),
        ),
    ]
    for form, act, done in actions:
        if form.is_bound and form.is_valid():
            try:
                act(form.cleaned_data)
            except ApplicationError as error:
                form_error(form, error)
            else:
                messages.success(request, done)
                return redirect("staff_data_request", pk)
    context = {
        "data_request": data_request,
        "retention": selectors.retention_for(user=data_request.user),
        "erase_form": erase_form,
        "answer_form": answer_form,
        "form": erase_form if erase_form.errors else answer_form,
    }
    return render(request, "governance/staff_data_request.html", context)
