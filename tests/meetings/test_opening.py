"""Opening from paper books: boxes equal the cash counted, members' totals equal what was entered."""

import html
import json
import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from savings_groups.core.dates import utcnow
from savings_groups.core.errors import DomainError
from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.cycles import operations as cycles
from savings_groups.groups import members
from savings_groups.groups import operations as groups
from savings_groups.ledger import entries as ledger
from savings_groups.ledger.entries import MemberTotals
from savings_groups.meetings import opening
from savings_groups.meetings.opening import MemberOpening
from savings_groups.store.db import db
from savings_groups.store.models import AuditEntry, Cycle, Entry, Meeting, Member

NOTE = "Ouverture depuis les cahiers"
REST = "Ouverture : argent non attribué aux membres"


def record(actor, group, cycle, loan, social, rows):
    return opening.record_opening(
        actor,
        group,
        cycle,
        loan_fund_cash=loan,
        social_fund_cash=social,
        members=rows,
        note=NOTE,
        remainder_note=REST,
    )


def nothing_written():
    return (
        Entry.select().count() == 0
        and AuditEntry.select().where(AuditEntry.action == "cycle.opening").count() == 0
    )


def test_an_opening_in_xof_gives_the_counted_cash_and_each_members_totals(
    conn, admin, make_group, make_member, make_cycle
):
    group = make_group(currency="XOF")
    cycle = make_cycle(group, share_value=500)
    awa, binta, coumba = (make_member(group, name) for name in ("Awa", "Binta", "Coumba"))
    # 10 + 4 shares of 500 = 7,000 attributed; 6,000 in the box: 1,000 is out on loans.
    entries = record(
        admin,
        group,
        cycle,
        6000,
        2000,
        {
            binta.id: MemberOpening(4, 500),
            awa.id: MemberOpening(10, 1000),
            coumba.id: MemberOpening(),
        },
    )
    assert ledger.balances(group) == {
        Fund.LOAN_FUND: 6000,
        Fund.SOCIAL_FUND: 2000,
        Fund.POT: 0,
        Fund.BANK: 0,
    }
    assert ledger.balances(group, cycle) == ledger.balances(group)
    totals = ledger.member_totals(group, cycle)
    assert totals[awa.id] == MemberTotals(shares=10, savings=5000, social_fund=1000)
    assert totals[binta.id] == MemberTotals(shares=4, savings=2000, social_fund=500)
    assert coumba.id not in totals  # nothing entered, nothing posted
    # Members by number, then the boxes' remainders.
    assert [(e.member_id, e.fund, e.amount, e.shares, e.note) for e in entries] == [
        (awa.id, "loan_fund", 5000, 10, NOTE),
        (awa.id, "social_fund", 1000, 0, NOTE),
        (binta.id, "loan_fund", 2000, 4, NOTE),
        (binta.id, "social_fund", 500, 0, NOTE),
        (None, "loan_fund", -1000, 0, REST),
        (None, "social_fund", 500, 0, REST),
    ]
    assert {e.kind for e in Entry.select()} == {EntryKind.OPENING_BALANCE.value}
    assert {e.cycle_id for e in Entry.select()} == {cycle.id}
    audit = AuditEntry.get(AuditEntry.action == "cycle.opening")
    assert json.loads(audit.details) == {
        "loan_fund_cash": 6000,
        "social_fund_cash": 2000,
        "members": 2,
        "shares": 14,
        "not_attributed": {"loan_fund": -1000, "social_fund": 500},
        "loans": [],
        "loans_outstanding": 0,
    }


def test_an_opening_in_ngn_counts_kobo_exactly(conn, admin, make_group, make_member, make_cycle):
    group = make_group(currency="NGN")
    cycle = make_cycle(group, share_value=50000)  # 500.00 NGN
    ada, bola = make_member(group, "Ada"), make_member(group, "Bola")
    record(
        admin,
        group,
        cycle,
        512345,  # 5,123.45 NGN counted: 123.45 of profit beyond the 5,000.00 of shares
        30050,
        {ada.id: MemberOpening(3, 25050), bola.id: MemberOpening(7, 0)},
    )
    assert ledger.balances(group)[Fund.LOAN_FUND] == 512345
    assert ledger.balances(group)[Fund.SOCIAL_FUND] == 30050
    totals = ledger.member_totals(group)
    assert totals[ada.id] == MemberTotals(shares=3, savings=150000, social_fund=25050)
    assert totals[bola.id] == MemberTotals(shares=7, savings=350000, social_fund=0)
    rest = {e.fund: e.amount for e in Entry.select().where(Entry.member.is_null())}
    assert rest == {"loan_fund": 12345, "social_fund": 5000}


def test_only_the_cash_is_entered_when_the_group_has_no_member_yet(
    conn, admin, make_group, make_cycle
):
    group = make_group()
    cycle = make_cycle(group)
    record(admin, group, cycle, 0, 0, {})
    assert ledger.balances(group) == {
        Fund.LOAN_FUND: 0,
        Fund.SOCIAL_FUND: 0,
        Fund.POT: 0,
        Fund.BANK: 0,
    }
    assert Entry.select().count() == 2  # the two boxes, so the opening shows in the history
    with pytest.raises(DomainError, match="already been entered"):
        record(admin, group, cycle, 100, 0, {})


@pytest.mark.parametrize(
    "loan, social, row, field",
    [
        (1000, 0, MemberOpening(-1, 0), "shares-{id}"),
        (1000, 0, MemberOpening(1, -200), "social-{id}"),
        (1000, 0, MemberOpening(10**12, 0), "shares-{id}"),
        (-1, 0, MemberOpening(1, 0), "loan_fund_cash"),
        (1000, -5, MemberOpening(1, 0), "social_fund_cash"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(
    conn, admin, make_group, make_member, make_cycle, loan, social, row, field
):
    group = make_group()
    cycle = make_cycle(group)
    awa = make_member(group, "Awa")
    with pytest.raises(DomainError) as refused:
        record(admin, group, cycle, loan, social, {awa.id: row})
    assert refused.value.field == field.format(id=awa.id)
    assert nothing_written()


def test_a_member_of_another_group_or_who_has_left_is_refused(
    conn, admin, make_group, make_member, make_cycle
):
    group, other = make_group(), make_group()
    cycle = make_cycle(group)
    awa = make_member(group, "Awa")
    stranger = make_member(other, "Stranger")
    gone = make_member(group, "Gone", left_on=date(2026, 2, 1), left_reason="moved")
    for intruder in (stranger, gone):
        with pytest.raises(DomainError, match="not a current member"):
            record(
                admin,
                group,
                cycle,
                2000,
                0,
                {awa.id: MemberOpening(1), intruder.id: MemberOpening(1)},
            )
    with pytest.raises(DomainError, match="not a current member"):
        record(admin, group, cycle, 2000, 0, {awa.id: MemberOpening(1), 999999: MemberOpening(1)})
    assert nothing_written()


def test_a_second_opening_is_refused_and_changes_nothing(
    conn, admin, make_group, make_member, make_cycle
):
    group = make_group()
    cycle = make_cycle(group)
    awa = make_member(group, "Awa")
    record(admin, group, cycle, 5000, 1000, {awa.id: MemberOpening(5, 1000)})
    before = list(Entry.select().order_by(Entry.id).tuples())
    with pytest.raises(DomainError, match="already been entered"):
        record(admin, group, cycle, 9000, 1000, {awa.id: MemberOpening(9, 1000)})
    assert list(Entry.select().order_by(Entry.id).tuples()) == before
    assert ledger.balances(group)[Fund.LOAN_FUND] == 5000


def test_no_opening_once_a_meeting_of_the_cycle_is_closed_or_the_cycle_is_closed(
    conn, admin, make_group, make_member, make_cycle
):
    group = make_group()
    cycle = make_cycle(group)
    awa = make_member(group, "Awa")
    Meeting.create(group=group, cycle=cycle, held_on=date(2026, 2, 2), status="draft")
    assert opening.why_closed(cycle) is None  # a draft does not stop it
    Meeting.create(group=group, cycle=cycle, held_on=date(2026, 2, 9), status="closed")
    with pytest.raises(DomainError, match="meeting of this cycle is already closed"):
        record(admin, group, cycle, 1000, 0, {awa.id: MemberOpening(1)})
    later = make_group()
    closed = make_cycle(later)
    Cycle.update(closed_at=utcnow()).where(Cycle.id == closed.id).execute()
    assert cycles.current_cycle(later) is None
    with pytest.raises(DomainError, match="cycle is closed"):
        record(admin, later, Cycle.get_by_id(closed.id), 0, 0, {})
    assert nothing_written()


def test_a_rosca_has_no_opening_of_this_kind(conn, admin, make_group, make_cycle):
    group = make_group(kind="rosca")
    cycle = make_cycle(group)
    with pytest.raises(DomainError, match="savings groups"):
        record(admin, group, cycle, 0, 0, {})
    assert nothing_written()


# Properties


rows = st.lists(st.tuples(st.integers(0, 500), st.integers(0, 10**9)), min_size=0, max_size=12)
cash = st.integers(0, 10**12)


@given(
    share_value=st.integers(1, 10**6),
    rows=rows,
    loan=cash,
    social=cash,
    before=st.tuples(cash, cash),
)
def test_the_plan_leaves_each_box_with_the_cash_counted(share_value, rows, loan, social, before):
    members_rows = {i + 1: MemberOpening(s, f) for i, (s, f) in enumerate(rows)}
    held = {Fund.LOAN_FUND: before[0], Fund.SOCIAL_FUND: before[1]}
    lines = opening.plan(
        share_value, {Fund.LOAN_FUND: loan, Fund.SOCIAL_FUND: social}, members_rows, held
    )
    for fund, counted in ((Fund.LOAN_FUND, loan), (Fund.SOCIAL_FUND, social)):
        assert held[fund] + sum(line.amount for line in lines if line.fund == fund) == counted
        assert sum(1 for line in lines if line.fund == fund and line.member_id is None) == 1
    for member_id, row in members_rows.items():
        mine = [line for line in lines if line.member_id == member_id]
        assert sum(line.shares for line in mine) == row.shares
        assert (
            sum(line.amount for line in mine if line.fund == Fund.LOAN_FUND)
            == row.shares * share_value
        )
        assert sum(line.amount for line in mine if line.fund == Fund.SOCIAL_FUND) == row.social_fund


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    currency=st.sampled_from(["XOF", "NGN"]),
    share_value=st.integers(1, 10**5),
    rows=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 10**7)), max_size=6),
    loan=st.integers(0, 10**10),
    social=st.integers(0, 10**9),
)
def test_after_any_opening_the_ledger_holds_the_cash_and_the_members_totals(
    conn, admin, currency, share_value, rows, loan, social
):
    with db.atomic() as transaction:  # each example starts from the same empty books
        group = groups.create_group(admin, groups.GroupDetails("G", "savings", currency))
        cycle = Cycle.create(
            group=group,
            number=1,
            start_date=date(2026, 1, 5),
            planned_end=date(2026, 12, 28),
            share_value=share_value,
        )
        people = [
            members.add_member(
                admin,
                group,
                members.MemberDetails(n, f"M{n}", "returnee", joined_on=date(2026, 1, 5)),
            )
            for n in range(1, len(rows) + 1)
        ]
        entered = {m.id: MemberOpening(s, f) for m, (s, f) in zip(people, rows, strict=True)}
        record(admin, group, cycle, loan, social, entered)
        assert ledger.balances(group) == {
            Fund.LOAN_FUND: loan,
            Fund.SOCIAL_FUND: social,
            Fund.POT: 0,
            Fund.BANK: 0,
        }
        totals = ledger.member_totals(group, cycle)
        for member_id, row in entered.items():
            got = totals.get(member_id, MemberTotals())
            assert (got.shares, got.savings, got.social_fund) == (
                row.shares,
                row.shares * share_value,
                row.social_fund,
            )
        transaction.rollback()


# Pages


@pytest.fixture
def kankan(make_user, make_group):
    group = make_group("Femmes de Kankan", currency="XOF")
    make_user("fatou", role=Role.FACILITATOR, groups=[group])
    make_user("ramata", role=Role.FACILITATOR, groups=[group], locale="fr")
    return group


def test_the_page_asks_for_a_cycle_first(web, kankan):
    web.login("fatou")
    response = web.client.get(f"/groups/{kankan.id}/opening")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "no cycle in progress" in page and 'name="loan_fund_cash"' not in page
    assert "A loan still being repaid is entered with the principal still owed" in page


def test_a_facilitator_enters_the_opening_on_one_page(web, kankan, make_member, make_cycle):
    cycle = make_cycle(kankan, share_value=500)
    awa, binta = make_member(kankan, "Awa"), make_member(kankan, "Binta")
    web.login("fatou")
    path = f"/groups/{kankan.id}/opening"
    form = web.client.get(path).get_data(as_text=True)
    assert f'id="shares-{awa.id}"' in form and f'for="social-{binta.id}"' in form
    response = web.post(
        path,
        {
            "loan_fund_cash": "6,500",
            "social_fund_cash": "1,500",
            f"shares-{awa.id}": "10",
            f"social-{awa.id}": "1,000",
            f"shares-{binta.id}": "",
            f"social-{binta.id}": "500",
        },
    )
    assert response.status_code == 302
    with db.connection_context():
        assert ledger.balances(kankan) == {
            Fund.LOAN_FUND: 6500,
            Fund.SOCIAL_FUND: 1500,
            Fund.POT: 0,
            Fund.BANK: 0,
        }
        totals = ledger.member_totals(kankan, cycle)
        assert totals[awa.id] == MemberTotals(shares=10, savings=5000, social_fund=1000)
        assert totals[binta.id] == MemberTotals(shares=0, savings=0, social_fund=500)
        assert {e.note for e in Entry.select().where(Entry.member.is_null(False))} == {
            "Opening balance from the paper books"
        }
    page = web.client.get(path).get_data(as_text=True)
    assert "already been entered" in page and "Opening: cash not attributed to members" in page
    assert 'name="loan_fund_cash"' not in page
    again = web.post(
        path, {"loan_fund_cash": "9,000", "social_fund_cash": "0"}, form_path="/account"
    )
    assert again.status_code == 422 and "already been entered" in again.get_data(as_text=True)
    with db.connection_context():
        assert ledger.balances(kankan)[Fund.LOAN_FUND] == 6500


def test_amounts_are_read_in_the_users_language(web, kankan, make_member, make_cycle):
    make_cycle(kankan, share_value=250)
    awa = make_member(kankan, "Awa")
    web.login("ramata")  # French: a space groups thousands
    response = web.post(
        f"/groups/{kankan.id}/opening",
        {
            "loan_fund_cash": "12 500",
            "social_fund_cash": "0",
            f"shares-{awa.id}": "50",
            f"social-{awa.id}": "2 000",
        },
    )
    assert response.status_code == 302
    with db.connection_context():
        assert ledger.balances(kankan)[Fund.LOAN_FUND] == 12500
        assert ledger.member_totals(kankan)[awa.id].social_fund == 2000


def test_mistakes_in_the_grid_come_back_next_to_their_cell_and_nothing_is_written(
    web, kankan, make_member, make_cycle
):
    make_cycle(kankan)
    awa, binta = make_member(kankan, "Awa"), make_member(kankan, "Binta")
    web.login("fatou")
    response = web.post(
        f"/groups/{kankan.id}/opening",
        {
            "loan_fund_cash": "lots",
            "social_fund_cash": "",
            f"shares-{awa.id}": "abc",
            f"social-{awa.id}": "100",
            f"shares-{binta.id}": "2",
            f"social-{binta.id}": "-5",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="shares-{awa.id}-error"' in page and f'id="social-{binta.id}-error"' in page
    assert f'id="shares-{binta.id}-error"' not in page
    assert 'id="loan_fund_cash-error"' in page and 'id="social_fund_cash-error"' in page
    assert 'value="abc"' in page  # what was typed is kept
    with db.connection_context():
        assert nothing_written()
        assert Member.select().count() == 2


def cell_error(response, name):
    """The message under a cell of the grid, or None."""
    found = re.search(rf'id="{name}-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    return html.unescape(found.group(1)) if found else None


@pytest.mark.parametrize(
    "user, typed, message",
    [
        ("fatou", "1 2", "1 2 is not a whole number: write it in figures only."),  # was 12
        ("fatou", "-3", "Enter 0 or more."),
        ("fatou", "2.5", "2.5 is not a whole number: write it in figures only."),
        (
            "ramata",
            "1 2",
            "1 2 n’est pas un nombre entier\u00a0: écrivez-le uniquement en chiffres.",
        ),
        ("ramata", "-3", "Saisissez 0 ou plus."),
    ],
)
def test_share_counts_and_periods_are_whole_numbers_as_the_user_writes_them(
    web, kankan, make_member, make_cycle, user, typed, message
):
    make_cycle(kankan)
    awa = make_member(kankan, "Awa")
    web.login(user)
    response = web.post(
        f"/groups/{kankan.id}/opening",
        {
            "loan_fund_cash": "0",
            "social_fund_cash": "0",
            f"shares-{awa.id}": typed,
            f"periods-{awa.id}": typed,
        },
    )
    assert response.status_code == 422
    assert cell_error(response, f"shares-{awa.id}") == message
    assert cell_error(response, f"periods-{awa.id}") == message
    with db.connection_context():
        assert nothing_written()


@pytest.mark.parametrize(("user", "typed"), [("fatou", "1,200"), ("ramata", "1 200")])
def test_a_share_count_may_be_grouped_as_the_user_groups_thousands(
    web, kankan, make_member, make_cycle, user, typed
):
    make_cycle(kankan, share_value=100)
    awa = make_member(kankan, "Awa")
    web.login(user)
    response = web.post(
        f"/groups/{kankan.id}/opening",
        {"loan_fund_cash": "120000", "social_fund_cash": "0", f"shares-{awa.id}": typed},
    )
    assert response.status_code == 302
    with db.connection_context():
        assert ledger.member_totals(kankan)[awa.id].shares == 1200
