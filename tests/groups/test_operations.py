"""Creating and editing groups: checked input, the creator's assignment, the audit trail."""

import html
import json
import re

import pytest

from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import Role
from savings_groups.groups import operations as groups
from savings_groups.groups.operations import GroupDetails
from savings_groups.org import access
from savings_groups.store.models import AuditEntry, SavingsGroup


@pytest.mark.parametrize(
    "details, field",
    [
        (GroupDetails("  ", "savings", "XOF"), "name"),
        (GroupDetails("Kankan", "bank", "XOF"), "kind"),
        (GroupDetails("Kankan", "savings", "XXY"), "currency"),
        (GroupDetails("Kankan", "savings", "XTS"), "currency"),  # the test currency
        (GroupDetails("Kankan", "savings", "FRF"), "currency"),  # withdrawn in 2002
        (GroupDetails("Kankan", "savings", ""), "currency"),
        (GroupDetails("Kankan", "savings", "GNF", country="ZZ"), "country"),
    ],
)
def test_bad_group_details_are_refused_and_nothing_is_written(conn, admin, details, field):
    with pytest.raises(DomainError) as refused:
        groups.create_group(admin, details)
    assert refused.value.field == field
    assert SavingsGroup.select().count() == 0


def test_a_facilitator_who_creates_a_group_is_assigned_to_it(conn, make_user):
    fatou = make_user("fatou", role=Role.FACILITATOR)
    group = groups.create_group(
        fatou, GroupDetails(" Femmes de Kankan ", "rosca", "gnf", "Kankan", "", "gn")
    )
    assert (group.name, group.kind, group.currency, group.country) == (
        "Femmes de Kankan",
        "rosca",
        "GNF",
        "GN",
    )
    assert [g.id for g in access.visible_groups(fatou)] == [group.id]


def test_an_edit_records_what_changed(conn, admin, make_group):
    group = make_group("Old name", currency="XOF")
    groups.update_group(admin, group, GroupDetails("New name", "savings", "XOF"))
    entry = AuditEntry.select().where(AuditEntry.action == "group.update").get()
    assert json.loads(entry.details) == {"name": ["Old name", "New name"]}
    assert entry.actor_id == admin.id and entry.group_id == group.id


def nav_of(page):
    """The labels of the group-sections links, in order."""
    body = page.get_data(as_text=True)
    nav = re.search(r'<nav class="group-nav.*?</nav>', body, re.S).group(0)
    return [html.unescape(label).strip() for label in re.findall(r">([^<]+)</a>", nav)]


def test_a_rosca_page_links_to_what_a_rosca_has(web, make_group, make_member):
    rosca = make_group("Tontine", kind="rosca")
    savings = make_group("VSLA", kind="savings")
    make_member(rosca)
    web.login("admin")
    page = web.client.get(f"/groups/{rosca.id}")
    assert nav_of(page) == ["Members", "Member cards", "Money history", "Rotations"]
    body = page.get_data(as_text=True)
    assert 'id="balance-pot"' in body
    for meaningless in ("savings-to-date", "meetings-held", "attendance-rate", "savings-chart"):
        assert f'id="{meaningless}"' not in body
    assert 'id="balance-loan_fund"' not in body  # empty, and a ROSCA has none
    assert "no open cycle" not in body
    assert f'href="/groups/{rosca.id}/rotations"' in body
    page = web.client.get(f"/groups/{savings.id}")
    assert nav_of(page) == [
        "Members",
        "Member cards",
        "Cycles and rules",
        "Meetings",
        "Money history",
        "Loans",
        "Share-out",
    ]
    body = page.get_data(as_text=True)
    assert 'id="savings-to-date"' in body and 'id="balance-loan_fund"' in body
    assert 'id="balance-pot"' not in body


def test_the_meetings_cycles_and_loans_pages_of_a_rosca_lead_to_its_rotations(web, make_group):
    rosca = make_group("Tontine", kind="rosca")
    web.login("admin")
    for page in ("meetings", "cycles", "loans"):
        response = web.client.get(f"/groups/{rosca.id}/{page}")
        assert response.status_code == 200, page
        body = response.get_data(as_text=True)
        assert "start a cycle" not in body.lower(), page
        assert "Installments due" not in body, page
        assert re.search(
            rf'id="rosca-rotations"[^>]*>[^<]*<a href="/groups/{rosca.id}/rotations"', body
        ), page


def test_a_group_keeps_a_currency_no_longer_in_use_but_cannot_take_one(conn, admin, make_group):
    group = make_group("Kankan", currency="GNF")
    SavingsGroup.update(currency="FRF").where(SavingsGroup.id == group.id).execute()
    group = SavingsGroup.get_by_id(group.id)  # kept its books in francs before the euro
    groups.update_group(admin, group, GroupDetails("Kankan", "savings", "FRF", notes="old"))
    assert SavingsGroup.get_by_id(group.id).notes == "old"
    other = make_group("Siguiri", currency="GNF")
    with pytest.raises(DomainError) as refused:
        groups.update_group(admin, other, GroupDetails("Siguiri", "savings", "FRF"))
    assert refused.value.field == "currency"
    assert SavingsGroup.get_by_id(other.id).currency == "GNF"


def currency_options(page: str) -> list[str]:
    select = re.search(r'<select[^>]*id="currency".*?</select>', page, re.S).group(0)
    return re.findall(r'<option[^>]*value="([^"]*)"', select)


def test_the_new_group_form_offers_the_currencies_in_use_and_no_default(web, make_user):
    make_user("fatou", role=Role.FACILITATOR, locale="fr")
    web.login("fatou")
    page = web.client.get("/groups/new").get_data(as_text=True)
    codes = currency_options(page)
    assert codes[0] == "" and "Choisissez une monnaie" in page  # nothing chosen for the user
    assert not re.search(r'<option selected value="[A-Z]{3}"', page)
    assert {"XOF", "EUR", "NGN", "GNF", "USD"} <= set(codes)
    assert not {"XTS", "XXX", "FRF", "XEU", "XAU"} & set(codes)
    assert "franc CFA (BCEAO) (XOF)" in page  # named by Babel in the reader's language
    assert re.search(r'id="rounding_unit"[^>]*value=""|id="rounding_unit"(?![^>]*value=)', page)
    units = json.loads(html.unescape(re.search(r'data-units="([^"]+)"', page).group(1)))
    assert (units["EUR"], units["NGN"], units["XOF"]) == ("0,01", "0,01", "1")
    countries = json.loads(html.unescape(re.search(r'data-currencies="([^"]+)"', page).group(1)))
    assert countries["SN"] == ["XOF"] and countries["NG"] == ["NGN"]


def test_the_country_s_own_currencies_come_first(web, admin):
    """Sent back with a mistake, the form lists Senegal's franc CFA first; a blank rounding
    unit is the currency's smallest, 0.01 for the euro; a missing currency is refused next to
    its field and nothing is written."""
    from savings_groups.store.db import db

    web.login("admin")
    form = {"name": "", "kind": "savings", "currency": "XOF", "country": "SN"}
    form.update(meeting_frequency="weekly", rounding_unit="")
    response = web.post("/groups/new", form)
    assert response.status_code == 422
    assert currency_options(response.get_data(as_text=True))[:2] == ["", "XOF"]
    response = web.post("/groups/new", {**form, "name": "Benkadi", "currency": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="currency-error"[^>]*>\s*Choose a currency from the list\.', page)
    with db.connection_context():
        assert SavingsGroup.select().count() == 0
    response = web.post("/groups/new", {**form, "name": "Benkadi", "currency": "EUR"})
    assert response.status_code == 302
    with db.connection_context():
        group = SavingsGroup.get(SavingsGroup.name == "Benkadi")
        assert (group.currency, group.rounding_unit) == ("EUR", 1)  # 0.01 EUR
