"""The register's first page reads the same rows at 300 members as at 3,000: it sums the shares
of its own fifty rows, not every member's (decision 35). Measured as the rows PostgreSQL's plans
read (decision 34), not by a clock."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.benchmarking import members_seed_in_bulk
from tests.plans import analyze, rows_read_by_reads
from tests.second_factor import log_in_with_second_factor

pytestmark = pytest.mark.usefixtures("now")

_batch = itertools.count()

# Counting the members found reads the register's own table (no shares): one aggregate, about a
# millisecond at 10,000 members, and the one read that grows.
_COUNT = 'SELECT COUNT(*) AS "__count" FROM "members_membership"'


def _more_members(count: int) -> None:
    members_seed_in_bulk(
        workers=count // 2,
        receivers=count - count // 2,
        email_domain=f"register{next(_batch)}.example",
        admitted_days_ago=400,
        checked_days_ago=100,
    )


def _reads_of_register(client, **filters) -> dict[str, int]:
    analyze()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("staff_register"), filters)
    assert response.status_code == 200
    assert len(response.context["page"]) == 50
    return rows_read_by_reads(queries.captured_queries)


@pytest.mark.parametrize("filters", [{}, {"member_class": "worker", "page": "2"}])
def test_the_register_page_reads_as_many_rows_at_3000_members_as_at_300(client, staff, filters):
    log_in_with_second_factor(client, staff)
    _more_members(300)
    small = _reads_of_register(client, **filters)

    _more_members(2700)
    large = _reads_of_register(client, **filters)

    assert small.keys() == large.keys()
    grown = sorted(sql for sql in small if large[sql] > small[sql] + 10)
    assert [sql.split(" WHERE ")[0] for sql in grown] == [_COUNT]
    assert "sharetransaction" not in grown[0]
