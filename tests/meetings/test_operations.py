"""Meetings: open, draft, close (post everything or nothing), conflicts, reopen; the pages."""

import html
import re
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core import dates
from savings_groups.core.errors import DomainError, Forbidden
from savings_groups.core.money import MAX_AMOUNT, format_amount
from savings_groups.core.vocabulary import EntryKind, Fund, MeetingStatus, Role
from savings_groups.ledger import entries as ledger
from savings_groups.meetings import operations as meetings
from savings_groups.meetings import sheet as meeting_sheet
from savings_groups.meetings.operations import Conflict, MeetingClosed
from savings_groups.meetings.sheet import MeetingSheet, MemberLine, SheetInvalid
from savings_groups.store.models import (
    Attendance,
    AuditEntry,
    CashCount,
    Cycle,
    Entry,
    FineType,
    Meeting,
)

HELD_ON = date(2026, 3, 2)
LOAN, SOCIAL = Fund.LOAN_FUND, Fund.SOCIAL_FUND


@pytest.fixture
def vsla(make_group, make_member, make_cycle):
    """A savings group with members, an open cycle and its fines: a namespace of them."""

    def make(currency="XOF", members=3, fines=(("Late", 100),), **rules):
        group = make_group(currency=currency)
        people = [make_member(group, full_name=f"Member {i + 1}") for i in range(members)]
        cycle = make_cycle(group, **rules)
        fine_types = [FineType.create(cycle=cycle, name=n, amount=a) for n, a in fines]
        return group, cycle, people, fine_types

    return make


def line(member, shares=0, social=0, fines=(), welfare=0, attendance="present"):
    return MemberLine(
        member_id=member.id,
        attendance=attendance,
        shares=shares,
        social_fund=social,
        fines=[fine.id for fine in fines],
        welfare=welfare,
    )


def snapshot(meeting):
    """Everything a meeting can write; equal before and after means nothing was written."""
    stored = Meeting.get_by_id(meeting.id)
    return (
        Entry.select().count(),
        Attendance.select().count(),
        CashCount.select().count(),
        AuditEntry.select().count(),
        stored.status,
        stored.version,
        stored.draft,
        Cycle.get_by_id(stored.cycle_id).rules_fixed_at,
    )


def entries(meeting):
    return [
        (e.member_id, e.kind, e.fund, e.amount, e.shares, e.note)
        for e in Entry.select().where(Entry.meeting == meeting).order_by(Entry.id)
    ]


# Opening a meeting ---------------------------------------------------------------------------


def test_open_a_meeting_inside_the_cycle(conn, admin, vsla):
    group, cycle, _people, _fines = vsla()
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    assert (meeting.cycle_id, meeting.held_on, meeting.status, meeting.version) == (
        cycle.id,
        HELD_ON,
        "draft",
        0,
    )
    assert AuditEntry.select().where(AuditEntry.action == "meeting.open").count() == 1


@pytest.mark.parametrize("held_on", [date(2026, 1, 4), date(2026, 12, 29)])
def test_a_date_outside_the_cycle_is_refused(conn, admin, vsla, held_on):
    group, *_ = vsla()
    with pytest.raises(DomainError, match="inside the cycle") as caught:
        meetings.open_meeting(admin, group, held_on)
    assert caught.value.field == "held_on"
    assert Meeting.select().count() == 0


def test_one_meeting_per_group_per_day(conn, admin, vsla):
    group, *_ = vsla()
    other, *_ = vsla()
    meetings.open_meeting(admin, group, HELD_ON)
    with pytest.raises(DomainError, match="already a meeting on 2026-03-02"):
        meetings.open_meeting(admin, group, HELD_ON)
    meetings.open_meeting(admin, other, HELD_ON)  # another group may meet the same day
    assert Meeting.select().count() == 2


def test_no_meeting_without_an_open_cycle_nor_for_a_rosca(conn, admin, make_group, make_cycle):
    group = make_group()
    with pytest.raises(DomainError, match="no open cycle"):
        meetings.open_meeting(admin, group, HELD_ON)
    make_cycle(group, closed_at=date(2026, 2, 1))
    with pytest.raises(DomainError, match="no open cycle"):
        meetings.open_meeting(admin, group, HELD_ON)
    rosca = make_group(kind="rosca")
    make_cycle(rosca)
    with pytest.raises(DomainError, match="savings groups"):
        meetings.open_meeting(admin, rosca, HELD_ON)
    assert Meeting.select().count() == 0


def test_no_meeting_in_the_future(conn, admin, make_group, make_cycle):
    """A meeting's money is what was handed over on its day: tomorrow is refused, today is not."""
    group = make_group()
    today = dates.today()
    make_cycle(
        group, start_date=today - timedelta(days=30), planned_end=today + timedelta(days=300)
    )
    with pytest.raises(DomainError, match="in the future") as caught:
        meetings.open_meeting(admin, group, today + timedelta(days=1))
    assert caught.value.field == "held_on" and Meeting.select().count() == 0
    assert meetings.open_meeting(admin, group, today).held_on == today


# Closing a meeting: exact amounts -------------------------------------------------------------


def test_close_posts_every_amount_exactly_in_xof(conn, admin, vsla):
    group, cycle, (awa, binta, coumba), (late,) = vsla("XOF")
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet(
        [
            line(awa, shares=3, social=200),
            line(binta, shares=5, social=200, fines=[late]),
            line(coumba, attendance="absent", welfare=300),
        ],
        notes="Coumba is ill.",
    )
    assert meetings.preview(meeting, sheet) == {LOAN: 8100, SOCIAL: 100, Fund.POT: 0, Fund.BANK: 0}

    meetings.close_meeting(
        admin, meeting, sheet, {LOAN: 8000, SOCIAL: 100}, "100 F missing after counting twice", 0
    )

    assert entries(meeting) == [
        (awa.id, "social_fund_contribution", "social_fund", 200, 0, ""),
        (binta.id, "social_fund_contribution", "social_fund", 200, 0, ""),
        (awa.id, "share_purchase", "loan_fund", 3000, 3, ""),
        (binta.id, "share_purchase", "loan_fund", 5000, 5, ""),
        (binta.id, "fine", "loan_fund", 100, 0, "Late"),
        (coumba.id, "welfare_grant", "social_fund", -300, 0, ""),
        (None, "cash_difference", "loan_fund", -100, 0, "100 F missing after counting twice"),
    ]
    assert ledger.balances(group, cycle) == {LOAN: 8000, SOCIAL: 100, Fund.POT: 0, Fund.BANK: 0}
    counts = {c.fund: (c.counted, c.computed) for c in CashCount.select()}
    assert counts == {"loan_fund": (8000, 8100), "social_fund": (100, 100)}
    attendance = {a.member_id: a.status for a in Attendance.select()}
    assert attendance == {awa.id: "present", binta.id: "present", coumba.id: "absent"}
    stored = Meeting.get_by_id(meeting.id)
    assert (stored.status, stored.closed_by_id, stored.notes) == ("closed", admin.id, sheet.notes)
    assert stored.closed_at is not None
    assert Cycle.get_by_id(cycle.id).rules_fixed_at is not None
    assert meeting_sheet.stored_sheet(stored) == sheet
    close = AuditEntry.get(AuditEntry.action == "meeting.close")
    assert close.object_id == meeting.id and close.group_id == group.id


def test_close_posts_every_amount_exactly_in_ngn(conn, admin, vsla):
    group, cycle, (ada, bola), (late,) = vsla(
        "NGN",
        members=2,
        fines=(("Late", 10050),),
        share_value=250000,
        social_fund_contribution=50000,
    )
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet([line(ada, 2, 50000), line(bola, 1, 50000, fines=[late])])
    meetings.close_meeting(admin, meeting, sheet, {LOAN: 760050, SOCIAL: 100000}, "", 0)

    assert ledger.balances(group, cycle) == {
        LOAN: 760050,
        SOCIAL: 100000,
        Fund.POT: 0,
        Fund.BANK: 0,
    }
    assert not Entry.select().where(Entry.kind == EntryKind.CASH_DIFFERENCE.value).exists()
    totals = ledger.member_totals(group, cycle)
    assert (totals[ada.id].shares, totals[ada.id].savings) == (2, 500000)
    assert (totals[bola.id].savings, totals[bola.id].fines) == (250000, 10050)


def test_a_second_meeting_starts_from_the_counted_cash(conn, admin, vsla):
    group, cycle, (awa, binta, coumba), _ = vsla()
    first = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet([line(awa, 1, 200), line(binta, 1, 200), line(coumba, 1, 200)])
    meetings.close_meeting(admin, first, sheet, {LOAN: 2900, SOCIAL: 600}, "a coin lost", 0)
    second = meetings.open_meeting(admin, group, date(2026, 3, 9))

    assert meeting_sheet.balances_before(second)[LOAN] == 2900
    assert meetings.preview(second, sheet) == {LOAN: 5900, SOCIAL: 1200, Fund.POT: 0, Fund.BANK: 0}
    # Grants may use what the fund held and this meeting's contributions (600 + 200), no more.
    too_much = MeetingSheet([line(awa, 1, 200, welfare=801), line(binta, 1), line(coumba, 1)])
    with pytest.raises(SheetInvalid):
        meetings.close_meeting(admin, second, too_much, {LOAN: 5900, SOCIAL: 0}, "", 0)
    grants = MeetingSheet([line(awa, 1, 200, welfare=800), line(binta, 1), line(coumba, 1)])
    meetings.close_meeting(admin, second, grants, {LOAN: 5900, SOCIAL: 0}, "", 0)
    assert ledger.balances(group, cycle)[SOCIAL] == 0


# Bad input changes nothing ----------------------------------------------------------------


def _bad_sheets(people, fines, other_fine, gone, stranger):
    awa, binta, coumba = people
    ok = {awa: {"shares": 2, "social": 200}, binta: {"shares": 1}, coumba: {"shares": 1}}

    def sheet(**changes):
        lines = {member: dict(values) for member, values in ok.items()}
        for member, values in changes.items():
            lines[{"awa": awa, "binta": binta, "coumba": coumba}[member]].update(values)
        return [line(member, **values) for member, values in lines.items()]

    return {
        "shares above the rules": (sheet(awa={"shares": 6}), "shares", awa),
        "shares below the rules": (sheet(binta={"shares": 0}), "shares", binta),
        "shares of an absent member": (
            sheet(coumba={"attendance": "absent", "shares": 1}),
            "shares",
            coumba,
        ),
        "negative amount": (sheet(awa={"social": -200}), "social_fund", awa),
        "an amount that is not a number": (sheet(awa={"social": 1.5}), "social_fund", awa),
        "an amount too large": (sheet(binta={"social": MAX_AMOUNT + 1}), "social_fund", binta),
        "a welfare grant larger than the fund": (
            sheet(coumba={"welfare": 201}),
            "welfare",
            coumba,
        ),
        "a fine not in the list": (sheet(binta={"fines": [other_fine]}), "fines", binta),
        "a fine twice": (sheet(binta={"fines": [fines[0], fines[0]]}), "fines", binta),
        "an unknown attendance": (sheet(awa={"attendance": "asleep"}), "attendance", awa),
        "a member who has left": (
            [*sheet(), line(gone, shares=1, social=200)],
            "attendance",
            gone,
        ),
        "a member of another group": (
            [*sheet(), line(stranger, shares=1)],
            "attendance",
            stranger,
        ),
    }


BAD = [
    "shares above the rules",
    "shares below the rules",
    "shares of an absent member",
    "negative amount",
    "an amount that is not a number",
    "an amount too large",
    "a welfare grant larger than the fund",
    "a fine not in the list",
    "a fine twice",
    "an unknown attendance",
    "a member who has left",
    "a member of another group",
]


# A draft may be saved before the shares are entered: only closing needs the minimum.
CASES = [(case, how) for how in ("close", "draft") for case in BAD]
CASES.remove(("shares below the rules", "draft"))


@pytest.mark.parametrize(("case", "how"), CASES)
def test_bad_input_is_refused_next_to_its_cell_and_changes_nothing(
    conn, admin, vsla, make_member, make_cycle, case, how
):
    group, cycle, people, fines = vsla()
    gone = make_member(group, full_name="Gone", left_on=date(2026, 2, 1))
    other_group, _other_cycle, (stranger,), (other_fine,) = vsla(members=1)
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    lines, column, member = _bad_sheets(people, fines, other_fine, gone, stranger)[case]
    before = snapshot(meeting)

    with pytest.raises(SheetInvalid) as caught:
        if how == "close":
            meetings.close_meeting(
                admin, meeting, MeetingSheet(lines), {LOAN: 4000, SOCIAL: 200}, "n", 0
            )
        else:
            meetings.save_draft(admin, meeting, MeetingSheet(lines), 0)

    assert f"m{member.id}-{column}" in {error.field for error in caught.value.errors}
    assert snapshot(meeting) == before


@pytest.mark.parametrize(
    ("counted", "note", "field"),
    [
        ({SOCIAL: 200}, "", "counted-loan_fund"),
        ({LOAN: -1, SOCIAL: 200}, "", "counted-loan_fund"),
        ({LOAN: 4000, SOCIAL: MAX_AMOUNT + 1}, "x", "counted-social_fund"),
        ({LOAN: 3900, SOCIAL: 200}, "  ", "difference_note"),
    ],
)
def test_cash_counts_are_checked_and_a_difference_needs_a_note(
    conn, admin, vsla, counted, note, field
):
    group, _cycle, (awa, binta, coumba), _ = vsla()
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet([line(awa, 2, 200), line(binta, 1), line(coumba, 1)])
    before = snapshot(meeting)
    with pytest.raises(SheetInvalid) as caught:
        meetings.close_meeting(admin, meeting, sheet, counted, note, 0)
    assert field in {error.field for error in caught.value.errors}
    assert snapshot(meeting) == before
    assert (meeting.status, meeting.version, meeting.closed_at) == ("draft", 0, None)


def test_a_member_missing_from_the_sheet_is_refused_at_closing(conn, admin, vsla):
    group, _cycle, (awa, binta, coumba), _ = vsla()
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet([line(awa, 1), line(binta, 1)])
    meetings.save_draft(admin, meeting, sheet, 0)  # a draft may be partial
    with pytest.raises(SheetInvalid) as caught:
        meetings.close_meeting(admin, meeting, sheet, {LOAN: 2000, SOCIAL: 0}, "", 1)
    assert [e.field for e in caught.value.errors] == [f"m{coumba.id}-attendance"]


def test_a_blank_line_of_a_member_who_left_is_ignored(conn, admin, vsla, make_member):
    group, _cycle, (awa, binta, coumba), _ = vsla()
    gone = make_member(group, left_on=date(2026, 2, 1))
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet([line(awa, 1), line(binta, 1), line(coumba, 1), line(gone)])
    meetings.close_meeting(admin, meeting, sheet, {LOAN: 3000, SOCIAL: 0}, "", 0)
    assert not Attendance.select().where(Attendance.member == gone).exists()


def test_a_failure_while_posting_leaves_nothing_written(conn, admin, vsla, monkeypatch):
    group, cycle, (awa, binta, coumba), _ = vsla()
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet([line(awa, 2, 200), line(binta, 1, 200), line(coumba, 1, 200)])
    before = snapshot(meeting)
    real_post_many, written = ledger.post_many, []

    def failing_post_many(*args, **kwargs):
        written.append(real_post_many(*args, **kwargs))  # the entries are written, then...
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(ledger, "post_many", failing_post_many)
    with pytest.raises(RuntimeError):
        meetings.close_meeting(admin, meeting, sheet, {LOAN: 3000, SOCIAL: 600}, "short", 0)

    assert written == [7]  # 3 share purchases, 3 social fund payments, the difference
    assert snapshot(meeting) == before
    assert ledger.balances(group, cycle) == {LOAN: 0, SOCIAL: 0, Fund.POT: 0, Fund.BANK: 0}


# Drafts and two tabs ---------------------------------------------------------------------


def test_two_tabs_saving_the_same_meeting_get_a_conflict_and_lose_nothing(conn, admin, vsla):
    group, _cycle, (awa, binta, coumba), _ = vsla()
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    first_tab, second_tab = Meeting.get_by_id(meeting.id), Meeting.get_by_id(meeting.id)
    mine = MeetingSheet([line(awa, 2, 200), line(binta, 1), line(coumba, 1)], notes="mine")
    theirs = MeetingSheet([line(awa, 5), line(binta, 5), line(coumba, 5)], notes="theirs")

    meetings.save_draft(admin, first_tab, mine, first_tab.version, {LOAN: 4000}, "")
    with pytest.raises(Conflict) as caught:
        meetings.save_draft(admin, second_tab, theirs, second_tab.version)
    assert caught.value.params["version"] == 1
    assert "Someone else saved this meeting" in str(caught.value)
    assert meeting_sheet.stored_sheet(Meeting.get_by_id(meeting.id)) == mine
    assert meeting_sheet.stored_draft(Meeting.get_by_id(meeting.id))["counted"] == {
        "loan_fund": 4000
    }

    with pytest.raises(Conflict):  # closing from the old tab is refused too
        meetings.close_meeting(admin, second_tab, theirs, {LOAN: 15000, SOCIAL: 0}, "", 0)
    assert not Entry.select().exists()

    # Knowing it, the second tab saves again with the newer version: its entries win.
    meetings.save_draft(admin, second_tab, theirs, caught.value.params["version"])
    assert meeting_sheet.stored_sheet(Meeting.get_by_id(meeting.id)) == theirs
    assert Meeting.get_by_id(meeting.id).version == 2


def test_a_closed_meeting_is_read_only(conn, admin, vsla):
    group, _cycle, (awa, binta, coumba), _ = vsla()
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet([line(awa, 1), line(binta, 1), line(coumba, 1)])
    meetings.close_meeting(admin, meeting, sheet, {LOAN: 3000, SOCIAL: 0}, "", 0)
    before = snapshot(meeting)
    with pytest.raises(MeetingClosed):
        meetings.save_draft(admin, meeting, sheet, meeting.version)
    with pytest.raises(MeetingClosed):
        meetings.close_meeting(admin, meeting, sheet, {LOAN: 3000, SOCIAL: 0}, "", 1)
    assert snapshot(meeting) == before


# Reopening -----------------------------------------------------------------------------------


def test_only_a_facilitator_or_an_admin_reopens_with_a_reason(conn, admin, vsla, make_user):
    group, _cycle, (awa, binta, coumba), _ = vsla()
    recorder = make_user("rec", role=Role.RECORDER, groups=[group])
    facilitator = make_user("fac", role=Role.FACILITATOR, groups=[group])
    meeting = meetings.open_meeting(recorder, group, HELD_ON)
    sheet = MeetingSheet([line(awa, 2, 200), line(binta, 1), line(coumba, 1)])
    meetings.close_meeting(recorder, meeting, sheet, {LOAN: 4000, SOCIAL: 200}, "", 0)
    before = snapshot(meeting)

    with pytest.raises(Forbidden):
        meetings.reopen_meeting(recorder, meeting, "typo")
    with pytest.raises(DomainError, match="Say why"):
        meetings.reopen_meeting(facilitator, meeting, " ")
    assert snapshot(meeting) == before

    meetings.reopen_meeting(facilitator, meeting, "Binta bought 2 shares, not 1")
    stored = Meeting.get_by_id(meeting.id)
    assert (stored.status, stored.closed_at, stored.version) == ("draft", None, 2)
    assert meeting_sheet.stored_sheet(stored) == sheet
    log = AuditEntry.get(AuditEntry.action == "meeting.reopen")
    assert log.actor_id == facilitator.id and "Binta bought 2 shares" in log.details
    assert Entry.select().count() == before[0]  # reopening moves no money


def _close(actor, meeting, sheet, counted, note=""):
    meeting = Meeting.get_by_id(meeting.id)
    return meetings.close_meeting(actor, meeting, sheet, counted, note, meeting.version)


def test_reopen_then_close_posts_only_the_differences(conn, admin, vsla):
    group, cycle, (awa, binta, coumba), (late,) = vsla()
    twin, twin_cycle, twin_people, (twin_late,) = vsla()

    def first(people, fine):
        a, b, c = people
        return MeetingSheet([line(a, 2, 200), line(b, 1, 200, fines=[fine]), line(c, 1, 200)])

    def final(people, fine):
        a, b, c = people
        return MeetingSheet(
            [line(a, 2, 200), line(b, 2, 200), line(c, 1, 200, welfare=500, fines=[fine])]
        )

    meeting = meetings.open_meeting(admin, group, HELD_ON)
    _close(admin, meeting, first((awa, binta, coumba), late), {LOAN: 4000, SOCIAL: 600}, "short")
    posted = {e.id: e for e in Entry.select()}
    meetings.reopen_meeting(admin, meeting, "Binta bought 2 shares; Coumba's fine")
    _close(admin, meeting, final((awa, binta, coumba), late), {LOAN: 5100, SOCIAL: 100})

    # Awa's entries did not change: neither reversed nor posted again.
    reversed_ids = {e.reverses_id for e in Entry.select().where(Entry.reverses.is_null(False))}
    awa_entries = [e for e in posted.values() if e.member_id == awa.id]
    assert awa_entries and not reversed_ids & {e.id for e in awa_entries}
    assert Entry.select().where(Entry.member == awa).count() == 2
    # Binta's shares, her fine, and the old cash difference were reversed, with the reason.
    reversed_kinds = {(posted[i].member_id, posted[i].kind) for i in reversed_ids}
    assert reversed_kinds == {
        (binta.id, "share_purchase"),
        (binta.id, "fine"),
        (None, "cash_difference"),
    }
    reasons = {e.note for e in Entry.select().where(Entry.reverses.is_null(False))}
    assert reasons == {"Binta bought 2 shares; Coumba's fine"}
    assert not Entry.select().where(Entry.kind == EntryKind.CASH_DIFFERENCE.value).count() % 2
    assert CashCount.select().where(CashCount.meeting == meeting).count() == 2

    # The same as one close with the final figures.
    twin_meeting = meetings.open_meeting(admin, twin, HELD_ON)
    _close(admin, twin_meeting, final(twin_people, twin_late), {LOAN: 5100, SOCIAL: 100})
    assert ledger.balances(group, cycle) == ledger.balances(twin, twin_cycle)
    assert ledger.balances(group, cycle) == {LOAN: 5100, SOCIAL: 100, Fund.POT: 0, Fund.BANK: 0}
    mine_totals = ledger.member_totals(group, cycle)
    twin_totals = ledger.member_totals(twin, twin_cycle)
    assert [mine_totals[m.id] for m in (awa, binta, coumba)] == [
        twin_totals[m.id] for m in twin_people
    ]


def test_closing_again_unchanged_posts_nothing(conn, admin, vsla):
    group, _cycle, (awa, binta, coumba), _ = vsla()
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet([line(awa, 2, 200), line(binta, 1), line(coumba, 1)])
    _close(admin, meeting, sheet, {LOAN: 3900, SOCIAL: 200}, "short by 100")
    count = Entry.select().count()
    meetings.reopen_meeting(admin, meeting, "checking")
    _close(admin, meeting, sheet, {LOAN: 3900, SOCIAL: 200}, "short by 100")
    assert Entry.select().count() == count


def test_only_the_latest_closed_meeting_can_be_reopened(conn, admin, vsla):
    group, _cycle, (awa, binta, coumba), _ = vsla()
    sheet = MeetingSheet([line(awa, 1), line(binta, 1), line(coumba, 1)])
    first = meetings.open_meeting(admin, group, HELD_ON)
    _close(admin, first, sheet, {LOAN: 3000, SOCIAL: 0})
    second = meetings.open_meeting(admin, group, date(2026, 3, 9))
    _close(admin, second, sheet, {LOAN: 6000, SOCIAL: 0})
    with pytest.raises(DomainError, match="only the latest closed meeting"):
        meetings.reopen_meeting(admin, Meeting.get_by_id(first.id), "why")
    with pytest.raises(DomainError, match="not closed"):
        meetings.reopen_meeting(
            admin, meetings.open_meeting(admin, group, date(2026, 3, 16)), "why"
        )
    meetings.reopen_meeting(admin, Meeting.get_by_id(second.id), "why")


# The pages -----------------------------------------------------------------------------------


def ngn(amount):
    return format_amount(amount, "NGN", "en")


def grid_form(members, **cells):
    """The grid as a browser posts it: every row's cells, blank unless given."""
    data = {}
    for member in members:
        data[f"m{member.id}-attendance"] = "present"
        data[f"m{member.id}-shares"] = ""
        data[f"m{member.id}-social_fund"] = ""
        data[f"m{member.id}-welfare"] = ""
    data.update(cells)
    return data


def test_a_recorder_records_a_meeting_through_the_pages(web, app, vsla, make_user):
    from savings_groups.store.db import db

    group, cycle, (ada, bola, chidi), (late,) = vsla(
        "NGN", fines=(("Late", 10050),), share_value=250000, social_fund_contribution=50000
    )
    make_user("rec", role=Role.RECORDER, groups=[group])
    web.login("rec")
    base = f"/groups/{group.id}/meetings"
    assert web.client.get(base).status_code == 200
    page = web.client.get(f"{base}/new").get_data(as_text=True)
    assert 'type="date"' in page

    response = web.post(f"{base}/new", {"held_on": "2026-03-02"})
    assert response.status_code == 302
    with db.connection_context():
        meeting = Meeting.get(Meeting.group == group)
    edit = f"{base}/{meeting.id}"
    assert response.location.endswith(edit)

    page = web.client.get(edit).get_data(as_text=True)
    assert f'id="m{bola.id}-shares"' in page and 'inputmode="numeric"' in page
    # The rule's social fund shows in every blank cell, as what a blank cell means.
    assert page.count('placeholder="500.00"') == 3
    assert 'id="preview-loan_fund"' in page

    # A cell that is not an amount: 422, the message under that cell, nothing saved.
    cells = grid_form(
        (ada, bola, chidi),
        **{
            "version": "0",
            f"m{ada.id}-shares": "2",
            f"m{ada.id}-social_fund": "500.00",
            f"m{bola.id}-shares": "1",
            f"m{bola.id}-social_fund": "five hundred",
            f"m{bola.id}-fine-{late.id}": "1",
            f"m{chidi.id}-shares": "1",
            f"m{chidi.id}-social_fund": "1,234.50",
            "action": "save",
        },
    )
    response = web.post(edit, cells, form_path=edit)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(rf'id="m{bola.id}-social_fund-error"[^>]*>([^<]+)<', page)
    assert error and "is not an amount" in error.group(1)
    assert 'value="five hundred"' in page  # what was typed is shown again
    with db.connection_context():
        assert Meeting.get_by_id(meeting.id).version == 0

    # Saved as a draft: the server shows what each box will hold.
    cells[f"m{bola.id}-social_fund"] = "500"
    response = web.post(edit, cells, form_path=edit)
    assert response.status_code == 302
    page = web.client.get(edit).get_data(as_text=True)
    loan = re.search(r'id="preview-loan_fund"[^>]*>([^<]+)<', page).group(1)
    social = re.search(r'id="preview-social_fund"[^>]*>([^<]+)<', page).group(1)
    assert (loan, social) == (ngn(1010050), ngn(223450))  # 4 shares of 2,500 + a fine of 100.50

    # A second tab, still at version 0: a conflict, its entries shown with the newer version.
    other = {**cells, f"m{ada.id}-shares": "5"}
    response = web.post(edit, other, form_path=edit)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved this meeting" in page
    assert 'name="version" value="1"' in page
    assert re.search(rf'id="m{ada.id}-shares"[^>]*value="5"', page)

    # Closing with a difference but no note: refused next to the note.
    closing = {**cells, "version": "1", "action": "close", "counted-loan_fund": "10,000.50"}
    closing["counted-social_fund"] = "2,234.50"
    response = web.post(edit, closing, form_path=edit)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="difference_note-error"' in page
    assert " disabled" not in page and 'value="close"' in page  # still a draft to mend

    closing["difference_note"] = "100 naira short"
    response = web.post(edit, closing, form_path=edit)
    assert response.status_code == 302
    with db.connection_context():
        assert ledger.balances(group, cycle) == {
            LOAN: 1000050,
            SOCIAL: 223450,
            Fund.POT: 0,
            Fund.BANK: 0,
        }
        assert Meeting.get_by_id(meeting.id).status == MeetingStatus.CLOSED.value

    page = web.client.get(edit).get_data(as_text=True)
    assert f'name="m{ada.id}-shares"' not in page  # read-only
    assert ngn(1000050) in page and ngn(-10000) in page
    assert "Reopen the meeting" not in page  # a recorder may not reopen
    assert web.post(f"{edit}/reopen", {"reason": "x"}, form_path=edit).status_code == 403
    summary = web.client.get(f"{edit}/summary").get_data(as_text=True)
    assert ngn(123450) in summary  # what Chidi paid into the social fund
    assert ngn(1000050) in summary and "3 of 3 members attended" in summary
    receipts = web.client.get(f"{edit}/receipts").get_data(as_text=True)
    assert receipts.count('class="receipt"') == 3
    # Paid: Ada 5,000 + 500; Bola 2,500 + 500 + a fine of 100.50; Chidi 2,500 + 1,234.50.
    for total in (550000, 310050, 373450):
        assert ngn(total) in receipts


@pytest.mark.parametrize(
    ("locale", "typed", "message"),
    [
        ("en", "-3", "Enter 0 or more."),  # was "Enter a whole number of shares."
        ("fr", "-3", "Saisissez 0 ou plus."),
        ("en", "1 2", "1 2 is not a whole number: write it in figures only."),
        ("en", "2.5", "2.5 is not a whole number: write it in figures only."),
    ],
)
def test_a_share_count_in_the_grid_is_read_as_every_typed_whole_number(
    web, app, admin, vsla, make_user, locale, typed, message
):
    from savings_groups.store.db import db

    group, _cycle, (ada, bola), _fines = vsla(members=2)
    make_user("rec", role=Role.RECORDER, groups=[group], locale=locale)
    with db.connection_context():
        meeting = meetings.open_meeting(admin, group, HELD_ON)
    web.login("rec")
    edit = f"/groups/{group.id}/meetings/{meeting.id}"
    cells = grid_form((ada, bola), version="0", action="save", **{f"m{ada.id}-shares": typed})
    response = web.post(edit, cells, form_path=edit)
    assert response.status_code == 422
    error = re.search(
        rf'id="m{ada.id}-shares-error"[^>]*>([^<]+)<', response.get_data(as_text=True)
    )
    assert error and html.unescape(error.group(1)) == message
    with db.connection_context():
        assert Meeting.get_by_id(meeting.id).version == 0


def test_a_share_count_in_the_grid_may_be_grouped_as_the_reader_groups_thousands(
    web, app, admin, vsla, make_user
):
    """1,200 shares are read as 1200, then refused by the cycle's rules, not as unreadable."""
    from savings_groups.store.db import db

    group, _cycle, (ada,), _fines = vsla(members=1)
    make_user("rec", role=Role.RECORDER, groups=[group])
    with db.connection_context():
        meeting = meetings.open_meeting(admin, group, HELD_ON)
    web.login("rec")
    edit = f"/groups/{group.id}/meetings/{meeting.id}"
    cells = grid_form((ada,), version="0", action="save", **{f"m{ada.id}-shares": "1,200"})
    response = web.post(edit, cells, form_path=edit)
    assert response.status_code == 422
    assert "as the cycle&#39;s rules say" in response.get_data(as_text=True)


def test_the_pages_issue_the_same_number_of_queries_for_5_or_40_members(web, app, admin, vsla):
    from savings_groups.store.db import db

    web.login("admin")
    web.client.get("/")  # whatever the first page after logging in loads once
    counts = {}
    for size in (5, 40):
        with db.connection_context():
            group, _cycle, people, (late,) = vsla(members=size)
            meeting = meetings.open_meeting(admin, group, HELD_ON)
            sheet = MeetingSheet([line(m, 1, 200, fines=[late]) for m in people])
            meetings.save_draft(admin, meeting, sheet, 0)
        edit = f"/groups/{group.id}/meetings/{meeting.id}"
        pages = {"list": f"/groups/{group.id}/meetings", "draft": edit}
        for name, path in pages.items():
            with count_queries() as counter:
                assert web.client.get(path).status_code == 200
            counts[size, name] = counter.count
        with db.connection_context():
            total = size * 1100
            _close(admin, meeting, sheet, {LOAN: total, SOCIAL: size * 200})
        for name in ("", "/summary", "/receipts"):
            with count_queries() as counter:
                page = web.client.get(edit + name)
            assert page.status_code == 200
            assert page.get_data(as_text=True).count(f"Member {size}<") >= (name != "")
            counts[size, name or "closed"] = counter.count
    for name in ("list", "draft", "closed", "/summary", "/receipts"):
        assert counts[5, name] == counts[40, name], (name, counts)


def test_a_facilitator_reopens_a_meeting_from_its_page(web, app, admin, vsla, make_user):
    from savings_groups.store.db import db

    with db.connection_context():
        group, cycle, people, _ = vsla()
        make_user("fac", role=Role.FACILITATOR, groups=[group])
        meeting = meetings.open_meeting(admin, group, HELD_ON)
        sheet = MeetingSheet([line(m, 1) for m in people])
        _close(admin, meeting, sheet, {LOAN: 3000, SOCIAL: 0})
    web.login("fac")
    edit = f"/groups/{group.id}/meetings/{meeting.id}"
    page = web.client.get(edit).get_data(as_text=True)
    assert "Reopen the meeting" in page and 'name="reason"' in page

    response = web.post(f"{edit}/reopen", {"reason": " "}, form_path=edit)
    assert response.status_code == 422
    assert 'id="reason-error"' in response.get_data(as_text=True)

    response = web.post(f"{edit}/reopen", {"reason": "Awa bought 2"}, form_path=edit)
    assert response.status_code == 302
    page = web.client.get(edit).get_data(as_text=True)
    assert f'name="m{people[0].id}-shares"' in page and 'value="1"' in page
    with db.connection_context():
        assert Meeting.get_by_id(meeting.id).status == "draft"
        assert ledger.balances(group, cycle)[LOAN] == 3000  # nothing moved yet


def test_a_meeting_that_cannot_be_reopened_says_why_instead_of_offering_the_form(
    web, app, admin, vsla, make_user
):
    from savings_groups.store.db import db

    with db.connection_context():
        group, cycle, people, _ = vsla()
        make_user("fac", role=Role.FACILITATOR, groups=[group])
        first = meetings.open_meeting(admin, group, HELD_ON)
        _close(admin, first, MeetingSheet([line(m, 1) for m in people]), {LOAN: 3000, SOCIAL: 0})
        second = meetings.open_meeting(admin, group, date(2026, 3, 9))
        _close(admin, second, MeetingSheet([line(m, 1) for m in people]), {LOAN: 6000, SOCIAL: 0})
    web.login("fac")
    page = web.client.get(f"/groups/{group.id}/meetings/{first.id}").get_data(as_text=True)
    assert 'id="not-reopened"' in page and "only the latest closed meeting" in page
    assert 'name="reason"' not in page
    with db.connection_context():
        Cycle.update(closed_at=cycle.created_at).where(Cycle.id == cycle.id).execute()
    page = web.client.get(f"/groups/{group.id}/meetings/{second.id}").get_data(as_text=True)
    assert "shared out and closed" in page and 'name="reason"' not in page


def test_free_text_is_stored_without_control_characters(conn, admin, vsla):
    group, _cycle, people, _ = vsla()
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet([line(m, 1) for m in people], notes=" Rain\x00 today\r\nLate start ")
    meetings.close_meeting(admin, meeting, sheet, {LOAN: 2900, SOCIAL: 0}, "a\x00coin\x07", 0)
    assert Meeting.get_by_id(meeting.id).notes == "Rain today\nLate start"
    assert Entry.get(Entry.kind == EntryKind.CASH_DIFFERENCE.value).note == "acoin"


def test_an_archived_group_holds_no_more_meetings(conn, admin, make_group, make_cycle):
    from savings_groups.groups import operations as group_domain

    group = make_group()
    make_cycle(group, start_date=date(2026, 1, 5))
    group_domain.archive_group(admin, group, True)
    with pytest.raises(DomainError) as refused:
        meetings.open_meeting(admin, group, date(2026, 2, 2))
    assert "archived" in refused.value.message
    assert Meeting.select().count() == 0


def test_the_new_meeting_page_says_why_there_is_no_form(web, admin, make_group, make_cycle):
    """No open cycle (none yet, or shared out), or a ROSCA: the page says so, with the way on."""
    group, rosca = make_group("Benkadi"), make_group("Tontine", kind="rosca")
    web.login("admin")
    page = web.client.get(f"/groups/{group.id}/meetings/new").get_data(as_text=True)
    assert 'id="no-open-cycle"' in page and 'name="held_on"' not in page
    page = web.client.get(f"/groups/{rosca.id}/meetings/new").get_data(as_text=True)
    assert 'id="rosca-rotations"' in page and 'name="held_on"' not in page
    make_cycle(group)
    page = web.client.get(f"/groups/{group.id}/meetings/new").get_data(as_text=True)
    assert 'name="held_on"' in page


# The social fund of members who are not there --------------------------------------------------


class FormReader(HTMLParser):
    """The fields of a page's form as a browser posts them: inputs (ticked boxes only),
    selects with their chosen option, and the placeholders of blank inputs."""

    def __init__(self):
        super().__init__()
        self.fields, self.placeholders, self._select, self._chosen = {}, {}, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            if attrs.get("type") == "checkbox" and "checked" not in attrs:
                return
            self.fields[name] = attrs.get("value") or ""
            self.placeholders[name] = attrs.get("placeholder") or ""
        elif tag == "select" and name:
            self._select, self._chosen = name, False
        elif tag == "option" and self._select and ("selected" in attrs or not self._chosen):
            self.fields[self._select] = attrs.get("value", "")
            self._chosen = "selected" in attrs

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def read_form(page: str) -> FormReader:
    reader = FormReader()
    reader.feed(page)
    return reader


@pytest.mark.parametrize(
    ("attendance", "paid"), [("present", 200), ("late", 200), ("represented", 200), ("absent", 0)]
)
def test_a_blank_social_fund_cell_is_the_contribution_only_for_a_member_there(attendance, paid):
    assert meeting_sheet.social_fund_paid(attendance, None, 200) == paid
    assert meeting_sheet.social_fund_paid("excused", None, 200) == 0
    assert meeting_sheet.social_fund_paid(attendance, 150, 200) == 150  # typed: as typed
    assert meeting_sheet.social_fund_paid(attendance, 0, 200) == 0


def test_members_absent_pay_no_social_fund_unless_the_recorder_types_it(
    web, app, admin, vsla, make_user
):
    """The grid posted as the page gives it: the contribution of 200 reaches the ledger for
    members present or represented (their representative pays), not for those absent or
    excused, unless an amount is typed for them on purpose. And the cash count agrees."""
    from savings_groups.store.db import db

    group, _cycle, people, _fines = vsla(members=5, fines=(), social_fund_contribution=200)
    present, represented, absent, excused, paid_anyway = people
    with db.connection_context():
        meeting = meetings.open_meeting(admin, group, HELD_ON)
    make_user("rec", role=Role.RECORDER, groups=[group])
    web.login("rec")
    edit = f"/groups/{group.id}/meetings/{meeting.id}"
    page = web.client.get(edit).get_data(as_text=True)
    assert "a member absent or excused pays nothing unless you type the amount" in page
    form = read_form(page).fields
    form[f"m{represented.id}-attendance"] = "represented"
    form[f"m{absent.id}-attendance"] = "absent"
    form[f"m{excused.id}-attendance"] = "excused"
    form[f"m{paid_anyway.id}-attendance"] = "absent"
    form[f"m{paid_anyway.id}-social_fund"] = "150"  # brought by a neighbour, typed on purpose
    form[f"m{present.id}-shares"] = form[f"m{represented.id}-shares"] = "1"
    form.update({"action": "close", "counted-loan_fund": "2000", "counted-social_fund": "550"})
    response = web.post(edit, form, form_path=edit)
    assert response.status_code == 302, response.get_data(as_text=True)
    with db.connection_context():
        assert Meeting.get_by_id(meeting.id).status == MeetingStatus.CLOSED.value
        paid = {
            e.member_id: e.amount
            for e in Entry.select().where(
                (Entry.meeting == meeting)
                & (Entry.kind == EntryKind.SOCIAL_FUND_CONTRIBUTION.value)
            )
        }
        assert paid == {present.id: 200, represented.id: 200, paid_anyway.id: 150}
        assert ledger.balances(group, meeting.cycle)[SOCIAL] == 550
        assert not Entry.select().where(Entry.kind == EntryKind.CASH_DIFFERENCE.value).exists()


def test_a_draft_keeps_the_social_fund_cells_blank_unless_typed(web, app, admin, vsla, make_user):
    """Saved and shown again, a cell nobody typed in is still blank (so marking the member
    absent later still clears it), and a 0 typed for a member there stays 0."""
    from savings_groups.store.db import db

    group, _cycle, (ada, bola, chidi), _fines = vsla(fines=(), social_fund_contribution=200)
    with db.connection_context():
        meeting = meetings.open_meeting(admin, group, HELD_ON)
    web.login("admin")
    edit = f"/groups/{group.id}/meetings/{meeting.id}"
    form = read_form(web.client.get(edit).get_data(as_text=True)).fields
    form[f"m{bola.id}-social_fund"] = "0"
    form[f"m{chidi.id}-attendance"] = "absent"
    form["action"] = "save"
    assert web.post(edit, form, form_path=edit).status_code == 302
    page = web.client.get(edit).get_data(as_text=True)
    shown = read_form(page)
    assert [shown.fields[f"m{m.id}-social_fund"] for m in (ada, bola, chidi)] == ["", "0", ""]
    assert [shown.placeholders[f"m{m.id}-social_fund"] for m in (ada, bola, chidi)] == [
        "200",
        "200",
        "",
    ]
    preview = re.search(r'id="preview-social_fund"[^>]*>([^<]+)<', page).group(1)
    assert html.unescape(preview) == format_amount(200, "XOF", "en")
