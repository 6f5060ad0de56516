"""The integrity check's rules of the end of a cycle: share-outs and their lines, settlements of
members who left, entries after a cycle's close (see integrity)."""

from collections import defaultdict
from typing import TYPE_CHECKING

from peewee import JOIN, Case, fn

from savings_groups.core.errors import N_
from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger.entries import SAVINGS_KINDS
from savings_groups.store.models import (
    Cycle,
    CycleShareOut,
    Entry,
    Member,
    MemberExit,
    ShareOutLine,
)

if TYPE_CHECKING:
    from savings_groups.reports.integrity import Found


# --- share-outs -------------------------------------------------------------------------------

SHARE_OUT_SUM = N_(
    "Share-out of cycle %(cycle)s: the payouts (%(paid)s) and the carry-over (%(carry)s) make "
    "%(found)s, but the cash shared was %(expected)s."
)
SOCIAL_FUND_SUM = N_(
    "Share-out of cycle %(cycle)s: the social fund paid out (%(paid)s) and carried over "
    "(%(carry)s) make %(found)s, but the social fund held %(expected)s."
)
SHARE_OUT_POSTED = N_(
    "Share-out of cycle %(cycle)s: member %(member)s's %(kind)s entries come to %(found)s, but "
    "the signed share-out says %(expected)s."
)
SHARE_OUT_SHARES = N_(
    "Share-out of cycle %(cycle)s: member %(member)s bought %(expected)s shares according to "
    "the ledger, but the share-out counts %(found)s."
)
SHARE_OUT_SAVED = N_(
    "Share-out of cycle %(cycle)s: member %(member)s saved %(expected)s according to the "
    "ledger, but the share-out counts %(found)s."
)
CYCLE_NOT_CLOSED = N_("Cycle %(cycle)s is shared out but not closed.")
CLOSED_WITHOUT_SHARE_OUT = N_("Cycle %(cycle)s is closed but has no share-out.")
AFTER_CLOSE = N_(
    "Entry %(entry)s (%(kind)s, %(amount)s) was recorded in cycle %(cycle)s after the cycle "
    "was closed."
)


def check_share_outs(found: "Found") -> "Found":
    """Every finalised share-out adds up (payouts + carry-over = cash, the same for the social
    fund); a shared-out cycle is closed and a closed cycle shared out (two queries)."""
    query = (
        CycleShareOut.select(
            CycleShareOut.id,
            CycleShareOut.cash,
            CycleShareOut.carry_over,
            CycleShareOut.social_fund,
            CycleShareOut.social_fund_carry_over,
            Cycle.group.alias("group_id"),
            Cycle.number.alias("cycle"),
            Cycle.closed_at.alias("closed_at"),
            fn.COALESCE(fn.SUM(ShareOutLine.payout), 0).alias("paid"),
            fn.COALESCE(fn.SUM(ShareOutLine.social_fund), 0).alias("social_paid"),
        )
        .join(Cycle)
        .switch(CycleShareOut)
        .join(ShareOutLine, JOIN.LEFT_OUTER)
        .group_by(
            CycleShareOut.id,
            CycleShareOut.cash,
            CycleShareOut.carry_over,
            CycleShareOut.social_fund,
            CycleShareOut.social_fund_carry_over,
            Cycle.group,
            Cycle.number,
            Cycle.closed_at,
        )
        .order_by(CycleShareOut.id)
        .dicts()
    )
    for row in query:
        group_id = row["group_id"]
        sums = (
            ("share_out_sum", SHARE_OUT_SUM, row["cash"], row["paid"], row["carry_over"]),
            (
                "social_fund_sum",
                SOCIAL_FUND_SUM,
                row["social_fund"],
                row["social_paid"],
                row["social_fund_carry_over"],
            ),
        )
        for code, message, whole, paid, carry in sums:
            if int(paid) + carry != whole:
                found.add(
                    code,
                    message,
                    "share_out",
                    row["id"],
                    group_id,
                    found.money(whole, group_id),
                    found.money(int(paid) + carry, group_id),
                    cycle=row["cycle"],
                    paid=found.money(paid, group_id),
                    carry=found.money(carry, group_id),
                )
        if row["closed_at"] is None:
            found.add(
                "cycle_not_closed",
                CYCLE_NOT_CLOSED,
                "share_out",
                row["id"],
                group_id,
                True,
                False,
                cycle=row["cycle"],
            )
    unshared = (
        Cycle.select(Cycle.id, Cycle.group, Cycle.number)
        .join(CycleShareOut, JOIN.LEFT_OUTER)
        .where(Cycle.closed_at.is_null(False) & CycleShareOut.id.is_null())
        .order_by(Cycle.id)
    )
    for cycle in unshared:
        found.add(
            "closed_without_share_out",
            CLOSED_WITHOUT_SHARE_OUT,
            "cycle",
            cycle.id,
            cycle.group_id,
            True,
            False,
            cycle=cycle.number,
        )
    return found


def check_share_out_lines(found: "Found") -> "Found":
    """Each line of a finalised share-out matches the ledger: the member's share-out and social
    fund share-out entries are the payout with what was deducted for loans and the social fund
    part; the shares and savings are what the member bought in the cycle (three queries, a row
    per member and cycle)."""
    payout_kinds = (EntryKind.SHARE_OUT.value, EntryKind.SOCIAL_FUND_SHARE_OUT.value)
    saving_kinds = [kind.value for kind in SAVINGS_KINDS]
    lines = (
        ShareOutLine.select(
            ShareOutLine.id,
            ShareOutLine.member,
            ShareOutLine.shares,
            ShareOutLine.saved,
            ShareOutLine.payout,
            ShareOutLine.deducted,
            ShareOutLine.social_fund,
            CycleShareOut.cycle.alias("cycle_id"),
            CycleShareOut.id.alias("share_out_id"),
            Cycle.group.alias("group_id"),
            Cycle.number.alias("cycle"),
            Member.number.alias("member_number"),
        )
        .join(CycleShareOut)
        .join(Cycle)
        .switch(ShareOutLine)
        .join(Member)
        .order_by(ShareOutLine.id)
        .dicts()
    )
    shared = CycleShareOut.select(CycleShareOut.cycle)
    paid = defaultdict(int)
    for row in (
        Entry.select(Entry.cycle, Entry.member, Entry.kind, fn.SUM(Entry.amount).alias("total"))
        .where(Entry.kind.in_(payout_kinds) & Entry.cycle.in_(shared))
        .group_by(Entry.cycle, Entry.member, Entry.kind)
    ):
        paid[(row.cycle_id, row.member_id, row.kind)] = int(row.total or 0)
    saved = {}
    for row in (
        Entry.select(
            Entry.cycle,
            Entry.member,
            fn.SUM(Entry.amount).alias("total"),
            fn.SUM(Entry.shares).alias("share_count"),
        )
        .where(
            Entry.kind.in_(saving_kinds)
            & (Entry.fund == Fund.LOAN_FUND.value)
            & Entry.cycle.in_(shared)
            & Entry.member.is_null(False)
        )
        .group_by(Entry.cycle, Entry.member)
    ):
        saved[(row.cycle_id, row.member_id)] = (int(row.share_count or 0), int(row.total or 0))
    seen = set()
    for row in lines:
        group_id, cycle_id, member_id = row["group_id"], row["cycle_id"], row["member"]
        seen.add((cycle_id, member_id))

        def add(code, message, expected, got, row=row, group_id=group_id, **params):
            found.add(
                code,
                message,
                "share_out",
                row["share_out_id"],
                group_id,
                expected,
                got,
                cycle=row["cycle"],
                member=row["member_number"],
                **params,
            )

        for kind, wanted in (
            (EntryKind.SHARE_OUT, -(row["payout"] + row["deducted"])),
            (EntryKind.SOCIAL_FUND_SHARE_OUT, -row["social_fund"]),
        ):
            got = paid.pop((cycle_id, member_id, kind.value), 0)
            if got != wanted:
                add(
                    "share_out_posted",
                    SHARE_OUT_POSTED,
                    found.money(wanted, group_id),
                    found.money(got, group_id),
                    kind=kind,
                )
        shares, savings = saved.get((cycle_id, member_id), (0, 0))
        if shares != row["shares"]:
            add("share_out_shares", SHARE_OUT_SHARES, shares, row["shares"])
        if savings != row["saved"]:
            add(
                "share_out_saved",
                SHARE_OUT_SAVED,
                found.money(savings, group_id),
                found.money(row["saved"], group_id),
            )
    # Share-out entries of a member the signed share-out has no line for.
    strays = [(key, total) for key, total in sorted(paid.items()) if total and key[:2] not in seen]
    share_outs = {}
    if strays:
        share_outs = {s.cycle_id: s for s in CycleShareOut.select(CycleShareOut, Cycle).join(Cycle)}
    for (cycle_id, member_id, kind), total in strays:
        share_out = share_outs[cycle_id]
        group_id = share_out.cycle.group_id
        found.add(
            "share_out_posted",
            SHARE_OUT_POSTED,
            "share_out",
            share_out.id,
            group_id,
            found.money(0, group_id),
            found.money(total, group_id),
            cycle=share_out.cycle.number,
            member=member_id,
            kind=EntryKind(kind),
        )
    return found


EXIT_POSTED = N_(
    "Settlement of member %(member)s on leaving cycle %(cycle)s: the settlement entries come to "
    "%(found)s, but the settlement says %(expected)s."
)
EXIT_SHARES = N_(
    "Settlement of member %(member)s on leaving cycle %(cycle)s: %(expected)s shares bought "
    "according to the ledger, but the settlement counts %(found)s."
)
EXIT_SAVED = N_(
    "Settlement of member %(member)s on leaving cycle %(cycle)s: %(expected)s saved according "
    "to the ledger, but the settlement counts %(found)s."
)


def check_exits(found: "Found") -> "Found":
    """Each settlement of a member who left during a cycle matches the ledger: its entry is the
    member's savings and profit (the payout with what was deducted for loans), and its shares
    and savings are what the member bought in the cycle (two queries, a row per settlement)."""
    settled = (
        MemberExit.select(
            MemberExit.id,
            MemberExit.member,
            MemberExit.cycle,
            MemberExit.shares,
            MemberExit.saved,
            MemberExit.payout,
            MemberExit.deducted,
            Member.group.alias("group_id"),
            Member.number.alias("member_number"),
            Cycle.number.alias("cycle_number"),
        )
        .join(Member)
        .switch(MemberExit)
        .join(Cycle)
        .order_by(MemberExit.id)
        .dicts()
    )
    saving = Entry.kind.in_([kind.value for kind in SAVINGS_KINDS]) & (
        Entry.fund == Fund.LOAN_FUND.value
    )

    def total(condition, column):
        return fn.COALESCE(fn.SUM(Case(None, [(condition, column)], 0)), 0)

    sums = {
        (row["cycle"], row["member"]): row
        for row in Entry.select(
            Entry.cycle,
            Entry.member,
            total(Entry.kind == EntryKind.EXIT_SETTLEMENT.value, Entry.amount).alias("settled"),
            total(saving, Entry.amount).alias("saved"),
            total(saving, Entry.shares).alias("shares"),
        )
        .where(Entry.member.in_(MemberExit.select(MemberExit.member)))
        .group_by(Entry.cycle, Entry.member)
        .dicts()
    }
    for row in settled:
        group_id = row["group_id"]
        ledger = sums.get((row["cycle"], row["member"]), {})

        def money(value, group_id=group_id):
            return found.money(value, group_id)

        compared = (
            (
                "exit_posted",
                EXIT_POSTED,
                money(-(row["payout"] + row["deducted"])),
                money(ledger.get("settled")),
            ),
            ("exit_shares", EXIT_SHARES, int(ledger.get("shares") or 0), row["shares"]),
            ("exit_saved", EXIT_SAVED, money(ledger.get("saved")), money(row["saved"])),
        )
        for code, message, expected, got in compared:
            if expected != got:
                found.add(
                    code,
                    message,
                    "member_exit",
                    row["id"],
                    group_id,
                    expected,
                    got,
                    member=row["member_number"],
                    cycle=row["cycle_number"],
                )
    return found


def check_closed_cycles(found: "Found") -> "Found":
    """No entry is recorded in a closed cycle after its close, but the carry-over of its boxes
    to the next cycle (one query)."""
    query = (
        Entry.select(Entry.id, Entry.group, Entry.kind, Entry.amount, Cycle.number.alias("cycle"))
        .join(Cycle, on=(Entry.cycle == Cycle.id))
        .where(
            Cycle.closed_at.is_null(False)
            & (Entry.recorded_at > Cycle.closed_at)
            & (Entry.kind != EntryKind.CARRY_OVER.value)
        )
        .order_by(Entry.id)
        .dicts()
    )
    for row in query:
        found.add(
            "after_close",
            AFTER_CLOSE,
            "entry",
            row["id"],
            row["group"],
            None,
            row["id"],
            entry=row["id"],
            kind=EntryKind(row["kind"]),
            amount=found.money(row["amount"], row["group"]),
            cycle=row["cycle"],
        )
    return found
