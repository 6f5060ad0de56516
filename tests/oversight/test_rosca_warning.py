"""The ROSCA early warning: a member who took the pot and then misses contributions, on a
hand-built rotation; a member who pays, or who misses before being served, is not warned about."""

from datetime import date

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core import dates
from savings_groups.indicators import reports
from savings_groups.oversight.figures import figures_for, served_arrears
from savings_groups.oversight.group_list import Filters, group_page
from savings_groups.oversight.warnings import Thresholds, warnings_for
from savings_groups.rosca import rounds as rosca_rounds
from tests.rosca.test_rounds import everyone, run_round, set_up_rotation

ON = date(2026, 3, 20)  # rounds 1-3 due on 2, 9 and 16 March
LIMITS = Thresholds()
MESSAGE = "Contributions missed by %(member)s since taking the pot in round %(round)s: %(missed)s."


@pytest.fixture
def tontine(conn, admin, make_group, make_member):
    """Four members, a fixed order: round 1 to Awa, round 2 to Binta, both paid out with every
    part in; round 3 (Coumba's turn) recorded, not paid out: Awa (served) and Coumba (not yet
    served) missing, Binta (served) and Dado paid."""

    def build(name="Tontine"):
        group = make_group(name, kind="rosca")
        awa, binta, coumba, dado = (
            make_member(group, full_name) for full_name in ("Awa", "Binta", "Coumba", "Dado")
        )
        rotation = set_up_rotation(admin, group, [awa, binta, coumba, dado])
        run_round(admin, rotation, 1)
        run_round(admin, rotation, 2)
        rosca_rounds.record_contributions(
            admin,
            rotation,
            3,
            everyone(rotation, {awa.id: ("missing", None), coumba.id: ("missing", None)}),
        )
        return group, rotation, (awa, binta, coumba, dado)

    return build


def warnings_of(group, on=ON):
    found = warnings_for([group], figures_for([group.id], on), on, LIMITS)[group.id]
    return [w for w in found if w.code == "rosca_served_arrears"]


def test_a_served_member_who_misses_is_warned_about_not_one_who_pays_or_waits(tontine):
    group, _rotation, (awa, _binta, _coumba, _dado) = tontine()
    found = warnings_of(group)
    assert [(w.message, w.params) for w in found] == [
        (MESSAGE, {"member": "Awa", "round": 1, "missed": 1})
    ]
    lines = served_arrears([group.id], ON)[group.id]
    assert [(line.member_id, line.served_round, line.missed) for line in lines] == [(awa.id, 1, 1)]


def test_no_warning_before_the_round_is_due(tontine):
    group, *_ = tontine()
    assert warnings_of(group, date(2026, 3, 15)) == []  # round 3 is due on the 16th


def test_a_missing_contribution_paid_after_all_clears_the_warning(admin, tontine):
    group, rotation, (awa, _binta, coumba, _dado) = tontine()
    rosca_rounds.record_contributions(
        admin,
        rotation,
        3,
        everyone(rotation, {coumba.id: ("missing", None)}),
        reason="Awa brought her part",
    )
    assert warnings_of(group) == []


def test_a_covered_part_is_in_the_pot_and_the_next_missed_one_counts(admin, tontine):
    group, rotation, (awa, binta, coumba, dado) = tontine()
    rosca_rounds.save_round(
        admin,
        rotation,
        3,
        everyone(rotation, {awa.id: ("covered", dado.id), coumba.id: ("on_time", None)}),
        date(2026, 3, 16),
        reason="Dado paid for Awa",
        pay=True,
    )
    rosca_rounds.record_contributions(
        admin, rotation, 4, everyone(rotation, {awa.id: ("missing", None)})
    )
    # Round 3 covered by Dado: in the pot (Awa's debt to Dado shows on the rotation's page);
    # round 4, due on the 23rd, missing.
    assert warnings_of(group, date(2026, 3, 23))[0].params == {
        "member": "Awa",
        "round": 1,
        "missed": 1,
    }
    assert warnings_of(group, date(2026, 3, 22)) == []


def test_the_warning_takes_as_many_queries_for_more_groups(admin, tontine, make_group):
    first, *_ = tontine("Tontine 1")
    savings = make_group("Savings")

    def queries(groups):
        figures = figures_for([g.id for g in groups], ON)
        with count_queries() as counter:
            warnings_for(groups, figures, ON, LIMITS)
        return counter.count

    few = queries([first, savings])
    more = [first, savings] + [tontine(f"Tontine {n}")[0] for n in range(2, 6)]
    assert queries(more) == few == 2  # overdue cycles, served arrears (no loan: no savings)
    found = warnings_for(more, figures_for([g.id for g in more], ON), ON, LIMITS)
    assert sum(w.code == "rosca_served_arrears" for ws in found.values() for w in ws) == 5


def test_the_groups_list_and_the_home_page_show_it_in_french(web, admin, tontine, make_user):
    from savings_groups.store.models import SavingsGroup

    group, *_ = tontine()
    fatou = make_user("fatou", groups=[group], locale="fr")
    SavingsGroup.update(facilitator=fatou).where(SavingsGroup.id == group.id).execute()
    web.login("fatou")
    expected = "Cotisations manquées par Awa depuis sa remise au tour 1\u202f: 1."
    home = web.client.get("/").get_data(as_text=True)
    assert expected in home
    listed = web.client.get("/oversight/groups").get_data(as_text=True)
    assert expected in listed
    page = group_page(admin, Filters(sort="warnings", descending=True), ON, LIMITS)
    assert [w.code for w in page.rows[0].warnings] == ["rosca_served_arrears"]


def test_the_home_page_and_the_list_make_as_many_queries_for_more_roscas(web, admin, tontine):
    from tests.test_query_counts import counts

    web.login("admin")
    tontine("Tontine 1")
    paths = {"home": "/", "list": "/oversight/groups", "by warnings": "/?sort=-warnings"}
    few = counts(web.client, paths)
    for n in range(2, 6):
        tontine(f"Tontine {n}")
    assert counts(web.client, paths) == few
    assert "Contributions missed by Awa" in web.client.get("/?sort=-warnings").get_data(
        as_text=True
    )


def test_the_indicator_counts_the_members_the_warning_names(admin, tontine):
    """The dashboard's 'members in arrears after being served' agrees with the warning, also once
    the missing contribution is recorded as paid after all. (As of today: the group was recorded
    today, and the indicators count a group from the day it existed.)"""
    group, rotation, (_awa, _binta, coumba, _dado) = tontine()
    today = dates.today()
    assert reports.for_groups([group.id], today).counts["served_in_arrears"].values == {"all": 1}
    rosca_rounds.record_contributions(
        admin,
        rotation,
        3,
        everyone(rotation, {coumba.id: ("missing", None)}),
        reason="Awa brought her part",
    )
    assert reports.for_groups([group.id], today).counts["served_in_arrears"].values == {"all": 0}
