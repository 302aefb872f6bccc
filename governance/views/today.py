"""A member's home: their day at a glance, where they land when they log in (staff land on
theirs, governance.views.staff)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from carecoop.http import AuthenticatedHttpRequest
from governance.selectors.today import today_for_user
from members import selectors as member_selectors


@login_required
def today(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Someone who is neither a member nor acting for one has no day here yet: their page is
    the way to join (or their application)."""
    if not member_selectors.member_or_supporter(user=request.user):
        return redirect("account_overview")
    now = timezone.now()
    context = {
        "today": today_for_user(user=request.user, now=now),
        "now": now,
        "local_today": timezone.localdate(now),
    }
    return render(request, "governance/today.html", context)


def home(request: HttpRequest) -> HttpResponse:
    """The public home; a member (or someone acting for one) who opens it is taken to their day."""
    if member_selectors.member_or_supporter(user=request.user):
        return redirect("today")
    return render(request, "home.html")
