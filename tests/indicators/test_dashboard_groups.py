"""The dashboard lists the groups it counts in the groups list's table: the same filters, each
row linking to its group, sorted and paged by the table's own links."""

import re

from savings_groups.store.models import SavingsGroup
from tests.indicators.conftest import AS_OF

DAY = AS_OF.isoformat()


def rows(page: str) -> list[int]:
    return [int(g) for g in re.findall(r'<tr data-group="(\d+)"', page)]


def test_the_table_shows_the_groups_counted_with_links_to_their_pages(org, web):
    web.login("admin")
    a = SavingsGroup.get(SavingsGroup.name == "Group A")
    b = SavingsGroup.get(SavingsGroup.name == "Group B")
    page = web.client.get(f"/dashboard?as_of={DAY}").get_data(as_text=True)
    assert 'id="groups-table"' in page
    assert sorted(rows(page)) == sorted([a.id, b.id])  # the practice group is not counted
    assert f'href="/groups/{a.id}"' in page
    assert "today’s" in page.replace("'", "’")  # the figures are today's, the day is past
    assert 'id="groups-filters"' not in page  # the dashboard's own filters apply


def test_the_table_keeps_the_dashboards_filters(org, web):
    web.login("admin")
    a = SavingsGroup.get(SavingsGroup.name == "Group A")
    page = web.client.get(f"/dashboard?as_of={DAY}&country=SN").get_data(as_text=True)
    assert rows(page) == [a.id]
    links = re.findall(r'href="(/dashboard\?[^"]*sort=par30[^"]*)"', page)
    assert links and all("country=SN" in x and f"as_of={DAY}" in x for x in links)
    sorted_page = web.client.get(f"/dashboard?as_of={DAY}&country=SN&sort=-par30")
    assert sorted_page.status_code == 200
    assert rows(sorted_page.get_data(as_text=True)) == [a.id]


def test_a_bad_sort_or_page_gets_a_message_and_the_indicators_stay(org, web):
    web.login("admin")
    for query, message in (("sort=size", "Unknown sort"), ("page=0", "The page must be")):
        response = web.client.get(f"/dashboard?as_of={DAY}&{query}")
        assert response.status_code == 400, query
        page = response.get_data(as_text=True)
        assert message in page, query
        assert 'data-key="members"' in page, query
        assert rows(page) == [], query
