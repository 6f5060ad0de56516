"""Indicators as of a day, read with SQL aggregates: a fixed number of queries for any number of
groups (each query groups by group, never a Python loop over entries).

`counters()` reads the raw sums of each group; `Totals` adds groups up (money per currency, never
across currencies); `figures()` turns totals into the indicators shown on the dashboard and in the
exports. Definitions and formulas are in docs/indicators.md.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from peewee import JOIN, Case, fn

from savings_groups.core.vocabulary import (
    AttendanceStatus,
    ContributionStatus,
    EntryKind,
    Fund,
    Gender,
    LoanPurpose,
    LoanStatus,
    MeetingStatus,
    MemberType,
)
from savings_groups.store import stored_figures
from savings_groups.store.models import (
    Attendance,
    Contribution,
    Cycle,
    Entry,
    Hand,
    HandHolder,
    Loan,
    LoanInstallment,
    Meeting,
    Member,
    Rotation,
    Round,
    SavingsGroup,
    groups_among,
)

STORED_AS = stored_figures.kind("indicators", __file__)

SEGMENTS = ("all", MemberType.RETURNEE.value, MemberType.COMMUNITY.value)
PLACES = Decimal("0.0001")
CASH_FUNDS = (Fund.LOAN_FUND.value, Fund.BANK.value)
# Income and costs of the cycle in the loan fund (or the account): net profit before write-offs.
PROFIT_KINDS = (
    EntryKind.LOAN_INTEREST.value,
    EntryKind.FINE.value,
    EntryKind.OTHER_INCOME.value,
    EntryKind.GROUP_EXPENSE.value,
    EntryKind.CASH_DIFFERENCE.value,
)
PRESENT = (AttendanceStatus.PRESENT.value, AttendanceStatus.LATE.value)
REPRESENTED = (*PRESENT, AttendanceStatus.REPRESENTED.value)


@dataclass(frozen=True)
class Filters:
    """Which groups: None means any. `cycle_status` is "running" or "finished"."""

    country: str | None = None
    district: str | None = None
    facilitator: int | None = None
    kind: str | None = None
    cycle_status: str | None = None


@dataclass(frozen=True)
class CycleShown:
    """What the indicators keep of a group's cycle (a stored one is not read again)."""

    id: int
    number: int
    start_date: date
    group_id: int


@dataclass
class GroupCounters:
    """The raw sums of one group as of a day; money in the group's currency's minor units."""

    group: SavingsGroup
    cycle: Cycle | CycleShown | None = None
    status: str = "inactive"  # active | inactive | dissolved
    graduated: bool = False
    weeks: Fraction | None = None  # since the cycle started
    n: dict = field(default_factory=lambda: defaultdict(int))  # (name, segment) -> int
    purposes: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # count, value


def _segment(member_type) -> str | None:
    return member_type if member_type in SEGMENTS else None


def _add(n: dict, name: str, member_type, value) -> None:
    """Add to the group's total and to the member type's, when it is returnee or community."""
    value = int(value or 0)
    n[name, "all"] += value
    segment = _segment(member_type)
    if segment is not None:
        n[name, segment] += value


def group_query(filters: Filters, as_of: date, visible=None):
    """The real (not practice) groups matching the filters that existed on the day."""
    query = visible if visible is not None else SavingsGroup.select()
    query = query.select(SavingsGroup).where(
        SavingsGroup.is_practice == False,  # noqa: E712
    )
    # A group exists from the day it was formed; when that is not known, from its first cycle
    # or the day it was recorded, whichever came first (paper-book groups start before that).
    started = Cycle.select(Cycle.group).where(Cycle.start_date <= as_of)
    query = query.where(
        (SavingsGroup.formed_on <= as_of)
        | (
            SavingsGroup.formed_on.is_null(True)
            & (
                (fn.DATE(SavingsGroup.created_at) <= as_of.isoformat())
                | SavingsGroup.id.in_(started)
            )
        )
    )
    if filters.country:
        query = query.where(SavingsGroup.country == filters.country)
    if filters.district:
        query = query.where(SavingsGroup.district == filters.district)
    if filters.facilitator:
        query = query.where(SavingsGroup.facilitator == filters.facilitator)
    if filters.kind:
        query = query.where(SavingsGroup.kind == filters.kind)
    return query.order_by(SavingsGroup.name, SavingsGroup.id)


def first_day() -> date | None:
    """The first day the organization has figures for: the earliest group formed, cycle started
    or meeting held (the books may start before the app was installed), else its creation."""
    from savings_groups.store.models import Organization

    row = (
        Organization.select(
            fn.MIN(Organization.created_at).alias("org"),
        )
        .dicts()
        .first()
    )
    days = [
        SavingsGroup.select(fn.MIN(SavingsGroup.formed_on)).scalar(),
        Cycle.select(fn.MIN(Cycle.start_date)).scalar(),
        Meeting.select(fn.MIN(Meeting.held_on)).scalar(),
    ]
    if row and row["org"]:
        created = row["org"]
        days.append(
            created.date() if hasattr(created, "date") else date.fromisoformat(str(created)[:10])
        )
    days = [d if isinstance(d, date) else date.fromisoformat(str(d)[:10]) for d in days if d]
    return min(days) if days else None


def counters(groups_query, as_of: date, cycle_status: str | None = None) -> list[GroupCounters]:
    """Each group's raw sums as of the day, in the query's order: stored ones where the group's
    books have not changed since (store/stored_figures.py), computed for the others."""
    by_id = {g.id: g for g in groups_query}
    found = stored_figures.through(
        STORED_AS,
        by_id,
        as_of,
        lambda ids: computed([by_id[i] for i in ids], as_of),
        _dump,
        lambda group_id, data: _load(by_id[group_id], data),
    )
    rows = [found[group_id] for group_id in by_id]
    if cycle_status == "running":
        return [c for c in rows if c.status == "active"]
    if cycle_status == "finished":
        return [c for c in rows if c.status != "active"]
    return rows


def computed(groups: list[SavingsGroup], as_of: date) -> dict[int, GroupCounters]:
    """Each group's raw sums as of the day: 11 queries whatever the number of groups."""
    day = as_of.isoformat()
    found = {g.id: GroupCounters(g) for g in groups}
    if not found:
        return found
    ids = list(found)
    _cycles(found, ids, as_of)
    cycles = {c.cycle.id: c for c in found.values() if c.cycle is not None}
    _members(found, ids, as_of)
    _attendance(found, ids, day, cycles)
    _entries(found, ids, day, cycles)
    _loans(found, ids, as_of, cycles)
    _rosca(found, ids, day)
    return found


def _dump(c: GroupCounters) -> dict:
    cycle = c.cycle
    return {
        "cycle": None
        if cycle is None
        else [cycle.id, cycle.number, cycle.start_date.isoformat(), cycle.group_id],
        "status": c.status,
        "graduated": c.graduated,
        "weeks": None if c.weeks is None else [c.weeks.numerator, c.weeks.denominator],
        "n": [[name, segment, value] for (name, segment), value in c.n.items() if value],
        "purposes": {purpose: list(pair) for purpose, pair in c.purposes.items()},
    }


def _load(group: SavingsGroup, data: dict) -> GroupCounters:
    """The counters as `_dump` wrote them; the cycle carries what the exports show."""
    cycle = data["cycle"]
    if cycle is not None:
        cycle_id, number, start, group_id = cycle
        cycle = CycleShown(cycle_id, number, date.fromisoformat(start), group_id)
    c = GroupCounters(
        group,
        cycle=cycle,
        status=data["status"],
        graduated=data["graduated"],
        weeks=None if data["weeks"] is None else Fraction(*data["weeks"]),
    )
    for name, segment, value in data["n"]:
        c.n[name, segment] = value
    for purpose, pair in data["purposes"].items():
        c.purposes[purpose] = pair
    return c


def _cycles(groups: dict, ids: list, as_of: date) -> None:
    """The cycle running on the day (the latest started), the status and graduation of each group;
    a ROSCA is active while a rotation runs."""
    for cycle in (
        Cycle.select()
        .where(Cycle.group.in_(ids), Cycle.start_date <= as_of)
        .order_by(Cycle.group, Cycle.start_date, Cycle.number)
    ):
        c = groups[cycle.group_id]
        closed = cycle.closed_at is not None and cycle.closed_at.date() <= as_of
        c.graduated = c.graduated or closed
        c.cycle = cycle
    running = {
        r.group_id
        for r in Rotation.select(Rotation.group).where(
            Rotation.group.in_(ids),
            Rotation.started_at.is_null(False),
            fn.DATE(Rotation.started_at) <= as_of.isoformat(),
            Rotation.finished_at.is_null(True)
            | (fn.DATE(Rotation.finished_at) > as_of.isoformat()),
        )
    }
    for c in groups.values():
        archived = c.group.archived_at is not None and c.group.archived_at.date() <= as_of
        open_cycle = c.cycle is not None and not (
            c.cycle.closed_at is not None and c.cycle.closed_at.date() <= as_of
        )
        if archived:
            c.status = "dissolved"
        elif open_cycle or c.group.id in running:
            c.status = "active"
        if c.cycle is not None:
            c.weeks = Fraction((as_of - c.cycle.start_date).days, 7)
        c.n["rotations_running", "all"] += int(c.group.id in running)


def _members(groups: dict, ids: list, as_of: date) -> None:
    day = as_of.isoformat()
    member_now = (Member.joined_on <= as_of) & (
        Member.left_on.is_null(True) | (Member.left_on > as_of)
    )
    starts = {c.cycle.id: c.cycle.start_date for c in groups.values() if c.cycle is not None}
    # The start of the group's cycle, joined (at most one running cycle a group), not a CASE
    # of one branch per group evaluated on every member.
    running = (
        Cycle.select(Cycle.group, Cycle.start_date)
        .where(Cycle.id.in_(list(starts)))
        .cte("running", materialized=True)
    )
    start = running.c.start_date if starts else None
    columns = [
        Member.group,
        Member.member_type,
        fn.SUM(Case(None, [(member_now, 1)], 0)).alias("members"),
        fn.SUM(Case(None, [(member_now & (Member.gender == Gender.FEMALE.value), 1)], 0)).alias(
            "women"
        ),
    ]
    if start is not None:
        columns += [
            fn.SUM(
                Case(
                    None,
                    [
                        (
                            (Member.joined_on <= start)
                            & (Member.left_on.is_null(True) | (Member.left_on > start)),
                            1,
                        )
                    ],
                    0,
                )
            ).alias("members_start"),
            fn.SUM(Case(None, [((Member.left_on > start) & (Member.left_on <= day), 1)], 0)).alias(
                "left"
            ),
        ]
    query = Member.select(*columns).where(Member.group.in_(ids))
    if starts:
        query = query.join(
            running, JOIN.LEFT_OUTER, on=(running.c.group_id == Member.group)
        ).with_cte(running)
    for row in query.group_by(Member.group, Member.member_type).dicts():
        n = groups[row["group"]].n
        for name in ("members", "women", "members_start", "left"):
            _add(n, name, row["member_type"], row.get(name))


def _attendance(groups: dict, ids: list, day: str, cycles: dict) -> None:
    """Attendance over the cycle's closed meetings and over the group's last four: the closed
    meetings ranked newest first once, and only the marks of those counted read (from the
    index attendance (meeting_id, status, member_id), not the whole past)."""
    closed = (Meeting.status == MeetingStatus.CLOSED.value) & (Meeting.held_on <= day)
    ranked = (
        Meeting.select(
            Meeting.id,
            Meeting.group,
            Meeting.cycle,
            fn.ROW_NUMBER()
            .over(
                partition_by=[Meeting.group], order_by=[Meeting.held_on.desc(), Meeting.id.desc()]
            )
            .alias("rank"),
        )
        .where(Meeting.group.in_(ids), closed)
        .alias("ranked")
    )
    in_cycle = ranked.c.cycle_id.in_(list(cycles)) if cycles else (ranked.c.id < 0)
    recent = ranked.c.rank <= 4

    def count(where):
        return fn.SUM(Case(None, [(where, 1)], 0))

    present = Attendance.status.in_(PRESENT)
    represented = Attendance.status.in_(REPRESENTED)
    for row in (
        Attendance.select(
            ranked.c.group_id.alias("group"),
            Member.member_type,
            count(in_cycle).alias("att_cycle"),
            count(in_cycle & present).alias("att_present_cycle"),
            count(in_cycle & represented).alias("att_repr_cycle"),
            count(recent).alias("att_last4"),
            count(recent & present).alias("att_present_last4"),
            count(recent & represented).alias("att_repr_last4"),
        )
        .join(ranked, on=(Attendance.meeting == ranked.c.id))
        .switch(Attendance)
        .join(Member)
        .where(in_cycle | recent)
        .group_by(ranked.c.group_id, Member.member_type)
        .dicts()
    ):
        n = groups[row["group"]].n
        for name, value in row.items():
            if name not in ("group", "member_type"):
                _add(n, name, row["member_type"], value)
    in_cycle = Meeting.cycle.in_(list(cycles)) if cycles else (Meeting.id < 0)
    for row in (
        Meeting.select(
            Meeting.group,
            fn.COUNT(Meeting.id).alias("meetings"),
            count(in_cycle).alias("meetings_cycle"),
        )
        .where(Meeting.group.in_(ids), closed)
        .group_by(Meeting.group)
        .dicts()
    ):
        n = groups[row["group"]].n
        n["meetings", "all"] += row["meetings"]
        n["meetings_cycle", "all"] += int(row["meetings_cycle"] or 0)


def _entries(groups: dict, ids: list, day: str, cycles: dict) -> None:
    """Balances of the funds (all entries up to the day) and this cycle's savings and profit.

    Two queries, each read from an index alone (migration 0030): the balances from
    entry (group_id, fund, effective_on, amount), this cycle's figures from
    entry (cycle_id, kind, effective_on, fund, member_id, amount), so that the whole ledger's
    past cycles are never read for them."""
    balance_of = {**dict.fromkeys(CASH_FUNDS, "cash"), Fund.SOCIAL_FUND.value: "social_fund"}
    for row in (
        Entry.select(Entry.group, Entry.fund, fn.SUM(Entry.amount).alias("total"))
        .where(
            Entry.group.in_(ids),
            Entry.fund.in_(list(balance_of)),
            Entry.effective_on <= day,
        )
        .group_by(Entry.group, Entry.fund)
        .dicts()
    ):
        groups[row["group"]].n[balance_of[row["fund"]], "all"] += int(row["total"] or 0)
    if not cycles:
        return
    # This cycle's savings by member type (share purchases need the member's type) and its
    # profit (income and costs in the loan fund or the account, all members together).
    savings = Entry.kind == EntryKind.SHARE_PURCHASE.value
    income = Entry.kind.in_(PROFIT_KINDS) & Entry.fund.in_(CASH_FUNDS)
    for row in (
        Entry.select(
            Entry.cycle,
            Member.member_type,
            fn.SUM(Case(None, [(savings, Entry.amount)], 0)).alias("savings"),
            fn.SUM(Case(None, [(income, Entry.amount)], 0)).alias("income"),
        )
        .join(Member, JOIN.LEFT_OUTER)
        .where(
            Entry.cycle.in_(list(cycles)),
            Entry.kind.in_([EntryKind.SHARE_PURCHASE.value, *PROFIT_KINDS]),
            Entry.effective_on <= day,
        )
        .group_by(Entry.cycle, Member.member_type)
        .dicts()
    ):
        n = cycles[row["cycle"]].n  # a cycle's entries are its group's
        _add(n, "savings", row["member_type"], row["savings"])
        n["income", "all"] += int(row["income"] or 0)


def _loans(groups: dict, ids: list, as_of: date, cycles: dict) -> None:
    """Principal outstanding per loan on the day (principal − repaid − written off), then summed
    per group, member type and purpose; at risk when principal due more than 30 days ago is
    unpaid."""
    day = as_of.isoformat()
    late_day = (as_of - timedelta(days=30)).isoformat()
    # Each loan's sums are read from its own rows (driven by the groups' loans granted by the
    # day; entry (loan_id, kind, effective_on, amount) and the installments' (loan_id, ...)).
    owner = Loan.alias("owner")
    granted = (owner.group.in_(ids)) & (owner.granted_on <= day)
    repaid = (
        Entry.select(Entry.loan, fn.SUM(Entry.amount).alias("paid"))
        .join(owner, on=(Entry.loan == owner.id))
        .where(
            granted,
            Entry.kind == EntryKind.LOAN_PRINCIPAL.value,
            Entry.effective_on <= day,
        )
        .group_by(Entry.loan)
        .alias("repaid")
    )
    due_late = (
        LoanInstallment.select(LoanInstallment.loan, fn.SUM(LoanInstallment.principal).alias("due"))
        .join(owner, on=(LoanInstallment.loan == owner.id))
        .where(
            granted,
            LoanInstallment.replaced_on.is_null(True),
            LoanInstallment.due_on < late_day,
        )
        .group_by(LoanInstallment.loan)
        .alias("due_late")
    )
    paid = fn.COALESCE(repaid.c.paid, 0)
    written = Case(
        None,
        [
            (
                (Loan.status == LoanStatus.WRITTEN_OFF.value) & (Loan.closed_on <= day),
                Loan.written_off,
            )
        ],
        0,
    )
    outstanding = Loan.principal + Loan.baseline_principal - paid - written
    query = (
        Loan.select(
            Loan.id,
            Loan.group,
            Loan.cycle,
            Loan.purpose,
            Loan.principal,
            Loan.granted_on,
            Member.member_type,
            Loan.member,
            outstanding.alias("outstanding"),
            written.alias("written"),
            (paid + Loan.baseline_principal < fn.COALESCE(due_late.c.due, 0)).alias("late"),
        )
        .join(Member, on=(Loan.member == Member.id))
        .join(repaid, JOIN.LEFT_OUTER, on=(repaid.c.loan_id == Loan.id))
        .join(due_late, JOIN.LEFT_OUTER, on=(due_late.c.loan_id == Loan.id))
        .where(Loan.group.in_(ids), Loan.granted_on <= day)
    ).alias("book")
    book = query
    cycle_ids = list(cycles) or [-1]

    def total(where, value):
        return fn.SUM(Case(None, [(where, value)], 0))

    out = book.c.outstanding > 0
    this_cycle = book.c.cycle_id.in_(cycle_ids)
    rows = (
        Loan.select(
            book.c.group_id.alias("group"),
            book.c.member_type,
            book.c.purpose,
            total(out, 1).alias("loans_out"),
            total(out, book.c.outstanding).alias("outstanding"),
            fn.COUNT(fn.DISTINCT(Case(None, [(out, book.c.member_id)], None))).alias("borrowers"),
            total(out & book.c.late, book.c.outstanding).alias("at_risk"),
            total(this_cycle, 1).alias("disbursed_count"),
            total(this_cycle, book.c.principal).alias("disbursed"),
            total(this_cycle, book.c.written).alias("written_off"),
        )
        .from_(book)
        .group_by(book.c.group_id, book.c.member_type, book.c.purpose)
        .dicts()
    )
    for row in rows:
        c = groups[row["group"]]
        for name in (
            "loans_out",
            "outstanding",
            "at_risk",
            "disbursed_count",
            "disbursed",
            "written_off",
            "borrowers",
        ):
            _add(c.n, name, row["member_type"], row[name])
        purpose = c.purposes[row["purpose"]]
        purpose[0] += int(row["loans_out"] or 0)
        purpose[1] += int(row["outstanding"] or 0)


def _rosca(groups: dict, ids: list, day: str) -> None:
    """Contributions due up to the day, those on time, and members served who then missed one
    (a round after theirs, the current row of the contribution: the early warning's rule)."""
    newer = Contribution.alias("newer")
    replaced = newer.select(newer.replaces).where(newer.replaces.is_null(False))
    for row in (
        Contribution.select(
            Rotation.group,
            fn.COUNT(Contribution.id).alias("contributions"),
            fn.SUM(
                Case(None, [(Contribution.status == ContributionStatus.ON_TIME.value, 1)], 0)
            ).alias("on_time"),
        )
        .join(Round)
        .join(Rotation)
        .where(Rotation.group.in_(ids), Round.due_on <= day, Contribution.id.not_in(replaced))
        .group_by(Rotation.group)
        .dicts()
    ):
        n = groups[row["group"]].n
        n["contributions", "all"] += row["contributions"]
        n["on_time", "all"] += int(row["on_time"] or 0)
    served = Round.alias("served")
    later = Round.alias("later")
    unpaid = (ContributionStatus.MISSING.value, ContributionStatus.PARTIAL.value)
    for row in (
        HandHolder.select(Rotation.group, fn.COUNT(fn.DISTINCT(HandHolder.member)).alias("n"))
        .join(Hand)
        .join(served, on=(served.recipient == Hand.id))
        .join(Rotation, on=(served.rotation == Rotation.id))
        .join(Contribution, on=(Contribution.member == HandHolder.member))
        .join(later, on=(Contribution.round == later.id))
        .where(
            Rotation.group.in_(ids),
            served.paid_out_on <= day,
            later.rotation == Rotation.id,
            later.number > served.number,
            later.due_on <= day,
            Contribution.status.in_(unpaid),
            Contribution.id.not_in(replaced),  # a missing contribution recorded since as paid
        )
        .group_by(Rotation.group)
        .dicts()
    ):
        groups[row["group"]].n["served_in_arrears", "all"] += row["n"]


# --- Totals over groups and the indicators derived from them ---------------------------------


@dataclass
class Totals:
    """Sums over a set of groups: counts over all groups, money per currency."""

    groups: int = 0
    active: int = 0
    graduated: int = 0
    dissolved: int = 0
    facilitators: set = field(default_factory=set)
    n: dict = field(default_factory=lambda: defaultdict(int))  # counts, all currencies
    money: dict = field(default_factory=dict)  # currency -> defaultdict((name, segment) -> int)
    annual_profit: dict = field(default_factory=dict)  # currency -> Fraction
    assets_with_weeks: dict = field(default_factory=dict)  # currency -> int
    purposes: dict = field(default_factory=dict)  # currency -> {purpose: [count, value]}


MONEY = frozenset(
    {
        "cash",
        "social_fund",
        "savings",
        "income",
        "outstanding",
        "at_risk",
        "disbursed",
        "written_off",
    }
)


def totals(rows: list[GroupCounters]) -> Totals:
    t = Totals()
    for c in rows:
        currency = c.group.currency
        t.groups += 1
        t.active += c.status == "active"
        t.dissolved += c.status == "dissolved"
        t.graduated += c.graduated and c.status != "dissolved"
        if c.group.facilitator_id is not None:
            t.facilitators.add(c.group.facilitator_id)
        money = t.money.setdefault(currency, defaultdict(int))
        for (name, segment), value in c.n.items():
            (money if name in MONEY else t.n)[name, segment] += value
        purposes = t.purposes.setdefault(currency, defaultdict(lambda: [0, 0]))
        for purpose, (count, value) in c.purposes.items():
            purposes[purpose][0] += count
            purposes[purpose][1] += value
        if c.weeks:  # a cycle started at least a day ago: annualise its profit
            profit = c.n["income", "all"] - c.n["written_off", "all"]
            assets = c.n["cash", "all"] + c.n["outstanding", "all"]
            t.annual_profit[currency] = (
                t.annual_profit.get(currency, 0) + Fraction(profit * 52) / c.weeks
            )
            t.assets_with_weeks[currency] = t.assets_with_weeks.get(currency, 0) + assets
    return t


def merged(parts) -> Totals:
    """The totals of groups of different currencies from each currency's (as `totals` of all
    the groups would add them, without going over every group's counters again)."""
    t = Totals()
    for part in parts:
        t.groups += part.groups
        t.active += part.active
        t.graduated += part.graduated
        t.dissolved += part.dissolved
        t.facilitators |= part.facilitators
        for key, value in part.n.items():
            t.n[key] += value
        for name in ("money", "annual_profit", "assets_with_weeks", "purposes"):
            getattr(t, name).update(getattr(part, name))  # each part's own currency
    return t


def ratio(part, whole) -> Decimal | None:
    """part / whole to 4 places, or None ("no data") when the whole is 0."""
    if not whole:
        return None
    return (
        Decimal(part.numerator if isinstance(part, Fraction) else part)
        / Decimal(part.denominator if isinstance(part, Fraction) else 1)
        / Decimal(whole)
    ).quantize(PLACES, ROUND_HALF_UP)


def per(part: int, whole: int) -> int | None:
    """A money amount per head, rounded half up to a minor unit, or None when whole is 0."""
    if not whole:
        return None
    return int((Decimal(part) / Decimal(whole)).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass(frozen=True)
class Value:
    """One figure: for each segment ("all", "returnee", "community") a number or None."""

    values: dict

    def get(self, segment: str = "all"):
        return self.values.get(segment)


def _split(fn_, split: bool) -> Value:
    return Value({s: fn_(s) for s in (SEGMENTS if split else ("all",))})


def count_figures(t: Totals) -> dict[str, Value]:
    """Figures that add up across currencies (counts and shares of counts)."""
    n = t.n
    return {
        "groups": Value({"all": t.groups}),
        "groups_active": Value({"all": t.active}),
        "groups_graduated": Value({"all": t.graduated}),
        "groups_dissolved": Value({"all": t.dissolved}),
        "members": _split(lambda s: n["members", s], True),
        "women": _split(lambda s: ratio(n["women", s], n["members", s]), True),
        "returnees": Value(
            {"all": ratio(n["members", MemberType.RETURNEE.value], n["members", "all"])}
        ),
        "members_per_facilitator": Value({"all": ratio(n["members", "all"], len(t.facilitators))}),
        "attendance_cycle": _split(
            lambda s: ratio(n["att_present_cycle", s], n["att_cycle", s]), True
        ),
        "attendance_represented_cycle": _split(
            lambda s: ratio(n["att_repr_cycle", s], n["att_cycle", s]), True
        ),
        "attendance_last4": _split(
            lambda s: ratio(n["att_present_last4", s], n["att_last4", s]), True
        ),
        "attendance_represented_last4": _split(
            lambda s: ratio(n["att_repr_last4", s], n["att_last4", s]), True
        ),
        "dropout": _split(lambda s: ratio(n["left", s], n["members_start", s]), True),
        "loans_outstanding_count": _split(lambda s: n["loans_out", s] or 0, True),
        "members_with_loan": _split(lambda s: ratio(n["borrowers", s], n["members", s]), True),
        "rotations_running": Value({"all": n["rotations_running", "all"]}),
        "contributions_on_time": Value(
            {"all": ratio(n["on_time", "all"], n["contributions", "all"])}
        ),
        "served_in_arrears": Value({"all": n["served_in_arrears", "all"]}),
    }


def money_figures(t: Totals, currency: str) -> dict[str, Value]:
    """Figures in one currency: amounts in minor units, and ratios of amounts."""
    m = t.money.get(currency, defaultdict(int))
    n = t.n if len(t.money) == 1 else None
    members = (lambda s: n["members", s]) if n is not None else None
    profit = m["income", "all"] - m["written_off", "all"]
    assets = m["cash", "all"] + m["outstanding", "all"]
    figures = {
        "savings": _split(lambda s: m["savings", s], True),
        "social_fund": Value({"all": m["social_fund", "all"]}),
        "cash": Value({"all": m["cash", "all"]}),
        "loans_outstanding_value": _split(lambda s: m["outstanding", s], True),
        "average_loan": _split(
            lambda s: per(m["disbursed", s], t.n["disbursed_count", s]) if n is not None else None,
            True,
        ),
        "utilisation": Value({"all": ratio(m["outstanding", "all"], assets)}),
        "par30": Value({"all": ratio(m["at_risk", "all"], m["outstanding", "all"])}),
        "write_off": Value({"all": ratio(m["written_off", "all"], m["disbursed", "all"])}),
        "net_profit": Value({"all": profit}),
        "return_on_savings": Value({"all": ratio(profit, m["savings", "all"])}),
        "return_on_assets": Value(
            {
                "all": ratio(t.annual_profit[currency], t.assets_with_weeks[currency])
                if currency in t.annual_profit
                else None
            }
        ),
    }
    if members is not None:
        figures["savings_per_member"] = _split(lambda s: per(m["savings", s], members(s)), True)
    return figures


def currencies(t: Totals) -> list[str]:
    return sorted(t.money)


def currency_totals(rows: list[GroupCounters]) -> dict[str, Totals]:
    """The totals of the groups of each currency (what money figures are computed from)."""
    by_currency = defaultdict(list)
    for c in rows:
        by_currency[c.group.currency].append(c)
    return {currency: totals(group_rows) for currency, group_rows in sorted(by_currency.items())}


@dataclass
class Indicators:
    """What the dashboard and the exports show for a set of groups as of a day."""

    as_of: date
    totals: Totals
    counts: dict[str, Value]
    money: dict[str, dict[str, Value]]  # currency -> figures
    purposes: dict[str, dict[str, list[int]]]  # currency -> purpose -> [count, value]
    groups: list[GroupCounters]

    @property
    def no_data(self) -> bool:
        return not self.totals.n["meetings", "all"]


def indicators(groups_query, as_of: date, cycle_status: str | None = None) -> Indicators:
    """The indicators of the groups of a query (see group_query) as of a day: 11 queries."""
    rows = counters(groups_query, as_of, cycle_status)
    by_currency = currency_totals(rows)
    t = merged(by_currency.values())
    money = {}
    for currency, ct in by_currency.items():
        money[currency] = money_figures(ct, currency)
    return Indicators(
        as_of=as_of,
        totals=t,
        counts=count_figures(t),
        money=money,
        purposes={
            cur: {p.value: t.purposes[cur].get(p.value, [0, 0]) for p in LoanPurpose}
            for cur in sorted(t.purposes)
        },
        groups=rows,
    )


def for_groups(group_ids, as_of: date) -> Indicators:
    """The indicators of the given groups as of a day (practice groups left out)."""
    query = group_query(Filters(), as_of).where(groups_among(group_ids))
    return indicators(query, as_of)


def for_group(group: SavingsGroup, as_of: date) -> Indicators:
    return for_groups([group.id], as_of)


def group_indicators(counter: GroupCounters) -> tuple[dict[str, Value], dict[str, Value]]:
    """One group's count and money figures, from its counters (no query)."""
    t = totals([counter])
    return count_figures(t), money_figures(t, counter.group.currency)
