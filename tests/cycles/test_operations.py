"""Cycles and their rules: starting, numbering, checked input, fines, decisions once fixed; settings."""

import html
import json
import re
from datetime import date
from decimal import Decimal

import pytest
from playhouse.test_utils import count_queries

from savings_groups.core.dates import utcnow
from savings_groups.core.errors import DomainError
from savings_groups.core.money import format_amount
from savings_groups.core.vocabulary import Role
from savings_groups.cycles import operations as cycles
from savings_groups.cycles.operations import CycleRules, FineInput, RuleDecisionInput
from savings_groups.groups import operations as groups
from savings_groups.groups.operations import GroupDetails
from savings_groups.store.db import db
from savings_groups.store.models import (
    AuditEntry,
    Cycle,
    FineType,
    Meeting,
    RuleDecision,
    SavingsGroup,
)

START, END = date(2026, 1, 5), date(2026, 12, 28)


def rules(**changes) -> CycleRules:
    values = {
        "start_date": START,
        "planned_end": END,
        "share_value": "500",
        "social_fund_contribution": "100",
        "fines": (("Late", "50"), ("Absent", "100")),
    }
    return CycleRules(**{**values, **changes})


def written() -> tuple[int, int, int, int]:
    return (
        Cycle.select().count(),
        FineType.select().count(),
        RuleDecision.select().count(),
        AuditEntry.select().where(AuditEntry.action.startswith("cycle.")).count(),
    )


def fix_rules(cycle) -> None:
    """What the meetings code does when it closes the first meeting of the cycle."""
    Cycle.update(rules_fixed_at=utcnow()).where(Cycle.id == cycle.id).execute()
    cycle.rules_fixed_at = Cycle.get_by_id(cycle.id).rules_fixed_at


# --- the domain -------------------------------------------------------------------------------


def test_a_cycle_starts_with_its_rules_in_exact_minor_units_ngn(conn, admin, make_group):
    group = make_group(currency="NGN")
    cycle = cycles.start_cycle(
        admin,
        group,
        rules(
            share_value="500",
            social_fund_contribution="50.50",
            loan_rate_percent="10",
            guarantor_threshold="20,000",
            fines=(("Late", "25"), ("Forgot the passbook", "12.5")),
        ),
    )
    cycle = Cycle.get_by_id(cycle.id)
    assert (cycle.number, cycle.share_value, cycle.social_fund_contribution) == (1, 50000, 5050)
    assert cycle.guarantor_threshold == 2_000_000
    assert cycle.loan_rate == Decimal("0.10") and str(cycle.loan_rate) == "0.1"
    assert (cycle.min_shares, cycle.max_shares, cycle.loan_method) == (1, 5, "flat")
    fines = [(f.name, f.amount) for f in FineType.select().order_by(FineType.id)]
    assert fines == [("Late", 2500), ("Forgot the passbook", 1250)]
    entry = AuditEntry.get(AuditEntry.action == "cycle.start")
    details = json.loads(entry.details)
    assert details["share_value"] == 50000 and details["loan_rate"] == "0.1"
    assert details["fines"] == [["Late", 2500], ["Forgot the passbook", 1250]]


def test_a_cycle_in_xof_keeps_whole_francs_and_a_french_rate(conn, admin, make_group):
    group = make_group(currency="XOF")
    cycle = cycles.start_cycle(
        admin,
        group,
        rules(
            share_value="1 000",
            social_fund_contribution="250",
            loan_rate_percent="2,5",
            loan_max_multiple="1,5",
        ),
        locale="fr",
    )
    cycle = Cycle.get_by_id(cycle.id)
    assert (cycle.share_value, cycle.social_fund_contribution) == (1000, 250)
    assert cycle.loan_rate == Decimal("0.025")
    assert cycle.loan_max_multiple == Decimal("1.5")


def test_cycles_are_numbered_and_only_one_is_open_at_a_time(conn, admin, make_group):
    group = make_group()
    first = cycles.start_cycle(admin, group, rules())
    before = written()
    with pytest.raises(DomainError, match="still open"):
        cycles.start_cycle(
            admin, group, rules(start_date=date(2027, 1, 4), planned_end=date(2027, 12, 1))
        )
    assert written() == before
    assert cycles.current_cycle(group).id == first.id
    Cycle.update(closed_at=utcnow()).where(Cycle.id == first.id).execute()
    assert cycles.current_cycle(group) is None
    second = cycles.start_cycle(
        admin, group, rules(start_date=date(2027, 1, 4), planned_end=date(2027, 12, 1))
    )
    assert second.number == 2
    assert cycles.current_cycle(group).id == second.id
    other = cycles.start_cycle(admin, make_group(), rules())
    assert other.number == 1


BAD_RULES = [
    ({"share_value": "-500"}, "share_value"),
    ({"share_value": "0"}, "share_value"),
    ({"share_value": "5.5"}, "share_value"),  # XOF has no decimals
    ({"share_value": "abc"}, "share_value"),
    ({"share_value": ""}, "share_value"),
    ({"social_fund_contribution": "-1"}, "social_fund_contribution"),
    ({"min_shares": "6", "max_shares": "5"}, "min_shares"),
    ({"min_shares": "-1"}, "min_shares"),
    ({"max_shares": "51"}, "max_shares"),
    ({"max_shares": "0", "min_shares": "0"}, "max_shares"),
    ({"max_shares": "two"}, "max_shares"),
    ({"loan_rate_percent": "150"}, "loan_rate_percent"),
    ({"loan_rate_percent": "-1"}, "loan_rate_percent"),
    ({"loan_rate_percent": "1e3"}, "loan_rate_percent"),
    ({"loan_rate_percent": "NaN"}, "loan_rate_percent"),
    ({"loan_rate_percent": "0.00001"}, "loan_rate_percent"),
    ({"loan_method": "magic"}, "loan_method"),
    ({"loan_max_multiple": "0"}, "loan_max_multiple"),
    ({"loan_max_periods": "0"}, "loan_max_periods"),
    ({"loan_max_periods": "53"}, "loan_max_periods"),
    ({"guarantor_threshold": "0"}, "guarantor_threshold"),
    ({"debt_warning_ratio": "-2"}, "debt_warning_ratio"),
    ({"start_date": None}, "start_date"),
    ({"start_date": "5/1/2026"}, "start_date"),
    ({"planned_end": START}, "planned_end"),
    ({"planned_end": date(2028, 1, 6)}, "planned_end"),  # more than 24 months
    ({"fines": (("Late", ""),)}, "fines-0-amount"),
    ({"fines": (("Late", "0"),)}, "fines-0-amount"),
    ({"fines": (("", ""), ("", "50"))}, "fines-1-name"),
    ({"fines": (("Late", "50"), ("late ", "60"))}, "fines-1-name"),
    ({"profit_method": "lottery"}, "profit_method"),
    ({"leftover_rule": ""}, "leftover_rule"),
    ({"social_fund_rule": None}, "social_fund_rule"),
    ({"loans_at_share_out": "forgive"}, "loans_at_share_out"),
    ({"exit_rule": "everything"}, "exit_rule"),
]


def test_bad_rules_are_refused_and_nothing_is_written(conn, admin, make_group):
    group = make_group(currency="XOF")
    for changes, field in BAD_RULES:  # one database for all: a test per case would be slow
        with pytest.raises(DomainError) as refused:
            cycles.start_cycle(admin, group, rules(**changes))
        assert refused.value.field == field, changes
    assert written() == (0, 0, 0, 0)
    cycle = cycles.start_cycle(admin, group, rules())
    before = written()
    for changes, field in BAD_RULES:
        with pytest.raises(DomainError) as refused:
            cycles.update_rules(admin, cycle, rules(**changes))
        assert refused.value.field == field, changes
    assert written() == before
    assert cycles.rules_of(Cycle.get_by_id(cycle.id)) == cycles.rules_of(cycle)


NOT_WHOLE = "1 2 is not a whole number: write it in figures only."


@pytest.mark.parametrize(
    ("locale", "changes", "field", "message"),
    [
        ("en", {"min_shares": "1 2"}, "min_shares", NOT_WHOLE),  # was read as 12
        ("fr", {"max_shares": "1 2"}, "max_shares", NOT_WHOLE),  # was read as 12
        ("en", {"min_shares": "-3"}, "min_shares", "Enter 0 or more."),
        ("en", {"max_shares": "-3"}, "max_shares", "Enter 1 or more."),
        ("en", {"max_shares": "51"}, "max_shares", "Enter 50 or less."),
        ("fr", {"loan_max_periods": "53"}, "loan_max_periods", "Enter 52 or less."),
        ("en", {"loan_max_periods": ""}, "loan_max_periods", "Enter a whole number."),
        ("fr", {"loan_max_multiple": "1 2"}, "loan_max_multiple", "Enter a number, like 2.5."),
        ("en", {"debt_warning_ratio": "1 5"}, "debt_warning_ratio", "Enter a number, like 2.5."),
        ("en", {"loan_rate_percent": "1 0"}, "loan_rate_percent", "Enter a number, like 2.5."),
    ],
)
def test_the_numbers_of_the_rules_are_read_as_every_typed_number(locale, changes, field, message):
    """One reading for every typed number: "1 2" is refused everywhere (it was 12 here)."""
    with pytest.raises(DomainError) as refused:
        rules(**changes).clean("XOF", locale)
    error = refused.value
    assert (error.field, error.message % error.params) == (field, message)


def test_the_numbers_of_the_rules_are_grouped_as_the_reader_groups_them():
    french = rules(max_shares="10", loan_max_multiple="2,5", debt_warning_ratio="1 000,5 %")
    with pytest.raises(DomainError, match="at most 100"):  # read as 1000.5, not refused
        french.clean("XOF", "fr")
    values = rules(loan_max_multiple="2,5", loan_rate_percent="7,5 %").clean("XOF", "fr")
    assert (values["loan_max_multiple"], values["loan_rate"]) == (Decimal("2.5"), Decimal("0.075"))


def test_a_cycle_of_24_months_exactly_is_accepted(conn, admin, make_group):
    cycle = cycles.start_cycle(admin, make_group(), rules(planned_end=date(2028, 1, 5)))
    assert cycle.planned_end == date(2028, 1, 5)


def test_no_cycle_for_a_rosca_nor_an_archived_group(conn, admin, make_group):
    with pytest.raises(DomainError, match="ROSCA"):
        cycles.start_cycle(admin, make_group(kind="rosca"), rules())
    archived = make_group()
    groups.archive_group(admin, archived, True)
    with pytest.raises(DomainError, match="archived"):
        cycles.start_cycle(admin, archived, rules())
    assert written() == (0, 0, 0, 0)


def test_before_the_first_meeting_rules_change_freely_and_are_audited(conn, admin, make_group):
    group = make_group(currency="NGN")
    cycle = cycles.start_cycle(admin, group, rules())
    late, absent = FineType.select().order_by(FineType.id)
    changes = cycles.update_rules(
        admin,
        cycle,
        rules(
            share_value="750",
            max_shares="4",
            loan_method="flexible",
            fines=(
                FineInput("Late arrival", "50", id=late.id),  # renamed
                FineInput("Absent", "100", id=absent.id, remove=True),
                FineInput("Forgot the passbook", "20"),  # added
            ),
        ),
    )
    assert changes == {
        "share_value": [50000, 75000],
        "max_shares": [5, 4],
        "loan_method": ["flat", "flexible"],
        "loan_methods": ["flat", "flexible"],  # the usual method is always allowed
        "fines": [
            [["Late", 5000], ["Absent", 10000]],
            [["Late arrival", 5000], ["Forgot the passbook", 2000]],
        ],
    }
    cycle = Cycle.get_by_id(cycle.id)
    assert (cycle.share_value, cycle.max_shares, cycle.loan_method) == (75000, 4, "flexible")
    fines = [(f.id, f.name, f.amount) for f in FineType.select().order_by(FineType.id)]
    assert fines[0] == (late.id, "Late arrival", 5000)  # the same fine, renamed
    assert [f[1:] for f in fines] == [("Late arrival", 5000), ("Forgot the passbook", 2000)]
    assert RuleDecision.select().count() == 0
    entry = AuditEntry.get(AuditEntry.action == "cycle.update_rules")
    assert json.loads(entry.details) == changes


def test_saving_the_same_rules_changes_nothing(conn, admin, make_group):
    group = make_group()
    cycle = cycles.start_cycle(admin, group, rules(fines=(("Late", "50"),)))
    before = written()
    assert cycles.update_rules(admin, cycle, cycles.rules_of(cycle)) == {}
    # A fine given again by name (no id) is the same fine, not a new one.
    assert cycles.update_rules(admin, cycle, rules(fines=(("Late", "50"),))) == {}
    assert written() == before


def test_once_fixed_a_change_needs_a_decision_with_a_date_and_a_reason(conn, admin, make_group):
    group = make_group(currency="XOF")
    cycle = cycles.start_cycle(admin, group, rules())
    fix_rules(cycle)
    before = written()
    refusals = [
        (None, "reason"),
        (RuleDecisionInput(date(2026, 3, 2), "  "), "reason"),
        (RuleDecisionInput(None, "The members voted."), "decided_on"),
        (RuleDecisionInput(date(2025, 12, 1), "The members voted."), "decided_on"),
        (RuleDecisionInput(date(2999, 1, 1), "The members voted."), "decided_on"),
    ]
    for decision, field in refusals:
        with pytest.raises(DomainError) as refused:
            cycles.update_rules(admin, cycle, rules(share_value="1000"), decision)
        assert refused.value.field == field
    assert written() == before
    assert Cycle.get_by_id(cycle.id).share_value == 500

    decision = RuleDecisionInput("2026-03-02", " The members voted a larger share. ")
    changes = cycles.update_rules(
        admin, cycle, rules(share_value="1000", loan_rate_percent="5"), decision
    )
    assert changes == {"share_value": [500, 1000], "loan_rate": ["0.1", "0.05"]}
    made = RuleDecision.get()
    assert (made.cycle_id, made.decided_on, made.reason, made.recorded_by_id) == (
        cycle.id,
        date(2026, 3, 2),
        "The members voted a larger share.",
        admin.id,
    )
    assert json.loads(made.changes) == changes
    entry = AuditEntry.get(AuditEntry.action == "cycle.rule_decision")
    assert json.loads(entry.details)["decision"] == made.id
    assert Cycle.get_by_id(cycle.id).share_value == 1000
    assert AuditEntry.select().where(AuditEntry.action == "cycle.update_rules").count() == 0


def test_once_fixed_a_fine_cannot_be_taken_off_but_can_be_repriced(conn, admin, make_group):
    group = make_group(currency="XOF")
    cycle = cycles.start_cycle(admin, group, rules())
    fix_rules(cycle)
    late, absent = FineType.select().order_by(FineType.id)
    decision = RuleDecisionInput(date(2026, 2, 2), "Vote of the general assembly")
    before = written()
    with pytest.raises(DomainError, match="cannot be taken off"):
        cycles.update_rules(
            admin, cycle, rules(fines=(FineInput("Late", "50", id=late.id),)), decision
        )
    assert written() == before
    cycles.update_rules(
        admin,
        cycle,
        rules(fines=(FineInput("Late", "75", id=late.id), FineInput("Absent", "100", absent.id))),
        decision,
    )
    assert FineType.get_by_id(late.id).amount == 75
    assert json.loads(RuleDecision.get().changes) == {
        "fines": [[["Late", 50], ["Absent", 100]], [["Late", 75], ["Absent", 100]]]
    }


def test_the_cycle_dates_cannot_leave_out_a_meeting_held(conn, admin, make_group):
    group = make_group()
    cycle = cycles.start_cycle(admin, group, rules())
    Meeting.create(group=group, cycle=cycle, held_on=date(2026, 2, 2))
    for changes, field in [
        ({"start_date": date(2026, 2, 9)}, "start_date"),
        ({"planned_end": date(2026, 1, 26)}, "planned_end"),
    ]:
        with pytest.raises(DomainError) as refused:
            cycles.update_rules(admin, cycle, rules(**changes))
        assert refused.value.field == field
    assert Cycle.get_by_id(cycle.id).start_date == START
    with pytest.raises(DomainError, match="last meeting"):
        Cycle.update(closed_at=utcnow()).where(Cycle.id == cycle.id).execute()
        cycles.start_cycle(admin, group, rules(start_date=date(2026, 2, 2)))


def test_a_closed_cycle_keeps_its_rules(conn, admin, make_group):
    group = make_group()
    cycle = cycles.start_cycle(admin, group, rules())
    Cycle.update(closed_at=utcnow()).where(Cycle.id == cycle.id).execute()
    with pytest.raises(DomainError, match="closed"):
        cycles.update_rules(admin, cycle, rules(share_value="900"))
    assert Cycle.get_by_id(cycle.id).share_value == 500


def test_a_new_cycle_starts_from_the_last_ones_rules(conn, admin, make_group):
    group = make_group(currency="NGN")
    assert cycles.default_rules(group, on=date(2026, 1, 5)) == CycleRules(
        start_date=date(2026, 1, 5), planned_end=date(2027, 1, 4), share_value=None
    )
    first = cycles.start_cycle(admin, group, rules(share_value="200", max_shares="3"))
    Cycle.update(closed_at=utcnow()).where(Cycle.id == first.id).execute()
    again = cycles.default_rules(group, on=date(2026, 6, 1))
    assert again.start_date == date(2026, 12, 29)  # after the last planned end
    assert (again.share_value, again.max_shares, again.loan_rate_percent) == (20000, 3, 10)
    assert [(f.id, f.name, f.amount) for f in again.fines] == [
        (None, "Late", 5000),
        (None, "Absent", 10000),
    ]


# --- group settings ---------------------------------------------------------------------------


def test_the_rounding_unit_is_typed_in_the_currency(conn, admin):
    ngn = groups.create_group(admin, GroupDetails("Lagos", "savings", "NGN", rounding_unit="5"))
    xof = groups.create_group(admin, GroupDetails("Thiès", "savings", "XOF", rounding_unit="25"))
    assert (ngn.rounding_unit, xof.rounding_unit) == (500, 25)
    french = groups.create_group(
        admin, GroupDetails("Abuja", "savings", "NGN", rounding_unit="0,50"), locale="fr"
    )
    assert SavingsGroup.get_by_id(french.id).rounding_unit == 50


BAD_SETTINGS = [
    ({"rounding_unit": "0"}, "rounding_unit"),
    ({"rounding_unit": "-25"}, "rounding_unit"),
    ({"rounding_unit": "2.5"}, "rounding_unit"),
    ({"rounding_unit": ""}, "rounding_unit"),
    ({"meeting_frequency": "daily"}, "meeting_frequency"),
    ({"meeting_day": 7}, "meeting_day"),
    ({"formed_on": "yesterday"}, "formed_on"),
    ({"formed_on": date(2999, 1, 1)}, "formed_on"),
    ({"notes": "x" * 5000}, "notes"),
]


def test_bad_group_settings_are_refused(conn, admin, make_group):
    for changes, field in BAD_SETTINGS:
        with pytest.raises(DomainError) as refused:
            groups.create_group(admin, GroupDetails("Thiès", "savings", "XOF", **changes))
        assert refused.value.field == field, changes
    assert SavingsGroup.select().count() == 0
    group = make_group("Thiès")
    for changes, field in BAD_SETTINGS:
        with pytest.raises(DomainError) as refused:
            groups.update_group(admin, group, GroupDetails("Thiès", "savings", "XOF", **changes))
        assert refused.value.field == field, changes
    assert AuditEntry.select().where(AuditEntry.action == "group.update").count() == 0


def test_group_settings_are_kept_and_changes_audited(conn, admin, make_group, make_user):
    group = make_group("Kayes", currency="XOF")
    fatou = make_user("fatou", role=Role.FACILITATOR, groups=[group])
    details = GroupDetails(
        "Kayes",
        "savings",
        "XOF",
        rounding_unit="25",
        meeting_frequency="fortnightly",
        meeting_day=2,
        formed_on="2024-03-01",
        facilitator_id=fatou.id,
        notes=" Meets under the mango tree. ",
    )
    groups.update_group(admin, group, details)
    group = SavingsGroup.get_by_id(group.id)
    assert (group.rounding_unit, group.meeting_frequency, group.meeting_day) == (
        25,
        "fortnightly",
        2,
    )
    assert (group.formed_on, group.facilitator_id, group.notes) == (
        date(2024, 3, 1),
        fatou.id,
        "Meets under the mango tree.",
    )
    entry = AuditEntry.get(AuditEntry.action == "group.update")
    assert json.loads(entry.details)["rounding_unit"] == [1, 25]


def test_the_facilitator_is_an_admin_or_a_facilitator_of_the_group(
    conn, admin, make_group, make_user
):
    group = make_group("Kayes")
    outsider = make_user("outsider", role=Role.FACILITATOR)
    recorder = make_user("rec", role=Role.RECORDER, groups=[group])
    for person in (outsider, recorder):
        with pytest.raises(DomainError) as refused:
            groups.update_group(
                admin, group, GroupDetails("Kayes", "savings", "XOF", facilitator_id=person.id)
            )
        assert refused.value.field == "facilitator_id"
    assert SavingsGroup.get_by_id(group.id).facilitator_id is None
    groups.update_group(
        admin, group, GroupDetails("Kayes", "savings", "XOF", facilitator_id=admin.id)
    )
    assert SavingsGroup.get_by_id(group.id).facilitator_id == admin.id
    # A facilitator creating a group may name themselves.
    fatou = make_user("fatou", role=Role.FACILITATOR)
    made = groups.create_group(
        fatou, GroupDetails("Mopti", "savings", "XOF", facilitator_id=fatou.id)
    )
    assert made.facilitator_id == fatou.id


def test_the_currency_stays_once_a_cycle_started(conn, admin, make_group):
    group = make_group("Kayes", currency="XOF")
    cycles.start_cycle(admin, group, rules())
    with pytest.raises(DomainError) as refused:
        groups.update_group(admin, group, GroupDetails("Kayes", "savings", "GNF"))
    assert refused.value.field == "currency"
    assert SavingsGroup.get_by_id(group.id).currency == "XOF"


def test_archiving_keeps_the_group_and_is_audited(conn, admin, make_group):
    group = make_group()
    assert groups.archive_group(admin, group, True)
    assert not groups.archive_group(admin, group, True)  # already archived: nothing to do
    assert SavingsGroup.get_by_id(group.id).archived_at is not None
    assert groups.archive_group(admin, group, False)
    assert SavingsGroup.get_by_id(group.id).archived_at is None
    actions = [e.action for e in AuditEntry.select().order_by(AuditEntry.id)]
    assert actions[-2:] == ["group.archive", "group.unarchive"]


# --- pages ------------------------------------------------------------------------------------


def form(**changes) -> dict:
    data = {
        "start_date": "2026-01-05",
        "planned_end": "2026-12-28",
        "share_value": "500",
        "min_shares": "1",
        "max_shares": "5",
        "social_fund_contribution": "100",
        "loan_rate_percent": "10",
        "loan_rate_period": "month",
        "loan_method": "flat",
        "loan_max_multiple": "3",
        "loan_max_periods": "3",
        "one_loan_at_a_time": "y",
        "guarantor_threshold": "",
        "debt_warning_ratio": "2",
        "profit_method": "proportional",
        "leftover_rule": "largest_remainder",
        "social_fund_rule": "kept",
        "loans_at_share_out": "deduct",
        "exit_rule": "savings_only",
        "fines-0-id": "",
        "fines-0-name": "Late",
        "fines-0-amount": "50",
        "fines-1-id": "",
        "fines-1-name": "",
        "fines-1-amount": "",
    }
    return {**data, **changes}


def test_a_facilitator_starts_a_cycle_from_the_page(web, app, make_group, make_user):
    group = make_group(currency="NGN")
    make_user("fatou", role=Role.FACILITATOR, groups=[group])
    web.login("fatou")
    path = f"/groups/{group.id}/cycles/new"
    page = web.client.get(path).get_data(as_text=True)
    assert 'name="min_shares"' in page and 'value="5"' in page  # defaults prefilled
    response = web.post(path, form(share_value="500", **{"fines-0-amount": "12.50"}))
    assert response.status_code == 302
    with db.connection_context():
        cycle = Cycle.get()
        assert (cycle.share_value, cycle.social_fund_contribution) == (50000, 10000)
        assert [(f.name, f.amount) for f in FineType.select()] == [("Late", 1250)]
    page = web.client.get(f"/groups/{group.id}/cycles").get_data(as_text=True)
    assert "Cycle 1 (current)" in page
    assert "NGN500.00" in page and "NGN12.50" in page and "10%" in page
    # A second open cycle is refused from the page too.
    response = web.post(path, form(start_date="2027-01-04", planned_end="2027-12-01"))
    assert response.status_code == 422
    assert "still open" in response.get_data(as_text=True)
    with db.connection_context():
        assert Cycle.select().count() == 1


def test_a_bad_rule_comes_back_next_to_its_field(web, app, admin, make_group):
    group = make_group(currency="XOF")
    web.login("admin")
    path = f"/groups/{group.id}/cycles/new"
    response = web.post(path, form(min_shares="6", max_shares="5"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'id="min_shares-error"[^>]*>The minimum cannot be more than', page)
    response = web.post(path, form(**{"fines-0-amount": "-5"}))
    assert response.status_code == 422
    assert re.search(
        r'id="fines-0-amount-error"[^>]*>The amount cannot be negative',
        response.get_data(as_text=True),
    )
    response = web.post(path, form(loan_rate_percent="150"))
    assert response.status_code == 422
    with db.connection_context():
        assert written() == (0, 0, 0, 0)


def test_after_the_first_meeting_the_page_asks_for_the_decision(
    web, app, admin, make_group, make_user
):
    group = make_group(currency="XOF")
    with db.connection_context():
        cycle = cycles.start_cycle(admin, group, rules())
        fix_rules(cycle)
        late, absent = FineType.select().order_by(FineType.id)
    web.login("admin")
    path = f"/groups/{group.id}/cycles/{cycle.id}/rules"
    page = web.client.get(path).get_data(as_text=True)
    assert 'name="reason"' in page and 'name="decided_on"' in page
    fines = {
        "fines-0-id": str(late.id),
        "fines-0-name": "Late",
        "fines-0-amount": "50",
        "fines-1-id": str(absent.id),
        "fines-1-name": "Absent",
        "fines-1-amount": "100",
        "fines-2-id": "",
        "fines-2-name": "",
        "fines-2-amount": "",
    }
    response = web.post(path, form(share_value="1000", decided_on="2026-03-02", reason="", **fines))
    assert response.status_code == 422
    assert re.search(r'id="reason-error"[^>]*>Say why', response.get_data(as_text=True))
    with db.connection_context():
        assert RuleDecision.select().count() == 0
        assert Cycle.get_by_id(cycle.id).share_value == 500
    response = web.post(
        path,
        form(share_value="1000", decided_on="2026-03-02", reason="General assembly vote", **fines),
    )
    assert response.status_code == 302
    page = web.client.get(f"/groups/{group.id}/cycles").get_data(as_text=True)
    assert "General assembly vote" in page
    assert "F\u202f500 → F\u202f1,000" in page or "500 → " in page
    with db.connection_context():
        assert json.loads(RuleDecision.get().changes) == {"share_value": [500, 1000]}


def test_only_editors_change_the_rules_and_only_of_their_group(
    web, app, admin, make_group, make_user
):
    mine, other = make_group("Mine"), make_group("Other")
    with db.connection_context():
        cycle = cycles.start_cycle(admin, mine, rules())
        foreign = cycles.start_cycle(admin, other, rules())
    make_user("rec", role=Role.RECORDER, groups=[mine])
    make_user("fatou", role=Role.FACILITATOR, groups=[mine])
    web.login("rec")
    assert web.client.get(f"/groups/{mine.id}/cycles").status_code == 200
    # Reading the rules the group voted is for every role that sees the group.
    assert web.client.get(f"/groups/{mine.id}/cycles/{cycle.id}/rules").status_code == 200
    path = f"/groups/{mine.id}/cycles/{cycle.id}/rules"
    assert web.post(path, {}, form_path=f"/groups/{mine.id}/cycles").status_code == 403
    web.post("/logout", {}, form_path="/")
    web.login("fatou")
    assert web.client.get(f"/groups/{mine.id}/cycles/{cycle.id}/rules").status_code == 200
    assert web.client.get(f"/groups/{mine.id}/cycles/{foreign.id}/rules").status_code == 404
    assert web.client.get(f"/groups/{other.id}/cycles/{foreign.id}/rules").status_code == 404


def test_the_cycles_page_takes_a_bounded_number_of_queries(web, app, admin, make_group):
    group = make_group()
    web.login("admin")

    def queries() -> int:
        with count_queries() as counter:
            assert web.client.get(f"/groups/{group.id}/cycles").status_code == 200
        return counter.count

    with db.connection_context():
        cycles.start_cycle(
            admin, group, rules(start_date=date(2018, 1, 5), planned_end=date(2018, 12, 1))
        )
    queries()  # the first request of the app checks once whether it is set up
    few = queries()
    with db.connection_context():
        for year in range(2019, 2025):
            Cycle.update(closed_at=utcnow()).where(Cycle.closed_at.is_null()).execute()
            cycle = cycles.start_cycle(
                admin, group, rules(start_date=date(year, 1, 5), planned_end=date(year, 12, 1))
            )
            fix_rules(cycle)
            for share in ("600", "700"):
                cycles.update_rules(
                    admin,
                    cycle,
                    rules(
                        start_date=date(year, 1, 5),
                        planned_end=date(year, 12, 1),
                        share_value=share,
                    ),
                    RuleDecisionInput(date(year, 2, 1), f"Vote {share}"),
                )
    assert queries() == few


def test_group_settings_from_the_form(web, app, admin, make_group, make_user):
    group = make_group("Lagos", currency="NGN")
    fatou = make_user("fatou", role=Role.FACILITATOR, groups=[group])
    web.login("admin")
    path = f"/groups/{group.id}/edit"
    page = web.client.get(path).get_data(as_text=True)
    assert 'value="0.01"' in page  # one kobo, written in naira
    assert ">Wednesday<" in page and "Fatou" in page
    data = {
        "name": "Lagos",
        "kind": "savings",
        "currency": "NGN",
        "village": "",
        "district": "",
        "country": "NG",
        "rounding_unit": "5",
        "meeting_frequency": "weekly",
        "meeting_day": "2",
        "formed_on": "2025-06-01",
        "facilitator_id": str(fatou.id),
        "notes": "",
    }
    response = web.post(path, {**data, "rounding_unit": "-5"})
    assert response.status_code == 422
    assert 'id="rounding_unit-error"' in response.get_data(as_text=True)
    assert web.post(path, data).status_code == 302
    with db.connection_context():
        saved = SavingsGroup.get_by_id(group.id)
        assert (saved.rounding_unit, saved.meeting_day, saved.facilitator_id) == (500, 2, fatou.id)
    page = web.client.get(f"/groups/{group.id}").get_data(as_text=True)
    assert "NGN5.00" in page and "Every week, on Wednesday" in page
    assert 'value="5.00"' in web.client.get(path).get_data(as_text=True)


def test_an_archived_group_is_listed_apart(web, app, admin, make_group, make_user):
    kept, old = make_group("Kept"), make_group("Old")
    make_user("fatou", role=Role.FACILITATOR, groups=[kept, old])
    web.login("fatou")
    response = web.post(
        f"/groups/{old.id}/archive", {"archived": "1"}, form_path=f"/groups/{old.id}/edit"
    )
    assert response.status_code == 302
    # The home page lists the groups that meet; the archive filter lists the others.
    active = web.client.get("/").get_data(as_text=True)
    archived = web.client.get("/?archived=yes").get_data(as_text=True)
    assert "Kept" in active and ">Old<" not in active
    assert ">Old<" in archived and "Kept" not in archived
    web.post(f"/groups/{old.id}/archive", {"archived": "0"}, form_path=f"/groups/{old.id}/edit")
    assert "Old" in web.client.get("/").get_data(as_text=True)


def test_the_forms_speak_the_readers_language(web, app, admin, make_group, make_user):
    group = make_group("Lagos", currency="NGN")
    with db.connection_context():
        groups.update_group(
            admin, group, GroupDetails("Lagos", "savings", "NGN", rounding_unit=500)
        )
        cycle = cycles.start_cycle(admin, group, rules(loan_rate_percent="2.5"))
    make_user("awa", role=Role.FACILITATOR, groups=[group], locale="fr")
    web.login("awa")
    page = web.client.get(f"/groups/{group.id}/edit").get_data(as_text=True)
    assert 'value="5,00"' in page and ">mercredi<" in page
    page = web.client.get(f"/groups/{group.id}/cycles/{cycle.id}/rules").get_data(as_text=True)
    assert 'name="loan_rate_percent" type="text" value="2,5"' in page
    assert 'name="share_value" type="text" value="500,00"' in page
    # Sent back as shown, the rules are unchanged.
    data = form(
        share_value="500,00",
        social_fund_contribution="100,00",
        loan_rate_percent="2,5",
        **{"fines-0-name": "", "fines-0-amount": "", "fines-1-name": "", "fines-1-amount": ""},
    )
    with db.connection_context():
        for index, fine in enumerate(FineType.select().order_by(FineType.id)):
            data |= {
                f"fines-{index}-id": str(fine.id),
                f"fines-{index}-name": fine.name,
                f"fines-{index}-amount": format_amount(fine.amount, "NGN", "fr", with_symbol=False),
            }
    response = web.post(f"/groups/{group.id}/cycles/{cycle.id}/rules", data)
    assert response.status_code == 302
    with db.connection_context():
        assert AuditEntry.select().where(AuditEntry.action == "cycle.update_rules").count() == 0


# --- the share-out and exit rules -------------------------------------------------------------

SHARE_OUT_RULES = {
    "profit_method": "time_weighted",
    "leftover_rule": "carry_over",
    "social_fund_rule": "split_equally",
    "loans_at_share_out": "repay_first",
    "exit_rule": "savings_and_profit",
}


def test_the_share_out_and_exit_rules_are_chosen_with_the_cycle(conn, admin, make_group):
    group = make_group()
    plain = cycles.start_cycle(admin, group, rules())
    assert (plain.profit_method, plain.leftover_rule, plain.social_fund_rule) == (
        "proportional",
        "largest_remainder",
        "kept",
    )
    assert (plain.loans_at_share_out, plain.exit_rule) == ("deduct", "savings_only")
    chosen = cycles.start_cycle(admin, make_group(), rules(**SHARE_OUT_RULES))
    fresh = Cycle.get_by_id(chosen.id)
    assert {name: getattr(fresh, name) for name in SHARE_OUT_RULES} == SHARE_OUT_RULES
    assert {name: getattr(cycles.rules_of(fresh), name) for name in SHARE_OUT_RULES} == (
        SHARE_OUT_RULES
    )
    details = json.loads(AuditEntry.select().order_by(AuditEntry.id.desc()).first().details)
    assert details["exit_rule"] == "savings_and_profit"


def test_once_fixed_the_exit_rule_changes_only_by_a_decision(conn, admin, make_group):
    group = make_group()
    cycle = cycles.start_cycle(admin, group, rules())
    assert cycles.update_rules(admin, cycle, rules(leftover_rule="carry_over")) == {
        "leftover_rule": ["largest_remainder", "carry_over"]
    }
    fix_rules(cycle)
    before = written()
    with pytest.raises(DomainError) as refused:
        cycles.update_rules(admin, cycle, rules(exit_rule="savings_and_profit"))
    assert refused.value.field == "reason" and written() == before
    decision = RuleDecisionInput("2026-03-02", "Members who leave share the profit.")
    changes = cycles.update_rules(
        admin, cycle, rules(leftover_rule="carry_over", exit_rule="savings_and_profit"), decision
    )
    assert changes == {"exit_rule": ["savings_only", "savings_and_profit"]}


def test_the_rules_form_and_the_cycles_page_show_the_share_out_rules(
    web, app, admin, make_group, make_user
):
    group = make_group()
    make_user("fatou", role=Role.FACILITATOR, groups=[group])
    web.login("fatou")
    page = web.client.get(f"/groups/{group.id}/cycles/new").get_data(as_text=True)
    assert 'name="exit_rule"' in page and "Savings with the profit to date" in page
    response = web.post(f"/groups/{group.id}/cycles/new", form(**SHARE_OUT_RULES))
    assert response.status_code == 302
    cycle = Cycle.get(Cycle.group == group)
    assert cycle.exit_rule == "savings_and_profit" and cycle.profit_method == "time_weighted"
    page = web.client.get(f"/groups/{group.id}/cycles").get_data(as_text=True)
    for label in (
        "By shares and how long each was held",
        "All carried over to the next cycle",
        "Split equally among the members",
        "All loans must be repaid before the share-out",
        "Savings with the profit to date",
    ):
        assert label in page
    response = web.post(
        f"/groups/{group.id}/cycles/{cycle.id}/rules", form(**{**SHARE_OUT_RULES, "exit_rule": "x"})
    )
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)


# --- the loan terms the rules allow ---------------------------------------------------------------


def test_the_rules_name_the_period_of_their_rate_and_the_methods_a_loan_may_use():
    values = rules(
        loan_rate_percent="10",
        loan_rate_period="month",
        loan_method="flat",
        loan_methods=("declining_equal_principal", "flat"),
    ).clean("XOF")
    assert (values["loan_rate"], values["loan_rate_period"]) == (Decimal("0.1"), "month")
    # Stored in the order of the list; the usual method is always one of them.
    assert values["loan_methods"] == "flat,declining_equal_principal"
    values = rules(loan_method="flexible", loan_methods=("flat",)).clean("XOF")
    assert values["loan_methods"] == "flat,flexible"
    assert rules().clean("XOF")["loan_rate_period"] == "month"  # a new cycle: 10 % a month


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"loan_rate_period": "year"}, "loan_rate_period"),
        ({"loan_rate_period": ""}, "loan_rate_period"),
        ({"loan_methods": ("flat", "usury")}, "loan_methods"),
    ],
)
def test_a_bad_period_or_method_is_refused_next_to_its_field(changes, field):
    with pytest.raises(DomainError) as refused:
        rules(**changes).clean("XOF")
    assert refused.value.field == field


def test_the_rules_page_sets_the_rate_period_and_the_methods_and_shows_them(
    web, app, make_group, make_user
):
    group = make_group(currency="XOF", meeting_frequency="weekly")
    make_user("fatou", role=Role.FACILITATOR, groups=[group])
    web.login("fatou")
    path = f"/groups/{group.id}/cycles/new"
    page = web.client.get(path).get_data(as_text=True)
    assert 'name="loan_rate_period"' in page and 'name="loan_methods"' in page
    data = {**form(loan_rate_period="month"), "loan_methods": ["flat", "flexible"]}
    response = web.post(path, data)
    assert response.status_code == 302
    with db.connection_context():
        cycle = Cycle.get()
        assert (cycle.loan_rate, cycle.loan_rate_period) == (Decimal("0.1"), "month")
        assert cycle.loan_methods == "flat,flexible"
    page = web.client.get(f"/groups/{group.id}/cycles").get_data(as_text=True)
    rate = re.search(r'id="rule-loan_rate">([^<]+)<', page).group(1)
    assert html.unescape(rate) == "10% a month ≈ 2.3077% a week"
    methods = re.search(r'id="rule-loan_methods">([^<]+)<', page).group(1)
    assert methods.startswith("Flat") and "Flexible" in methods and "Declining" not in methods
    assert " and " in methods and ";" not in methods  # a list in the reader's language
    response = web.post(path.replace("new", f"{cycle.id}/rules"), form(loan_rate_period="day"))
    assert response.status_code == 422
    assert re.search(r'id="loan_rate_period-error"', response.get_data(as_text=True))


def test_a_rate_above_100_per_cent_a_meeting_is_refused_for_the_groups_frequency(
    conn, admin, make_group
):
    # 30 % a week is 130 % a month: a monthly group cannot lend at it; a weekly one can.
    weekly = rules(loan_rate_percent="30", loan_rate_period="week")
    assert weekly.clean("XOF", frequency="weekly")["loan_rate"] == Decimal("0.3")
    with pytest.raises(DomainError) as refused:
        weekly.clean("XOF", frequency="monthly")
    assert refused.value.field == "loan_rate_percent"
    # 23 % a week at monthly meetings is 99.67 %: accepted.
    assert rules(loan_rate_percent="23", loan_rate_period="week").clean("XOF", frequency="monthly")
    before = written()
    with pytest.raises(DomainError):
        cycles.start_cycle(admin, make_group(meeting_frequency="monthly"), weekly)
    assert written() == before
