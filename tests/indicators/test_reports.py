"""Every indicator on the hand-built organization (tests/indicators/conftest.py), worked out by
hand: exact amounts, the returnee/community split, and the annualised return on assets."""

from decimal import Decimal as D

from playhouse.test_utils import count_queries

from savings_groups.indicators import reports
from savings_groups.store.models import SavingsGroup
from tests.indicators.conftest import AS_OF


def _all(as_of=AS_OF, **filters):
    return reports.indicators(reports.group_query(reports.Filters(**filters), as_of), as_of)


def test_outreach_and_membership(org):
    r = _all()
    c = r.counts
    assert c["groups"].get() == 2  # the practice group is never counted
    assert (c["groups_active"].get(), c["groups_graduated"].get(), c["groups_dissolved"].get()) == (
        2,
        0,
        0,
    )
    assert c["members"].values == {"all": 4, "returnee": 2, "community": 2}
    a = _all(country="SN")
    c = a.counts
    assert c["members"].values == {"all": 3, "returnee": 2, "community": 1}
    assert c["women"].values == {
        "all": D("0.6667"),
        "returnee": D("0.5000"),
        "community": D("1.0000"),
    }
    assert c["returnees"].get() == D("0.6667")
    assert c["members_per_facilitator"].get() == D("3.0000")
    assert c["attendance_cycle"].values == {
        "all": D("0.6667"),
        "returnee": D("0.7000"),
        "community": D("0.6000"),
    }
    assert c["attendance_represented_cycle"].values == {
        "all": D("0.8000"),
        "returnee": D("0.8000"),
        "community": D("0.8000"),
    }
    assert c["attendance_last4"].values == {
        "all": D("0.5833"),
        "returnee": D("0.6250"),
        "community": D("0.5000"),
    }
    assert c["attendance_represented_last4"].values == {
        "all": D("0.7500"),
        "returnee": D("0.7500"),
        "community": D("0.7500"),
    }
    assert c["dropout"].values == {
        "all": D("0.2500"),
        "returnee": D("0.0000"),
        "community": D("0.5000"),
    }


def test_savings_loans_returns_in_minor_units(org):
    r = _all(country="SN")
    m = r.money["XOF"]
    assert list(r.money) == ["XOF"]
    assert m["savings"].values == {"all": 9000, "returnee": 5000, "community": 4000}
    assert m["savings_per_member"].values == {"all": 3000, "returnee": 2500, "community": 4000}
    assert m["social_fund"].get() == 250
    assert m["cash"].get() == 3900
    assert r.counts["loans_outstanding_count"].values == {"all": 2, "returnee": 1, "community": 1}
    assert m["loans_outstanding_value"].values == {"all": 5500, "returnee": 4000, "community": 1500}
    assert r.counts["members_with_loan"].values == {
        "all": D("0.6667"),
        "returnee": D("0.5000"),
        "community": D("1.0000"),
    }
    assert m["average_loan"].values == {"all": 2333, "returnee": 2500, "community": 2000}
    assert m["utilisation"].get() == D("0.5851")  # 5500 / (5500 + 3900)
    assert m["par30"].get() == D("0.7273")  # 4000 due on 26 January, unpaid, / 5500
    assert m["write_off"].get() == D("0.0571")  # 400 / 7000 lent
    assert m["net_profit"].get() == 400  # 600 interest + 300 fine - 100 expense - 400 written off
    assert m["return_on_savings"].get() == D("0.0444")  # 400 / 9000
    # 400 / (3900 + 5500) x 52 / 8 weeks = 2600 / 9400
    assert m["return_on_assets"].get() == D("0.2766")
    assert r.purposes["XOF"]["business"] == [1, 4000]
    assert r.purposes["XOF"]["education"] == [1, 1500]
    assert r.purposes["XOF"]["health"] == [0, 0]


def test_currencies_are_never_added(org):
    r = _all()
    assert sorted(r.money) == ["NGN", "XOF"]
    assert r.money["XOF"]["savings"].get() == 9000
    assert r.money["NGN"]["savings"].get() == 0


def test_a_group_with_no_meetings_shows_no_data(org):
    r = _all(country="NG")
    assert r.no_data
    assert r.counts["attendance_cycle"].get() is None
    assert r.counts["attendance_last4"].get() is None
    m = r.money["NGN"]
    assert m["utilisation"].get() is None
    assert m["par30"].get() is None
    assert m["return_on_savings"].get() is None


def test_as_of_an_earlier_day(org):
    r = _all(as_of=reports.date(2026, 1, 12), country="SN")
    assert r.money["XOF"]["savings"].get() == 9000  # both purchases of the 12th are counted
    assert r.money["XOF"]["loans_outstanding_value"].get() == 5000  # l1 and l3 granted that day
    assert r.counts["dropout"].get() == D("0.0000")


def test_filters(org):
    assert _all(facilitator=org["fatou"].id).counts["groups"].get() == 1
    assert _all(kind="rosca").counts["groups"].get() == 0
    assert _all(district="Thiès").counts["members"].get() == 4 - 1


def test_a_constant_number_of_queries(org, make_group, make_cycle, make_member):
    with count_queries() as few:
        _all(country="SN")
    for _ in range(5):
        g = make_group(country="SN")
        make_cycle(g)
        make_member(g)
    with count_queries() as many:
        _all(country="SN")
    # the groups, their books' versions, the stored figures, 10 to compute, 2 to store them
    assert few.count == many.count <= 15
    with count_queries() as stored:
        again = _all(country="SN")
    assert stored.count == 3  # nothing changed: the groups, the versions, the stored figures
    assert again == _all(country="SN")


def test_for_groups_as_the_api_calls_it(org):
    r = reports.for_groups([org["a"].id, org["practice"].id], AS_OF)
    assert r.counts["groups"].get() == 1
    assert r.money["XOF"]["savings"].get() == 9000
    assert SavingsGroup.get_by_id(org["practice"].id).is_practice
