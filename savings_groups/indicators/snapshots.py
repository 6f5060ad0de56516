"""Quarterly snapshots: each group's indicators at a quarter's end, frozen once (stored, audited,
never recomputed), and compared with the quarter before."""

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from savings_groups.core.dates import today
from savings_groups.core.errors import N_, Invalid
from savings_groups.indicators import reports
from savings_groups.org import audit
from savings_groups.store.db import db
from savings_groups.store.models import IndicatorSnapshot, SavingsGroup

# The figures a snapshot keeps (the "all members" value of each).
KEYS = (
    "members", "women", "attendance_cycle", "attendance_last4", "dropout", "savings",
    "social_fund", "cash", "loans_outstanding_count", "loans_outstanding_value",
    "members_with_loan", "par30", "utilisation", "write_off", "net_profit",
    "return_on_savings", "return_on_assets",
)  # fmt: skip


def parse_quarter(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-?Q([1-4])", (text or "").strip().upper())
    if not match:
        raise Invalid(N_("A quarter is written like 2026Q3."))
    return int(match.group(1)), int(match.group(2))


def quarter_end(year: int, quarter: int) -> date:
    if quarter == 4:
        return date(year, 12, 31)
    return date(year, quarter * 3 + 1, 1) - timedelta(days=1)


def previous(year: int, quarter: int) -> tuple[int, int]:
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def label(year: int, quarter: int) -> str:
    return f"{year}Q{quarter}"


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def figures_of(counter: reports.GroupCounters) -> dict:
    counts, money = reports.group_indicators(counter)
    both = {**counts, **money}
    return {key: _plain(both[key].get()) for key in KEYS}


def freeze(actor, quarter: str) -> int:
    """Freeze every counted group's figures at the quarter's end; groups already frozen for it
    keep theirs. Returns how many were frozen now. One transaction, audited."""
    year, number = parse_quarter(quarter)
    end = quarter_end(year, number)
    if end >= today():
        raise Invalid(N_("A quarter can be frozen only once it has ended."))
    name = label(year, number)
    with db.atomic():
        done = {
            s.group_id
            for s in IndicatorSnapshot.select(IndicatorSnapshot.group).where(
                IndicatorSnapshot.quarter == name
            )
        }
        query = reports.group_query(reports.Filters(), end)
        if done:
            query = query.where(SavingsGroup.id.not_in(list(done)))
        rows = [
            {
                "group": c.group.id,
                "quarter": name,
                "as_of": end,
                "currency": c.group.currency,
                "figures": json.dumps(figures_of(c), sort_keys=True),
                "frozen_by": actor.id,
            }
            for c in reports.counters(query, end)
        ]
        if rows:
            IndicatorSnapshot.insert_many(rows).execute()
            audit.record(actor, "indicators.freeze", actor, quarter=name, groups=len(rows))
    return len(rows)


@dataclass
class Comparison:
    group: SavingsGroup
    this: dict | None  # key -> value, None when not frozen
    before: dict | None

    def change(self, key):
        a = None if self.this is None else self.this.get(key)
        b = None if self.before is None else self.before.get(key)
        if a is None or b is None:
            return None
        return Decimal(str(a)) - Decimal(str(b))


def compare(quarter: str, groups_query) -> tuple[str, str, list[Comparison]]:
    """The frozen figures of the quarter and of the one before, for the groups of a query."""
    year, number = parse_quarter(quarter)
    this, before = label(year, number), label(*previous(year, number))
    groups = list(groups_query)
    stored = {}
    for s in IndicatorSnapshot.select().where(
        IndicatorSnapshot.quarter.in_([this, before]),
        IndicatorSnapshot.group.in_([g.id for g in groups] or [-1]),
    ):
        stored[s.group_id, s.quarter] = json.loads(s.figures)
    return (
        this,
        before,
        [Comparison(g, stored.get((g.id, this)), stored.get((g.id, before))) for g in groups],
    )
