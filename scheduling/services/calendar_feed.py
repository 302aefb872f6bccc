"""The private iCal address: renewed or revoked, kept only as a hash."""

from django.db import transaction
from django.utils import timezone

from carecoop.tokens import token_hash, token_new
from members.models import User
from scheduling.models import (
    CalendarFeed,
)


@transaction.atomic
def calendar_feed_renew(*, user: User) -> str:
    """A new secret calendar address; the old one stops working. Returns the secret, shown once."""
    token = token_new()
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": token_hash(token), "created_at": timezone.now()}
    )
    return token


def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()
