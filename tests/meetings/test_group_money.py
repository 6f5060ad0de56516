# ruff: noqa: F811  (the vsla fixture is imported, and named as a test argument)
"""Group expenses, other income and the bank or mobile-money account at a meeting: posted to
the coin, refused whole when wrong, counted apart from the cash, shown in the summary."""

import re
from datetime import date

import pytest

from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.ledger import corrections
from savings_groups.ledger import entries as ledger
from savings_groups.meetings import operations as meetings
from savings_groups.meetings import summary as meeting_summary
from savings_groups.meetings.sheet import (
    GroupMoneyLine,
    MeetingSheet,
    SheetInvalid,
    TransferLine,
)
from savings_groups.store.models import CashCount, Entry, Meeting
from tests.meetings.test_operations import grid_form, line, snapshot, vsla  # noqa: F401

HELD_ON = date(2026, 3, 2)
LOAN, SOCIAL, BANK = Fund.LOAN_FUND, Fund.SOCIAL_FUND, Fund.BANK


def money(kind, fund, amount, purpose, channel="cash", approved_by=None):
    return GroupMoneyLine(kind, fund.value, amount, channel, approved_by, purpose)


def group_entries(meeting):
    return [
        (e.kind, e.fund, e.amount, e.note, e.channel, e.approved_by_id)
        for e in Entry.select()
        .where((Entry.meeting == meeting) & Entry.member.is_null())
        .order_by(Entry.id)
    ]


def close(actor, meeting, sheet, counted, note=""):
    stored = Meeting.get_by_id(meeting.id)
    return meetings.close_meeting(actor, stored, sheet, counted, note, stored.version)


def test_expenses_income_and_a_deposit_are_posted_exactly_in_xof(conn, admin, vsla):
    group, cycle, (awa, binta), _ = vsla("XOF", members=2, fines=())
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet(
        [line(awa, shares=5, social=200), line(binta, shares=3, social=200)],
        group_money=[
            money("expense", LOAN, 2_500, "Padlock", approved_by=awa.id),
            money("income", SOCIAL, 1_000, "Donation from the imam"),
            money("expense", BANK, 150, "Bank fee", channel="bank"),
        ],
        transfers=[TransferLine("deposit", 4_000, "mobile_money", "Orange Money")],
    )
    # shares 8,000 - padlock 2,500 - deposit 4,000; social 400 + 1,000; account 4,000 - 150
    assert meetings.preview(meeting, sheet) == {
        LOAN: 1_500,
        SOCIAL: 1_400,
        Fund.POT: 0,
        BANK: 3_850,
    }

    close(admin, meeting, sheet, {LOAN: 1_500, SOCIAL: 1_400})

    assert group_entries(meeting) == [
        ("group_expense", "loan_fund", -2_500, "Padlock", "cash", awa.id),
        ("other_income", "social_fund", 1_000, "Donation from the imam", "cash", None),
        ("group_expense", "bank", -150, "Bank fee", "bank", None),
        ("account_deposit", "loan_fund", -4_000, "Orange Money", "mobile_money", None),
        ("account_deposit", "bank", 4_000, "Orange Money", "mobile_money", None),
    ]
    assert ledger.balances(group, cycle) == {LOAN: 1_500, SOCIAL: 1_400, Fund.POT: 0, BANK: 3_850}
    # The cash in the boxes is what was counted; the account was not checked: no count of it.
    counts = {c.fund: (c.counted, c.computed) for c in CashCount.select()}
    assert counts == {"loan_fund": (1_500, 1_500), "social_fund": (1_400, 1_400)}
    assert not Entry.select().where(Entry.kind == EntryKind.CASH_DIFFERENCE.value).exists()

    summary = meeting_summary.summary(Meeting.get_by_id(meeting.id))
    assert [(e.kind, e.amount, e.approved_by_id) for e in summary.group_money] == [
        ("group_expense", -2_500, awa.id),
        ("other_income", 1_000, None),
        ("group_expense", -150, None),
    ]
    assert [(e.kind, e.amount, e.channel) for e in summary.transfers] == [
        ("account_deposit", 4_000, "mobile_money")
    ]
    assert summary.boxes == (LOAN, SOCIAL, BANK)
    assert summary.closing[BANK] == 3_850 and summary.opening[BANK] == 0
    assert summary.group_money[0].approved_by.full_name == awa.full_name


def test_a_deposit_moves_cash_from_the_box_to_the_account_and_nothing_is_lost_in_eur(
    conn, admin, vsla
):
    group, cycle, (ada, bola), _ = vsla(
        "EUR", members=2, fines=(), share_value=10_00, social_fund_contribution=1_50
    )
    first = meetings.open_meeting(admin, group, HELD_ON)
    close(
        admin,
        first,
        MeetingSheet([line(ada, 4, 1_50), line(bola, 2, 1_50)]),
        {LOAN: 60_00, SOCIAL: 3_00},
    )
    second = meetings.open_meeting(admin, group, date(2026, 3, 9))
    sheet = MeetingSheet(
        [line(ada, 1, 1_50), line(bola, 1, 1_50)],
        group_money=[money("income", BANK, 37, "Bank interest", channel="bank")],
        transfers=[
            TransferLine("deposit", 55_55, "bank", "Deposit slip 12"),
            TransferLine("withdrawal", 5_05, "bank", ""),
        ],
    )
    before = ledger.balances(group, cycle)
    computed = meetings.preview(second, sheet)
    # box: 60.00 + 20.00 - 55.55 + 5.05 = 29.50; account: 55.55 - 5.05 + 0.37 = 50.87
    assert (computed[LOAN], computed[BANK]) == (29_50, 50_87)
    # the account's statement says 50.85: two cents of difference, explained
    close(admin, second, sheet, {LOAN: 29_50, SOCIAL: 6_00, BANK: 50_85}, "Bank rounding")

    after = ledger.balances(group, cycle)
    assert after == {LOAN: 29_50, SOCIAL: 6_00, Fund.POT: 0, BANK: 50_85}
    # Nothing lost: what the box lost the account gained, plus the shares, interest, difference.
    assert (after[LOAN] + after[BANK]) - (before[LOAN] + before[BANK]) == 20_00 + 37 - 2
    counts = {
        c.fund: (c.counted, c.computed)
        for c in CashCount.select().where(CashCount.meeting == second)
    }
    assert counts == {
        "loan_fund": (29_50, 29_50),
        "social_fund": (6_00, 6_00),
        "bank": (50_85, 50_87),
    }
    difference = Entry.get(Entry.kind == EntryKind.CASH_DIFFERENCE.value)
    assert (difference.fund, difference.amount, difference.note) == ("bank", -2, "Bank rounding")


def test_bad_lines_are_refused_next_to_their_field_and_nothing_is_written(conn, admin, vsla):
    group, cycle, (awa, binta), _ = vsla("XOF", members=2, fines=())
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    stranger_group, _, (stranger,), _ = vsla("XOF", members=1, fines=())
    sheet = MeetingSheet(
        [line(awa, shares=2, social=200), line(binta, shares=1, social=200)],
        group_money=[
            money("expense", LOAN, 500, "  "),  # no purpose
            money("income", SOCIAL, 0, "Donation"),  # no amount
            GroupMoneyLine("expense", "pot", 100, "cash", None, "Pens"),  # not a fund here
            money("expense", LOAN, 100, "Pens", approved_by=stranger.id),  # not a member here
            GroupMoneyLine("gift", "loan_fund", 100, "pigeon", None, "x" * 201),
        ],
        transfers=[TransferLine("withdrawal", 1_000, "cash", "")],  # cash is no account channel
    )
    before = snapshot(meeting)
    with pytest.raises(SheetInvalid) as refused:
        close(admin, meeting, sheet, {LOAN: 3_000, SOCIAL: 400})
    fields = {error.field: error.message for error in refused.value.errors}
    assert fields == {
        "x0-purpose": "Say what it was for.",
        "x1-amount": "Enter an amount above zero.",
        "x2-fund": "Choose the loan fund, the social fund or the account.",
        "x3-approved_by": "Choose a member of the group at this meeting, or the meeting itself.",
        "x4-kind": "Choose an expense or an income.",
        "x4-channel": "Choose cash, mobile money or bank.",
        "x4-purpose": "At most %(count)d characters.",
        "t0-channel": "Choose bank or mobile money.",
    }
    assert snapshot(meeting) == before
    with pytest.raises(SheetInvalid):  # a draft is refused the same way
        meetings.save_draft(admin, meeting, sheet, Meeting.get_by_id(meeting.id).version)
    assert snapshot(meeting) == before


def test_no_box_nor_the_account_goes_below_zero(conn, admin, vsla):
    group, cycle, (awa,), _ = vsla("XOF", members=1, fines=())
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet(
        [line(awa, shares=2, social=200)],
        group_money=[
            money("expense", SOCIAL, 300, "Tea"),
            money("expense", LOAN, 1_500, "Passbooks"),
        ],
        transfers=[
            TransferLine("withdrawal", 100, "bank", ""),
            TransferLine("deposit", 700, "bank", ""),
        ],
    )
    before = snapshot(meeting)
    with pytest.raises(SheetInvalid) as refused:
        close(admin, meeting, sheet, {LOAN: 0, SOCIAL: 0})
    fields = {error.field: error for error in refused.value.errors}
    # each under the last line that takes from the fund: the social fund's tea, the deposit
    assert set(fields) == {"x0-amount", "t1-amount"}
    assert fields["x0-amount"].params["amount"] == -100  # 200 - 300
    assert fields["t1-amount"].params["amount"] == -100  # 2,000 - 1,500 + 100 - 700
    assert snapshot(meeting) == before
    # Bringing back more than the account holds is refused too.
    sheet = MeetingSheet(
        [line(awa, shares=2, social=200)], transfers=[TransferLine("withdrawal", 1, "bank", "")]
    )
    with pytest.raises(SheetInvalid) as refused:
        close(admin, meeting, sheet, {LOAN: 2_001, SOCIAL: 200})
    assert [(e.field, e.params["amount"]) for e in refused.value.errors] == [("t0-amount", -1)]
    assert snapshot(meeting) == before


def test_reopening_changes_only_what_changed_and_the_approver_counts(conn, admin, vsla):
    group, cycle, (awa, binta), _ = vsla("XOF", members=2, fines=())
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    lines = [line(awa, shares=2, social=200), line(binta, shares=2, social=200)]
    padlock = money("expense", LOAN, 1_000, "Padlock", approved_by=awa.id)
    sheet = MeetingSheet(
        lines, group_money=[padlock], transfers=[TransferLine("deposit", 2_000, "bank", "")]
    )
    close(admin, meeting, sheet, {LOAN: 1_000, SOCIAL: 400})
    meetings.reopen_meeting(admin, Meeting.get_by_id(meeting.id), "Binta approved the padlock")
    count = Entry.select().count()
    changed = MeetingSheet(
        lines,
        group_money=[money("expense", LOAN, 1_000, "Padlock", approved_by=binta.id)],
        transfers=[TransferLine("deposit", 2_000, "bank", "")],
    )
    close(admin, meeting, changed, {LOAN: 1_000, SOCIAL: 400})
    assert Entry.select().count() == count + 2  # the padlock reversed and posted again
    live = Entry.get((Entry.kind == EntryKind.GROUP_EXPENSE.value) & Entry.reverses.is_null(False))
    assert (live.amount, live.approved_by_id) == (1_000, awa.id)  # the reversal keeps it
    latest = (
        Entry.select()
        .where(Entry.kind == EntryKind.GROUP_EXPENSE.value)
        .order_by(Entry.id.desc())
        .get()
    )
    assert (latest.amount, latest.approved_by_id) == (-1_000, binta.id)
    assert ledger.balances(group, cycle)[BANK] == 2_000


def test_a_transfer_is_not_corrected_one_half_at_a_time(conn, admin, vsla):
    group, cycle, (awa,), _ = vsla("XOF", members=1, fines=())
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet(
        [line(awa, shares=2, social=200)], transfers=[TransferLine("deposit", 500, "bank", "")]
    )
    close(admin, meeting, sheet, {LOAN: 1_500, SOCIAL: 200})
    half = Entry.get((Entry.kind == EntryKind.ACCOUNT_DEPOSIT.value) & (Entry.fund == "bank"))
    assert corrections.why_not_correctable(half) == corrections.TRANSFER_ENTRY


def test_the_draft_keeps_the_lines(conn, admin, vsla):
    group, cycle, (awa,), _ = vsla("XOF", members=1, fines=())
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    sheet = MeetingSheet(
        [line(awa, shares=2, social=200)],
        group_money=[money("income", LOAN, 300, " Sold the old box \x00", approved_by=awa.id)],
        transfers=[TransferLine("deposit", 500, "mobile_money", "Wave")],
    )
    meetings.save_draft(admin, meeting, sheet, 0)
    stored = meetings.stored_sheet(Meeting.get_by_id(meeting.id))
    assert stored.group_money == [
        money("income", LOAN, 300, "Sold the old box", approved_by=awa.id)
    ]
    assert stored.transfers == [TransferLine("deposit", 500, "mobile_money", "Wave")]


def xof(amount):
    return format_amount(amount, "XOF", "en")


def test_a_recorder_records_an_expense_and_a_deposit_through_the_page(web, app, vsla, make_user):
    from savings_groups.store.db import db

    group, cycle, (awa, binta), _ = vsla("XOF", members=2, fines=())
    make_user("rec", role=Role.RECORDER, groups=[group])
    with db.connection_context():
        meeting = meetings.open_meeting(make_user("fac", groups=[group]), group, HELD_ON)
    web.login("rec")
    edit = f"/groups/{group.id}/meetings/{meeting.id}"
    page = web.client.get(edit).get_data(as_text=True)
    assert 'id="x0-kind"' in page and 'id="x1-purpose"' in page and 'id="t1-direction"' in page
    assert '<tr id="account-row" hidden>' in page  # no account yet: shown when money goes to it

    # The second row filled, the first left blank: numbered again, the error under its field.
    cells = grid_form(
        (awa, binta),
        **{
            "version": "0",
            "action": "save",
            f"m{awa.id}-shares": "5",
            f"m{binta.id}-shares": "3",
            # typed: a blank cell would be the cycle's contribution for a member present
            f"m{awa.id}-social_fund": "0",
            f"m{binta.id}-social_fund": "0",
            "x0-kind": "expense",
            "x0-amount": "",
            "x0-purpose": "",
            "x1-kind": "expense",
            "x1-fund": "loan_fund",
            "x1-amount": "2,500",
            "x1-channel": "cash",
            "x1-approved_by": str(awa.id),
            "x1-purpose": "",
            "t0-direction": "deposit",
            "t0-amount": "4000",
            "t0-channel": "mobile_money",
            "t0-note": "Orange Money",
        },
    )
    response = web.post(edit, cells, form_path=edit)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'id="x0-purpose-error"[^>]*>([^<]+)<', page)
    assert error and error.group(1) == "Say what it was for."
    assert re.search(r'id="x0-amount"[^>]*value="2,500"', page)
    with db.connection_context():
        assert Meeting.get_by_id(meeting.id).version == 0 and Entry.select().count() == 0

    cells["x1-purpose"] = "Padlock"
    closing = {
        **cells,
        "action": "close",
        "counted-loan_fund": "1,500",
        "counted-social_fund": "0",
    }
    response = web.post(edit, closing, form_path=edit)
    assert response.status_code == 302, response.get_data(as_text=True)
    with db.connection_context():
        assert ledger.balances(group, cycle) == {
            LOAN: 1_500,
            SOCIAL: 0,
            Fund.POT: 0,
            BANK: 4_000,
        }
    page = web.client.get(edit).get_data(as_text=True)
    assert 'id="group-money"' in page and "Padlock" in page and awa.full_name in page
    assert 'id="box-bank"' in page and xof(4_000) in page
    summary = web.client.get(f"{edit}/summary").get_data(as_text=True)
    assert "Padlock" in summary and "Taken to the account" in summary
    history = web.client.get(f"/groups/{group.id}/ledger").get_data(as_text=True)
    assert "Group expense" in history and "Mobile money" in history
    assert f"Approved by {awa.full_name}" in history


def test_a_donation_to_the_social_fund_can_pay_a_grant_at_the_same_meeting(conn, admin, vsla):
    """The grant is checked against the social fund after the meeting's contributions and its
    other income, as the page's preview of the box shows it."""
    group, cycle, (awa, binta), _ = vsla("XOF", members=2, fines=())
    meeting = meetings.open_meeting(admin, group, HELD_ON)
    grant = line(binta, shares=1, social=0)
    grant.welfare = 1_100
    sheet = MeetingSheet(
        [line(awa, shares=1, social=200), grant],
        group_money=[money("income", SOCIAL, 1_000, "Donation from the imam")],
    )
    assert meetings.preview(meeting, sheet)[SOCIAL] == 100

    close(admin, meeting, sheet, {LOAN: 2 * cycle.share_value, SOCIAL: 100})

    assert ledger.balances(group, cycle)[SOCIAL] == 100
    grant.welfare = 1_300  # more than 200 + 1,000: refused whole
    second = meetings.open_meeting(admin, group, date(2026, 3, 9))
    with pytest.raises(SheetInvalid):
        close(admin, second, MeetingSheet([line(awa, shares=1), grant]), {LOAN: 0, SOCIAL: 0})
    assert not Entry.select().where(Entry.meeting == second).exists()
