"""The pages offer the installation's local day and the domain accepts what they offer: a
recorder at half past midnight in Nairobi, an evening meeting in Honolulu, the member pages."""

import re

from savings_groups.store.db import db
from savings_groups.store.models import Meeting, Role
from tests.core.test_dates import (
    HONOLULU,
    HONOLULU_EVENING,
    MARCH_9,
    MARCH_10,
    NAIROBI,
    NAIROBI_NIGHT,
    set_clock,
)


def value_of(response, name: str) -> str:
    """The value the page puts in the input called `name`."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', response.get_data(as_text=True))
    assert tag, name
    return re.search(r'value="([^"]*)"', tag.group(0)).group(1)


def test_after_midnight_in_nairobi_the_new_meeting_is_dated_the_local_day_and_saved(
    monkeypatch, web, make_user, make_group, make_cycle
):
    set_clock(monkeypatch, NAIROBI, NAIROBI_NIGHT)
    group = make_group()
    make_cycle(group)
    make_user("recorder", Role.RECORDER, groups=[group])
    web.login("recorder")
    path = f"/groups/{group.id}/meetings/new"
    offered = value_of(web.client.get(path), "held_on")
    assert offered == MARCH_10.isoformat()
    response = web.post(path, {"held_on": offered})
    assert response.status_code == 302
    with db.connection_context():
        assert [m.held_on for m in Meeting.select()] == [MARCH_10]


def test_in_the_honolulu_evening_the_utc_day_is_refused_as_in_the_future(
    monkeypatch, web, admin, make_group, make_cycle
):
    set_clock(monkeypatch, HONOLULU, HONOLULU_EVENING)
    group = make_group()
    make_cycle(group)
    web.login("admin")
    path = f"/groups/{group.id}/meetings/new"
    assert value_of(web.client.get(path), "held_on") == MARCH_9.isoformat()
    response = web.post(path, {"held_on": MARCH_10.isoformat()})
    assert response.status_code == 422
    assert "is in the future" in response.get_data(as_text=True)
    with db.connection_context():
        assert Meeting.select().count() == 0


def test_the_member_pages_offer_the_local_day(
    monkeypatch, web, admin, make_group, make_member, make_cycle
):
    set_clock(monkeypatch, NAIROBI, NAIROBI_NIGHT)
    group = make_group()
    make_cycle(group)
    awa = make_member(group, "Awa")
    web.login("admin")
    members = f"/groups/{group.id}/members"
    assert value_of(web.client.get(f"{members}/new"), "joined_on") == MARCH_10.isoformat()
    assert value_of(web.client.get(f"{members}/{awa.id}/leave"), "left_on") == "2026-03-10"
    assert value_of(web.client.get(f"{members}/{awa.id}/exit"), "settled_on") == "2026-03-10"
