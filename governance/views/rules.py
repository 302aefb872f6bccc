"""The meeting and voting rules staff keep, with their latest changes."""

from django.contrib import messages
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from carecoop.exceptions import ApplicationError
from carecoop.http import AuthenticatedHttpRequest
from governance import selectors, services
from governance.forms.meetings import (
    POLICY_FIELDS,
    GovernancePolicyForm,
)
from governance.models import GovernancePolicy
from governance.views.common import form_error, governance_view, staff_only


@governance_view
def governance_policy(request: AuthenticatedHttpRequest) -> HttpResponse:
    staff_only(request)
    policy = GovernancePolicy.current()
    form = GovernancePolicyForm(request.POST or None, initial=model_to_dict(policy, fields=POLICY_FIELDS))
    if request.method == "POST" and form.is_valid():
        try:
            services.governance_policy_update(user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            form_error(form, error)
        else:
            messages.success(request, _("The meeting and voting rules are saved."))
            return redirect("governance_policy")
    return render(
        request,
        "governance/policy.html",
        {"form": form, "policy": policy, "changes": selectors.governance_policy_changes()},
        status=400 if form.errors else 200,
    )
