"""The groups list's key figures and warnings on hand-built groups with known answers."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core.vocabulary import EntryKind, Fund, Role
from savings_groups.ledger import entries as ledger
from savings_groups.oversight import group_list
from savings_groups.oversight.figures import figures_for
from savings_groups.oversight.group_list import BadFilter, Filters, group_page
from savings_groups.oversight.warnings import Thresholds, warnings_for
from savings_groups.store.models import (
    CashCount,
    Loan,
    LoanInstallment,
    SavingsGroup,
    StoredFigures,
)
from tests.conftest import A, P

ON = date(2026, 6, 1)
LIMITS = Thresholds()
DAYS = [date(2026, 3, 30) + timedelta(weeks=i) for i in range(8)]  # last: 2026-05-18


def lend(world, admin, member, principal, on, dues, repaid=0):
    loan = Loan.create(
        group=world.group,
        cycle=world.cycle,
        member=member,
        principal=principal,
        rate="0",
        method="flat",
        periods=len(dues),
        frequency="weekly",
        purpose="business",
        granted_on=on,
        granted_by=admin,
    )
    for number, due in enumerate(dues, 1):
        LoanInstallment.create(
            loan=loan, number=number, due_on=due, principal=principal // len(dues), interest=0
        )
    ledger.post(
        admin,
        world.group,
        Fund.LOAN_FUND,
        EntryKind.LOAN_DISBURSEMENT,
        -principal,
        cycle=world.cycle,
        member=member,
        effective_on=on,
    )
    from savings_groups.store.models import Entry

    Entry.update(loan=loan).where(Entry.loan.is_null(), Entry.kind == "loan_disbursement").execute()
    if repaid:
        entry = ledger.post(
            admin,
            world.group,
            Fund.LOAN_FUND,
            EntryKind.LOAN_PRINCIPAL,
            repaid,
            cycle=world.cycle,
            member=member,
            effective_on=dues[0],
        )
        Entry.update(loan=loan).where(Entry.id == entry.id).execute()
    return loan


@pytest.fixture
def busy(world, admin):
    """A weekly group: 8 closed meetings, attendance falling, a cash difference, two loans."""
    w = world()
    one, two, three = w.members
    meetings = []
    for i, day in enumerate(DAYS):
        meetings.append(w.meeting(day, attendance=(P, P, P) if i < 4 else (P, A, A)))
    w.post(Fund.LOAN_FUND, EntryKind.SHARE_PURCHASE, 5_000, one, meetings[0], 5)
    w.post(Fund.LOAN_FUND, EntryKind.SHARE_PURCHASE, 2_000, two, meetings[0], 2)
    CashCount.create(meeting=meetings[-1], fund="loan_fund", counted=9_500, computed=10_000)
    CashCount.create(meeting=meetings[-2], fund="loan_fund", counted=1, computed=2)  # not last
    # 6,000 in three installments; the first repaid: the second, due 20 April, is late.
    lend(
        w,
        admin,
        three,
        6_000,
        DAYS[1],
        [date(2026, 4, 13), date(2026, 4, 20), date(2026, 4, 27)],
        2_000,
    )
    # 10,000 due at the end of June: nothing late, twice the member's savings (not above 2).
    lend(w, admin, one, 10_000, DAYS[6], [date(2026, 6, 29)])
    return w


def test_key_figures_of_a_busy_group(busy):
    figures = figures_for([busy.group.id], ON)[busy.group.id]
    assert figures.savings == 7_000
    assert figures.loans_outstanding == 14_000  # 4,000 + 10,000
    assert figures.at_risk == 4_000
    assert figures.par30 == Decimal("0.2857")
    assert (figures.attended, figures.marked) == (4, 12)
    assert figures.attendance == Decimal("0.3333")
    assert figures.attendance_before == Decimal("1.0000")
    assert figures.last_meeting == date(2026, 5, 18)
    assert figures.cash_difference == -500


def test_warnings_of_a_busy_group(busy):
    group = SavingsGroup.get_by_id(busy.group.id)
    figures = figures_for([group.id], ON)
    found = warnings_for([group], figures, ON, LIMITS)[group.id]
    by_code = {w.code: w.params for w in found}
    assert set(by_code) == {
        "no_meeting",
        "cash_difference",
        "par30",
        "attendance",
        "arrears",
        "debt_ratio",
    }
    assert by_code["no_meeting"]["days"] == 14
    assert by_code["cash_difference"]["amount"] == -500
    assert by_code["par30"]["value"] == Decimal("28.6")
    assert (by_code["attendance"]["before"], by_code["attendance"]["now"]) == (100, Decimal("33.3"))
    # 20 April unpaid: 27 April, 4, 11 and 18 May held since
    assert by_code["arrears"]["meetings"] == 4
    assert by_code["arrears"]["member"] == "Member 3"
    assert (by_code["debt_ratio"]["debt"], by_code["debt_ratio"]["savings"]) == (4_000, 0)
    # a more lenient setting: no PAR, attendance nor arrears warning
    lenient = Thresholds(par30=Decimal("0.5"), attendance_drop=Decimal("0.7"), arrears_meetings=4)
    codes = {w.code for w in warnings_for([group], figures, ON, lenient)[group.id]}
    assert codes == {"no_meeting", "cash_difference", "debt_ratio"}
    # the day after the last meeting, no meeting is overdue
    assert "no_meeting" not in {
        w.code for w in warnings_for([group], figures, date(2026, 5, 21), LIMITS)[group.id]
    }


def test_a_group_without_meetings_has_no_data_and_no_warning(conn, make_group):
    group = make_group("Empty")
    figures = figures_for([group.id], ON)[group.id]
    assert (figures.savings, figures.loans_outstanding, figures.par30) == (None, None, None)
    assert (figures.attendance, figures.last_meeting, figures.cash_difference) == (None, None, None)
    assert warnings_for([group], {group.id: figures}, ON, LIMITS)[group.id] == []


def test_a_cycle_past_its_end_without_share_out(conn, make_group, make_cycle):
    group = make_group("Late")
    make_cycle(group, start_date=date(2025, 6, 2), planned_end=date(2026, 5, 25))
    found = warnings_for([group], figures_for([group.id], ON), ON, LIMITS)[group.id]
    assert [(w.code, w.params["day"]) for w in found] == [("cycle_overdue", date(2026, 5, 25))]


@pytest.fixture
def many(conn, admin, make_group):
    def make(count, **place):
        return [
            make_group(f"Grp {i:02d}", village=f"Village {i % 3}", **place) for i in range(count)
        ]

    return make


def test_paging_search_filter_sort(many, admin, make_group):
    many(30, country="SN", district="Thiès")
    make_group("Kayes one", village="Kayes", country="ML", kind="rosca")
    practice = make_group("Practice", country="SN")
    SavingsGroup.update(is_practice=True).where(SavingsGroup.id == practice.id).execute()
    page = group_page(admin, Filters(), ON, LIMITS)
    assert (page.total, page.practice, page.pages, len(page.rows)) == (31, 1, 2, 25)
    assert page.rows[0].group.name == "Grp 00"
    last = group_page(admin, Filters(page=2), ON, LIMITS)
    assert [r.group.name for r in last.rows][-3:] == ["Grp 29", "Kayes one", "Practice"]
    beyond = group_page(admin, Filters(page=9), ON, LIMITS)
    assert (beyond.number, beyond.moved) == (2, True)
    found = group_page(admin, Filters(q="kayes"), ON, LIMITS)
    assert [r.group.name for r in found.rows] == ["Kayes one"]
    assert group_page(admin, Filters(q="village 1"), ON, LIMITS).total == 10
    assert group_page(admin, Filters(country="ML"), ON, LIMITS).total == 1
    assert group_page(admin, Filters(district="thiès"), ON, LIMITS).total == 30
    assert group_page(admin, Filters(kind="rosca"), ON, LIMITS).total == 1
    assert group_page(admin, Filters(cycle="none"), ON, LIMITS).total == 31
    assert group_page(admin, Filters(cycle="open"), ON, LIMITS).total == 0
    down = group_page(admin, Filters(descending=True), ON, LIMITS)
    assert down.rows[0].group.name == "Practice"


def test_sort_by_a_figure(busy, make_group, admin):
    make_group("Aaa empty")
    page = group_page(admin, Filters(sort="savings", descending=True), ON, LIMITS)
    assert [r.group.name for r in page.rows] == [busy.group.name, "Aaa empty"]
    page = group_page(admin, Filters(sort="warnings", descending=True), ON, LIMITS)
    assert page.rows[0].group.id == busy.group.id
    page = group_page(admin, Filters(sort="par30"), ON, LIMITS)
    assert page.rows[-1].group.name == "Aaa empty"  # no data last


@pytest.mark.parametrize(
    "args, field",
    [
        ({"country": "XX"}, "country"),
        ({"kind": "bank"}, "kind"),
        ({"cycle": "half"}, "cycle"),
        ({"archived": "maybe"}, "archived"),
        ({"sort": "colour"}, "sort"),
        ({"facilitator": "me"}, "facilitator"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
    ],
)
def test_bad_filters_are_named(args, field):
    with pytest.raises(BadFilter) as error:
        Filters.parse(args)
    assert error.value.field == field


def test_a_facilitator_sees_only_their_groups(many, make_user):
    mine = many(3)
    many(2)
    fatou = make_user("fatou", Role.FACILITATOR, groups=mine[:2])
    page = group_page(fatou, Filters(), ON, LIMITS)
    assert [r.group.id for r in page.rows] == [g.id for g in mine[:2]]


def test_queries_do_not_grow_with_groups(world, admin):
    def build(count):
        for _ in range(count):
            w = world()
            meeting = w.meeting(DAYS[0], attendance=(P, A, P))
            w.post(Fund.LOAN_FUND, EntryKind.SHARE_PURCHASE, 1_000, w.members[0], meeting, 1)

    def queries(sort):
        """(figures computed, figures stored): the queries of the page in both cases."""
        StoredFigures.delete().execute()
        counts = []
        for _ in range(2):
            with count_queries() as counter:
                group_page(admin, Filters(sort=sort), ON, LIMITS)
            counts.append(counter.count)
        return tuple(counts)

    build(3)
    few = [queries(s) for s in group_list.SORTS]
    build(27)
    assert [queries(s) for s in group_list.SORTS] == few
    assert max(computed for computed, _ in few) <= 11
    assert max(stored for _, stored in few) <= 6


def test_web_list_and_bad_filter(web, busy, admin, make_group):
    web.login("admin")
    page = web.client.get("/?q=Group").get_data(as_text=True)
    assert busy.group.name in page and "no data" not in page.split("groups-table")[0]
    bad = web.client.get("/oversight/groups?country=XX")
    assert bad.status_code == 400
    assert "Unknown country: “XX”." in bad.get_data(as_text=True)
    assert web.client.get("/?page=99").status_code == 200
    make_group("Nothing yet")
    text = web.client.get("/oversight/groups?q=Nothing").get_data(as_text=True)
    assert text.count("no data") == 5


def test_trends_by_month(busy):
    from savings_groups.oversight.trends import trends_for

    found = trends_for([busy.group.id], ON, count=4)
    assert found.months == [date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31), ON]
    assert found.savings == {"XOF": [7_000, 7_000, 7_000, 7_000]}
    assert found.loans == {"XOF": [0, 4_000, 14_000, 14_000]}
    assert found.at_risk == {"XOF": [0, 0, 4_000, 4_000]}
    assert found.par30("XOF") == [None, Decimal(0), Decimal("0.2857"), Decimal("0.2857")]
    assert (found.attended, found.marked) == ([3, 10, 3, 0], [3, 12, 9, 0])
    assert found.attendance[-1] is None


def test_trends_page(web, busy):
    web.login("admin")
    page = web.client.get("/oversight/trends")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'id="loans-XOF"' in text and 'id="attendance"' in text
    assert web.client.get("/oversight/trends?kind=bank").status_code == 400
