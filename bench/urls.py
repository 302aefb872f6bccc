"""The app's addresses, and one more: the floor a page is measured against."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from carecoop.urls import urlpatterns as app_urlpatterns
from members.models import Membership


def bare(request: HttpRequest) -> HttpResponse:
    """A Django view with one indexed query and no template: what the stack costs on its own."""
    number = Membership.objects.filter(pk=1).values_list("number", flat=True).first()
    return HttpResponse(f"{number}", content_type="text/plain")


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *app_urlpatterns]
