"""The dashboard page and the indicator table export show the same figures as the reports."""

import io
import re
from decimal import Decimal as D

from openpyxl import load_workbook

from savings_groups.core.vocabulary import Role
from tests.indicators.conftest import AS_OF

DAY = AS_OF.isoformat()


def cell(page: str, key: str, segment: str = "all", currency: str | None = None) -> str:
    """The text of a figure's cell on the page."""
    row = re.search(
        rf'<tr data-key="{key}"'
        + (rf' data-currency="{currency}"' if currency else "")
        + r">(.*?)</tr>",
        page,
        re.S,
    ).group(1)
    value = re.search(rf'data-segment="{segment}">(.*?)</td>', row, re.S).group(1)
    return " ".join(value.replace("\xa0", " ").replace("\u202f", " ").split())


def test_the_dashboard_shows_the_hand_worked_figures(org, web):
    web.login("admin")
    page = web.client.get(f"/dashboard?as_of={DAY}&country=SN")
    assert page.status_code == 200
    page = page.get_data(as_text=True)
    assert cell(page, "members") == "3"
    assert cell(page, "members", "returnee") == "2"
    assert cell(page, "women", "community") == "100.0%"
    assert cell(page, "savings", currency="XOF") == "F CFA9,000"
    assert cell(page, "savings", "returnee", currency="XOF") == "F CFA5,000"
    assert cell(page, "par30", currency="XOF") == "72.7%"
    assert cell(page, "return_on_assets", currency="XOF") == "27.7%"
    assert "Principal outstanding over principal outstanding plus cash" in page  # definitions


def test_no_data_rather_than_a_division_by_zero(org, web):
    web.login("admin")
    page = web.client.get(f"/dashboard?as_of={DAY}&country=NG").get_data(as_text=True)
    assert cell(page, "attendance_cycle") == "no data"
    assert cell(page, "par30", currency="NGN") == "no data"


def test_bad_filters_and_days_get_a_message(org, web):
    web.login("admin")
    for query, message in (
        ("country=ZZ", "There is no group in the country"),
        ("facilitator=999999", "This facilitator is unknown"),
        ("facilitator=abc", "This facilitator is unknown"),
        ("kind=bank", "Unknown kind of group."),
        ("cycle=maybe", "Unknown cycle status."),
        ("as_of=2999-01-01", "The day may not be in the future."),
        ("as_of=2001-01-01", "The organization did not exist yet on that day"),
        ("as_of=not-a-day", "is not a date"),
    ):
        response = web.client.get(f"/dashboard?{query}")
        assert response.status_code == 400, query
        assert message in response.get_data(as_text=True), query
        assert web.client.get(f"/dashboard/export.xlsx?{query}").status_code == 400


def test_a_facilitator_sees_only_their_groups(org, web, make_user):
    web.login("fatou")
    page = web.client.get(f"/dashboard?as_of={DAY}").get_data(as_text=True)
    assert cell(page, "groups") == "1"
    assert cell(page, "members") == "3"
    assert 'data-currency="NGN"' not in page
    # Group B's country is not one of theirs: refused, not shown.
    assert web.client.get(f"/dashboard?as_of={DAY}&country=NG").status_code == 400


def test_a_recorder_may_not_open_the_dashboard(org, web, make_user):
    make_user("rec", role=Role.RECORDER, groups=[org["a"]])
    web.login("rec")
    assert web.client.get("/dashboard").status_code == 403


def test_the_xlsx_export_holds_the_same_figures(org, web):
    web.login("admin")
    response = web.client.get(f"/dashboard/export.xlsx?as_of={DAY}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    headers, data = rows[0], {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert headers[:3] == ("Group", "Country", "District")
    assert set(data) == {"Group A", "Group B"}  # never the practice group
    a = data["Group A"]
    assert a["Currency"] == "XOF"
    assert a["Savings this cycle"] == 9000
    assert a["Value of loans outstanding"] == 5500
    assert a["Value of loans written off"] == 400
    assert a["Members at the start of the cycle"] == 4
    assert D(str(a["Portfolio at risk (PAR>30)"])) == D("0.7273")
    assert D(str(a["Annualised return on assets"])) == D("0.2766")


def test_the_csv_export_in_french(org, web, make_user):
    make_user("awa", role=Role.VIEWER, groups=[org["a"], org["b"]], locale="fr")
    web.login("awa")
    body = web.client.get(f"/dashboard/export.csv?as_of={DAY}").data.decode("utf-8-sig")
    header = body.splitlines()[0]
    assert header.startswith("Groupe,Pays,")
    assert "Group B" in body and "Practice" not in body
