"""Staff's home: the work waiting, each kind with its count and the page that settles it."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from carecoop.http import AuthenticatedHttpRequest
from carecoop.permissions import staff_required
from governance.selectors.staff import VETTING_WITHIN_DAYS, staff_work_waiting


@staff_required
def staff_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {"waiting": staff_work_waiting(now=timezone.now()), "vetting_days": VETTING_WITHIN_DAYS}
    return render(request, "governance/staff_home.html", context)
