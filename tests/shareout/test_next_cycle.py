"""The next cycle, started from a shared-out one: rules copied, cash carried over, payouts
reinvested, leavers dropped; refusals write nothing; the page."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core.dates import utcnow
from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import EntryKind, Fund, LoanWarning, Role
from savings_groups.cycles import operations as cycles
from savings_groups.ledger import entries as ledger
from savings_groups.loans import operations as lending
from savings_groups.loans.requests import LoanRequest
from savings_groups.meetings import opening
from savings_groups.reports import passbook
from savings_groups.shareout import arithmetic as shareout
from savings_groups.shareout import next_cycle
from savings_groups.shareout.next_cycle import NextMember
from savings_groups.store.models import (
    AuditEntry,
    Cycle,
    CycleShareOut,
    Entry,
    FineType,
    Member,
    ShareOutLine,
)

SHARED_OUT = date(2026, 11, 20)


@pytest.fixture
def world(conn, admin, make_group, make_member, make_cycle):
    """Cycle 1 of an XOF group (unit 25) shared out on SHARED_OUT, built by hand.

    Awa 10 shares, Binta 20, Chris 15 (1,000 each) and fines of 1,010: cash 46,010 over 45
    shares. Payouts: Awa 10,224.44 and Binta 20,448.88 round down to 10,200 and 20,425 and get
    the two units left over (largest remainders), Chris 15,325; 10 is carried over. The social
    fund keeps its 6,000.
    """

    class World:
        def __init__(self, members=3, currency="XOF", unit=25, share_value=1_000):
            self.group = make_group(currency=currency, rounding_unit=unit)
            self.unit = unit
            self.cycle = make_cycle(self.group, max_shares=20, share_value=share_value)
            FineType.create(cycle=self.cycle, name="Late", amount=100)
            names = ["Awa", "Binta", "Chris"] + [f"Member {i}" for i in range(4, members + 1)]
            self.members = [make_member(self.group, name) for name in names]
            self.awa, self.binta, self.chris = self.members[:3]
            counts = [10, 20, 15] + [1] * (members - 3)
            self.shares = {m.id: n for m, n in zip(self.members, counts, strict=True)}
            for member, count in zip(self.members, counts, strict=True):
                amount = count * share_value
                self.post(Fund.LOAN_FUND, EntryKind.SHARE_PURCHASE, amount, member, count)
                self.post(Fund.SOCIAL_FUND, EntryKind.SOCIAL_FUND_CONTRIBUTION, 2_000, member)
            self.post(Fund.LOAN_FUND, EntryKind.FINE, 1_010 - (members - 3) * 1_000, self.chris)

        def post(self, fund, kind, amount, member=None, shares=0, cycle=None):
            return ledger.post(
                admin,
                self.group,
                fund,
                kind,
                amount,
                cycle=cycle or self.cycle,
                member=member,
                shares=shares,
            )

        def share_out(self):
            """What closing.finalise leaves behind: the payouts posted, the sheet, closed."""
            cash = ledger.balances(self.group, self.cycle)[Fund.LOAN_FUND]
            social = ledger.balances(self.group, self.cycle)[Fund.SOCIAL_FUND]
            split = shareout.compute(cash, {}, self.shares, self.unit)
            final = CycleShareOut.create(
                cycle=self.cycle,
                held_on=SHARED_OUT,
                cash=cash,
                owed=0,
                value_per_share=split.value_per_share,
                carry_over=split.carry_over,
                social_fund=social,
                social_fund_carry_over=social,
                profit_method="proportional",
                leftover_rule="largest_remainder",
                social_fund_rule="kept",
                loans_at_share_out="deduct",
                finalised_by=admin,
            )
            for member in self.members:
                payout = split.payouts[member.id]
                self.post(Fund.LOAN_FUND, EntryKind.SHARE_OUT, -payout, member)
                saved = self.shares[member.id] * self.cycle.share_value
                ShareOutLine.create(
                    share_out=final,
                    member=member,
                    shares=self.shares[member.id],
                    saved=saved,
                    profit=payout - saved,
                    deducted=0,
                    payout=payout,
                )
            Cycle.update(closed_at=utcnow()).where(Cycle.id == self.cycle.id).execute()
            self.cycle = Cycle.get_by_id(self.cycle.id)
            return split

        def rules(self, **changes):
            proposed = next_cycle.proposed_rules(self.cycle, next_cycle.share_out_of(self.cycle))
            return cycles.CycleRules(**{**proposed.__dict__, **changes})

    return World


def written():
    return (
        Cycle.select().count(),
        Entry.select().count(),
        AuditEntry.select().count(),
        FineType.select().count(),
        Member.select().where(Member.left_on.is_null(False)).count(),
    )


def test_the_hand_built_share_out_matches_the_hand_computation(world):
    w = world()
    split = w.share_out()
    assert split.payouts == {w.awa.id: 10_225, w.binta.id: 20_450, w.chris.id: 15_325}
    assert split.carry_over == 10
    assert ledger.balances(w.group, w.cycle) == {
        Fund.LOAN_FUND: 10,
        Fund.SOCIAL_FUND: 6_000,
        Fund.POT: 0,
        Fund.BANK: 0,
    }


def test_the_next_cycle_carries_the_cash_over_and_buys_reinvested_shares(world, admin):
    w = world()
    w.share_out()
    choices = {
        w.awa.id: NextMember("5"),
        w.binta.id: NextMember(13),
        w.chris.id: NextMember("", leaves=True),
    }
    new = next_cycle.start_next_cycle(
        admin, w.group, w.cycle, w.rules(share_value=1_500), choices, "Moved to the city"
    )
    assert (new.number, new.follows_id, new.share_value) == (2, w.cycle.id, 1_500)
    # Dates moved on: the day after the share-out, as long as cycle 1 (357 days).
    assert (new.start_date, new.planned_end) == (date(2026, 11, 21), date(2027, 11, 13))
    assert [(f.name, f.amount) for f in FineType.select().where(FineType.cycle == new)] == [
        ("Late", 100)
    ]
    assert cycles.current_cycle(w.group).id == new.id
    # Each cycle's boxes add up: the old one is empty, the new one holds what was carried
    # over and the shares bought back (7,500 + 19,500).
    assert ledger.balances(w.group, w.cycle) == {
        Fund.LOAN_FUND: 0,
        Fund.SOCIAL_FUND: 0,
        Fund.POT: 0,
        Fund.BANK: 0,
    }
    assert ledger.balances(w.group, new) == {
        Fund.LOAN_FUND: 10 + 7_500 + 19_500,
        Fund.SOCIAL_FUND: 6_000,
        Fund.POT: 0,
        Fund.BANK: 0,
    }
    carried = Entry.select().where(Entry.kind == EntryKind.CARRY_OVER.value).order_by(Entry.id)
    assert [(e.cycle_id, e.fund, e.amount) for e in carried] == [
        (w.cycle.id, "loan_fund", -10),
        (new.id, "loan_fund", 10),
        (w.cycle.id, "social_fund", -6_000),
        (new.id, "social_fund", 6_000),
    ]
    totals = ledger.member_totals(w.group, new)
    assert (totals[w.awa.id].shares, totals[w.awa.id].savings) == (5, 7_500)
    assert (totals[w.binta.id].shares, totals[w.binta.id].savings) == (13, 19_500)
    assert w.chris.id not in totals
    chris = Member.get_by_id(w.chris.id)
    assert (chris.left_on, chris.left_reason) == (SHARED_OUT, "Moved to the city")
    audit = AuditEntry.select().where(AuditEntry.action == "cycle.next").get()
    details = json.loads(audit.details)
    assert details["carried"] == {"loan_fund": 10, "social_fund": 6_000}
    assert details["reinvested"] == {str(w.awa.id): 5, str(w.binta.id): 13}
    assert details["left"] == [w.chris.id]


def test_in_naira_reinvestment_is_exact_to_the_kobo(world, admin):
    # A share of 1,000 naira (100,000 kobo), payouts rounded to 5 naira (500 kobo): cash
    # 4,501,010 kobo; Awa 1,000,224.44 -> 1,000,000; Binta and Chris get the two units left
    # over (2,000,500 and 1,500,500); 10 kobo carried over.
    w = world(currency="NGN", unit=500, share_value=100_000)
    split = w.share_out()
    assert split.payouts == {w.awa.id: 1_000_000, w.binta.id: 2_000_500, w.chris.id: 1_500_500}
    rules = w.rules(share_value="1500")  # typed in naira: 150,000 kobo
    with pytest.raises(DomainError) as caught:
        next_cycle.start_next_cycle(admin, w.group, w.cycle, rules, {w.awa.id: NextMember(7)})
    assert caught.value.params["cost"] == 1_050_000 and caught.value.params["most"] == 6
    new = next_cycle.start_next_cycle(admin, w.group, w.cycle, rules, {w.awa.id: NextMember(6)})
    assert new.share_value == 150_000
    assert ledger.balances(w.group, new)[Fund.LOAN_FUND] == 10 + 900_000
    assert ledger.balances(w.group, new)[Fund.SOCIAL_FUND] == 3 * 2_000


def test_the_passbooks_show_the_share_out_and_the_reinvested_shares(world, admin):
    w = world()
    w.share_out()
    choices = {w.awa.id: NextMember(4)}
    new = next_cycle.start_next_cycle(admin, w.group, w.cycle, w.rules(), choices)
    old_book = passbook.passbook(w.group, w.awa, w.cycle)
    assert old_book.share_out.payout == 10_225 and old_book.totals.paid_out == 10_225
    assert old_book.totals.savings == 10_000  # a payout never counts against savings
    assert old_book.lines[-1].kind == "share_out"
    new_book = passbook.passbook(w.group, w.awa, new)
    assert [(line.kind, line.moved.shares, line.moved.savings) for line in new_book.lines] == [
        ("reinvested", 4, 4_000)
    ]


def test_members_not_in_the_share_out_join_with_no_payout(world, admin, make_member):
    w = world()
    w.share_out()
    newcomer = make_member(w.group, "Dado", joined_on=date(2026, 11, 21))
    rows = next_cycle.rows_of(w.group, next_cycle.share_out_of(w.cycle))
    assert [(r.member.full_name, r.payout, r.shares) for r in rows] == [
        ("Awa", 10_225, 10),
        ("Binta", 20_450, 20),
        ("Chris", 15_325, 15),
        ("Dado", 0, 0),
    ]
    before = written()
    with pytest.raises(DomainError) as caught:
        next_cycle.start_next_cycle(
            admin, w.group, w.cycle, w.rules(), {newcomer.id: NextMember("1")}
        )
    assert caught.value.field == f"reinvest-{newcomer.id}" and written() == before


# --- refusals: next to the field, nothing written -------------------------------------------------


@pytest.mark.parametrize(
    "choice, words",
    [
        (NextMember("21"), "at most 20"),  # more than the payout of 20,450 allows
        (NextMember("abc"), "not a whole number"),
        (NextMember("-2"), "Enter 0 or more."),
        (NextMember("1 2"), "not a whole number"),  # was read as 12
        (NextMember("2", leaves=True), "does not reinvest"),
    ],
)
def test_bad_reinvestments_are_refused_next_to_the_row(world, admin, choice, words):
    w = world()
    w.share_out()
    before = written()
    with pytest.raises(DomainError) as caught:
        next_cycle.start_next_cycle(
            admin, w.group, w.cycle, w.rules(max_shares=30), {w.binta.id: choice}, "Gone"
        )
    error = caught.value
    assert error.field == f"reinvest-{w.binta.id}"
    assert words in error.message % error.params
    assert written() == before


def test_reinvestment_above_the_payout_says_how_many_shares_fit(world, admin):
    w = world()
    w.share_out()
    with pytest.raises(DomainError) as caught:
        next_cycle.start_next_cycle(
            admin, w.group, w.cycle, w.rules(share_value=1_500), {w.binta.id: NextMember("14")}
        )
    assert caught.value.params["most"] == 13 and caught.value.params["cost"] == 21_000


def test_the_number_of_shares_stays_within_the_rules(world, admin):
    w = world()
    w.share_out()
    before = written()
    with pytest.raises(DomainError) as caught:
        next_cycle.start_next_cycle(
            admin, w.group, w.cycle, w.rules(min_shares=2, max_shares=5), {w.awa.id: NextMember(1)}
        )
    assert "At least 2 shares" in caught.value.message % caught.value.params
    assert caught.value.field == f"reinvest-{w.awa.id}"
    assert written() == before


def test_reinvestment_is_capped_by_the_payout_not_by_one_meetings_most_shares(world, admin):
    """Binta was paid 20,450: with at most 5 shares a meeting she may still buy back 20 shares
    of 1,000 (20,000) from her payout; 21 (21,000) is more than she was paid."""
    w = world()
    w.share_out()
    rules = w.rules(min_shares=1, max_shares=5)
    before = written()
    with pytest.raises(DomainError) as caught:
        next_cycle.start_next_cycle(admin, w.group, w.cycle, rules, {w.binta.id: NextMember("21")})
    assert caught.value.field == f"reinvest-{w.binta.id}"
    assert caught.value.params["most"] == 20 and caught.value.params["cost"] == 21_000
    assert written() == before
    new = next_cycle.start_next_cycle(
        admin, w.group, w.cycle, rules, {w.binta.id: NextMember("20"), w.awa.id: NextMember("10")}
    )
    assert new.max_shares == 5
    bought = {
        e.member_id: (e.shares, e.amount)
        for e in Entry.select().where(
            (Entry.cycle == new) & (Entry.kind == EntryKind.SHARE_PURCHASE.value)
        )
    }
    assert bought == {w.binta.id: (20, 20_000), w.awa.id: (10, 10_000)}


def test_bad_rules_or_a_missing_reason_are_refused(world, admin):
    w = world()
    w.share_out()
    before = written()
    with pytest.raises(DomainError) as caught:
        next_cycle.start_next_cycle(admin, w.group, w.cycle, w.rules(share_value="0"), {})
    assert caught.value.field == "share_value"
    with pytest.raises(DomainError) as caught:
        next_cycle.start_next_cycle(
            admin, w.group, w.cycle, w.rules(), {w.chris.id: NextMember(leaves=True)}, " "
        )
    assert caught.value.field == "leave_reason"
    with pytest.raises(DomainError) as caught:
        next_cycle.start_next_cycle(admin, w.group, w.cycle, w.rules(exit_rule="all"), {})
    assert caught.value.field == "exit_rule"
    assert written() == before


@pytest.mark.parametrize("start", [SHARED_OUT, date(2026, 3, 1), date(2020, 1, 1)])
def test_the_next_cycle_starts_after_the_share_out_day(world, admin, start):
    """Not on the share-out day nor before it, and that message first (not "24 months")."""
    w = world()
    w.share_out()
    before = written()
    with pytest.raises(DomainError) as caught:
        next_cycle.start_next_cycle(admin, w.group, w.cycle, w.rules(start_date=start), {})
    assert caught.value.field == "start_date"
    assert "must start after the share-out" in caught.value.message
    assert caught.value.params == {"day": SHARED_OUT}
    assert written() == before
    new = next_cycle.start_next_cycle(
        admin, w.group, w.cycle, w.rules(start_date=date(2026, 11, 21)), {w.awa.id: NextMember(2)}
    )
    assert new.start_date == date(2026, 11, 21)


def test_a_cycle_not_shared_out_or_already_followed_is_refused(world, admin):
    w = world()
    before = written()
    with pytest.raises(DomainError, match="not shared out yet"):
        rules = cycles.rules_of(Cycle.get_by_id(w.cycle.id))
        next_cycle.start_next_cycle(admin, w.group, w.cycle, rules, {})
    assert written() == before
    w.share_out()
    next_cycle.start_next_cycle(admin, w.group, w.cycle, w.rules(), {})
    before = written()
    with pytest.raises(DomainError, match="already started"):
        next_cycle.start_next_cycle(admin, w.group, w.cycle, w.rules(), {})
    assert written() == before


def test_a_shared_out_cycle_is_followed_only_by_the_next_cycle(world, admin):
    w = world()
    w.share_out()
    with pytest.raises(DomainError, match="start the next cycle from it"):
        cycles.start_cycle(admin, w.group, w.rules())


def test_a_following_cycle_takes_no_paper_book_opening(world, admin):
    w = world()
    w.share_out()
    new = next_cycle.start_next_cycle(admin, w.group, w.cycle, w.rules(), {})
    assert "follows" in opening.why_closed(new).message
    with pytest.raises(DomainError, match="follows"):
        opening.record_opening(
            admin, w.group, new, loan_fund_cash=0, social_fund_cash=0, members={}
        )


# --- with the real share-out ----------------------------------------------------------------------


def test_share_out_then_next_cycle_end_to_end(conn, admin, make_group, make_member, make_cycle):
    from savings_groups.shareout import operations as closing

    group = make_group(currency="XOF", rounding_unit=25)
    cycle = make_cycle(group, loan_rate=Decimal("0.10"), max_shares=20)
    awa, binta = make_member(group, "Awa"), make_member(group, "Binta")
    for member, count in ((awa, 10), (binta, 20)):
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
    lending.grant_loan(
        admin,
        group,
        cycle,
        LoanRequest(binta, 6_000, 2, "business"),
        date(2026, 2, 2),
        acknowledged=frozenset(LoanWarning),
    )
    final = closing.finalise(admin, group, cycle, SHARED_OUT)
    lines = {line.member_id: line.payout for line in final.lines}
    cycle = Cycle.get_by_id(cycle.id)
    rules = next_cycle.proposed_rules(cycle, final)
    new = next_cycle.start_next_cycle(
        admin, group, cycle, rules, {awa.id: NextMember(3), binta.id: NextMember(5)}
    )
    assert lines[awa.id] >= 3_000 and lines[binta.id] >= 5_000
    assert ledger.balances(group, cycle)[Fund.LOAN_FUND] == 0
    assert ledger.balances(group, cycle)[Fund.SOCIAL_FUND] == 0
    assert ledger.balances(group, new)[Fund.LOAN_FUND] == final.carry_over + 8 * 1_000
    assert ledger.balances(group, new)[Fund.SOCIAL_FUND] == final.social_fund_carry_over


# --- the pages ------------------------------------------------------------------------------------


@pytest.fixture
def fatou(web, world, make_user):
    w = world()
    w.share_out()
    make_user("fatou", role=Role.FACILITATOR, groups=[w.group])
    web.login("fatou")
    return w


def form_of(page: str) -> dict:
    """The form's fields as the page fills them (inputs and selected options)."""
    import re

    data = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        data[name] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option selected value="([^"]*)"', body) or re.search(
            r'<option value="([^"]*)"', body
        )
        data[name] = chosen.group(1)
    data.pop("one_loan_at_a_time", None)
    return {name: value for name, value in data.items() if not name.startswith("leaves-")}


def test_the_next_cycle_page_in_french_does_not_say_part_for_leaving(web, world, make_user):
    # « Part » is a share in the glossary: the column of members leaving must not read
    # « Part maintenant » beside « Parts à réinvestir ».
    w = world()
    w.share_out()
    make_user("aminata", role=Role.FACILITATOR, groups=[w.group], locale="fr")
    web.login("aminata")
    page = web.client.get(f"/groups/{w.group.id}/cycles/{w.cycle.id}/next")
    text = page.get_data(as_text=True)
    assert "Quitte le groupe" in text and "Part maintenant" not in text
    assert "Reçu de la caisse de crédit" in text


def test_the_cycles_page_offers_the_next_cycle_and_the_page_starts_it(web, fatou):
    w = fatou
    index = web.client.get(f"/groups/{w.group.id}/cycles").get_data(as_text=True)
    path = f"/groups/{w.group.id}/cycles/{w.cycle.id}/next"
    assert path in index and "Start the next cycle" in index
    page = web.client.get(path).get_data(as_text=True)
    assert "10,225" in page and "20,450" in page and 'value="2026-11-21"' in page
    assert "6,000" in page  # the social fund carried over
    # Reinvestment is limited to the loan-fund payout, not to what the member took home.
    assert "Paid from the loan fund" in page and "social fund share does not count" in page
    data = {
        **form_of(page),
        f"reinvest-{w.awa.id}": "5",
        f"reinvest-{w.binta.id}": "25",
        f"leaves-{w.chris.id}": "y",
    }
    before = written()
    response = web.post(path, data)
    assert response.status_code == 422
    assert "at most 20 shares" in response.get_data(as_text=True)  # the payout, 20,450
    assert written() == before
    response = web.post(path, {**data, f"reinvest-{w.binta.id}": "20"})
    assert response.status_code == 302
    new = cycles.current_cycle(w.group)
    assert new.follows_id == w.cycle.id
    assert ledger.balances(w.group, new)[Fund.LOAN_FUND] == 10 + 25_000
    assert Member.get_by_id(w.chris.id).left_on == SHARED_OUT
    index = web.client.get(f"/groups/{w.group.id}/cycles").get_data(as_text=True)
    assert "Start the next cycle" not in index and "Savings back only" in index
    again = web.client.get(path).get_data(as_text=True)
    assert "already started" in again


def test_a_start_before_the_share_out_is_shown_next_to_the_start_date(web, fatou):
    w = fatou
    path = f"/groups/{w.group.id}/cycles/{w.cycle.id}/next"
    data = {**form_of(web.client.get(path).get_data(as_text=True)), "start_date": "2020-01-01"}
    before = written()
    response = web.post(path, data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = re.search(r'id="start_date-error"[^>]*>(.*?)</', page, re.S).group(1)
    assert "The next cycle must start after the share-out of Nov 20, 2026." in error
    assert "24 months" not in page
    assert written() == before


def test_the_next_cycle_page_reads_a_fixed_number_of_queries(web, world):
    small, large = world(members=3), world(members=25)
    small.share_out()
    large.share_out()
    web.login("admin")

    def queries(w):
        path = f"/groups/{w.group.id}/cycles/{w.cycle.id}/next"
        web.client.get(path)
        with count_queries() as counter:
            assert web.client.get(path).status_code == 200
        return counter.count

    assert queries(small) == queries(large)
