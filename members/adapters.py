from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from members.models import User


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Emails speak in the co-op's name, not the host name the request came in on.
        context = {
            **context,
            "coop_name": settings.COOP_NAME,
            "coop_contact_email": settings.COOP_CONTACT_EMAIL,
        }
        super().send_mail(template_prefix, email, context)

    def set_password(self, user: User, password: str) -> None:
        """A changed or reset password also signs out every API client of the account."""
        from members import services

        super().set_password(user, password)
        services.auth_tokens_revoke_all(user=user)
