"""The private iCal address: renewed or revoked, kept only as a hash."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from members.models import User
from scheduling.models import (
    CalendarFeed,
)


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_renew(*, user: User) -> str:
    """A new secret calendar address; the old one stops working. Returns the secret, shown once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=user, defaults={"token_hash": feed_token_hash(token), "created_at": timezone.now()}
    )
    return token


def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()
