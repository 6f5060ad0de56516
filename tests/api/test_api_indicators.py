"""/api/v1/indicators gives the dashboard's indicator set (indicators.reports), exactly: on the
hand-built organization of tests/indicators, for the token's groups as of a day."""

import json
import re
from decimal import Decimal

from savings_groups.indicators import reports
from tests.indicators.conftest import AS_OF, org  # noqa: F401  (the fixture)


def as_json(figures) -> dict:
    """The report's figures as the API writes them (ratios as numbers, no data as null)."""
    return {
        key: {
            segment: value if value is None or isinstance(value, int) else float(value)
            for segment, value in figure.values.items()
        }
        for key, figure in figures.items()
    }


def test_the_api_gives_the_dashboards_figures_for_the_tokens_group(api, token, org):  # noqa: F811
    a = org["a"]
    answer = api.get(f"/api/v1/indicators?as_of={AS_OF.isoformat()}", token([a])).get_json()
    # The dashboard filtered to Senegal holds group A alone (the practice group never counts).
    dashboard = reports.indicators(reports.group_query(reports.Filters(country="SN"), AS_OF), AS_OF)
    assert answer["as_of"] == "2026-03-02"
    assert answer["indicators"] == as_json(dashboard.counts)
    assert [c["currency"] for c in answer["currencies"]] == ["XOF"]
    xof = answer["currencies"][0]
    assert xof["indicators"] == as_json(dashboard.money["XOF"])
    # The hand-worked values (tests/indicators/test_reports.py), returnees and community apart.
    counts, money = answer["indicators"], xof["indicators"]
    assert counts["members"] == {"all": 3, "returnee": 2, "community": 1}
    assert counts["attendance_cycle"] == {"all": 0.6667, "returnee": 0.7, "community": 0.6}
    assert counts["dropout"] == {"all": 0.25, "returnee": 0.0, "community": 0.5}
    assert money["savings"] == {"all": 9000, "returnee": 5000, "community": 4000}
    assert money["loans_outstanding_value"] == {"all": 5500, "returnee": 4000, "community": 1500}
    assert money["par30"] == {"all": 0.7273}
    assert money["net_profit"] == {"all": 400}
    assert Decimal(str(money["return_on_assets"]["all"])) == Decimal("0.2766")  # 2600 / 9400
    assert xof["loans_by_purpose"]["business"] == {"count": 1, "value": 4000}
    assert xof["loans_by_purpose"]["education"] == {"count": 1, "value": 1500}
    assert xof["loans_by_purpose"]["health"] == {"count": 0, "value": 0}
    # The group's own figures are the same (it is alone).
    [group] = answer["groups"]
    assert group["group_id"] == a.id and group["currency"] == "XOF"
    assert group["indicators"] == {**counts, **money}
    assert group["loans_by_purpose"] == xof["loans_by_purpose"]


def test_every_group_each_currency_apart_and_no_practice_group(api, token, org):  # noqa: F811
    answer = api.get(f"/api/v1/indicators?as_of={AS_OF}", token(all_groups=True)).get_json()
    report = reports.for_groups([org["a"].id, org["b"].id, org["practice"].id], AS_OF)
    assert answer["indicators"] == as_json(report.counts)
    assert answer["indicators"]["groups"] == {"all": 2}
    assert answer["indicators"]["members"] == {"all": 4, "returnee": 2, "community": 2}
    assert [c["currency"] for c in answer["currencies"]] == ["NGN", "XOF"]
    for currency in answer["currencies"]:
        assert currency["indicators"] == as_json(report.money[currency["currency"]])
    ngn = answer["currencies"][0]["indicators"]
    assert ngn["savings"] == {"all": 0, "returnee": 0, "community": 0}
    assert ngn["par30"] == {"all": None}  # nothing lent: no data, not a division by zero
    assert [g["group_id"] for g in answer["groups"]] == sorted([org["a"].id, org["b"].id])


def test_a_token_for_the_practice_group_alone_counts_nothing(api, token, org):  # noqa: F811
    answer = api.get(f"/api/v1/indicators?as_of={AS_OF}", token([org["practice"]])).get_json()
    assert answer["indicators"]["groups"] == {"all": 0}
    assert (answer["currencies"], answer["groups"]) == ([], [])


def test_the_document_names_every_indicator_with_its_definition(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    money = schemas["MoneyIndicators"]["properties"]
    assert money["par30"]["$ref"] == "#/components/schemas/Figure"
    assert money["savings"]["$ref"] == "#/components/schemas/SplitFigure"
    assert "PAR>30" in money["par30"]["description"]
    group = schemas["GroupIndicators"]["required"]
    assert set(group) == set(schemas["CountIndicators"]["required"]) | set(
        schemas["MoneyIndicators"]["required"]
    )


def test_the_document_validates():
    """Against the OpenAPI 3.1 meta-schema (schemathesis's copy), each schema against JSON
    Schema 2020-12, and every reference resolves."""
    import schemathesis
    from jsonschema import Draft202012Validator

    from savings_groups.api.openapi import document

    doc = document()
    schemathesis.openapi.from_dict(doc).validate()
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    refs = re.findall(r'"\$ref": "#/components/schemas/([A-Za-z]+)"', json.dumps(doc))
    assert refs and set(refs) <= set(doc["components"]["schemas"])
