"""The number of SQL queries of each key page does not grow with the data: the same for a group
of 10 members with 3 meetings alone in the database as for a group of 30 members with 12
meetings among three groups (it counts queries; benchmarks/bench.py times them)."""

import pytest
from playhouse.test_utils import count_queries

from tests.busy_group import build, pages


def counts(client, paths: dict[str, str]) -> dict[str, int]:
    result = {}
    for name, path in paths.items():
        client.get(path)  # a first visit fills what is cached (not counted)
        with count_queries() as counter:
            response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        result[name] = counter.count
    return result


@pytest.fixture
def measured(conn, admin, web):
    web.login("admin")
    small = build(admin, "Small", members=10, meetings_held=3)
    alone = counts(web.client, pages(small))
    build(admin, "Other", members=12, meetings_held=4)
    big = build(admin, "Big", members=30, meetings_held=12)
    return alone, counts(web.client, pages(small)), counts(web.client, pages(big))


PAGES = [
    "group page",
    "passbook",
    "loan portfolio",
    "meeting page",
    "share-out preview",
    "members list",
    "money history",
]


@pytest.mark.parametrize("page", PAGES)
def test_a_page_makes_as_many_queries_for_more_members_meetings_and_groups(measured, page):
    alone, among_others, big = measured
    assert among_others[page] == alone[page], "the same group among more groups"
    assert big[page] == alone[page], "a group of 30 members and 12 meetings, not 10 and 3"


DASHBOARD = {
    "dashboard": "/dashboard",
    "dashboard sorted by PAR": "/dashboard?sort=-par30",
    "dashboard, page 2": "/dashboard?page=2",
}


def test_the_dashboard_makes_as_many_queries_for_one_group_as_for_three(conn, admin, web):
    web.login("admin")
    build(admin, "Small", members=10, meetings_held=3)
    alone = counts(web.client, DASHBOARD)
    build(admin, "Other", members=12, meetings_held=4)
    build(admin, "Big", members=30, meetings_held=12)
    assert counts(web.client, DASHBOARD) == alone
