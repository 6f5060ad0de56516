"""The loan pages through the browser client: portfolio, one loan, write-off and rescheduling
forms, the agreement and the list of installments due, with exact amounts in XOF and NGN."""

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core import dates
from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import EntryKind, Fund, LoanWarning
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans import reports as loan_reports
from savings_groups.loans.portfolio import portfolio
from savings_groups.loans.requests import LoanRequest
from savings_groups.store.db import db
from savings_groups.store.models import AuditEntry, Entry, Loan, LoanInstallment, Meeting
from tests.core.test_dates import MARCH_10, NAIROBI, NAIROBI_NIGHT, set_clock

EVERY = frozenset(LoanWarning)
RULES = {
    "loan_rate": Decimal("0.10"),
    "loan_method": "flat",
    "loan_max_multiple": Decimal(3),
    "loan_max_periods": 4,
    "debt_warning_ratio": Decimal(2),
}


def xof(amount):
    return format_amount(amount, "XOF", "en")


def text(response):
    """The page as a reader sees it: tags out, entities decoded, spaces squeezed."""
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(page))


def part(response, element_id):
    """The text of the element with this id (up to its closing tag of the same name)."""
    page = response.get_data(as_text=True)
    match = re.search(rf'<(\w+)[^>]*id="{element_id}"[^>]*>', page)
    assert match, element_id
    tag, start = match.group(1), match.end()
    depth, position = 1, start
    for found in re.finditer(rf"<(/?){tag}\b[^>]*>", page[start:]):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            position = start + found.start()
            break
    inner = re.sub(r"<[^>]+>", " ", page[start:position])
    return re.sub(r"[ \t\r\n]+", " ", html.unescape(inner)).strip()


@pytest.fixture
def lend(app, admin, make_group, make_member, make_cycle):
    """A group that lends: `Lend(...)` makes it; `.grant`, `.repay` act with the admin."""

    class Lend:
        def __init__(self, savings=(), currency="XOF", unit=25, frequency="weekly", **rules):
            self.group = make_group(
                currency=currency, rounding_unit=unit, meeting_frequency=frequency
            )
            self.cycle = make_cycle(self.group, **{**RULES, **rules})
            self.admin = admin
            self.members = [make_member(self.group) for _ in savings]
            with db.connection_context():
                for member, amount in zip(self.members, savings, strict=True):
                    if not amount:
                        continue
                    ledger.post(
                        admin,
                        self.group,
                        Fund.LOAN_FUND,
                        EntryKind.SHARE_PURCHASE,
                        amount,
                        cycle=self.cycle,
                        member=member,
                        shares=1,
                    )

        def grant(self, member, principal, periods=3, on=date(2026, 2, 2), **kwargs):
            purpose = kwargs.pop("purpose", "business")
            guarantors = tuple(kwargs.pop("guarantors", ()))
            with db.connection_context():
                return lending.grant_loan(
                    admin,
                    self.group,
                    self.cycle,
                    LoanRequest(member, principal, periods, purpose, guarantors),
                    on,
                    **kwargs,
                )

        def repay(self, loan, amount, on, meeting=None):
            with db.connection_context():
                return lending.record_repayment(admin, loan, amount, on, meeting)

        def url(self, *parts, **query):
            path = "/".join([f"/groups/{self.group.id}/loans", *map(str, parts)]).rstrip("/")
            if query:
                path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
            return path

    return Lend


def written():
    with db.connection_context():
        return (
            Entry.select().count(),
            LoanInstallment.select().count(),
            AuditEntry.select().count(),
            [(loan.status, loan.written_off, loan.rescheduled_on) for loan in Loan.select()],
        )


def prepared(w, on):
    """As in test_lending: five loans of 1000 XOF over 1 week at 10% flat, late by 0, 10, 40,
    70 and 100 days on `on`; one repaid; one written off (400 paid, 700 written off)."""
    loans = {}
    for name, days_late in (("current", 0), ("d10", 10), ("d40", 40), ("d70", 70), ("d100", 100)):
        member = w.members[len(loans)]
        loans[name] = w.grant(member, 1_000, periods=1, on=on - timedelta(days=days_late + 7))
    paid = w.grant(w.members[5], 1_000, periods=1, on=on - timedelta(days=30))
    w.repay(paid, 1_100, on - timedelta(days=23))
    lost = w.grant(w.members[6], 1_000, periods=1, on=on - timedelta(days=60))
    w.repay(lost, 400, on - timedelta(days=53))
    with db.connection_context():
        lending.write_off(w.admin, lost, "Died", on - timedelta(days=5))
    w.repay(loans["d40"], 100, on - timedelta(days=39))
    loans["paid"], loans["lost"] = paid, lost
    return loans


# --- the portfolio -------------------------------------------------------------------------------


def test_the_portfolio_page_in_xof(web, lend):
    w = lend(savings=[40_000] * 8)
    on = date(2026, 6, 1)
    loans = prepared(w, on)
    web.login("admin")
    page = web.client.get(w.url(on=on.isoformat()))
    assert page.status_code == 200
    assert part(page, "loans-outstanding") == "5"
    assert part(page, "principal-outstanding") == xof(5_000)
    assert part(page, "interest-due") == xof(400)
    assert part(page, "principal-due") == xof(5_000)
    assert part(page, "par30") == "60%"
    assert part(page, "repayment-rate") == "24.24%"
    assert part(page, "bucket-1_30") == f"1 to 30 days 1 {xof(1_100)} {xof(1_000)}"
    assert part(page, "bucket-31_60") == f"31 to 60 days 1 {xof(1_000)} {xof(1_000)}"
    assert part(page, "bucket-61_90") == f"61 to 90 days 1 {xof(1_100)} {xof(1_000)}"
    assert part(page, "bucket-over_90") == f"Over 90 days 1 {xof(1_100)} {xof(1_000)}"
    d40 = loans["d40"]
    row = part(page, f"loan-{d40.id}")
    assert row == (
        f"3. Member 3 Business {(on - timedelta(days=47)).strftime('%b %-d, %Y')} "
        f"{xof(1_000)} 10% a week {xof(1_000)} {xof(1_000)} {xof(1_000)} Late (40 days) —"
    )
    closed = part(page, "closed-loans")
    assert f"{xof(1_100)} — Repaid" in closed
    assert f"{xof(400)} {xof(700)} Written off" in closed
    assert "more than 30 days late, divided by all the principal outstanding" in text(page)


def test_the_closed_loans_of_the_portfolio_are_those_closed_loans_reads(lend):
    """The page lists the closed loans the portfolio read (loan_reports.closed_in) rather than
    reading them again: the same loans, in the same order, with the same sums paid."""
    w = lend(savings=[40_000] * 8)
    on = date(2026, 6, 1)
    prepared(w, on)
    with db.connection_context():
        report = portfolio(w.group, w.cycle, on)
        listed = loan_reports.closed_in(report)
        read = loan_reports.closed_loans(w.group, w.cycle)
        assert [
            (s.loan.id, s.loan.member.full_name, s.interest_paid, s.principal_paid) for s in listed
        ] == [(s.loan.id, s.loan.member.full_name, s.interest_paid, s.principal_paid) for s in read]
        assert [s.loan.status for s in listed] == ["written_off", "repaid"]  # oldest first
        assert [s.paid for s in listed] == [400, 1_100]
        assert portfolio(w.group, w.cycle, on, open_only=True).closed == []


def test_the_portfolio_shows_the_warnings_acknowledged_and_other_cycles(web, lend, make_cycle):
    w = lend(savings=[10_000, 10_000])
    loan = w.grant(w.members[0], 5_000, purpose="repay_debt", acknowledged=EVERY)
    web.login("admin")
    page = web.client.get(w.url(on="2026-02-03"))
    assert "Repaying another debt" in part(page, f"loan-{loan.id}")
    assert "The loan is to repay another debt" in part(page, f"loan-{loan.id}")
    with db.connection_context():
        w.cycle.closed_at = date(2026, 12, 1)
        w.cycle.save()
    later = make_cycle(w.group, start_date=date(2027, 1, 4), planned_end=date(2027, 12, 27))
    # The open cycle by default: no loan in it; the old cycle when asked.
    assert part(web.client.get(w.url(on="2027-02-01")), "loans-outstanding") == "0"
    old = web.client.get(w.url(on="2026-02-03", cycle=w.cycle.id))
    assert part(old, "loans-outstanding") == "1"
    assert web.client.get(w.url(cycle=later.id + 1000)).status_code == 404
    assert web.client.get(w.url(on="not-a-date")).status_code == 404


def test_the_group_page_shows_loans_outstanding_and_par30(web, lend):
    w = lend(savings=[40_000] * 8, planned_end=date(2027, 12, 1))
    on = dates.today()
    prepared(w, on)
    web.login("admin")
    page = web.client.get(f"/groups/{w.group.id}")
    assert part(page, "loans-outstanding") == f"5 loans, {xof(5_000)} of principal"
    assert part(page, "par30") == "60%"
    assert f'href="/groups/{w.group.id}/loans"' in page.get_data(as_text=True)
    empty = lend(savings=[1_000])
    assert 'id="par30"' not in web.client.get(f"/groups/{empty.group.id}").get_data(as_text=True)


def test_portfolio_and_due_list_queries_do_not_grow(web, lend):
    w = lend(savings=[40_000] * 8, one_loan_at_a_time=False)
    on = date(2026, 6, 1)
    prepared(w, on)
    web.login("admin")

    def counts():
        result = []
        for path in (w.url(on=on.isoformat()), w.url("due", on=on.isoformat())):
            with count_queries() as counter:
                assert web.client.get(path).status_code == 200
            result.append(counter.count)
        return result

    counts()  # the first request after logging in reads a little more
    small = counts()
    for member in w.members:
        for weeks in (1, 3, 5):
            loan = w.grant(
                member, 1_000, periods=2, on=on - timedelta(weeks=weeks), acknowledged=EVERY
            )
            w.repay(loan, 300, on - timedelta(weeks=weeks - 1))
    assert counts() == small


# --- one loan ------------------------------------------------------------------------------------


def test_a_loan_page_with_payments_guarantor_and_warnings(web, lend, make_group):
    w = lend(savings=[40_000, 60_000])
    ada, bea = w.members
    loan = w.grant(ada, 50_000, guarantors=[bea.id], purpose="repay_debt", acknowledged=EVERY)
    with db.connection_context():
        meeting = Meeting.create(group=w.group, cycle=w.cycle, held_on=date(2026, 2, 9))
    w.repay(loan, 21_675, date(2026, 2, 9), meeting)
    web.login("admin")
    page = web.client.get(w.url(loan.id, on="2026-02-17"))
    assert page.status_code == 200
    assert part(page, "loan-principal") == xof(50_000)
    assert part(page, "loan-rate") == "10% a week"
    assert part(page, "guarantors") == "2. Member 2"
    # 16 Feb: the second installment (16675 + 5000) is late by a day.
    assert part(page, "standing-outstanding") == xof(33_325)
    assert part(page, "standing-due") == f"{xof(5_000)} of interest and {xof(16_675)} of principal"
    assert part(page, "standing-arrears") == xof(21_675)
    assert part(page, "standing-days") == "1"
    assert part(page, "standing-paid") == f"{xof(5_000)} of interest and {xof(16_675)} of principal"
    schedule = part(page, "schedule")
    assert f"1 Feb 9, 2026 {xof(5_000)} {xof(16_675)} {xof(21_675)}" in schedule
    assert f"3 Feb 23, 2026 {xof(5_000)} {xof(16_650)} {xof(21_650)}" in schedule
    assert f"Total {xof(15_000)} {xof(50_000)} {xof(65_000)}" in schedule
    payments = part(page, "payments")
    assert f"Loan paid out {xof(-50_000)}" in payments
    assert f"Feb 9, 2026 Feb 9, 2026 Loan interest paid {xof(5_000)}" in payments
    assert f"Loan repaid {xof(16_675)}" in payments
    flags = part(page, "flags")
    assert "The loan is to repay another debt — acknowledged by Awa Admin" in flags
    # Another group's loan is not found through this group.
    other = make_group("Other")
    assert web.client.get(f"/groups/{other.id}/loans/{loan.id}").status_code == 404
    assert web.client.get(w.url(999_999)).status_code == 404


def test_the_loan_page_is_bounded(web, lend):
    w = lend(savings=[40_000, 60_000], one_loan_at_a_time=False)
    loan = w.grant(w.members[0], 2_000, periods=4)
    web.login("admin")

    def count():
        with count_queries() as counter:
            assert web.client.get(w.url(loan.id, on="2026-03-30")).status_code == 200
        return counter.count

    count()  # the first request after logging in reads a little more
    small = count()
    for week in range(1, 5):
        w.repay(loan, 200, date(2026, 2, 2) + timedelta(weeks=week))
    assert count() == small


# --- write-off and rescheduling ------------------------------------------------------------------


def test_write_off_through_the_form(web, lend):
    w = lend(savings=[40_000, 60_000])
    loan = w.grant(w.members[0], 50_000)
    w.repay(loan, 21_675, date(2026, 2, 9))
    path = w.url(loan.id, "write-off")
    web.login("admin")
    before = written()
    for data, message in (
        ({"on": "2026-04-01", "reason": "  "}, "Say why: the group"),
        ({"on": "", "reason": "Left"}, "Enter the date of the decision."),
        ({"on": "2026-01-01", "reason": "Left"}, "The date cannot be before the loan was granted."),
    ):
        response = web.post(path, data)
        assert response.status_code == 422, data
        assert message in text(response)
        assert written() == before
    response = web.post(path, {"on": "2026-04-01", "reason": "Left the village"})
    assert response.status_code == 302
    assert response.location.endswith(w.url(loan.id))
    with db.connection_context():
        loan = Loan.get_by_id(loan.id)
    assert (loan.status, loan.written_off) == ("written_off", 33_325)
    page = web.client.get(w.url(loan.id))
    assert "The loan is written off." in text(page)
    assert part(page, "loan-status") == "Written off"
    assert (
        f"Written off on Apr 1, 2026: {xof(33_325)} of principal. Reason: Left the village"
        in part(page, "decisions")
    )
    # The money history shows the principal written off beside the entry of 0.
    history = text(web.client.get(f"/groups/{w.group.id}/ledger"))
    assert f"Loan written off Loan fund {xof(0)} Principal written off: {xof(33_325)}" in history
    # Once closed: the form says so and a second write-off changes nothing.
    assert "This loan is closed" in text(web.client.get(path))
    before = written()
    again = web.post(path, {"on": "2026-04-02", "reason": "again"}, form_path="/account")
    assert again.status_code == 422
    assert written() == before


def test_reschedule_through_the_form(web, lend):
    w = lend(savings=[40_000, 60_000])
    loan = w.grant(w.members[0], 50_000)
    w.repay(loan, 21_675, date(2026, 2, 9))
    w.repay(loan, 2_000, date(2026, 2, 16))
    path = w.url(loan.id, "reschedule")
    web.login("admin")
    assert web.client.get(path).status_code == 200
    before = written()
    for data, message in (
        ({"periods": "four"}, "four is not a whole number: write it in figures only."),
        ({"periods": "1 2"}, "1 2 is not a whole number: write it in figures only."),
        ({"periods": ""}, "Enter a whole number."),
        ({"periods": "0"}, "Enter 1 or more."),
        ({"periods": "-3"}, "Enter 1 or more."),
        ({"periods": "53"}, "Enter 52 or less."),
        ({"periods": "9" * 5000}, "Enter 52 or less."),
        ({"periods": "4", "reason": ""}, "Say why: the group"),
    ):
        response = web.post(path, {"on": "2026-03-02", "reason": "Harvest", **data})
        assert response.status_code == 422, data
        assert message in text(response)
        assert written() == before
    response = web.post(path, {"on": "2026-03-02", "periods": "4", "reason": "Harvest failed"})
    assert response.status_code == 302
    page = web.client.get(w.url(loan.id, on="2026-03-02"))
    schedule = part(page, "schedule")
    # 33325 over 4 weeks at 10% flat, unit 25 (test_lending), 8000 of interest carried.
    assert f"1 Mar 9, 2026 {xof(11_325)} {xof(8_325)} {xof(19_650)}" in schedule
    assert f"4 Mar 30, 2026 {xof(3_325)} {xof(8_350)} {xof(11_675)}" in schedule
    assert "Schedule replaced on Mar 2, 2026" in text(page)
    assert (
        f"Rescheduled on Mar 2, 2026: {xof(33_325)} over 4 periods. Reason: Harvest failed"
        in part(page, "decisions")
    )


# --- paper ---------------------------------------------------------------------------------------


def test_the_loan_agreement_in_ngn(web, lend, app):
    w = lend(savings=[0, 40_000_00, 60_000_00], currency="NGN", unit=500, frequency="monthly")
    loan = w.grant(
        w.members[1], 100_000_00, periods=2, guarantors=[w.members[2].id], acknowledged=EVERY
    )
    web.login("admin")
    page = web.client.get(w.url(loan.id, "agreement"))
    assert page.status_code == 200
    words = text(page)
    assert "lends NGN100,000.00 from its loan fund to its member Member 2 (member no. 2)" in words
    assert "Interest is 10% a month. Method: Flat" in words
    # 100000.00 at 10% flat over 2 months: 50000.00 a month, 10000.00 of interest.
    schedule = part(page, "schedule")
    assert "1 Mar 2, 2026 NGN10,000.00 NGN50,000.00 NGN60,000.00" in schedule
    assert "Total NGN20,000.00 NGN100,000.00 NGN120,000.00" in schedule
    for who in ("The borrower", "Guarantor", "The chair of the group", "The secretary"):
        assert who in words
    assert words.count("Signature or thumbprint, date") == 2  # borrower, one guarantor
    source = page.get_data(as_text=True)
    assert "css/loans-print.css" in source and " style=" not in source
    css = app.static_folder + "/css/loans-print.css"
    with open(css, encoding="utf-8") as handle:
        assert "@page { size: A4" in handle.read()
    # The passbook lists the loan with what was paid and what is owed.
    w.repay(loan, 60_000_00, date(2026, 3, 2))
    book = web.client.get(f"/groups/{w.group.id}/members/{w.members[1].id}/passbook")
    row = part(book, f"passbook-loan-{loan.id}")
    # The second installment (Apr 2, 2026) is late from the next day: the passbook says so.
    late = (dates.today() - date(2026, 4, 2)).days
    status, arrears = (f"Late ({late} days)", "NGN60,000.00") if late > 0 else ("Being repaid", "—")
    assert row == (
        f"Feb 2, 2026 NGN100,000.00 10% a month — {status} NGN10,000.00 NGN50,000.00 "
        f"NGN50,000.00 {arrears}"
    )


def test_the_list_of_installments_due(web, lend):
    w = lend(savings=[40_000, 60_000, 10_000], one_loan_at_a_time=False)
    ada, bea, _cat = w.members
    first = w.grant(ada, 30_000)  # 10000 + 3000 a week from 9 Feb
    w.grant(ada, 3_000, periods=1, on=date(2026, 2, 9), acknowledged=EVERY)  # 3300 on 16 Feb
    w.grant(bea, 10_000, periods=2)  # 5000 + 1000 a week
    w.repay(first, 13_000, date(2026, 2, 9))
    web.login("admin")
    page = web.client.get(w.url("due", on="2026-02-16"))
    assert page.status_code == 200
    assert "Installments due on Feb 16, 2026" in text(page)
    # Ada: installment 2 of the first loan, and the second loan; nothing late before the day.
    assert (
        part(page, f"due-{ada.id}")
        == (f"1. Member 1 (2 loans) {xof(3_300)} {xof(13_000)} {xof(16_300)} — — ").strip()
    )
    # Bea paid nothing: installment 1 (late by a week) and installment 2.
    assert part(page, f"due-{bea.id}") == (
        f"2. Member 2 {xof(2_000)} {xof(10_000)} {xof(12_000)} {xof(6_000)} 7"
    )
    assert part(page, "due-total") == xof(28_300)
    assert part(page, "due-arrears") == xof(6_000)
    # By default, the next meeting after the last one held.
    with db.connection_context():
        Meeting.create(group=w.group, cycle=w.cycle, held_on=dates.today() - timedelta(days=3))
    default = web.client.get(w.url("due"))
    day = dates.today() + timedelta(days=4)
    assert f"Installments due on {day.strftime('%b %-d, %Y')}" in text(default)


def test_next_meeting_day():
    from savings_groups.store.models import SavingsGroup

    monday = date(2026, 11, 30)
    group = SavingsGroup(meeting_frequency="weekly", meeting_day=2)  # Wednesdays
    assert loan_reports.next_meeting_day(group, monday) == date(2026, 12, 2)
    group.meeting_day = None
    assert loan_reports.next_meeting_day(group, monday) == monday


def test_a_loan_entry_is_not_corrected_on_the_correction_screen(web, lend):
    """A reversal there would leave the loan out of step with its money: refused, nothing written."""
    w = lend(savings=[40_000])
    loan = w.grant(w.members[0], 2_000, periods=4)
    with db.connection_context():
        entry = Entry.get(Entry.loan == loan.id)
        count = Entry.select().count()
    web.login("admin")
    path = f"/groups/{w.group.id}/ledger/{entry.id}/correct"
    page = web.client.get(path)
    assert "belongs to a loan" in text(page) and 'name="reason"' not in page.get_data(as_text=True)
    response = web.post(path, {"reason": "try anyway", "amount": "1000"}, form_path="/account")
    assert response.status_code == 422 and "belongs to a loan" in text(response)
    history = web.client.get(f"/groups/{w.group.id}/ledger").get_data(as_text=True)
    assert f"/ledger/{entry.id}/correct" not in history
    with db.connection_context():
        assert Entry.select().count() == count


def test_the_loan_pages_count_to_the_local_day(web, lend, monkeypatch):
    """Half past midnight in Nairobi, still March 9 in UTC: every loan page is as of March 10."""
    w = lend(savings=[40_000])
    loan = w.grant(w.members[0], 3_000, periods=3)  # due Feb 9, 16 and 23, nothing paid
    set_clock(monkeypatch, NAIROBI, NAIROBI_NIGHT)
    web.login("admin")
    assert "On Mar 10, 2026" in text(web.client.get(w.url()))
    page = web.client.get(w.url(loan.id))
    assert part(page, "standing-title") == "Where the loan stands on Mar 10, 2026"
    assert part(page, "standing-days") == str((MARCH_10 - date(2026, 2, 9)).days)
    write_off = web.client.get(w.url(loan.id, "write-off")).get_data(as_text=True)
    assert re.search(r'<input[^>]*name="on"[^>]*value="2026-03-10"', write_off)
    assert "Installments due on Mar 10, 2026" in text(web.client.get(w.url("due")))
