from typing import Any
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from carecoop import outbox
from carecoop.emails import absolute_url, site_address
from carecoop.permissions import is_staff
from members.models import User


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """allauth's emails (confirm an address, reset a password) join the outbox like every
        other: owed in the request's transaction and sent by a worker once it commits, never from
        the request itself. The row keeps plain values only; links are already absolute."""
        app, _email, name = template_prefix.partition("/email/")
        user = context.get("user")
        values = {
            key: value
            for key, value in context.items()
            if isinstance(value, str | int | float | bool) and key not in ("email",)
        }
        if "signup_url" in values:
            values["signup_url"] = absolute_url("account_signup")
        outbox.email_queue(
            kind=f"{app}.{name}",
            to=email,
            name=_greeting_name(user),
            context=values,
        )

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        # From the site's own address, not the host the request came in on.
        return absolute_url("account_confirm_email", emailconfirmation.key)

    def get_reset_password_from_key_url(self, key: str) -> str:
        # The key is "<uidb36>-<token>"; the URL pattern wants them apart, as allauth's own does.
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return site_address(path.replace("UID-KEY", quote(key)))

    def send_account_already_exists_mail(self, email: str) -> None:
        context = {
            "signup_url": absolute_url("account_signup"),
            "password_reset_url": absolute_url("account_reset_password"),
        }
        self.send_mail("account/email/account_already_exists", email, context)

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Staff land on their home of work waiting; members, and those acting for one, on their
        day; anyone else on the way to join (or their application). A `next` the login was given
        still wins (allauth reads it before asking here)."""
        from members import selectors

        if is_staff(request.user):
            return reverse("staff_home")
        if selectors.member_or_supporter(user=request.user):
            return reverse("today")
        return reverse("account_overview")

    def set_password(self, user: User, password: str) -> None:
        """A changed or reset password also signs out every API client of the account."""
        from members import services

        super().set_password(user, password)
        services.auth_tokens_revoke_all(user=user)


def _greeting_name(user: Any) -> str:
    """The person's name if they are a member (or applied to be one); nothing otherwise."""
    if user is None or getattr(user, "pk", None) is None:
        return ""
    from members import selectors

    membership = selectors.membership_current_for_user(user=user)
    return membership.shown_name if membership is not None else ""
