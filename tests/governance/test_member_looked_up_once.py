"""Each page looks up the member who is logged in once, however many parts of it ask (the menu,
the page, its permission checks): decision 35."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scheduling import services as scheduling_services
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")

PAGES = [
    "/visits/",
    "/visits/?view=week",
    "/visits/?view=month",
    "/today/",
    "/care-log/{ruth}/",
    "/ballots/",
    "/ballots/{ballot}/",
    "/meetings/",
    "/proxies/",
]


def _current_membership_lookups(captured, user) -> int:
    own = f'"members_membership"."date_ceased" IS NULL AND "members_membership"."user_id" = {user.pk})'
    return sum(1 for query in captured if own in query["sql"])


@pytest.mark.parametrize("address", PAGES)
@pytest.mark.parametrize("who", ["ruth", "megan"])
def test_a_page_looks_up_the_member_logged_in_once(client, ruth, megan, motion_ballot, address, who):
    scheduling_services.visit_book(
        by=ruth.user, receiver=ruth, worker=megan, starts=at(24, 9), ends=at(24, 11)
    )
    user = {"ruth": ruth, "megan": megan}[who].user
    client.force_login(user)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(address.format(ruth=ruth.number, ballot=motion_ballot.pk))

    assert response.status_code == 200
    assert _current_membership_lookups(queries.captured_queries, user) == 1
