"""Each group's key figures for a set of groups, by a constant number of SQL aggregate queries.

- savings: shares bought in the group's open cycle (entries of kind share_purchase);
- loans_outstanding: principal paid out less principal repaid, on loans being repaid;
- par30: principal outstanding of loans whose oldest unpaid installment (principal only, the
  current schedule) fell due more than 30 days ago, over all principal outstanding;
- attendance: present, late or represented over all attendance marks of the last four closed
  meetings (and of the four before, to see it falling);
- last_meeting: the date of the last closed meeting; cash_difference: counted less computed
  at that meeting, all boxes.
None stands for "no data" (no meeting, no open cycle, nothing lent): never a division by zero.
"""

from dataclasses import asdict, astuple, dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from savings_groups.core.vocabulary import (
    AttendanceStatus,
    ContributionStatus,
    EntryKind,
    LoanStatus,
    MeetingStatus,
)
from savings_groups.store import stored_figures
from savings_groups.store.db import db, written_out

STORED_AS = stored_figures.kind("oversight", __file__)

PLACES = Decimal("0.0001")
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.REPRESENTED)


def ratio(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(PLACES, ROUND_HALF_UP)


@dataclass(frozen=True)
class LoanLine:
    """A loan being repaid; `due_on`: when its oldest unpaid installment fell due (None: none
    is late)."""

    group_id: int
    member_id: int
    member_name: str
    outstanding: int
    due_on: date | None
    meetings_since: int  # closed meetings of the group held after it fell due


@dataclass
class Figures:
    savings: int | None = None
    loans_outstanding: int | None = None
    at_risk: int = 0
    attended: int = 0
    marked: int = 0
    attended_before: int = 0
    marked_before: int = 0
    last_meeting: date | None = None
    cash_difference: int | None = None
    loans: list[LoanLine] = field(default_factory=list)
    borrower_savings: dict[int, int] = field(default_factory=dict)  # this cycle's, by member

    @property
    def par30(self) -> Decimal | None:
        return ratio(self.at_risk, self.loans_outstanding or 0)

    @property
    def attendance(self) -> Decimal | None:
        return ratio(self.attended, self.marked)

    @property
    def attendance_before(self) -> Decimal | None:
        return ratio(self.attended_before, self.marked_before)


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _rows(sql: str, params=()):
    p = db.param
    return db.execute_sql(sql.replace("?", p), params).fetchall()


def figures_for(ids, on: date) -> dict[int, Figures]:
    """The figures of each group of `ids` on the day `on`: stored ones where the group's books
    have not changed since (store/stored_figures.py), computed for the others."""
    return stored_figures.through(STORED_AS, ids, on, lambda i: computed(i, on), _dump, _load)


def _dump(figures: Figures) -> dict:
    data = asdict(figures)
    data["last_meeting"] = _iso(figures.last_meeting)
    data["loans"] = [
        [*astuple(line)[:4], _iso(line.due_on), line.meetings_since] for line in figures.loans
    ]
    return data


def _load(group_id: int, data: dict) -> Figures:
    loans = [LoanLine(*line[:4], _date(line[4]), line[5]) for line in data.pop("loans")]
    saved = {int(member_id): total for member_id, total in data.pop("borrower_savings").items()}
    last_meeting = _date(data.pop("last_meeting"))
    return Figures(**data, last_meeting=last_meeting, loans=loans, borrower_savings=saved)


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def computed(ids, on: date) -> dict[int, Figures]:
    """The figures of each group of `ids` on the day `on`: four queries, whatever their number."""
    ids = list(ids)
    result = {group_id: Figures() for group_id in ids}
    if not ids:
        return result
    groups = written_out(ids)
    # 1. savings this cycle (the open cycle)
    savings = _rows(
        f"""SELECT e.group_id, SUM(e.amount) FROM entry e
    WHERE e.cycle_id IN (
        SELECT id FROM cycle WHERE group_id IN ({groups}) AND closed_at IS NULL)
        AND e.kind = ?
    GROUP BY e.group_id""",
        (EntryKind.SHARE_PURCHASE.value,),
    )
    for group_id, total in savings:
        result[group_id].savings = int(total)
    # 2. the last eight closed meetings: attendance by four, the last one's date and cash
    attended = ", ".join(f"'{s.value}'" for s in ATTENDED)
    meetings = _rows(
        f"""WITH m AS (
        SELECT id, group_id, held_on,
            ROW_NUMBER() OVER (PARTITION BY group_id ORDER BY held_on DESC) AS rn
        FROM meeting WHERE status = ? AND group_id IN ({groups}) AND held_on <= ?)
    SELECT m.group_id, m.rn, m.held_on,
        (SELECT COUNT(*) FROM attendance a WHERE a.meeting_id = m.id
            AND a.status IN ({attended})),
        (SELECT COUNT(*) FROM attendance a WHERE a.meeting_id = m.id),
        (SELECT SUM(k.counted - k.computed) FROM cash_count k WHERE k.meeting_id = m.id)
    FROM m WHERE m.rn <= 8""",
        (MeetingStatus.CLOSED.value, on.isoformat()),
    )
    for group_id, rank, day, present, marked, difference in meetings:
        figures = result[group_id]
        if rank == 1:
            figures.last_meeting = _date(day)
            figures.cash_difference = None if difference is None else int(difference)
        if rank <= 4:
            figures.attended += present
            figures.marked += marked
        else:
            figures.attended_before += present
            figures.marked_before += marked
    # 3. loans being repaid: outstanding, and the oldest installment unpaid (principal)
    for loan in _loans(groups, on):
        figures = result[loan[0]]
        outstanding = int(loan[3])
        figures.loans_outstanding = (figures.loans_outstanding or 0) + outstanding
        due_on = _date(loan[4])
        figures.loans.append(
            LoanLine(loan[0], loan[1], loan[2], outstanding, due_on, int(loan[5] or 0))
        )
        if due_on is not None and due_on < on - timedelta(days=30):
            figures.at_risk += outstanding
    # 4. what each borrower saved this cycle (their debt against their savings)
    saved = member_savings({line.member_id for f in result.values() for line in f.loans})
    for figures in result.values():
        borrowers = {line.member_id for line in figures.loans}
        figures.borrower_savings = {member_id: saved.get(member_id, 0) for member_id in borrowers}
    return result


def member_savings(member_ids) -> dict[int, int]:
    """Shares bought by each member in their group's open cycle (one query)."""
    if not member_ids:
        return {}
    return {
        member_id: int(total)
        for member_id, total in _rows(
            f"""SELECT e.member_id, SUM(e.amount) FROM entry e JOIN cycle c ON c.id = e.cycle_id
            WHERE e.member_id IN ({written_out(member_ids)}) AND c.closed_at IS NULL AND e.kind = ?
            GROUP BY e.member_id""",
            (EntryKind.SHARE_PURCHASE.value,),
        )
    }


def overdue_cycles(ids, on: date) -> dict[int, date]:
    """The planned end of each group's open cycle that is past `on` without a share-out."""
    if not ids:
        return {}
    return {
        group_id: _date(end)
        for group_id, end in _rows(
            f"""SELECT group_id, MIN(planned_end) FROM cycle
            WHERE group_id IN ({written_out(ids)}) AND closed_at IS NULL AND planned_end < ?
            GROUP BY group_id""",
            (on.isoformat(),),
        )
    }


@dataclass(frozen=True)
class ServedArrears:
    """A ROSCA member who took the pot in `served_round` of a running rotation and has since
    missed `missed` contributions (recorded missing or part paid) of rounds due by the day."""

    group_id: int
    member_id: int
    member_name: str
    rotation_number: int
    served_round: int
    missed: int


UNPAID = (ContributionStatus.MISSING.value, ContributionStatus.PARTIAL.value)


def served_arrears(ids, on: date) -> dict[int, list[ServedArrears]]:
    """Per ROSCA group of `ids`: its members served in a running rotation who then missed
    contributions (one query for all the groups; none when `ids` is empty).

    A member is served from the first round of the rotation paid out to a hand they hold (on or
    before `on`); a contribution counts when it is the current row (nothing replaced it), its
    status is missing or partial, and its round comes after that one and was due by `on`."""
    ids = list(ids)
    if not ids:
        return {}
    result: dict[int, list[ServedArrears]] = {}
    for group_id, member_id, name, rotation, served, missed in _rows(
        f"""WITH served AS (
            SELECT r.rotation_id, hh.member_id, MIN(r.number) AS number
            FROM round r
            JOIN rotation ro ON ro.id = r.rotation_id
            JOIN hand_holder hh ON hh.hand_id = r.recipient_id
            WHERE ro.group_id IN ({written_out(ids)}) AND ro.finished_at IS NULL
                AND r.paid_out_on IS NOT NULL AND r.paid_out_on <= ?
            GROUP BY r.rotation_id, hh.member_id)
        SELECT ro.group_id, s.member_id, mb.full_name, ro.number, s.number, COUNT(c.id)
        FROM served s
        JOIN rotation ro ON ro.id = s.rotation_id
        JOIN member mb ON mb.id = s.member_id
        JOIN round later ON later.rotation_id = s.rotation_id AND later.number > s.number
        JOIN contribution c ON c.round_id = later.id AND c.member_id = s.member_id
        WHERE later.due_on <= ? AND c.status IN (?, ?)
            AND NOT EXISTS (SELECT 1 FROM contribution n WHERE n.replaces_id = c.id)
        GROUP BY ro.group_id, s.member_id, mb.full_name, mb.number, ro.number, s.number
        ORDER BY ro.group_id, ro.number, mb.number""",
        (on.isoformat(), on.isoformat(), *UNPAID),
    ):
        result.setdefault(group_id, []).append(
            ServedArrears(group_id, member_id, name, int(rotation), int(served), int(missed))
        )
    return result


def _loans(groups: str, on: date):
    """Per loan being repaid: group, member, name, principal outstanding, the due date of its
    oldest unpaid installment before `on` (or None) and the closed meetings held since."""
    return _rows(
        f"""WITH l AS (
            SELECT id, group_id, member_id, baseline_principal FROM loan
            WHERE status = ? AND group_id IN ({groups})),
        paid AS (
            SELECT e.loan_id,
                SUM(CASE WHEN e.kind = ? THEN e.amount ELSE 0 END) AS repaid,
                SUM(CASE WHEN e.kind = ? THEN -e.amount ELSE 0 END) AS lent
            FROM entry e WHERE e.loan_id IN (SELECT id FROM l) GROUP BY e.loan_id),
        due AS (
            SELECT i.loan_id, i.due_on,
                SUM(i.principal) OVER (PARTITION BY i.loan_id ORDER BY i.number) AS owed
            FROM loan_installment i
            WHERE i.loan_id IN (SELECT id FROM l) AND i.replaced_on IS NULL),
        late AS (
            SELECT due.loan_id, MIN(due.due_on) AS due_on FROM due
            JOIN l ON l.id = due.loan_id LEFT JOIN paid ON paid.loan_id = due.loan_id
            WHERE due.due_on < ?
                AND due.owed > COALESCE(paid.repaid, 0) - l.baseline_principal
            GROUP BY due.loan_id)
        SELECT l.group_id, l.member_id, mb.full_name,
            COALESCE(paid.lent, 0) - COALESCE(paid.repaid, 0), late.due_on,
            (SELECT COUNT(*) FROM meeting m WHERE m.group_id = l.group_id AND m.status = ?
                AND m.held_on > late.due_on AND m.held_on <= ?)
        FROM l JOIN member mb ON mb.id = l.member_id
        LEFT JOIN paid ON paid.loan_id = l.id LEFT JOIN late ON late.loan_id = l.id
        ORDER BY l.group_id, mb.number, l.id""",
        (
            LoanStatus.ACTIVE.value,
            EntryKind.LOAN_PRINCIPAL.value,
            EntryKind.LOAN_DISBURSEMENT.value,
            on.isoformat(),
            MeetingStatus.CLOSED.value,
            on.isoformat(),
        ),
    )
