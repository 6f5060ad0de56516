"""A facilitator settles a member who leaves, then, after the share-out, starts the next cycle
with the cash carried over and payouts reinvested."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from savings_groups.core import dates
from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.cycles import operations as cycles
from savings_groups.ledger import entries as ledger
from savings_groups.shareout import operations as closing
from savings_groups.store.db import db
from savings_groups.store.models import Cycle, Member, MemberExit
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def xof(amount: int) -> str:
    return format_amount(amount, "XOF", "en")


def test_a_member_leaves_and_the_next_cycle_starts_from_the_share_out(
    page: Page, admin, make_user, make_group, make_member, make_cycle
):
    today = dates.today()
    group = make_group("Benkadi", currency="XOF", rounding_unit=25)
    cycle = make_cycle(
        group,
        start_date=today - timedelta(days=60),
        planned_end=today + timedelta(days=200),
        exit_rule="savings_and_profit",
        max_shares=20,
    )
    names = ("Awa Traoré", "Binta Diallo", "Chris Camara")
    awa, binta, chris = (make_member(group, full_name=name) for name in names)
    with db.connection_context():
        for member, shares in ((awa, 10), (binta, 20), (chris, 15)):
            ledger.post(
                admin,
                group,
                Fund.LOAN_FUND,
                EntryKind.SHARE_PURCHASE,
                shares * 1_000,
                cycle=cycle,
                member=member,
                shares=shares,
            )
        ledger.post(admin, group, Fund.LOAN_FUND, EntryKind.FINE, 1_010, cycle=cycle, member=awa)
    make_user("fatou", role=Role.FACILITATOR, groups=[group])
    log_in(page, "fatou")
    expect(page).to_have_url(re.compile(r"/$"))

    # Chris leaves: 15 x 46,010 / 45 = 15,336.67, rounded down to 15,325 (largest remainders
    # go to Awa and Binta).
    page.goto(f"/groups/{group.id}/members")
    page.get_by_role("link", name="Settle and leave Chris Camara").click()
    expect(page.locator("#settlement-payout")).to_contain_text(xof(15_325))
    page.fill("#reason", "Moved to Conakry")
    page.locator("button[name=confirm]").click()
    expect(page).to_have_url(re.compile(rf"/members/{chris.id}/passbook$"))
    expect(page.locator("#passbook-exit")).to_contain_text(xof(15_325))
    with db.connection_context():
        assert MemberExit.get().payout == 15_325
        assert Member.get_by_id(chris.id).left_on == today

    # The share-out (the other helper's page), then the next cycle from the cycles page.
    with db.connection_context():
        final = closing.finalise(admin, group, Cycle.get_by_id(cycle.id), today)
        payouts = {line.member_id: line.payout for line in final.lines}
        carry = final.carry_over
    page.goto(f"/groups/{group.id}/cycles")
    page.get_by_role("link", name="Start the next cycle").click()
    expect(page.locator("#next-members")).to_contain_text(xof(payouts[awa.id]))
    start = today + timedelta(days=1)  # typed the English way (static/js/dates.js)
    expect(page.locator("#start_date")).to_have_value(f"{start.month}/{start.day}/{start.year}")
    page.fill(f"#reinvest-{awa.id}", "5")
    page.check(f"#leaves-{binta.id}")
    page.get_by_role("button", name="Start the next cycle").click()
    expect(page).to_have_url(re.compile(r"/cycles$"))
    expect(page.locator(".alert-success")).to_contain_text("Cycle 2 is started.")
    with db.connection_context():
        new = cycles.current_cycle(group)
        assert new.follows_id == cycle.id
        assert ledger.balances(group, new)[Fund.LOAN_FUND] == carry + 5_000
        assert ledger.balances(group, Cycle.get_by_id(cycle.id))[Fund.LOAN_FUND] == 0
        assert Member.get_by_id(binta.id).left_on == today
