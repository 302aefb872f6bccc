"""A member's own data, to read and print or to download as JSON (UK GDPR article 15)."""

import json

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from carecoop.http import AuthenticatedHttpRequest
from governance.selectors import personal_data as selectors


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
