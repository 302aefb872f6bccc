"""The unread count in the menu: one's own unread notifications only, one query a page, and it
drops once the notifications page has shown them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scheduling import selectors, services
from scheduling.models import Notification
from tests.scheduling.conftest import at

pytestmark = pytest.mark.usefixtures("now")


def _notify(user, count, *, read=False, first_hour=8):
    return [
        Notification.objects.create(
            user=user,
            kind="visit_offered",
            title=f"Notice {first_hour + i}",
            created_at=at(23, first_hour) + datetime.timedelta(minutes=i),
            read_at=at(23, 9, 30) if read else None,
        )
        for i in range(count)
    ]


def _notification_queries(queries):
    return [q["sql"] for q in queries if '"scheduling_notification"' in q["sql"]]


def test_the_menu_counts_only_ones_own_unread_notifications(client, megan, tom):
    _notify(megan.user, 3)
    _notify(megan.user, 2, read=True)
    _notify(tom.user, 4)
    client.force_login(megan.user)

    page = client.get("/visits/").content.decode()

    assert '<span class="nav-count">3<span class="visually-hidden"> unread</span></span>' in page
    assert "> unread notifications</span>" in page  # the phone's Menu button says it too
    assert selectors.notifications_unread_count(user=tom.user) == 4


def test_with_nothing_unread_the_menu_shows_no_count(client, megan):
    _notify(megan.user, 2, read=True)
    client.force_login(megan.user)

    page = client.get("/visits/").content.decode()

    assert "nav-count" not in page
    assert "unread" not in page


def test_the_count_drops_once_the_notifications_page_has_shown_them(client, megan):
    _notify(megan.user, 3)
    client.force_login(megan.user)

    shown = client.get("/notifications/").content.decode()
    assert shown.count("New</span>") == 3  # the page still marks what was new when it opened
    assert "nav-count" not in shown

    assert "nav-count" not in client.get("/visits/").content.decode()
    assert not Notification.objects.filter(user=megan.user, read_at__isnull=True).exists()


def test_marking_read_leaves_one_that_arrived_after_the_page_was_drawn(megan):
    older = _notify(megan.user, 2, first_hour=7)
    shown = _notify(megan.user, 2, first_hour=8)
    arrived_later = _notify(megan.user, 1, first_hour=9)[0]

    marked = services.notifications_mark_read(user=megan.user, shown=shown)

    assert marked == 4  # those shown, and the older ones the page had no room for
    unread = Notification.objects.filter(user=megan.user, read_at__isnull=True)
    assert list(unread) == [arrived_later]
    assert all(n.pk not in {u.pk for u in unread} for n in older)
    assert services.notifications_mark_read(user=megan.user, shown=[]) == 0


def test_the_count_is_one_query_a_page_however_many_are_unread(client, megan):
    client.force_login(megan.user)
    _notify(megan.user, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/visits/").status_code == 200
    _notify(megan.user, 20, first_hour=9)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/visits/").content.decode()

    assert '<span class="nav-count">21<span class="visually-hidden"> unread</span>' in page
    assert len(many.captured_queries) == len(few.captured_queries)
    counts = _notification_queries(many.captured_queries)
    assert len(counts) == 1
    assert "COUNT(*)" in counts[0]
    assert '"read_at" IS NULL' in counts[0]


def test_no_one_logged_in_asks_nothing_of_the_notifications(client, db):
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()

    assert not _notification_queries(queries.captured_queries)
    assert "nav-count" not in page


def test_the_count_uses_the_index_of_the_unread(megan):
    _notify(megan.user, 2)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT COUNT(*) FROM scheduling_notification WHERE user_id = %s AND read_at IS NULL",
            [megan.user.pk],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "notification_unread" in plan
