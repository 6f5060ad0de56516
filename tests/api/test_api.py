"""The JSON API: tokens (missing, wrong, revoked, out of scope), consent for members, phone
numbers only when allowed, filters and pages, indicators as of a day; every response checked
against the OpenAPI document."""

from datetime import date, timedelta

from savings_groups.core import dates
from savings_groups.core.vocabulary import ConsentScope, EntryKind, Fund
from savings_groups.org import api_tokens
from savings_groups.store.db import db
from savings_groups.store.models import ApiToken


def test_the_document_is_served_without_a_token(client):
    answer = client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    assert answer.get_json()["openapi"] == "3.1.0"


def test_missing_wrong_and_revoked_tokens_are_401(api, token, admin, make_group):
    make_group()
    assert api.get("/api/v1/groups").status_code == 401
    assert api.get("/api/v1/groups", "sgapi_not-a-token").status_code == 401
    secret = token(all_groups=True)
    assert api.get("/api/v1/groups", secret).status_code == 200
    with db.connection_context():
        stored = ApiToken.get()
        assert stored.token_hash == api_tokens.digest(secret) and secret not in stored.token_hash
        api_tokens.revoke_token(admin, stored.id)
    answer = api.get("/api/v1/groups", secret)
    assert answer.status_code == 401
    assert "token" in answer.get_json()["error"]["message"]


def test_a_token_sees_only_its_groups(api, token, make_group):
    mine, other = make_group("Benkadi"), make_group("Jigiya")
    secret = token([mine])
    listed = api.get("/api/v1/groups", secret).get_json()
    assert [g["name"] for g in listed["items"]] == ["Benkadi"] and listed["total"] == 1
    assert api.get(f"/api/v1/groups/{mine.id}", secret).status_code == 200
    assert api.get(f"/api/v1/groups/{other.id}", secret).status_code == 403
    assert api.get(f"/api/v1/groups/{other.id}/members", secret).status_code == 403
    assert api.get("/api/v1/groups/99999", secret).status_code == 404


def test_members_need_the_groups_consent_and_phones_the_tokens(
    api, token, make_group, make_member, agree
):
    group = make_group("Benkadi")
    make_member(group, "Awa Diallo", phone="+221 77 000 00 01")
    plain, with_phones = token([group]), token([group], phones=True, name="SMS")
    refused = api.get(f"/api/v1/groups/{group.id}/members", plain)
    assert refused.status_code == 403
    assert "Benkadi" in refused.get_json()["error"]["message"]
    agree(group, ConsentScope.MEMBER_EXPORTS)  # not the API
    assert api.get(f"/api/v1/groups/{group.id}/members", plain).status_code == 403
    agree(group, ConsentScope.API)
    assert api.get(f"/api/v1/groups/{group.id}", plain).get_json()["member_data_shared"] is True
    members = api.get(f"/api/v1/groups/{group.id}/members", plain).get_json()
    assert members["phones_included"] is False
    assert members["items"][0]["full_name"] == "Awa Diallo"
    assert "phone" not in members["items"][0]
    assert "+221" not in api.get(f"/api/v1/groups/{group.id}/members", plain).get_data(as_text=True)
    shown = api.get(f"/api/v1/groups/{group.id}/members", with_phones).get_json()
    assert shown["items"][0]["phone"] == "+221 77 000 00 01"
    agree(group)  # withdrawn
    assert api.get(f"/api/v1/groups/{group.id}/members", with_phones).status_code == 403


def test_filters_and_pages(api, token, make_group):
    for n in range(5):
        make_group(f"S{n}", country="SN")
    make_group("Tontine", kind="rosca", country="GN")
    secret = token(all_groups=True)
    assert api.get("/api/v1/groups?kind=rosca", secret).get_json()["total"] == 1
    assert api.get("/api/v1/groups?country=sn", secret).get_json()["total"] == 5
    page = api.get("/api/v1/groups?per_page=4&page=2", secret).get_json()
    assert (page["pages"], len(page["items"]), page["total"]) == (2, 2, 6)
    assert api.get("/api/v1/groups?per_page=4&page=3", secret).status_code == 404
    for bad in ("kind=bank", "page=0", "page=x", "per_page=1000", "country=SEN", "colour=red"):
        answer = api.get(f"/api/v1/groups?{bad}", secret)
        assert answer.status_code == 400, bad
    nowhere = api.client.get("/api/v1/nowhere", headers={"Authorization": f"Bearer {secret}"})
    assert nowhere.status_code == 404 and nowhere.get_json()["error"]["status"] == 404


def test_no_group_is_an_empty_first_page(api, token):
    answer = api.get("/api/v1/groups", token(all_groups=True)).get_json()
    assert (answer["total"], answer["items"], answer["pages"]) == (0, [], 1)


def test_indicators_as_of_a_day(api, token, world, agree):
    w = world()
    monday = date(2026, 3, 2)
    meeting = w.meeting(monday)
    w.post(Fund.LOAN_FUND, EntryKind.SHARE_PURCHASE, 5_000, w.members[0], meeting, 5)
    w.post(Fund.LOAN_FUND, EntryKind.SHARE_PURCHASE, 2_000, w.members[1], meeting, 2)
    later = w.meeting(monday + timedelta(days=7))
    w.post(Fund.LOAN_FUND, EntryKind.SHARE_PURCHASE, 1_000, w.members[1], later, 1)
    secret = token(all_groups=True)  # aggregates need no consent
    figures = api.get(f"/api/v1/indicators?as_of={monday.isoformat()}", secret).get_json()
    assert [(g["group_id"], g["currency"]) for g in figures["groups"]] == [(w.group.id, "XOF")]
    assert figures["groups"][0]["indicators"]["savings"] == {
        "all": 7_000,
        "returnee": 7_000,
        "community": 0,
    }
    assert figures["indicators"]["members"] == {"all": 3, "returnee": 3, "community": 0}
    now = api.get("/api/v1/indicators", secret).get_json()
    assert now["currencies"][0]["indicators"]["savings"]["all"] == 8_000
    tomorrow = dates.today() + timedelta(days=1)
    assert api.get(f"/api/v1/indicators?as_of={tomorrow}", secret).status_code == 400
    assert api.get("/api/v1/indicators?as_of=1990-01-01", secret).status_code == 400
    assert api.get("/api/v1/indicators?as_of=2026-02-30", secret).status_code == 400
