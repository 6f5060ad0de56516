"""Monthly figures over a set of groups, for the trends charts: four SQL aggregate queries
for the groups whose figures are not stored already (store/stored_figures.py).

Each month is read at its last day M (the last point: today):
- savings: shares bought, up to M, in cycles open at M (started, not yet shared out);
- loans outstanding: principal paid out less repaid up to M, on loans not closed by M;
- PAR>30: of that, the principal of loans whose installments due more than 30 days before M
  (the current schedule, principal only) exceed what was repaid by M;
- attendance: present, late or represented over all marks at the closed meetings of the month.
Amounts are summed per currency: groups keeping their books in different currencies are never
added together. Each query scans the rows once, one column per month (no date functions, so
SQLite and PostgreSQL read it alike).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from peewee import PostgresqlDatabase

from savings_groups.core.vocabulary import EntryKind, LoanStatus, MeetingStatus
from savings_groups.oversight.figures import ATTENDED, ratio
from savings_groups.store import stored_figures
from savings_groups.store.db import db, written_out
from savings_groups.store.models import SavingsGroup

STORED_AS = stored_figures.kind("trends", __file__)


@dataclass(frozen=True)
class Trends:
    months: list[date]
    savings: dict[str, list[int]]  # by currency
    loans: dict[str, list[int]]
    at_risk: dict[str, list[int]]
    attended: list[int]
    marked: list[int]

    def par30(self, currency: str) -> list:
        return [
            ratio(r, o) for r, o in zip(self.at_risk[currency], self.loans[currency], strict=True)
        ]

    @property
    def attendance(self) -> list:
        return [ratio(a, m) for a, m in zip(self.attended, self.marked, strict=True)]


def month_ends(on: date, count: int = 12) -> list[date]:
    """The last day of each of the `count` months up to `on`'s, the last one `on` itself."""
    ends = [on]
    first = on.replace(day=1)
    for _ in range(count - 1):
        ends.append(first - timedelta(days=1))
        first = (first - timedelta(days=1)).replace(day=1)
    return ends[::-1]


def _literal(day: date) -> str:
    text = f"'{day.isoformat()}'"  # made from a date, never from what a user typed
    return f"DATE {text}" if isinstance(db.obj, PostgresqlDatabase) else text


def trends_for(ids, on: date, count: int = 12) -> Trends:
    """The monthly figures of the groups, added up per currency: each group's are stored as of
    `on` while its books do not change (store/stored_figures.py)."""
    months = month_ends(on, count)
    found = stored_figures.through(
        f"{STORED_AS}-{count}", ids, on, lambda i: computed(i, months), dict, lambda _, data: data
    )
    trends = Trends(months, {}, {}, {}, [0] * count, [0] * count)
    for data in found.values():
        currency = data["currency"]
        for name in ("savings", "loans", "at_risk"):
            if data[name] is not None:
                _add(getattr(trends, name).setdefault(currency, [0] * count), data[name])
        _add(trends.attended, data["attended"])
        _add(trends.marked, data["marked"])
    return trends


def _add(total: list[int], values: list[int]) -> None:
    for k, value in enumerate(values):
        total[k] += value


def computed(ids, months: list[date]) -> dict[int, dict]:
    """Each group's figures at each month end: four queries whatever the number of groups.
    A group with no share purchase has no savings (None), one that never lent no loans."""
    count = len(months)
    ids = list(ids)
    found = {
        group_id: {
            "currency": currency,
            "savings": None,
            "loans": None,
            "at_risk": None,
            "attended": [0] * count,
            "marked": [0] * count,
        }
        for group_id, currency in SavingsGroup.select(SavingsGroup.id, SavingsGroup.currency)
        .where(SavingsGroup.id.in_(ids))
        .tuples()
    }
    if not found:
        return found
    groups = written_out(ids)
    ms = [_literal(m) for m in months]
    savings_columns = ", ".join(
        f"SUM(CASE WHEN e.effective_on <= {m} AND c.start_date <= {m} AND (c.closed_at IS NULL"
        f" OR c.closed_at > {m}) THEN e.amount ELSE 0 END)"
        for m in ms
    )
    for row in db.execute_sql(
        f"""SELECT e.group_id, {savings_columns} FROM entry e JOIN cycle c ON c.id = e.cycle_id
        WHERE e.group_id IN ({groups}) AND e.kind = '{EntryKind.SHARE_PURCHASE.value}'
        GROUP BY e.group_id"""
    ).fetchall():
        found[row[0]]["savings"] = [int(v or 0) for v in row[1:]]
    lent = ", ".join(
        f"SUM(CASE WHEN e.kind = '{EntryKind.LOAN_DISBURSEMENT.value}' AND e.effective_on <= {m}"
        f" THEN -e.amount ELSE 0 END) AS lent{k}"
        for k, m in enumerate(ms)
    )
    repaid = ", ".join(
        f"SUM(CASE WHEN e.kind = '{EntryKind.LOAN_PRINCIPAL.value}' AND e.effective_on <= {m}"
        f" THEN e.amount ELSE 0 END) AS repaid{k}"
        for k, m in enumerate(ms)
    )
    due = ", ".join(
        f"SUM(CASE WHEN i.due_on < {_literal(m - timedelta(days=30))} THEN i.principal"
        f" ELSE 0 END) AS due{k}"
        for k, m in enumerate(months)
    )
    open_at = [f"(l.granted_on <= {m} AND (l.closed_on IS NULL OR l.closed_on > {m}))" for m in ms]
    outstanding = [f"(COALESCE(p.lent{k}, 0) - COALESCE(p.repaid{k}, 0))" for k in range(count)]
    loan_columns = ", ".join(
        f"SUM(CASE WHEN {open_at[k]} THEN {outstanding[k]} ELSE 0 END)" for k in range(count)
    )
    risk_columns = ", ".join(
        f"SUM(CASE WHEN {open_at[k]} AND COALESCE(d.due{k}, 0) >"
        f" COALESCE(p.repaid{k}, 0) - l.baseline_principal THEN {outstanding[k]} ELSE 0 END)"
        for k in range(count)
    )
    kinds = f"'{EntryKind.LOAN_DISBURSEMENT.value}', '{EntryKind.LOAN_PRINCIPAL.value}'"
    for row in db.execute_sql(
        f"""WITH l AS (
            SELECT id, group_id, granted_on, closed_on, baseline_principal FROM loan
            WHERE group_id IN ({groups}) AND granted_on <= {ms[-1]}
                AND (closed_on IS NULL OR closed_on > {ms[0]}
                    OR status = '{LoanStatus.ACTIVE.value}')),
        p AS (
            SELECT e.loan_id, {lent}, {repaid}
            FROM entry e WHERE e.loan_id IN (SELECT id FROM l) AND e.kind IN ({kinds})
            GROUP BY e.loan_id),
        d AS (
            SELECT i.loan_id, {due} FROM loan_installment i
            WHERE i.loan_id IN (SELECT id FROM l) AND i.replaced_on IS NULL GROUP BY i.loan_id)
        SELECT l.group_id, {loan_columns}, {risk_columns}
        FROM l LEFT JOIN p ON p.loan_id = l.id LEFT JOIN d ON d.loan_id = l.id
        GROUP BY l.group_id"""
    ).fetchall():
        found[row[0]]["loans"] = [int(v or 0) for v in row[1 : count + 1]]
        found[row[0]]["at_risk"] = [int(v or 0) for v in row[count + 1 :]]
    starts = [_literal(months[0].replace(day=1) - timedelta(days=1)), *ms[:-1]]
    attended_states = ", ".join(f"'{s.value}'" for s in ATTENDED)
    columns = []
    for k, m in enumerate(ms):
        within = f"m.held_on > {starts[k]} AND m.held_on <= {m}"
        columns.append(
            f"SUM(CASE WHEN {within} AND a.status IN ({attended_states}) THEN 1 ELSE 0 END)"
        )
        columns.append(f"SUM(CASE WHEN {within} THEN 1 ELSE 0 END)")
    for row in db.execute_sql(
        f"""SELECT m.group_id, {", ".join(columns)}
        FROM attendance a JOIN meeting m ON m.id = a.meeting_id
        WHERE m.group_id IN ({groups}) AND m.status = '{MeetingStatus.CLOSED.value}'
            AND m.held_on > {starts[0]} AND m.held_on <= {ms[-1]}
        GROUP BY m.group_id"""
    ).fetchall():
        values = [int(v or 0) for v in row[1:]]
        found[row[0]]["attended"], found[row[0]]["marked"] = values[0::2], values[1::2]
    return found
