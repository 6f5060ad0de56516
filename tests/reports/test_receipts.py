"""Members' receipts after a meeting: the passbook's figures to the coin, a member's loan
balance and next installment, in a fixed number of queries; as slips and texts, in French."""

from datetime import date

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.reports import passbook, receipts
from savings_groups.store.db import db
from savings_groups.store.models import Attendance, Meeting
from tests.web.views.test_loans import RULES, text

FIRST, SECOND = date(2026, 2, 2), date(2026, 2, 9)


@pytest.fixture
def club(app, admin, make_group, make_member, make_cycle):
    """Two meetings: at the first, Awa, Binta and Coumba buy 10, 4 and 2 shares and Awa borrows
    3,000 XOF flat at 10 % a week over 3 weeks (1,300 a week); at the second, Awa buys 2 shares,
    pays the social fund (200), a fine (100) and her first installment (1,300), Binta buys 3."""

    class Club:
        pass

    c = Club
    c.group = make_group(currency="XOF", rounding_unit=25)
    c.cycle = make_cycle(c.group, **RULES)
    c.awa, c.binta, c.coumba = (make_member(c.group, n) for n in ("Awa", "Binta", "Coumba"))
    with db.connection_context():
        c.first = Meeting.create(group=c.group, cycle=c.cycle, held_on=FIRST, status="closed")
        c.second = Meeting.create(group=c.group, cycle=c.cycle, held_on=SECOND, status="closed")

        def post(meeting, member, kind, fund, amount, shares=0):
            ledger.post(
                admin,
                c.group,
                fund,
                kind,
                amount,
                cycle=c.cycle,
                meeting=meeting,
                member=member,
                shares=shares,
            )

        for member, shares in ((c.awa, 10), (c.binta, 4), (c.coumba, 2)):
            Attendance.create(meeting=c.first, member=member, status="present")
            post(c.first, member, EntryKind.SHARE_PURCHASE, Fund.LOAN_FUND, shares * 1_000, shares)
        c.loan = lending.grant_loan(
            admin,
            c.group,
            c.cycle,
            LoanRequest(c.awa, 3_000, 3, "business", ()),
            FIRST,
            meeting=c.first,
        )
        post(c.second, c.awa, EntryKind.SHARE_PURCHASE, Fund.LOAN_FUND, 2_000, 2)
        post(c.second, c.awa, EntryKind.SOCIAL_FUND_CONTRIBUTION, Fund.SOCIAL_FUND, 200)
        post(c.second, c.awa, EntryKind.FINE, Fund.LOAN_FUND, 100)
        post(c.second, c.binta, EntryKind.SHARE_PURCHASE, Fund.LOAN_FUND, 3_000, 3)
        lending.record_repayment(admin, c.loan, 1_300, SECOND, c.second)
    return c


def test_receipts_equal_the_passbook_for_every_member(club, conn):
    found = receipts.receipts(club.second)
    assert [r.member.full_name for r in found] == ["Awa", "Binta"]
    for receipt in found:
        book = passbook.passbook(club.group, receipt.member, club.cycle)
        line = next(
            line for line in book.lines if line.meeting and line.meeting.id == club.second.id
        )
        row = receipt.figures
        assert (row.shares, row.savings, row.social_fund, row.fines) == (
            line.moved.shares,
            line.moved.savings,
            line.moved.social_fund,
            line.moved.fines,
        )
        assert (row.shares_to_date, row.savings_to_date) == (
            line.totals.shares,
            line.totals.savings,
        )
        assert receipt.loan_balance == sum(summary.outstanding for summary in book.loans)
    awa = found[0]
    assert (awa.figures.shares, awa.figures.savings_to_date, awa.figures.paid) == (2, 12_000, 3_600)
    assert (awa.figures.interest_repaid, awa.figures.principal_repaid) == (300, 1_000)


def test_a_member_with_a_loan_sees_its_balance_and_next_installment(club, conn):
    awa, binta = receipts.receipts(club.second)
    [position] = awa.loans
    assert (position.outstanding, position.arrears, position.days_overdue) == (2_000, 0, 0)
    assert (position.next_due_on, position.next_amount) == (date(2026, 2, 16), 1_300)
    assert binta.loans == []


def test_a_late_installment_is_in_the_next_amount_and_the_arrears(club, admin, conn):
    third = Meeting.create(
        group=club.group, cycle=club.cycle, held_on=date(2026, 2, 23), status="closed"
    )
    ledger.post(
        admin,
        club.group,
        Fund.LOAN_FUND,
        EntryKind.FINE,
        100,
        cycle=club.cycle,
        meeting=third,
        member=club.awa,
    )
    [awa] = receipts.receipts(third)
    [position] = awa.loans
    assert (position.outstanding, position.arrears, position.days_overdue) == (2_000, 1_300, 7)
    # The last installment fell due at this meeting: nothing is left to come, all is due now.
    assert (position.next_due_on, position.next_amount) == (None, 2_600)


def test_receipts_take_a_fixed_number_of_queries(club, admin, make_member, conn):
    with count_queries() as few:
        receipts.receipts(club.second)
    for number in range(5):
        member = make_member(club.group, f"Extra {number}")
        ledger.post(
            admin,
            club.group,
            Fund.LOAN_FUND,
            EntryKind.SHARE_PURCHASE,
            1_000,
            cycle=club.cycle,
            meeting=club.second,
            member=member,
            shares=1,
        )
        lending.grant_loan(
            admin,
            club.group,
            club.cycle,
            LoanRequest(member, 1_000, 2, "business", ()),
            SECOND,
            meeting=club.second,
        )
    with count_queries() as many:
        assert len(receipts.receipts(club.second)) == 7
    assert many.count == few.count


def xof_fr(amount: int) -> str:
    return format_amount(amount, "XOF", "fr").replace("\u202f", " ").replace("\u00a0", " ")


def test_slips_and_texts_in_french(club, make_user, web):
    make_user("tresoriere", groups=[club.group], locale="fr")
    web.login("tresoriere")
    base = f"/groups/{club.group.id}/meetings/{club.second.id}"
    slips = web.client.get(f"{base}/receipts")
    assert slips.status_code == 200
    shown = text(slips).replace("\u202f", " ").replace("\u00a0", " ")
    assert "Reçu" in shown and "Solde du prêt" in shown
    assert xof_fr(2_000) in shown and xof_fr(1_300) in shown
    assert "16 févr. 2026" in shown
    assert shown.count('data-token="') == 0  # tokens are attributes, not text
    assert slips.get_data(as_text=True).count("data-token=") == 2  # the signed QR on each slip

    texts = web.client.get(f"{base}/texts")
    assert texts.status_code == 200
    page = texts.get_data(as_text=True)
    assert "Awa" in page and "Binta" in page and "Coumba" not in page
    shown = text(texts).replace("\u00a0", " ")
    awa = shown.split("1. Awa")[1].split("2. Binta")[0]
    said = (
        "Group 1 09/02, Awa. Payé : parts 2 000, caisse de solidarité 200, amendes 100, "
        "remboursé 1 300. Épargne 12 000. Reste à rembourser 2 000. Échéance 1 300 le 16/02. "
        "(F CFA)"
    )
    assert f"{said} Copier {len(said)} caractères en GSM-7 : 2 SMS" in awa
    binta = shown.split("2. Binta")[1]
    assert "Group 1 09/02, Binta. Payé : parts 3 000. Épargne 7 000. (F CFA)" in binta
    assert "caractères en GSM-7 : 1 SMS" in binta
    assert "\u202f" not in page.split("<textarea")[1].split("</textarea>")[0]
