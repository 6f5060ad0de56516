"""The integrity check: a group's books kept through the app pass it; each kind of corruption,
made with raw SQL, is reported exactly, once, with what was expected and what was found."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from click.testing import CliRunner
from playhouse.test_utils import count_queries

from savings_groups.cli import main
from savings_groups.core.vocabulary import EntryKind, Fund, LoanWarning
from savings_groups.ledger import entries as ledger
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.reports import integrity
from savings_groups.rosca import debts as rosca_debts
from savings_groups.shareout import exits, next_cycle
from savings_groups.shareout import operations as closing
from savings_groups.store.db import db
from savings_groups.store.models import (
    CashCount,
    Cycle,
    Entry,
    FineType,
    Loan,
    Meeting,
    ShareOutLine,
)
from tests.rosca.test_debts import owed  # noqa: F401  (the fixture)
from tests.rosca.test_rounds import START

LOAN, SOCIAL = Fund.LOAN_FUND, Fund.SOCIAL_FUND
SHARED_OUT = date(2026, 3, 2)


def line(member, shares=1, social=200, fines=(), repayment=0):
    return MemberLine(
        member_id=member.id,
        shares=shares,
        social_fund=social,
        fines=[fine.id for fine in fines],
        repayment=repayment,
    )


def hold(actor, group, day, lines, short=0):
    """Open and close a meeting, the cash counted as the books say less `short`."""
    meeting = meetings.open_meeting(actor, group, day)
    sheet = MeetingSheet(lines)
    boxes = meetings.preview(meeting, sheet)
    counted = {LOAN: boxes[LOAN] - short, SOCIAL: boxes[SOCIAL]}
    meetings.close_meeting(actor, meeting, sheet, counted, "a coin lost" if short else "", 0)
    return Meeting.get_by_id(meeting.id)


@pytest.fixture
def books(conn, admin, make_group, make_member, make_cycle):
    """Two groups kept through the app: meetings (one with a cash difference, one reopened and
    closed again, which reverses entries), a loan granted and repaid at meetings, a correction,
    the share-out and the next cycle."""
    group = make_group("Kankou", currency="XOF")
    make_group("Empty", currency="NGN")
    cycle = make_cycle(group, loan_rate=Decimal("0.10"), max_shares=5)
    late = FineType.create(cycle=cycle, name="Late", amount=100)
    awa, binta, chris = (make_member(group, name) for name in ("Awa", "Binta", "Chris"))
    first = hold(
        admin,
        group,
        date(2026, 1, 5),
        [line(awa, 5), line(binta, 4, fines=[late]), line(chris, 3)],
        short=100,
    )
    second = meetings.open_meeting(admin, group, date(2026, 1, 12))
    loan = meetings.grant_loan_at(
        admin,
        second,
        LoanRequest(binta, 5_000, 2, "business"),
        acknowledged=frozenset(LoanWarning),
    )
    sheet = MeetingSheet([line(awa, 2), line(binta, 1), line(chris, 1)])
    boxes = meetings.preview(second, sheet)
    version = Meeting.get_by_id(second.id).version
    meetings.close_meeting(
        admin, second, sheet, {LOAN: boxes[LOAN], SOCIAL: boxes[SOCIAL]}, "", version
    )
    third = hold(admin, group, date(2026, 1, 19), [line(awa, 1), line(binta), line(chris, 2)])
    meetings.reopen_meeting(admin, third, "Chris bought one share, not two")
    third = Meeting.get_by_id(third.id)
    sheet = MeetingSheet([line(awa, 1), line(binta), line(chris, 1)])
    boxes = meetings.preview(third, sheet)
    meetings.close_meeting(
        admin, third, sheet, {LOAN: boxes[LOAN], SOCIAL: boxes[SOCIAL]}, "", third.version
    )
    fourth = hold(
        admin, group, date(2026, 1, 26), [line(awa), line(binta, 1, repayment=3_000), line(chris)]
    )
    final = closing.finalise(admin, group, Cycle.get_by_id(cycle.id), SHARED_OUT)
    cycle = Cycle.get_by_id(cycle.id)
    new = next_cycle.start_next_cycle(
        admin,
        group,
        cycle,
        next_cycle.proposed_rules(cycle, final),
        {awa.id: next_cycle.NextMember(2)},
    )
    # A correction outside any meeting: the reinvested shares, reversed and bought again.
    reinvested = Entry.get((Entry.cycle == new) & (Entry.kind == EntryKind.SHARE_PURCHASE.value))
    ledger.correct(admin, reinvested, 1_000, 1, "Awa reinvests one share")

    class Books:
        pass

    books = Books()
    books.__dict__.update(
        group=group,
        cycle=cycle,
        new=new,
        meetings=(first, second, third, fourth),
        loan=Loan.get_by_id(loan.id),
        share_out=final,
        members=(awa, binta, chris),
        reinvested=reinvested,
    )
    return books


def sql(statement, *params):
    """Corrupt the database behind the app's back, as a broken tool or a hand edit would."""
    db.execute_sql(statement.replace("?", db.param), params)


def codes(differences):
    return [(d.code, d.object_type, d.object_id) for d in differences]


def test_books_kept_through_the_app_pass(books):
    assert Entry.select().where(Entry.reverses.is_null(False)).count() >= 2
    result = integrity.run()
    assert result.differences == []
    assert (result.groups, result.entries) == (2, Entry.select().count())


def test_an_amount_changed_in_a_closed_meeting_breaks_its_count(books):
    first = books.meetings[0]
    entry = Entry.get((Entry.meeting == first) & (Entry.kind == EntryKind.FINE.value))
    sql("UPDATE entry SET amount = 150 WHERE id = ?", entry.id)
    found = integrity.check()
    # The loan fund of the first meeting, and of every later meeting of the cycle.
    assert [d.object_id for d in found] == [m.id for m in books.meetings]
    difference = found[0]
    counted = CashCount.get((CashCount.meeting == first) & (CashCount.fund == LOAN.value))
    assert difference.code == "cash_count" and difference.group_id == books.group.id
    assert (difference.expected, difference.found) == (counted.counted + 50, counted.counted)
    assert difference.params["fund"] is LOAN and difference.params["cycle"] == 1
    assert str(difference) == (
        f"[cash_count] group {books.group.id}, meeting {first.id}: Meeting of 2026-01-05 "
        f"(cycle 1): loan_fund counted {counted.counted} at closing, but the ledger now says "
        f"{counted.counted + 50}."
    )


def test_an_entry_deleted_from_the_last_meeting_is_reported_there(books):
    fourth = books.meetings[-1]
    entry = Entry.get(
        (Entry.meeting == fourth) & (Entry.kind == EntryKind.SOCIAL_FUND_CONTRIBUTION.value)
    )
    sql("DELETE FROM entry WHERE id = ?", entry.id)
    found = integrity.check()
    assert codes(found) == [("cash_count", "meeting", fourth.id)]
    assert found[0].params["fund"] is SOCIAL
    assert found[0].expected == found[0].found - 200


def test_a_count_changed_is_reported_and_a_missing_count_too(books):
    second = books.meetings[1]
    sql(
        "UPDATE cash_count SET counted = counted + 5 WHERE meeting_id = ? AND fund = ?",
        second.id,
        "social_fund",
    )
    sql(
        "DELETE FROM cash_count WHERE meeting_id = ? AND fund = ?",
        books.meetings[2].id,
        "loan_fund",
    )
    found = integrity.check()
    assert codes(found) == [
        ("cash_count", "meeting", second.id),
        ("count_missing", "meeting", books.meetings[2].id),
    ]
    assert found[0].found == found[0].expected + 5


def test_a_broken_reversal_is_reported_field_by_field(books):
    reversal = Entry.get(Entry.reverses == books.reinvested)
    sql("UPDATE entry SET amount = -1500, fund = ? WHERE id = ?", "social_fund", reversal.id)
    found = integrity.check()
    assert [(d.code, d.params.get("field")) for d in found] == [
        ("reversal_amount", None),
        ("reversal_field", "fund"),
    ]
    amount, fund = found
    assert (amount.object_id, amount.expected, amount.found) == (reversal.id, -2_000, -1_500)
    assert (fund.expected, fund.found) == ("loan_fund", "social_fund")
    assert amount.params["original"] == books.reinvested.id


def test_a_reversal_of_a_reversal_and_a_reversal_elsewhere(books, make_group):
    reversal = Entry.get(Entry.reverses == books.reinvested)
    corrected = (
        Entry.select()
        .where(Entry.kind == EntryKind.SHARE_PURCHASE.value)
        .order_by(Entry.id.desc())
        .get()
    )
    # The corrected entry now says it reverses the reversal: a reversal of a reversal.
    sql(
        "UPDATE entry SET reverses_id = ?, amount = ? WHERE id = ?",
        reversal.id,
        2_000,
        corrected.id,
    )
    found = integrity.check()
    assert [(d.code, d.object_id) for d in found] == [
        ("reversal_of_reversal", corrected.id),
        ("reversal_shares", corrected.id),
    ]
    assert found[1].expected == 2 and found[1].found == 1


def test_an_entry_pointing_at_another_groups_member(books, make_group, make_member):
    other = make_group("Other")
    stranger = make_member(other, "Stranger")
    entry = Entry.get(
        (Entry.meeting == books.meetings[0])
        & (Entry.member == books.members[0])
        & (Entry.kind == EntryKind.SOCIAL_FUND_CONTRIBUTION.value)
    )
    sql("UPDATE entry SET member_id = ? WHERE id = ?", stranger.id, entry.id)
    found = integrity.check()
    assert codes(found) == [("entry_elsewhere", "entry", entry.id)]
    assert (found[0].expected, found[0].found) == (books.group.id, other.id)
    assert found[0].params["field"] == "member"


def test_an_entry_in_another_cycle_than_its_meeting(books):
    entry = Entry.get(
        (Entry.meeting == books.meetings[1])
        & (Entry.kind == EntryKind.SOCIAL_FUND_CONTRIBUTION.value)
    )
    sql("UPDATE entry SET cycle_id = ? WHERE id = ?", books.new.id, entry.id)
    found = integrity.check()
    assert ("entry_meeting_cycle", "entry", entry.id) in codes(found)


def test_a_share_out_payout_changed(books):
    awa = books.members[0]
    line = ShareOutLine.get(
        (ShareOutLine.share_out == books.share_out) & (ShareOutLine.member == awa)
    )
    sql("UPDATE share_out_line SET payout = payout + 25 WHERE id = ?", line.id)
    found = integrity.check()
    assert [(d.code, d.object_id) for d in found] == [
        ("share_out_sum", books.share_out.id),
        ("share_out_posted", books.share_out.id),
    ]
    total, posted = found
    assert total.found == total.expected + 25
    assert posted.params["member"] == awa.number and posted.params["kind"] is EntryKind.SHARE_OUT
    assert posted.found == posted.expected + 25


def test_share_out_lines_against_the_members_savings(books):
    line = ShareOutLine.get(
        (ShareOutLine.share_out == books.share_out) & (ShareOutLine.member == books.members[2])
    )
    sql("UPDATE share_out_line SET shares = shares + 1, saved = saved + 1000 WHERE id = ?", line.id)
    sql("UPDATE cycle_share_out SET social_fund = social_fund + 7 WHERE id = ?", books.share_out.id)
    found = integrity.check()
    assert [d.code for d in found] == ["social_fund_sum", "share_out_shares", "share_out_saved"]
    assert (found[1].expected, found[1].found) == (line.shares, line.shares + 1)


def test_a_closed_cycle_reopened_behind_the_apps_back(books):
    sql("UPDATE cycle SET closed_at = NULL WHERE id = ?", books.cycle.id)
    sql("UPDATE cycle SET closed_at = ? WHERE id = ?", "2026-01-01 00:00:00", books.new.id)
    found = integrity.check()
    assert codes(found)[0] == ("cycle_not_closed", "share_out", books.share_out.id)
    assert ("closed_without_share_out", "cycle", books.new.id) in codes(found)
    late = [d for d in found if d.code == "after_close"]
    assert late and all(Entry.get_by_id(d.object_id).cycle_id == books.new.id for d in late)


def test_loans_against_their_repayments(books):
    loan = books.loan
    repayment = Entry.get((Entry.loan == loan) & (Entry.kind == EntryKind.LOAN_PRINCIPAL.value))
    sql("UPDATE entry SET amount = amount - 100 WHERE id = ?", repayment.id)
    sql(
        "UPDATE entry SET amount = -4000 WHERE loan_id = ? AND kind = ?",
        loan.id,
        "loan_disbursement",
    )
    found = [d for d in integrity.check() if d.object_type == "loan"]
    assert [(d.code, d.expected, d.found) for d in found] == [
        ("loan_closed_owing", 0, 100),
        ("loan_disbursed", 5_000, 4_000),
    ]
    assert found[0].params["status"] == "repaid"


def test_the_check_runs_in_a_fixed_number_of_queries(books):
    with count_queries() as counter:
        integrity.check()
    fixed = counter.count
    for _ in range(3):
        ledger.post(
            books.share_out.finalised_by,
            books.group,
            LOAN,
            EntryKind.FINE,
            100,
            cycle=books.new,
            member=books.members[0],
        )
    with count_queries() as counter:
        integrity.check()
    assert counter.count == fixed


def test_check_takes_a_database_url(books, app):
    assert integrity.check(app.config["DATABASE_URL"]) == []


def test_the_command_says_ok_or_lists_the_differences(books, app, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("SAVINGS_GROUPS_INSTANCE", str(app.instance_path))
    entries = Entry.select().count()

    def command():
        ours = db.obj  # the command opens the database anew; the test keeps its connection
        try:
            return CliRunner().invoke(main, ["check"])
        finally:
            db.obj.close()
            db.initialize(ours)

    result = command()
    assert result.exit_code == 0, result.output
    assert result.output == f"OK: 2 groups, {entries} entries checked\n"
    second = books.meetings[1].id
    sql(
        "UPDATE cash_count SET counted = counted + 5 WHERE meeting_id = ? AND fund = ?",
        second,
        "social_fund",
    )
    result = command()
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"[cash_count] group {books.group.id}, meeting {second}: Meeting of 2026-01-12 (cycle 1): "
        "social_fund counted 1205 at closing, but the ledger now says 1200.",
        f"1 difference found (2 groups, {entries} entries checked)",
    ]


def test_an_entry_reversed_twice(books):
    """The unique index on `reverses` forbids it; a database whose index was lost is caught."""
    reversal = Entry.get(Entry.reverses == books.reinvested)
    try:
        sql("DROP INDEX entry_reverses_id")
        sql(
            "INSERT INTO entry (group_id, cycle_id, member_id, kind, fund, amount, shares, note, "
            "recorded_by_id, recorded_at, effective_on, channel, reverses_id) "
            "SELECT group_id, cycle_id, member_id, kind, fund, amount, shares, note, "
            "recorded_by_id, recorded_at, effective_on, channel, reverses_id FROM entry WHERE id = ?",
            reversal.id,
        )
        found = integrity.check()
    finally:
        sql("DELETE FROM entry WHERE reverses_id = ? AND id <> ?", books.reinvested.id, reversal.id)
        sql("CREATE UNIQUE INDEX entry_reverses_id ON entry (reverses_id)")
    assert codes(found) == [("reversed_twice", "entry", books.reinvested.id)]
    assert (found[0].expected, found[0].found) == (1, 2)
    assert str(found[0]).endswith(f"Entry {books.reinvested.id} is reversed 2 times: at most once.")


def test_a_settlement_on_leaving_against_its_entries(books, admin):
    chris = books.members[2]
    ledger.post(
        admin,
        books.group,
        LOAN,
        EntryKind.SHARE_PURCHASE,
        3 * books.new.share_value,
        cycle=books.new,
        member=chris,
        shares=3,
        effective_on=books.new.start_date,
    )
    settled = exits.settle(admin, chris, books.new.start_date + timedelta(days=7), "Moved away")
    assert integrity.check() == []
    sql("UPDATE member_exit SET saved = saved + 100, shares = 4 WHERE id = ?", settled.id)
    sql("UPDATE entry SET amount = amount - 1 WHERE kind = ?", "exit_settlement")
    found = integrity.check()
    assert [(d.code, d.object_id, d.expected, d.found) for d in found] == [
        ("exit_posted", settled.id, -settled.payout, -settled.payout - 1),
        ("exit_shares", settled.id, 3, 4),
        ("exit_saved", settled.id, settled.saved, settled.saved + 100),
    ]
    assert found[0].params["member"] == chris.number


def test_a_tontine_kept_through_the_app_passes_and_its_repayments_are_checked(admin, owed):  # noqa: F811
    group, rotation, awa, bintou, repayment = owed
    rosca_debts.undo_repayment(admin, repayment, "typed for the wrong member")
    again = rosca_debts.repay_debt(admin, rotation, bintou.id, awa.id, 6_000, START)
    assert integrity.check() == []
    sql("UPDATE entry SET amount = -5000 WHERE id = ?", again.creditor_entry_id)
    sql("DELETE FROM entry WHERE reverses_id = ?", repayment.creditor_entry_id)
    found = integrity.check()
    assert [(d.code, d.object_id, d.expected, d.found) for d in found] == [
        ("debt_repayment_half_undone", repayment.id, 2, 1),
        ("debt_repayment_entry", again.id, -6_000, -5_000),
    ]
    assert "the creditor's entry is -5000" in str(found[1])
