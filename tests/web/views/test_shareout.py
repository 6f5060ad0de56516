"""The share-out pages: the preview, finalising through the form, the sheet and the slips."""

import re
from datetime import date
from decimal import Decimal

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import EntryKind, Fund, LoanStatus, Role
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import operations as meetings
from savings_groups.shareout import operations as closing
from savings_groups.store.db import db
from savings_groups.store.models import AuditEntry, CycleShareOut, Entry, Loan, ShareOutLine

ON = date(2026, 2, 16)
RULES = {
    "loan_rate": Decimal("0.10"),
    "loan_method": "flat",
    "loan_max_multiple": Decimal(3),
    "loan_max_periods": 4,
    "social_fund_contribution": 0,
    "min_shares": 0,
}
EVERY = {"arrears", "repay_debt", "debt_ratio", "third_consecutive"}


class World:
    def __init__(self, group, cycle, people, admin):
        self.group, self.cycle, self.people, self.admin = group, cycle, people, admin

    def url(self, page="", **args):
        path = f"/groups/{self.group.id}/share-out" + (f"/{page}" if page else "")
        query = "&".join(f"{k}={v}" for k, v in args.items())
        return path + (f"?{query}" if query else "")


@pytest.fixture
def world(app, admin, make_group, make_member, make_cycle, make_user):
    """XOF, unit 25: A, B and C bought 10, 7 and 3 shares of 1,000; B owes 4,600 on 16 Feb
    (the case of test_closing); a recorder and a viewer of the group."""

    def make(members=3, users=True, **rules):
        group = make_group("Benkadi", rounding_unit=25, meeting_frequency="weekly")
        cycle = make_cycle(group, **{**RULES, **rules})
        counts = [10, 7, 3] + [1] * (members - 3)
        people = [make_member(group, full_name=f"Member {i + 1}") for i in range(members)]
        with db.connection_context():
            for member, count in zip(people, counts, strict=True):
                ledger.post(
                    admin,
                    group,
                    Fund.LOAN_FUND,
                    EntryKind.SHARE_PURCHASE,
                    count * 1_000,
                    cycle=cycle,
                    member=member,
                    shares=count,
                )
            request = LoanRequest(people[1], 6_000, 3, "business")
            loan = lending.grant_loan(
                admin, group, cycle, request, date(2026, 2, 2), acknowledged=EVERY
            )
            lending.record_repayment(admin, loan, 2_600, date(2026, 2, 9))
            ledger.post(
                admin, group, Fund.LOAN_FUND, EntryKind.FINE, 115, cycle=cycle, member=people[2]
            )
        if users:
            make_user("rec", role=Role.RECORDER, groups=[group])
            make_user("view", role=Role.VIEWER, groups=[group])
        return World(group, cycle, people, admin)

    return make


def xof(amount: int) -> str:
    return format_amount(amount, "XOF", "en")


def text(response):
    return response.get_data(as_text=True)


def test_the_preview_shows_every_figure_and_says_it_is_not_final(web, world):
    w = world()
    web.login("view")
    page = text(web.client.get(w.url(on=ON.isoformat())))
    assert "Preview — not final" in page
    assert f'id="cash-loan_fund">{xof(16_715)}<' in page
    assert f'id="owed">{xof(4_600)}<' in page
    # 1,065.75 exactly, with two decimals more than the franc has: 20 x it is the fund.
    assert 'id="value-per-share">F\u202fCFA1,065.75<' in page
    assert 'id="paid-in"' not in page
    assert "6.6% for the cycle" in page and "57.1% a year" in page  # 0.06575 x 365 / 42
    assert f'id="carry-over">{xof(15)}<' in page
    assert f'id="balance-check">{xof(16_715)}<' in page
    assert "In proportion to shares" in page
    assert "What a member owes is deducted from the payout" in page
    row = re.search(rf'id="line-{w.people[1].id}".*?</tr>', page, re.S).group(0)
    for amount in (7_000, 450, 4_600, 2_850):
        assert f">{xof(amount)}<" in row
    assert 'id="finalise-form"' not in page  # a viewer cannot finalise


def test_the_sheet_says_the_account_will_be_then_was_brought_back_to_the_box(web, world):
    w = world()
    with db.connection_context():
        for fund, amount in ((Fund.LOAN_FUND, -2_000), (Fund.BANK, 2_000)):
            ledger.post(
                w.admin, w.group, fund, EntryKind.ACCOUNT_DEPOSIT, amount, cycle=w.cycle,
                channel="bank", effective_on=date(2026, 2, 9),
            )  # fmt: skip
    web.login("rec")
    page = text(web.client.get(w.url(on=ON.isoformat())))
    assert f'id="cash-bank">{xof(2_000)}' in page
    assert "brought back to the box when it is finalised" in page
    with db.connection_context():
        closing.finalise(w.admin, w.group, w.cycle, ON)
    page = text(web.client.get(w.url(cycle=w.cycle.id)))
    assert "brought back to the box when it was finalised" in page
    assert "when it is finalised" not in page


def test_a_recorder_finalises_with_the_confirmation(web, world):
    w = world()
    web.login("rec")
    page = text(web.client.get(w.url(on=ON.isoformat())))
    assert 'id="finalise-form"' in page
    refused = web.post(w.url(), {"on": ON.isoformat(), "cycle": w.cycle.id}, form_path=w.url())
    assert refused.status_code == 422
    assert "Tick the box to confirm the share-out." in text(refused)
    box = re.search(r'<input[^>]*id="confirm"[^>]*>', text(refused)).group(0)
    assert 'aria-invalid="true"' in box and 'aria-describedby="confirm-error"' in box
    assert re.search(r'id="confirm-error" role="alert"', text(refused))
    with db.connection_context():
        assert CycleShareOut.select().count() == 0
    done = web.post(
        w.url(), {"on": ON.isoformat(), "cycle": w.cycle.id, "confirm": "y"}, form_path=w.url()
    )
    assert done.status_code == 302
    page = text(web.client.get(done.location))
    assert "Final" in page and "finalised by Rec" in page
    assert 'id="finalise-form"' not in page
    with db.connection_context():
        assert Loan.get().status == LoanStatus.REPAID.value
        assert ledger.balances(w.group, w.cycle)[Fund.LOAN_FUND] == 15
        assert AuditEntry.select().where(AuditEntry.action == "cycle.share_out").count() == 1
        entries = Entry.select().count()
    # Twice: a clear message, nothing posted again.
    again = web.post(
        w.url(), {"on": ON.isoformat(), "cycle": w.cycle.id, "confirm": "y"}, form_path=w.url()
    )
    assert again.status_code == 422
    assert "already final" in text(again)
    with db.connection_context():
        assert Entry.select().count() == entries


def test_the_members_paper_says_what_was_paid_and_what_went_to_the_loan(web, world):
    w = world()
    web.login("rec")
    form = {"on": ON.isoformat(), "cycle": w.cycle.id, "confirm": "y"}
    assert web.post(w.url(), form, form_path=w.url()).status_code == 302
    b = w.people[1]
    history = text(web.client.get(f"/groups/{w.group.id}/ledger?member={b.id}"))
    assert f"{xof(4_600)} deducted for loans, {xof(2_850)} paid to the member" in history
    book = text(web.client.get(f"/groups/{w.group.id}/members/{b.id}/passbook"))
    paid = re.search(r'class="line-share_out".*?</tr>', book, re.S).group(0)
    assert "Share-out: paid to the member" in paid and f">{xof(2_850)}<" in paid
    kept = re.search(r'class="line-share_out_loans".*?</tr>', book, re.S).group(0)
    assert "Share-out: deducted for loans" in kept and "not paid to the member" in kept
    assert xof(4_600) in kept and f">{xof(4_600)}<" not in kept  # in no column
    total = re.search(r'class="fw-bold passbook-totals".*?</tr>', book, re.S).group(0)
    assert f">{xof(2_850)}<" in total  # what B took home, not the gross share of the ledger
    box = re.search(r'id="passbook-share-out".*?</table>', book, re.S).group(0)
    took_home = re.search(r'class="fw-bold settlement-took-home".*?</tr>', box, re.S).group(0)
    assert "Paid to the member" in took_home and f">{xof(2_850)}<" in took_home
    assert "Deducted for loans (not paid to the member)" in box and f">{xof(4_600)}<" in box


def test_what_a_member_took_home_is_one_figure_with_the_social_fund_share(web, world, admin):
    """Passbook line, passbook total, settlement box and slip all say the loan-fund payout plus
    the social fund share; what went to the loan is shown apart and counted in none of them."""
    w = world(social_fund_rule="split_equally")
    with db.connection_context():
        for member in w.people:
            ledger.post(
                admin,
                w.group,
                Fund.SOCIAL_FUND,
                EntryKind.SOCIAL_FUND_CONTRIBUTION,
                400,
                cycle=w.cycle,
                member=member,
            )
    web.login("rec")
    form = {"on": ON.isoformat(), "cycle": w.cycle.id, "confirm": "y"}
    assert web.post(w.url(), form, form_path=w.url()).status_code == 302
    b = w.people[1]
    with db.connection_context():
        line = ShareOutLine.get(ShareOutLine.member == b)
    assert (line.payout, line.deducted, line.social_fund) == (2_850, 4_600, 400)
    took_home = xof(3_250)
    book = text(web.client.get(f"/groups/{w.group.id}/members/{b.id}/passbook"))
    paid = re.search(r'class="line-share_out".*?</tr>', book, re.S).group(0)
    assert f">{took_home}<" in paid
    total = re.search(r'class="fw-bold passbook-totals".*?</tr>', book, re.S).group(0)
    assert f">{took_home}<" in total
    box = re.search(r'id="passbook-share-out".*?</table>', book, re.S).group(0)
    for row, amount in (("loan-fund", 2_850), ("social-fund", 400), ("took-home", 3_250)):
        found = re.search(rf'class="[^"]*settlement-{row}".*?</tr>', box, re.S).group(0)
        assert f">{xof(amount)}<" in found
    assert "paid out at the share-out on" in book  # the saved total was handed back
    assert "Closed on" in book and "Last date" not in book
    slips = text(web.client.get(w.url("slips", cycle=w.cycle.id, on=ON.isoformat())))
    slip = re.search(rf'id="slip-{b.id}".*?</section>', slips, re.S).group(0)
    assert f'class="slip-paid"><strong>{took_home}<' in slip
    assert f'class="slip-loan-fund">{xof(2_850)}<' in slip


def test_an_open_meeting_is_listed_and_finalising_is_refused(web, world, admin):
    w = world()
    with db.connection_context():
        meetings.open_meeting(admin, w.group, ON)
    web.login("rec")
    page = text(web.client.get(w.url(on=ON.isoformat())))
    assert 'id="problems"' in page
    assert "The meeting of Feb 16, 2026 is still open: close it before the share-out." in page
    refused = web.post(
        w.url(), {"on": ON.isoformat(), "cycle": w.cycle.id, "confirm": "y"}, form_path=w.url()
    )
    assert refused.status_code == 422
    assert "is still open" in text(refused)
    with db.connection_context():
        assert CycleShareOut.select().count() == 0


def test_a_member_paying_in_is_shown_to_pay_in(web, world, admin):
    w = world()
    with db.connection_context():  # C borrows more than C's share is worth
        ledger.post(
            admin,
            w.group,
            Fund.LOAN_FUND,
            EntryKind.SHARE_PURCHASE,
            10_000,
            cycle=w.cycle,
            member=w.people[0],
            shares=10,
        )
        request = LoanRequest(w.people[2], 9_000, 1, "business")
        lending.grant_loan(admin, w.group, w.cycle, request, date(2026, 2, 9), acknowledged=EVERY)
        sheet = closing.preview(w.group, w.cycle, ON)
        assert sheet.lines[2].payout < 0
    web.login("rec")
    page = text(web.client.get(w.url(on=ON.isoformat())))
    assert "to pay in" in page
    slips = text(web.client.get(w.url("slips", cycle=w.cycle.id, on=ON.isoformat())))
    slip = re.search(rf'id="slip-{w.people[2].id}".*?</section>', slips, re.S).group(0)
    assert "To pay in" in slip
    # The totals say what goes out and what comes in, not only the difference.
    paid_in = -sheet.lines[2].payout
    paid_out = sum(line.payout for line in sheet.lines[:2])
    assert f'id="paid-out">{xof(paid_out)}<' in page
    assert f'id="paid-in">{xof(paid_in)}<' in page
    assert f'id="balance-check">{xof(sheet.loan_fund)}<' in page
    assert paid_out - paid_in + sheet.carry_over == sheet.loan_fund
    total = re.search(r'id="total-paid">.*?</td>', page, re.S).group(0)
    assert f"to pay in {xof(paid_in)}" in total


def test_the_sheet_and_slips_print_on_a4_and_a5(web, world):
    w = world()
    web.login("view")
    for page in ("sheet", "slips"):
        a4 = text(web.client.get(w.url(page, cycle=w.cycle.id, on=ON.isoformat())))
        a5 = text(web.client.get(w.url(page, cycle=w.cycle.id, on=ON.isoformat(), size="a5")))
        assert "paper-a4" in a4 and "paper-a5" in a5
        assert "css/shareout-print.css" in a4
        assert "Preview — not final" in a4
    slips = text(web.client.get(w.url("slips", cycle=w.cycle.id, on=ON.isoformat())))
    assert slips.count('class="slip"') == 3
    assert slips.count("Signature or thumbprint") == 6
    assert "No. 2" in slips and "Member 2" in slips
    with db.connection_context():
        closing.finalise(w.admin, w.group, w.cycle, ON)
    sheet = text(web.client.get(w.url("sheet", cycle=w.cycle.id)))
    assert "Preview — not final" not in sheet and "finalised by" in sheet


def test_a_rosca_has_no_share_out(web, make_group):
    rosca = make_group("Tontine", kind="rosca")
    web.login("admin")
    assert web.client.get(f"/groups/{rosca.id}/share-out").status_code == 404


def test_the_preview_queries_do_not_grow(web, world, admin):
    def count(w):
        with count_queries() as counter:
            assert web.client.get(w.url(on=ON.isoformat())).status_code == 200
        return counter.count

    web.login("admin")
    small = world(members=3)
    count(small)  # the first request after logging in reads a little more
    big = world(
        members=12, users=False, profit_method="time_weighted", social_fund_rule="split_equally"
    )
    with db.connection_context():
        for member in big.people[3:]:
            request = LoanRequest(member, 500, 2, "business")
            lending.grant_loan(
                admin, big.group, big.cycle, request, date(2026, 2, 2), acknowledged=EVERY
            )
    small_tw = world(
        members=3, users=False, profit_method="time_weighted", social_fund_rule="split_equally"
    )
    assert count(big) == count(small_tw)
    assert count(small) <= count(big)


@pytest.mark.parametrize(
    ("locale", "currency", "value", "shown"),
    [
        ("fr", "XOF", "537.6190476", "537,62\xa0F\u202fCFA"),
        ("en", "USD", "53761.90476", "$537.6190"),
        ("en", "XOF", "500", "F\u202fCFA500.00"),
    ],
)
def test_the_value_of_a_share_has_two_decimals_more_than_the_currency(
    locale, currency, value, shown
):
    from flask import Flask
    from flask_babel import Babel

    from savings_groups.web.views.shareout import exact_money

    app = Flask(__name__)
    Babel(app, locale_selector=lambda: locale)
    with app.test_request_context():
        assert exact_money(Decimal(value), currency) == shown


@pytest.mark.parametrize("day", ["abc", "2026-02-30"])
def test_a_day_that_is_not_a_date_is_said_next_to_the_field(web, world, day):
    w = world()
    web.login("view")
    response = web.client.get(w.url(cycle=w.cycle.id, on=day))
    assert response.status_code == 200
    page = text(response)
    error = re.search(r'id="on-error"[^>]*>(.*?)</div>', page, re.S).group(1)
    assert f"{day} is not a date: write it like 2026-01-31." in error
    assert f'value="{day}"' in page and "is-invalid" in page
    paper = web.client.get(w.url("sheet", cycle=w.cycle.id, on=day))
    assert paper.status_code == 404 and "is not a date" in text(paper)


def test_past_share_outs_are_reached_from_the_cycles_and_the_share_out_page(web, world):
    from savings_groups.shareout import next_cycle

    w = world()
    with db.connection_context():
        closing.finalise(w.admin, w.group, w.cycle, ON)
        old = next_cycle.share_out_of(w.cycle).cycle
        rules = next_cycle.proposed_rules(old, next_cycle.share_out_of(old))
        new = next_cycle.start_next_cycle(w.admin, w.group, old, rules, {})
    web.login("view")
    cycles = text(web.client.get(f"/groups/{w.group.id}/cycles"))
    link = f'href="/groups/{w.group.id}/share-out?cycle={w.cycle.id}"'
    assert link in cycles
    page = text(web.client.get(w.url()))  # the open cycle, with the others to choose from
    assert "Cycle 2" in page and 'id="share-out-cycle"' in page
    assert f'<option value="{w.cycle.id}">Cycle 1</option>' in page
    assert f'<option value="{new.id}" selected>Cycle 2</option>' in page
    old_page = text(web.client.get(w.url(cycle=w.cycle.id)))
    assert "finalised by" in old_page and f">{xof(2_850)}<" in old_page
