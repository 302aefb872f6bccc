from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from governance import selectors


def votes_waiting(request: HttpRequest) -> dict[str, object]:
    """The open ballots waiting for the member's vote. Asked of the database only on a page that
    shows them (the account and meetings pages), not on every page."""
    user = getattr(request, "user", None)
    if user is None:
        return {"votes_waiting": []}
    return {"votes_waiting": SimpleLazyObject(lambda: selectors.ballots_awaiting_vote(user=user))}
