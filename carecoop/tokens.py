"""Secret tokens handed out in links (circle invitations, private calendar addresses).

The person gets the token; the database keeps only its SHA-256, so a copy of the database
opens nothing. 32 random bytes are past guessing, so no salt or slow hash is needed."""

import hashlib
import secrets


def token_new() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
