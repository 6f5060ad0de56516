"""The next cycle, started from one that was shared out: its rules copied, its cash carried over,
members' reinvested payouts as their first shares, and those who leave now dropped."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from peewee import JOIN

from savings_groups.core.dates import parse_date
from savings_groups.core.errors import N_, Amount, DomainError
from savings_groups.core.numbers import parse_whole
from savings_groups.core.vocabulary import BOXES, EntryKind, Fund
from savings_groups.cycles import operations as cycles
from savings_groups.cycles.operations import CycleRules, FineInput
from savings_groups.groups import members
from savings_groups.ledger import entries as ledger
from savings_groups.org import audit
from savings_groups.store.db import db
from savings_groups.store.models import (
    Cycle,
    CycleShareOut,
    Member,
    SavingsGroup,
    ShareOutLine,
    User,
)

# English defaults; the view passes them translated, as the user reads them at the time.
CARRY_NOTE = "Carried over from cycle %(number)d"
REINVEST_NOTE = "Reinvested from the share-out of cycle %(number)d"


@dataclass(frozen=True)
class NextMember:
    """A current member's row of the form: shares bought back from the payout, or leaving now."""

    reinvest: int | str = 0  # shares, as typed (blank is none)
    leaves: bool = False


@dataclass(frozen=True)
class MemberRow:
    """A current member and what the share-out paid them (0 for one not in it)."""

    member: Member
    payout: int
    shares: int  # held at the share-out


def share_out_of(cycle: Cycle) -> CycleShareOut | None:
    return CycleShareOut.get_or_none(CycleShareOut.cycle == cycle)


def why_not(group: SavingsGroup, cycle: Cycle) -> DomainError | None:
    """Why the next cycle cannot be started from this one, or None when it can."""
    if cycle.closed_at is None or share_out_of(cycle) is None:
        return DomainError(
            N_("Cycle %(number)d is not shared out yet: its share-out must be finalised first."),
            number=cycle.number,
        )
    follower = Cycle.get_or_none(Cycle.follows == cycle)
    if follower is not None:
        return DomainError(
            N_("Cycle %(next)d was already started from cycle %(number)d."),
            next=follower.number,
            number=cycle.number,
        )
    latest = Cycle.select().where(Cycle.group == group).order_by(Cycle.number.desc()).first()
    if latest.id != cycle.id:
        return DomainError(
            N_("Cycle %(number)d is not the group's latest cycle."), number=cycle.number
        )
    return None


def _check_start(cycle: Cycle, rules: CycleRules) -> None:
    """The next cycle starts after the old one's share-out day: its members were paid that day,
    and the reinvested shares (which carry no date of their own) belong to the new cycle."""
    share_out = share_out_of(cycle)
    if share_out is None:
        return  # why_not says so, under the lock
    start = parse_date(rules.start_date, "start_date")
    if start <= share_out.held_on:
        raise DomainError(
            N_("The next cycle must start after the share-out of %(day)s."),
            field="start_date",
            day=share_out.held_on,
        )


def proposed_rules(cycle: Cycle, share_out: CycleShareOut) -> CycleRules:
    """The old cycle's rules and fines, its dates moved on: from the day after the share-out,
    for as long as the old cycle was planned."""
    rules = cycles.rules_of(cycle)
    start = share_out.held_on + timedelta(days=1)
    end = start + (cycle.planned_end - cycle.start_date)
    fines = tuple(FineInput(f.name, f.amount) for f in rules.fines)  # new rows for the new cycle
    return CycleRules(**{**rules.__dict__, "start_date": start, "planned_end": end, "fines": fines})


def rows_of(group: SavingsGroup, share_out: CycleShareOut) -> list[MemberRow]:
    """The current members by number with their share-out payout (one query)."""
    query = (
        Member.select(
            Member,
            ShareOutLine.payout.alias("share_out_payout"),
            ShareOutLine.shares.alias("share_out_shares"),
        )
        .join(
            ShareOutLine,
            JOIN.LEFT_OUTER,
            on=(ShareOutLine.member == Member.id) & (ShareOutLine.share_out == share_out),
        )
        .where((Member.group == group) & Member.left_on.is_null())
        .order_by(Member.number)
        .objects()
    )
    return [
        MemberRow(member, int(member.share_out_payout or 0), int(member.share_out_shares or 0))
        for member in query
    ]


def carried(group: SavingsGroup, cycle: Cycle) -> dict[Fund, int]:
    """What the closed cycle's boxes still hold: after the share-out, the carry-over and the
    social fund kept (ledger.balances)."""
    balances = ledger.balances(group, cycle)
    return {fund: balances[fund] for fund in BOXES}


def _reinvested(
    rows: list[MemberRow], given: Mapping[int, NextMember], values: dict, currency: str, locale: str
) -> dict[int, int]:
    """Shares to buy back per member id, checked: a whole number, at least the cycle's fewest
    shares, costing no more than the payout (not capped at the most shares of one meeting: the
    payout is money the member already has); none for a member who leaves."""
    known = {row.member.id for row in rows}
    if set(given) - known:
        raise DomainError(N_("One of the members is not a current member of this group."))
    shares = {}
    for row in rows:
        choice = given.get(row.member.id, NextMember())
        field = f"reinvest-{row.member.id}"
        count = parse_whole(choice.reinvest, field, locale=locale, required=False)
        if not count:
            continue
        if choice.leaves:
            raise DomainError(
                N_("A member who leaves does not reinvest: clear the shares or the tick."),
                field=field,
            )
        if count < values["min_shares"]:  # no cap at one meeting's most: the payout is the cap
            raise DomainError(
                N_("At least %(fewest)d shares, or none."),
                field=field,
                fewest=values["min_shares"],
            )
        cost = count * values["share_value"]
        if cost > row.payout:
            raise DomainError(
                N_(
                    "%(count)d shares cost %(cost)s, more than the payout from the loan fund "
                    "(%(payout)s): at most %(most)d shares."
                ),
                field=field,
                count=count,
                cost=Amount(cost, currency),
                payout=Amount(row.payout, currency),
                most=max(row.payout, 0) // values["share_value"],
            )
        shares[row.member.id] = count
    return shares


def start_next_cycle(
    actor: User,
    group: SavingsGroup,
    cycle: Cycle,
    rules: CycleRules,
    choices: Mapping[int, NextMember],
    leave_reason: str = "",
    locale: str = "en",
    carry_note: str | None = None,
    reinvest_note: str | None = None,
) -> Cycle:
    """Start the cycle that follows `cycle` (shared out), in one transaction.

    The new cycle gets `rules` (cycles.start_cycle, with `follows`); each box's balance in the
    old cycle moves over (CARRY_OVER: -x in the old cycle, +x in the new one), so that the old
    cycle's boxes end empty and the new ones start with what was kept; each member's reinvested
    shares are bought at the new share value (SHARE_PURCHASE, outside any meeting) from their
    payout; members ticked as leaving get their departure recorded on the share-out day.
    `choices` maps current member ids to their row; members left out reinvest nothing. The
    notes of the entries are given in the user's language (English by default).
    """
    if cycle.group_id != group.id:
        raise ValueError("the cycle is not this group's")
    _check_start(cycle, rules)  # before the other rules: the first thing to correct
    values = rules.clean(group.currency, locale)
    leaving = [member_id for member_id, choice in choices.items() if choice.leaves]
    with db.atomic():
        cycle = cycles.lock_cycle(cycle)
        refused = why_not(group, cycle)
        if refused is not None:
            raise refused
        share_out = share_out_of(cycle)
        rows = rows_of(group, share_out)
        reinvest = _reinvested(rows, choices, values, group.currency, locale)
        reason = " ".join((leave_reason or "").split())
        if leaving and not reason:
            raise DomainError(N_("Say why the members ticked leave."), field="leave_reason")
        new = cycles.start_cycle(actor, group, rules, locale, follows=cycle)
        for row in rows:
            if row.member.id in leaving:
                left_on = max(share_out.held_on, row.member.joined_on)
                members.record_departure(actor, row.member, left_on, reason)
        moved = carried(group, cycle)
        for fund, amount in moved.items():
            if amount:
                note = carry_note or CARRY_NOTE % {"number": cycle.number}
                # One movement, dated the new cycle's first day: after every meeting and the
                # share-out of the old cycle, before any meeting of the new one.
                for into, moving in ((cycle, -amount), (new, amount)):
                    ledger.post(
                        actor,
                        group,
                        fund,
                        EntryKind.CARRY_OVER,
                        moving,
                        cycle=into,
                        note=note,
                        effective_on=new.start_date,
                    )
        by_id = {row.member.id: row.member for row in rows}
        for member_id, count in reinvest.items():
            ledger.post(
                actor,
                group,
                Fund.LOAN_FUND,
                EntryKind.SHARE_PURCHASE,
                count * new.share_value,
                cycle=new,
                member=by_id[member_id],
                shares=count,
                note=reinvest_note or REINVEST_NOTE % {"number": cycle.number},
                effective_on=new.start_date,
            )
        audit.record(
            actor,
            "cycle.next",
            new,
            group=group,
            follows=cycle.id,
            carried={fund.value: amount for fund, amount in moved.items()},
            reinvested={str(member_id): count for member_id, count in reinvest.items()},
            left=sorted(leaving),
        )
        return new
