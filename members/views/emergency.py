"""A member's emergency contact, changed by the member or by staff."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from carecoop.exceptions import ApplicationError
from carecoop.forms import form_add_application_error
from carecoop.http import AuthenticatedHttpRequest
from carecoop.permissions import is_staff
from members import selectors, services
from members.forms import EmergencyContactForm


@login_required
def emergency_contact_edit(request: AuthenticatedHttpRequest, number: int) -> HttpResponse:
    membership = selectors.membership_get_by_number(number=number)
    own = membership.user_id == request.user.pk
    # What one may not change, one cannot learn exists.
    if not (own or is_staff(request.user)) or not membership.is_current:
        raise Http404
    contact = selectors.emergency_contact_for(membership=membership)
    initial = (
        {
            "name": contact.name,
            "relationship": contact.relationship,
            "phone": selectors.phone_national(contact.phone),
        }
        if contact
        else {}
    )
    form = EmergencyContactForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.emergency_contact_save(
                    membership=membership, by=request.user, **form.cleaned_data
                )
            except ApplicationError as error:
                form_add_application_error(form, error)
            else:
                messages.success(
                    request,
                    _("Emergency contact saved.") if saved else _("Emergency contact removed."),
                )
                return redirect("emergency_contact_edit", number=number)
        status = 400
    context = {"membership": membership, "own": own, "form": form, "contact": contact}
    return render(request, "members/emergency_contact.html", context, status=status)
