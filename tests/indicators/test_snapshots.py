"""Quarterly snapshots: frozen once, stored, audited, never recomputed, compared."""

import json
from datetime import date

import pytest

from savings_groups.core.errors import Invalid
from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.indicators import snapshots
from savings_groups.ledger import entries as ledger
from savings_groups.store.models import AuditEntry, Cycle, IndicatorSnapshot


def test_freeze_stores_each_group_once_and_never_recomputes(org, admin):
    assert snapshots.freeze(admin, "2026Q1") == 2  # groups A and B; never the practice group
    stored = {s.group_id: json.loads(s.figures) for s in IndicatorSnapshot.select()}
    a = stored[org["a"].id]
    assert a["savings"] == 9000
    assert a["loans_outstanding_value"] == 5500
    assert a["par30"] == "0.7273"
    assert AuditEntry.select().where(AuditEntry.action == "indicators.freeze").count() == 1
    # A purchase recorded later for a day of the quarter does not change what was frozen.
    cycle = Cycle.get(Cycle.group == org["a"])
    ledger.post(
        admin,
        org["a"],
        Fund.LOAN_FUND,
        EntryKind.SHARE_PURCHASE,
        5000,
        cycle=cycle,
        effective_on=date(2026, 3, 20),
    )
    assert snapshots.freeze(admin, "2026Q1") == 0
    again = json.loads(IndicatorSnapshot.get(IndicatorSnapshot.group == org["a"]).figures)
    assert again["savings"] == 9000


def test_bad_quarters_are_refused(org, admin):
    for text in ("2026-13", "Q1", ""):
        with pytest.raises(Invalid):
            snapshots.freeze(admin, text)
    with pytest.raises(Invalid):
        snapshots.freeze(admin, "2999Q1")  # not ended yet
    assert IndicatorSnapshot.select().count() == 0


def test_the_comparison_page(org, admin, web):
    snapshots.freeze(admin, "2025Q4")
    snapshots.freeze(admin, "2026Q1")
    web.login("admin")
    page = web.client.get("/dashboard/quarters?quarter=2026Q1")
    assert page.status_code == 200
    text = page.get_data(as_text=True).replace("\u202f", " ")
    assert "2025Q4" in text and "2026Q1" in text
    assert "F CFA9,000" in text  # savings at the end of 2026Q1, and the change from 2025Q4
    assert web.client.get("/dashboard/quarters?quarter=nonsense").status_code == 400
