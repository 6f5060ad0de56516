"""A member's record for a lender: only with the member's own consent (the group's does not
replace it); its savings are the passbook's exactly; a loan repaid late says by how many days;
attendance over the cycle; its QR code verifies through /verify."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from savings_groups.core.vocabulary import ConsentScope
from savings_groups.groups import consent
from savings_groups.loans import book as loan_book
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.reports.lender_record import NoMemberConsent, lender_record
from savings_groups.reports.passbook import passbook
from savings_groups.store.db import db
from savings_groups.store.models import Attendance, Meeting
from tests.conftest import A, P, buy
from tests.web.views.test_verify import check, decoded, tokens

RULES = {
    "loan_rate": Decimal("0.10"),
    "loan_method": "flat",
    "loan_max_multiple": Decimal(3),
    "loan_max_periods": 4,
    "debt_warning_ratio": Decimal(2),
}


@pytest.fixture
def books(world, admin, make_cycle):
    """Member 1 saved 3 + 2 shares at two meetings (present, then absent at a third), borrowed
    9 000 XOF over 3 weeks and repaid it 3 days after the last due date."""
    w = world()
    w.cycle = make_cycle(w.group, start_date=date(2025, 12, 29), **RULES)
    Meeting.delete().execute()
    first = w.meeting(date(2026, 1, 5), attendance=(P, P, P), cycle=w.cycle)
    buy(w, w.members[0], first, 3)
    buy(w, w.members[1], first, 10)
    second = w.meeting(date(2026, 1, 12), attendance=(P, P, P), cycle=w.cycle)
    buy(w, w.members[0], second, 2)
    w.meeting(date(2026, 1, 19), attendance=(A, P, P), cycle=w.cycle)
    loan = lending.grant_loan(
        admin,
        w.group,
        w.cycle,
        LoanRequest(w.members[0], 9_000, 3, "business", ()),
        date(2026, 2, 2),
    )
    day = date(2026, 2, 26)
    interest, principal = loan_book.due_now(loan, day)
    lending.record_repayment(admin, loan, interest + principal, day)
    return w, loan


def test_refused_without_the_members_own_consent(books, admin):
    w, _loan = books
    ada = w.members[0]
    consent.record_consent(admin, w.group, set(ConsentScope), date(2026, 1, 5), "All")
    with pytest.raises(NoMemberConsent, match="Member 1"):
        lender_record(w.group, ada, date(2026, 3, 1))
    consent.record_member_consent(admin, ada, True, date(2026, 2, 1))
    assert lender_record(w.group, ada, date(2026, 3, 1)).member == ada
    consent.record_member_consent(admin, ada, False, date(2026, 2, 2))
    with pytest.raises(NoMemberConsent):
        lender_record(w.group, ada, date(2026, 3, 1))


def test_the_figures_are_the_passbooks(books, admin):
    w, loan = books
    ada = w.members[0]
    consent.record_member_consent(admin, ada, True, date(2026, 2, 1))
    record = lender_record(w.group, ada, date(2026, 3, 1))
    book = passbook(w.group, ada, w.cycle)
    [line] = record.cycles
    assert (line.shares, line.savings) == (book.totals.shares, book.totals.savings) == (5, 5_000)
    assert (line.meetings, line.attended, line.attendance_percent) == (3, 2, Decimal(67))
    [taken] = record.loans
    assert (taken.principal, taken.granted_on, taken.last_due_on, taken.closed_on) == (
        9_000,
        date(2026, 2, 2),
        date(2026, 2, 23),
        date(2026, 2, 26),
    )
    assert (taken.days_late, taken.on_time, record.loans_late, record.borrowed) == (
        3,
        False,
        1,
        9_000,
    )
    assert loan.id


def test_the_printed_record_verifies(books, admin, app, web, client):
    w, _loan = books
    ada = w.members[0]
    path = f"/groups/{w.group.id}/members/{ada.id}/lender-record"
    web.login("admin")
    assert client.get(path).status_code == 403
    answer = web.post(
        f"/groups/{w.group.id}/members/{ada.id}/lender-consent",
        {"allows": "y", "given_on": "2026-02-01"},
    )
    assert answer.status_code == 302
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Repaid 3 days late" in html and "5,000" in html and "2/3 (67 %)" in html
    [token] = tokens(page)
    statement = decoded(app, token)
    assert statement.kind == "lender_record"
    assert statement.figures["savings"] == 5_000 and statement.figures["borrowed"] == 9_000
    assert statement.figures["loans_late"] == 1 and statement.figures["attendance_percent"] == 67
    shown = check(app, token)
    assert "Member's record for a lender" in shown and w.group.name in shown
    french = client.get(path + "?lang=fr").get_data(as_text=True)
    assert "Remboursé avec 3 jours de retard" in french
    with db.connection_context():
        assert Attendance.select().count() == 9
    assert re.search(
        r"@page\s*{\s*size: A4", Path("savings_groups/static/css/lender.css").read_text()
    )
