class ApplicationError(Exception):
    """A rule of the co-op refused an action.

    `message` is for people (already translated); `code` is stable, for programs. Views turn it
    into a form error or a JSON body; `http_status` says which 4xx the API answers with.
    """

    http_status = 400

    def __init__(self, message: str, *, code: str = "invalid", fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.fields = fields or {}


class ConflictError(ApplicationError):
    """The action clashes with the current state (a double booking, a second vote)."""

    http_status = 409


class UnprocessableError(ApplicationError):
    """The request is well formed but cannot be taken as sent (a key reused for another request)."""

    http_status = 422


class NotAllowedError(ApplicationError):
    """The user may see this, but may not do that to it."""

    http_status = 403


class RateLimitedError(ApplicationError):
    """Too many attempts in too short a time: wait, then try again."""

    http_status = 429


class NotFoundError(ApplicationError):
    """What the user asked for is not there for them: it does not exist, or they may not see it.
    Both answer alike, so that nobody learns what exists by asking."""

    http_status = 404
