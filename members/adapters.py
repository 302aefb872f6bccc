from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Emails speak in the co-op's name, not the host name the request came in on.
        super().send_mail(template_prefix, email, {**context, "coop_name": settings.COOP_NAME})
