"""The one-time token of a form that creates something, as its page renders it (carecoop/once.py)."""

import re

from django.test import Client


def form_token(client: Client, path: str) -> str:
    page = client.get(path).content.decode()
    found = re.search(r'name="sent_once" value="([0-9a-f]+)"', page)
    assert found, f"no one-time token on {path}"
    return found.group(1)
