"""The pages: the group's decision (recorded by a facilitator, read by a recorder), member
exports behind it (French titles in French), API tokens made by an admin and shown once."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.store.db import db
from savings_groups.store.models import ApiToken, GroupConsent
from tests.conftest import Browser, buy


def test_a_facilitator_records_the_decision_and_a_recorder_reads_it(
    web, client, app, make_group, make_user
):
    group = make_group("Benkadi")
    make_user("fatou", Role.FACILITATOR, [group])
    make_user("rec", Role.RECORDER, [group])
    web.login("fatou")
    path = f"/groups/{group.id}/consent"
    answer = web.post(
        path,
        {
            "scopes": ["api", "bundles"],
            "given_on": "2026-03-01",
            "given_by": "The members' meeting",
        },
    )
    assert answer.status_code == 302
    page = client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "The members&#39; meeting" in page and "Allowed:" in page
    bad = web.post(path, {"scopes": ["api"], "given_on": "2099-01-01", "given_by": ""})
    assert bad.status_code == 422
    web = Browser(app.test_client())
    web.login("rec")
    page = web.client.get(path).get_data(as_text=True)
    assert "Record the decision" not in page and "The members&#39; meeting" in page
    assert (
        web.post(path, {"scopes": [], "given_on": "2026-03-02", "given_by": "x"}).status_code == 403
    )
    with db.connection_context():
        assert GroupConsent.select().count() == 1


def test_member_exports_need_the_groups_consent(web, client, world, admin):
    w = world()
    meeting = w.meeting(__import__("datetime").date(2026, 3, 2))
    buy(w, w.members[0], meeting, 3)
    web.login("admin")
    refused = client.get(f"/groups/{w.group.id}/export/members.csv")
    assert refused.status_code == 303
    with db.connection_context():
        from savings_groups.core.vocabulary import ConsentScope
        from savings_groups.groups import consent

        consent.record_consent(
            admin,
            w.group,
            {ConsentScope.MEMBER_EXPORTS},
            __import__("datetime").date(2026, 1, 5),
            "All",
        )
    answer = client.get(f"/groups/{w.group.id}/export/members.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.data)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Number" and rows[1][7] == 3 and Decimal(str(rows[1][8])) == Decimal(3000)
    ledger = client.get(f"/groups/{w.group.id}/export/ledger.csv").data.decode("utf-8-sig")
    assert "Shares bought" in ledger.splitlines()[1]


def test_an_admin_makes_a_token_shown_once_and_revokes_it(web, client, make_group):
    group = make_group("Benkadi")
    web.login("admin")
    page = web.post("/admin/api-tokens/", {"name": "M&E", "groups": [group.id]}).get_data(
        as_text=True
    )
    assert "shown only once" in page and "sgapi_" in page
    with db.connection_context():
        token = ApiToken.get()
        assert token.group_id_set == {group.id}
    listing = client.get("/admin/api-tokens/").get_data(as_text=True)
    assert "shown only once" not in listing
    web.post(f"/admin/api-tokens/{token.id}/revoke", form_path="/admin/api-tokens/")
    with db.connection_context():
        assert ApiToken.get().revoked_at is not None
    assert web.post("/admin/api-tokens/", {"name": ""}).status_code == 422


def test_others_may_not_manage_tokens(web, client, make_user):
    make_user("fatou", Role.FACILITATOR)
    web.login("fatou")
    assert client.get("/admin/api-tokens/").status_code == 403


__all__ = ["EntryKind", "Fund"]
