"""Cycles and their rules (the group's constitution): starting a cycle, its fines, rule changes."""

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from peewee import IntegrityError, fn

from savings_groups.core.dates import parse_date, today
from savings_groups.core.errors import N_, DomainError
from savings_groups.core.money import amount_of
from savings_groups.core.numbers import SPACES, parse_whole, read
from savings_groups.core.vocabulary import (
    MEETING_PERIOD,
    WEEKS,
    ExitRule,
    GroupKind,
    LeftoverRule,
    LoanMethod,
    LoansAtShareOut,
    MeetingFrequency,
    ProfitMethod,
    RatePeriod,
    SocialFundRule,
)
from savings_groups.org import audit
from savings_groups.store.db import db, lock
from savings_groups.store.models import (
    Cycle,
    CycleShareOut,
    FineType,
    Meeting,
    RuleDecision,
    SavingsGroup,
    User,
)

MAX_SHARES = 50
MAX_PERIODS = 52
MAX_MONTHS = 24
MAX_RATIO = Decimal(100)
MAX_DECIMALS = 4
FINE_NAME_MAX = 100
# The rules kept on the cycle itself, in the order the form shows them.
RULE_FIELDS = (
    "start_date",
    "planned_end",
    "share_value",
    "min_shares",
    "max_shares",
    "social_fund_contribution",
    "loan_rate",
    "loan_rate_period",
    "loan_method",
    "loan_methods",
    "loan_max_multiple",
    "loan_max_periods",
    "one_loan_at_a_time",
    "guarantor_threshold",
    "debt_warning_ratio",
    "profit_method",
    "leftover_rule",
    "social_fund_rule",
    "loans_at_share_out",
    "exit_rule",
)
# The share-out and exit rules: each a choice of its enum, with the message when none is chosen.
CHOICE_RULES = {
    "profit_method": (ProfitMethod, N_("Choose how the profit is shared.")),
    "leftover_rule": (LeftoverRule, N_("Choose what happens to the units left over.")),
    "social_fund_rule": (SocialFundRule, N_("Choose what happens to the social fund.")),
    "loans_at_share_out": (LoansAtShareOut, N_("Choose what happens to loans at the share-out.")),
    "exit_rule": (ExitRule, N_("Choose what a member who leaves during the cycle receives.")),
}


@dataclass(frozen=True)
class FineInput:
    """A fine of the list: an existing one (with its id) renamed or repriced, or a new one.

    A row with no id, no name and no amount is an empty row of the form and is skipped; a row
    marked `remove` (or an existing fine left out of the list) is taken off the list.
    """

    name: str
    amount: int | str
    id: int | None = None
    remove: bool = False

    def is_blank(self) -> bool:
        return self.id is None and not (self.name or "").strip() and _blank(self.amount)


@dataclass(frozen=True)
class CycleRules:
    """A cycle's rules as entered: amounts as minor units (int) or text in the reader's locale,
    the loan rate in per cent per `loan_rate_period` ("10" and "month" is 10 % a month: the
    most a loan may charge, and what a request starts with), ratios as Decimal or text.
    `loan_methods` are the methods a loan may use; `loan_method`, the one a request starts
    with, is always one of them."""

    start_date: date | str | None
    planned_end: date | str | None
    share_value: int | str | None
    min_shares: int | str = 1
    max_shares: int | str = 5
    social_fund_contribution: int | str = 0
    loan_rate_percent: Decimal | str = Decimal(10)
    loan_rate_period: RatePeriod | str = RatePeriod.MONTH
    loan_method: LoanMethod | str = LoanMethod.FLAT
    loan_methods: tuple = ()
    loan_max_multiple: Decimal | str = Decimal(3)
    loan_max_periods: int | str = 3
    one_loan_at_a_time: bool = True
    guarantor_threshold: int | str | None = None
    debt_warning_ratio: Decimal | str = Decimal(2)
    fines: tuple = field(default_factory=tuple)
    profit_method: ProfitMethod | str = ProfitMethod.PROPORTIONAL
    leftover_rule: LeftoverRule | str = LeftoverRule.LARGEST_REMAINDER
    social_fund_rule: SocialFundRule | str = SocialFundRule.KEPT
    loans_at_share_out: LoansAtShareOut | str = LoansAtShareOut.DEDUCT
    exit_rule: ExitRule | str = ExitRule.SAVINGS_ONLY

    def clean(self, currency: str, locale: str = "en", frequency: str | None = None) -> dict:
        """Checked values for the Cycle's fields, plus "fines": [(id or None, name, amount)].

        Given the group's meeting `frequency`, the rate is also checked to be at most 100 per
        cent per meeting period once converted (30 % a week is 130 % a month)."""
        start = parse_date(self.start_date, "start_date")
        end = parse_date(self.planned_end, "planned_end")
        if end <= start:
            raise DomainError(N_("The planned end must be after the start."), field="planned_end")
        if (end.year, end.month, end.day) > (start.year + MAX_MONTHS // 12, start.month, start.day):
            raise DomainError(
                N_("A cycle cannot last more than %(count)d months."),
                field="planned_end",
                count=MAX_MONTHS,
            )
        share_value = amount_of(self.share_value, currency, locale, "share_value")
        if share_value <= 0:
            raise DomainError(N_("The share value must be more than zero."), field="share_value")
        min_shares = parse_whole(self.min_shares, "min_shares", locale=locale)
        max_shares = parse_whole(
            self.max_shares, "max_shares", locale=locale, minimum=1, maximum=MAX_SHARES
        )
        if min_shares > max_shares:
            raise DomainError(
                N_("The minimum cannot be more than the maximum."), field="min_shares"
            )
        rate = parse_rate_percent(self.loan_rate_percent, locale, "loan_rate_percent")
        try:
            rate_period = RatePeriod(self.loan_rate_period)
        except ValueError:
            raise DomainError(
                N_("Choose the period of the rate (a month, a week...)."), field="loan_rate_period"
            ) from None
        if frequency is not None:
            meeting = MEETING_PERIOD[MeetingFrequency(frequency)]
            if Fraction(rate) / 100 * WEEKS[meeting] / WEEKS[rate_period] > 1:
                raise DomainError(
                    N_(
                        "At this group's meetings that is more than 100 per cent a meeting: "
                        "enter a lower rate or another period."
                    ),
                    field="loan_rate_percent",
                )
        try:
            method = LoanMethod(self.loan_method)
        except ValueError:
            raise DomainError(N_("Choose how interest is charged."), field="loan_method") from None
        try:
            allowed = {LoanMethod(m) for m in self.loan_methods or ()} | {method}
        except ValueError:
            raise DomainError(
                N_("Choose the ways of charging interest among those listed."),
                field="loan_methods",
            ) from None
        periods = parse_whole(
            self.loan_max_periods, "loan_max_periods", locale=locale, minimum=1, maximum=MAX_PERIODS
        )
        guarantor = None
        if not _blank(self.guarantor_threshold):
            guarantor = amount_of(self.guarantor_threshold, currency, locale, "guarantor_threshold")
            if guarantor <= 0:
                raise DomainError(
                    N_("Leave it empty, or enter an amount more than zero."),
                    field="guarantor_threshold",
                )
        return {
            "start_date": start,
            "planned_end": end,
            "share_value": share_value,
            "min_shares": min_shares,
            "max_shares": max_shares,
            "social_fund_contribution": amount_of(
                self.social_fund_contribution, currency, locale, "social_fund_contribution"
            ),
            "loan_rate": _tidy(rate / 100),
            "loan_rate_period": rate_period.value,
            "loan_method": method.value,
            "loan_methods": ",".join(m.value for m in LoanMethod if m in allowed),
            "loan_max_multiple": _ratio(self.loan_max_multiple, locale, "loan_max_multiple"),
            "loan_max_periods": periods,
            "one_loan_at_a_time": bool(self.one_loan_at_a_time),
            "guarantor_threshold": guarantor,
            "debt_warning_ratio": _ratio(self.debt_warning_ratio, locale, "debt_warning_ratio"),
            "fines": _clean_fines(self.fines, currency, locale),
            **{name: _choice(getattr(self, name), name) for name in CHOICE_RULES},
        }


@dataclass(frozen=True)
class RuleDecisionInput:
    """The group's decision to change fixed rules: when it was taken and why."""

    decided_on: date | str | None
    reason: str


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(SPACES))


def _choice(value, name: str) -> str:
    enum, message = CHOICE_RULES[name]
    try:
        return enum(value).value
    except ValueError:
        raise DomainError(message, field=name) from None


def _number(value, locale: str, name: str) -> Decimal:
    """A Decimal, or text in the reader's locale ("2,5" in French), read by the rules of every
    typed number (numbers.read: "1 2" is not twelve); a trailing % is allowed."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        number = Decimal(value)
    else:
        typed = read(value, locale, suffix="%") if isinstance(value, str) else None
        magnitude = typed.value(locale) if typed and typed.is_plain(locale) else None
        if magnitude is None:
            raise DomainError(N_("Enter a number, like 2.5."), field=name)
        number = -magnitude if typed.negative else magnitude
    if not number.is_finite():
        raise DomainError(N_("Enter a number, like 2.5."), field=name)
    if number.as_tuple().exponent < -MAX_DECIMALS and number != number.quantize(
        Decimal(1).scaleb(-MAX_DECIMALS)
    ):
        raise DomainError(N_("Use at most %(count)d decimals."), field=name, count=MAX_DECIMALS)
    return number


def parse_rate_percent(value, locale: str, name: str) -> Decimal:
    """An interest rate in per cent (a Decimal, or text in the reader's locale), 0 to 100."""
    rate = _number(value, locale, name)
    if not Decimal(0) <= rate <= Decimal(100):
        raise DomainError(N_("Enter a rate between 0 and 100, in per cent."), field=name)
    return rate


def rate_period_of(cycle: Cycle, frequency: str) -> RatePeriod:
    """The period of the cycle's rate; a cycle that names none has a rate per meeting period
    of `frequency` (the group's meeting frequency)."""
    if cycle.loan_rate_period:
        return RatePeriod(cycle.loan_rate_period)
    return MEETING_PERIOD[MeetingFrequency(frequency)]


def allowed_methods(cycle: Cycle) -> list[LoanMethod]:
    """The methods the cycle's rules let a loan use, in the order of LoanMethod."""
    named = {m for m in (cycle.loan_methods or "").split(",") if m} | {cycle.loan_method}
    return [m for m in LoanMethod if m.value in named]


def _ratio(value, locale: str, name: str) -> Decimal:
    number = _number(value, locale, name)
    if not Decimal(0) < number <= MAX_RATIO:
        raise DomainError(
            N_("Enter a number more than 0 and at most %(maximum)d."),
            field=name,
            maximum=int(MAX_RATIO),
        )
    return _tidy(number)


def _tidy(number: Decimal) -> Decimal:
    """0.100 as 0.1 and 10.0 as 10 (never 1E+1), so that stored text stays plain."""
    number = number.normalize()
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number


def _clean_fines(fines, currency: str, locale: str) -> list[tuple[int | None, str, int]]:
    kept, seen = [], set()
    for index, row in enumerate(fines):
        if not isinstance(row, FineInput):
            row = FineInput(*row)
        if row.remove or row.is_blank():
            continue
        name = " ".join((row.name or "").split())
        if not name:
            raise DomainError(N_("Enter the name of the fine."), field=f"fines-{index}-name")
        if len(name) > FINE_NAME_MAX:
            raise DomainError(
                N_("Keep the name under %(count)d characters."),
                field=f"fines-{index}-name",
                count=FINE_NAME_MAX,
            )
        if name.casefold() in seen:
            raise DomainError(N_("Two fines have the same name."), field=f"fines-{index}-name")
        seen.add(name.casefold())
        amount = amount_of(row.amount, currency, locale, f"fines-{index}-amount")
        if amount <= 0:
            raise DomainError(
                N_("The amount of a fine must be more than zero."), field=f"fines-{index}-amount"
            )
        kept.append((row.id, name, amount))
    return kept


def current_cycle(group: SavingsGroup) -> Cycle | None:
    """The group's open cycle (not closed by a share-out), if any."""
    return (
        Cycle.select()
        .where(Cycle.group == group, Cycle.closed_at.is_null())
        .order_by(Cycle.number.desc())
        .first()
    )


def lock_cycle(cycle: Cycle | int) -> Cycle:
    """The cycle read again inside the caller's transaction and held until it ends (store.db.lock),
    so that two writes that check the cycle first (an opening, a meeting opened or closed, a
    loan, a share-out, the next cycle, an exit, a rule change) cannot both pass the checks. The
    first lock a write takes: the cycle before its meeting, the meeting before a loan."""
    return lock(Cycle, cycle if isinstance(cycle, int) else cycle.id)


def rules_of(cycle: Cycle) -> CycleRules:
    """A cycle's rules as they stand, to fill the form (the rate back in per cent)."""
    fines = FineType.select().where(FineType.cycle == cycle).order_by(FineType.id)
    return CycleRules(
        start_date=cycle.start_date,
        planned_end=cycle.planned_end,
        share_value=cycle.share_value,
        min_shares=cycle.min_shares,
        max_shares=cycle.max_shares,
        social_fund_contribution=cycle.social_fund_contribution,
        loan_rate_percent=_tidy(cycle.loan_rate * 100),
        loan_rate_period=cycle.loan_rate_period
        or rate_period_of(cycle, cycle.group.meeting_frequency),
        loan_method=cycle.loan_method,
        loan_methods=tuple(m.value for m in allowed_methods(cycle)),
        loan_max_multiple=cycle.loan_max_multiple,
        loan_max_periods=cycle.loan_max_periods,
        one_loan_at_a_time=cycle.one_loan_at_a_time,
        guarantor_threshold=cycle.guarantor_threshold,
        debt_warning_ratio=cycle.debt_warning_ratio,
        fines=tuple(FineInput(f.name, f.amount, f.id) for f in fines),
        **{name: getattr(cycle, name) for name in CHOICE_RULES},
    )


def default_rules(group: SavingsGroup, on: date | None = None) -> CycleRules:
    """What a new cycle's form starts with: the last cycle's rules (groups mostly keep their
    constitution) or the common VSLA defaults, starting today for about a year."""
    start = on or today()
    previous = Cycle.select().where(Cycle.group == group).order_by(Cycle.number.desc()).first()
    if previous is not None and previous.planned_end >= start:
        start = previous.planned_end + timedelta(days=1)
    end = start + timedelta(weeks=52)
    if previous is None:
        return CycleRules(start_date=start, planned_end=end, share_value=None)
    rules = rules_of(previous)
    fines = tuple(FineInput(f.name, f.amount) for f in rules.fines)  # new rows for the new cycle
    return CycleRules(**{**rules.__dict__, "start_date": start, "planned_end": end, "fines": fines})


def start_cycle(
    actor: User,
    group: SavingsGroup,
    rules: CycleRules,
    locale: str = "en",
    follows: Cycle | None = None,
) -> Cycle:
    """Start the group's next cycle (numbered 1, 2, ...) with its rules and fines.

    A cycle that was shared out is followed only through next_cycle.start_next_cycle (which
    passes `follows`), so that its cash is carried over rather than left behind in it.
    """
    if group.kind != GroupKind.SAVINGS.value:
        raise DomainError(N_("Only savings groups have cycles; a ROSCA has rounds."))
    if group.archived_at:
        raise DomainError(N_("This group is archived: take it out of the archive first."))
    values = rules.clean(group.currency, locale, group.meeting_frequency)
    fines = values.pop("fines")
    with db.atomic():
        open_cycle = current_cycle(group)
        if open_cycle is not None:
            raise DomainError(
                N_("Cycle %(number)d is still open: it must end with its share-out first."),
                number=open_cycle.number,
            )
        latest = Cycle.select().where(Cycle.group == group).order_by(Cycle.number.desc()).first()
        if (
            follows is None
            and latest is not None
            and CycleShareOut.select().where(CycleShareOut.cycle == latest).exists()
        ):
            raise DomainError(
                N_(
                    "Cycle %(number)d was shared out: start the next cycle from it, so that its "
                    "cash is carried over."
                ),
                number=latest.number,
            )
        last_meeting = Meeting.select(fn.MAX(Meeting.held_on)).where(Meeting.group == group)
        last_meeting = last_meeting.scalar()
        if last_meeting is not None and values["start_date"] <= last_meeting:
            raise DomainError(
                N_("The cycle must start after the group's last meeting."), field="start_date"
            )
        number = (Cycle.select(fn.MAX(Cycle.number)).where(Cycle.group == group).scalar() or 0) + 1
        try:
            with db.atomic():
                cycle = Cycle.create(group=group, number=number, follows=follows, **values)
        except IntegrityError:  # the same cycle number, started at the same moment elsewhere
            raise DomainError(
                N_("Someone else has just started a cycle for this group. Reload the page.")
            ) from None
        for _id, name, amount in fines:
            FineType.create(cycle=cycle, name=name, amount=amount)
        audit.record(
            actor,
            "cycle.start",
            cycle,
            group=group,
            number=number,
            **({"follows": follows.id} if follows is not None else {}),
            **{k: _plain(v) for k, v in values.items()},
            fines=[[name, amount] for _id, name, amount in fines],
        )
        return cycle


def update_rules(
    actor: User,
    cycle: Cycle,
    rules: CycleRules,
    decision: RuleDecisionInput | None = None,
    locale: str = "en",
) -> dict:
    """Change a cycle's rules and fines; returns the changes {field: [old, new]}.

    Before the first meeting is closed the change is only audited. Once the rules are fixed a
    change needs the group's decision (date and reason), recorded as a RuleDecision.
    """
    group = SavingsGroup.get_by_id(cycle.group_id)
    values = rules.clean(group.currency, locale, group.meeting_frequency)
    fines = values.pop("fines")
    with db.atomic():
        fresh = lock_cycle(cycle)  # the rules may have been fixed since the form opened
        if fresh.closed_at is not None:
            raise DomainError(N_("This cycle is closed: its rules can no longer change."))
        old_fines = list(FineType.select().where(FineType.cycle == fresh).order_by(FineType.id))
        fines = _match_fines(fines, old_fines)
        fixed = fresh.rules_fixed_at is not None
        kept = {fine_id for fine_id, _n, _a in fines}
        if fixed and any(f.id not in kept for f in old_fines):
            raise DomainError(
                N_(
                    "A fine cannot be taken off the list once the rules are fixed: meetings may "
                    "have used it. Change its amount or its name instead."
                )
            )
        _check_meetings_inside(fresh, values)
        changes = {
            name: [_plain(getattr(fresh, name)), _plain(value)]
            for name, value in values.items()
            if getattr(fresh, name) != value
        }
        before = [[f.name, f.amount] for f in old_fines]
        after = [[name, amount] for _id, name, amount in fines]
        if before != after:
            changes["fines"] = [before, after]
        if fixed:
            decided_on, reason = _check_decision(decision, fresh, bool(changes))
        if not changes:
            return {}
        for name, value in values.items():
            setattr(cycle, name, value)
        cycle.save(only=[getattr(Cycle, name) for name in values])
        _save_fines(fresh, fines, old_fines)
        if fixed:
            made = RuleDecision.create(
                cycle=fresh,
                decided_on=decided_on,
                reason=reason,
                changes=json.dumps(changes, ensure_ascii=False, sort_keys=True),
                recorded_by=actor,
            )
            audit.record(
                actor,
                "cycle.rule_decision",
                cycle,
                group=group,
                decision=made.id,
                decided_on=decided_on,
                reason=reason,
                **changes,
            )
        else:
            audit.record(actor, "cycle.update_rules", cycle, group=group, **changes)
        return changes


def _check_decision(decision, cycle: Cycle, changed: bool) -> tuple[date, str]:
    if not changed:
        if decision is not None and (decision.reason or "").strip():
            raise DomainError(N_("Nothing was changed: there is no decision to record."))
        return None, ""
    if decision is None:
        raise DomainError(
            N_("The rules are fixed since the first meeting: record the group's decision."),
            field="reason",
        )
    decided_on = parse_date(decision.decided_on, "decided_on")
    if decided_on > today():
        raise DomainError(N_("The decision cannot be in the future."), field="decided_on")
    if decided_on < cycle.start_date:
        raise DomainError(
            N_("The decision cannot be before the start of the cycle."), field="decided_on"
        )
    reason = (decision.reason or "").strip()
    if not reason:
        raise DomainError(N_("Say why the group changed its rules."), field="reason")
    return decided_on, reason


def _match_fines(fines, old_fines) -> list[tuple[int | None, str, int]]:
    """Refuse ids of other cycles' fines; a new row named as an unclaimed old fine is that fine."""
    known = {f.id for f in old_fines}
    claimed = {fine_id for fine_id, _n, _a in fines if fine_id is not None}
    if not claimed <= known:
        raise DomainError(N_("This fine is not in the cycle's list."))
    by_name = {f.name.casefold(): f.id for f in old_fines if f.id not in claimed}
    return [
        (fine_id if fine_id is not None else by_name.pop(name.casefold(), None), name, amount)
        for fine_id, name, amount in fines
    ]


def _check_meetings_inside(cycle: Cycle, values: dict) -> None:
    """The cycle's dates cannot leave out a meeting already held in it."""
    first, last = (
        Meeting.select(fn.MIN(Meeting.held_on), fn.MAX(Meeting.held_on))
        .where(Meeting.cycle == cycle)
        .scalar(as_tuple=True)
    )
    if first is not None and values["start_date"] > first:
        raise DomainError(
            N_("A meeting of this cycle was held before this date."), field="start_date"
        )
    if last is not None and values["planned_end"] < last:
        raise DomainError(
            N_("A meeting of this cycle was held after this date."), field="planned_end"
        )


def _save_fines(cycle: Cycle, fines, old_fines) -> None:
    old = {f.id: f for f in old_fines}
    kept = {fine_id for fine_id, _n, _a in fines if fine_id is not None}
    gone = [fine_id for fine_id in old if fine_id not in kept]
    if gone:
        FineType.delete().where(FineType.id.in_(gone)).execute()
    for fine_id, name, amount in fines:
        if fine_id is None:
            FineType.create(cycle=cycle, name=name, amount=amount)
        elif (old[fine_id].name, old[fine_id].amount) != (name, amount):
            FineType.update(name=name, amount=amount).where(FineType.id == fine_id).execute()


def _plain(value):
    """A value as JSON keeps it: dates in ISO, Decimals as text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(_tidy(value))
    return value


def decisions_of(cycles) -> dict[int, list[RuleDecision]]:
    """The recorded decisions of these cycles, newest first, by cycle id (two queries)."""
    found: dict[int, list[RuleDecision]] = {}
    query = (
        RuleDecision.select(RuleDecision, User)
        .join(User, on=RuleDecision.recorded_by)
        .where(RuleDecision.cycle.in_([c.id for c in cycles]))
        .order_by(RuleDecision.decided_on.desc(), RuleDecision.id.desc())
    )
    for decision in query:
        decision.change_list = json.loads(decision.changes)
        found.setdefault(decision.cycle_id, []).append(decision)
    return found


def cycle_of(group: SavingsGroup, cycle_id: int | None) -> Cycle | None:
    """The cycle asked for (None if it is not the group's), else the open one, else the latest."""
    if cycle_id is not None:
        return Cycle.get_or_none((Cycle.id == cycle_id) & (Cycle.group == group))
    return (
        current_cycle(group)
        or Cycle.select().where(Cycle.group == group).order_by(Cycle.number.desc()).first()
    )
