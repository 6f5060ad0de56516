"""Monthly figures over a set of groups, for the trends charts: three SQL aggregate queries.

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
from savings_groups.oversight.figures import ATTENDED, _in, ratio
from savings_groups.store.db import db


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
    months = month_ends(on, count)
    ids = list(ids)
    empty = Trends(months, {}, {}, {}, [0] * count, [0] * count)
    if not ids:
        return empty
    groups = _in(ids)
    ms = [_literal(m) for m in months]
    savings_columns = ", ".join(
        f"SUM(CASE WHEN e.effective_on <= {m} AND c.start_date <= {m} AND (c.closed_at IS NULL"
        f" OR c.closed_at > {m}) THEN e.amount ELSE 0 END)"
        for m in ms
    )
    savings = {
        row[0]: [int(v or 0) for v in row[1:]]
        for row in db.execute_sql(
            f"""SELECT g.currency, {savings_columns} FROM entry e
            JOIN cycle c ON c.id = e.cycle_id JOIN savings_group g ON g.id = e.group_id
            WHERE e.group_id IN ({groups}) AND e.kind = '{EntryKind.SHARE_PURCHASE.value}'
            GROUP BY g.currency"""
        ).fetchall()
    }
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
    loans, at_risk = {}, {}
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
        SELECT g.currency, {loan_columns}, {risk_columns}
        FROM l JOIN savings_group g ON g.id = l.group_id
        LEFT JOIN p ON p.loan_id = l.id LEFT JOIN d ON d.loan_id = l.id
        GROUP BY g.currency"""
    ).fetchall():
        loans[row[0]] = [int(v or 0) for v in row[1 : count + 1]]
        at_risk[row[0]] = [int(v or 0) for v in row[count + 1 :]]
    starts = [_literal(months[0].replace(day=1) - timedelta(days=1)), *ms[:-1]]
    attended_states = ", ".join(f"'{s.value}'" for s in ATTENDED)
    columns = []
    for k, m in enumerate(ms):
        within = f"m.held_on > {starts[k]} AND m.held_on <= {m}"
        columns.append(
            f"SUM(CASE WHEN {within} AND a.status IN ({attended_states}) THEN 1 ELSE 0 END)"
        )
        columns.append(f"SUM(CASE WHEN {within} THEN 1 ELSE 0 END)")
    row = db.execute_sql(
        f"""SELECT {", ".join(columns)} FROM attendance a JOIN meeting m ON m.id = a.meeting_id
        WHERE m.group_id IN ({groups}) AND m.status = '{MeetingStatus.CLOSED.value}'
            AND m.held_on > {starts[0]} AND m.held_on <= {ms[-1]}"""
    ).fetchone()
    values = [int(v or 0) for v in row]
    return Trends(months, savings, loans, at_risk, values[0::2], values[1::2])
