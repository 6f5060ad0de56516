"""The members list shows each member's savings, loan outstanding and arrears, exact to the coin,
in the same number of queries for 5 members as for 25."""

from datetime import UTC, date, datetime, timedelta

from playhouse.test_utils import count_queries

from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import EntryKind, Fund
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.store.db import db
from tests.core.test_dates import set_clock
from tests.web.views.test_loans import RULES, part, text

ON = date(2026, 3, 2)


def xof(amount: int) -> str:
    return format_amount(amount, "XOF", "en")


def add_members(group, cycle, admin, make_member, count, start=0):
    """Members who each buy 5 shares; every other one borrows 1,000 XOF over 1 week, 20 days
    before ON (so 13 days late on ON)."""
    with db.connection_context():
        for index in range(start, start + count):
            member = make_member(group, f"Member {index + 1}")
            ledger.post(
                admin,
                group,
                Fund.LOAN_FUND,
                EntryKind.SHARE_PURCHASE,
                5_000,
                cycle=cycle,
                member=member,
                shares=5,
            )
            if index % 2 == 0:
                lending.grant_loan(
                    admin,
                    group,
                    cycle,
                    LoanRequest(member, 1_000, 1, "business", ()),
                    ON - timedelta(days=20),
                )


def test_members_list_shows_figures_in_a_fixed_number_of_queries(
    app, admin, make_group, make_member, make_cycle, web, monkeypatch
):
    set_clock(monkeypatch, "UTC", datetime(2026, 3, 2, 12, tzinfo=UTC))
    group = make_group(currency="XOF")
    cycle = make_cycle(group, **RULES)
    add_members(group, cycle, admin, make_member, 5)
    web.login("admin")
    path = f"/groups/{group.id}/members"

    def count():
        with count_queries() as counter:
            response = web.client.get(path)
            assert response.status_code == 200
        return counter.count, response

    count()  # the first request after logging in reads a little more
    few, page = count()
    row = part(page, "member-1")
    assert xof(5_000) in row and xof(1_000) in row
    assert xof(1_100) in row and "Late (13 days)" in row  # principal and interest fell due
    assert "Late" not in part(page, "member-2") and xof(5_000) in part(page, "member-2")
    assert 'id="member-1" class="table-warning"' in page.get_data(as_text=True)

    add_members(group, cycle, admin, make_member, 20, start=5)
    many, page = count()
    assert "Member 25" in text(page)
    assert many == few
