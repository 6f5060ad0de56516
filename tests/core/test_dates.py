"""The one today(): the installation's local day, under clocks east and west of UTC; the checks
"not in the future" refuse tomorrow and accept today alike; the date helpers."""

import time
from datetime import UTC, date, datetime

import pytest
from click.testing import CliRunner

from savings_groups import create_app
from savings_groups.cli import main
from savings_groups.core import dates
from savings_groups.core.errors import DomainError
from savings_groups.cycles import operations as cycles
from savings_groups.cycles.operations import RuleDecisionInput
from savings_groups.groups.operations import GroupDetails
from savings_groups.meetings import operations as meetings
from savings_groups.rosca import rounds as rosca_rounds
from savings_groups.shareout import exits
from tests.conftest import CHEAP_ARGON2
from tests.cycles.test_operations import fix_rules, rules
from tests.groups.test_members import details
from tests.rosca.test_rounds import everyone, set_up_rotation

# Half past midnight on March 10 in Nairobi (UTC+3): still March 9 in UTC.
NAIROBI, NAIROBI_NIGHT = "Africa/Nairobi", datetime(2026, 3, 9, 21, 30, tzinfo=UTC)
# Seven in the evening of March 9 in Honolulu (UTC-10): already March 10 in UTC.
HONOLULU, HONOLULU_EVENING = "Pacific/Honolulu", datetime(2026, 3, 10, 5, 0, tzinfo=UTC)
MARCH_9, MARCH_10, MARCH_11 = date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11)


def set_clock(monkeypatch, zone: str | None, instant: datetime) -> None:
    """For the rest of the test: the installation in `zone`, the clock stopped at `instant`."""
    monkeypatch.setattr(dates, "_zone", dates._zone)  # put back after the test
    dates.configure(zone)
    monkeypatch.setattr(dates, "now", lambda: instant)


# --- the clock --------------------------------------------------------------------------------


def test_today_is_the_local_day_east_and_west_of_utc(monkeypatch):
    set_clock(monkeypatch, NAIROBI, NAIROBI_NIGHT)
    assert dates.today() == MARCH_10
    stored = dates.utcnow()  # naive, in UTC, as the database keeps it
    assert stored.tzinfo is None and stored.replace(tzinfo=UTC) == NAIROBI_NIGHT
    set_clock(monkeypatch, HONOLULU, HONOLULU_EVENING)
    assert dates.today() == MARCH_9
    assert dates.utcnow().replace(tzinfo=UTC) == HONOLULU_EVENING


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="the zone is set through TZ on Unix")
def test_without_a_setting_today_is_the_machines_day(monkeypatch):
    set_clock(monkeypatch, None, NAIROBI_NIGHT)
    try:
        with monkeypatch.context() as machine:
            machine.setenv("TZ", NAIROBI)
            time.tzset()
            assert dates.today() == MARCH_10
            machine.setenv("TZ", HONOLULU)
            time.tzset()
            assert dates.today() == MARCH_9
    finally:
        time.tzset()


def test_the_zone_is_a_setting_from_the_config_or_the_environment(monkeypatch, app_config):
    set_clock(monkeypatch, None, NAIROBI_NIGHT)
    create_app({**app_config, "TIMEZONE": NAIROBI})
    assert dates.today() == MARCH_10
    monkeypatch.setenv("SAVINGS_GROUPS_TIMEZONE", HONOLULU)
    app = create_app(app_config)
    assert app.config["TIMEZONE"] == HONOLULU
    assert dates.today() == MARCH_9


@pytest.mark.parametrize("zone", ["Africa/Atlantis", "../etc/passwd", "UTC+3"])
def test_a_zone_that_does_not_exist_stops_the_app_at_start(monkeypatch, app_config, zone):
    set_clock(monkeypatch, None, NAIROBI_NIGHT)
    with pytest.raises(DomainError) as refused:
        create_app({**app_config, "TIMEZONE": zone})
    assert str(refused.value) == (
        f"TIMEZONE must be a time zone name like Africa/Dakar, not “{zone}”."
    )


def test_the_command_says_so_without_a_traceback(monkeypatch, app_config):
    set_clock(monkeypatch, None, NAIROBI_NIGHT)
    monkeypatch.setenv("SAVINGS_GROUPS_INSTANCE", str(app_config["INSTANCE_PATH"]))
    monkeypatch.setenv("DATABASE_URL", app_config["DATABASE_URL"])
    monkeypatch.setenv("SAVINGS_GROUPS_TIMEZONE", "Africa/Atlantis")
    for name, value in CHEAP_ARGON2.items():
        monkeypatch.setenv(f"SAVINGS_GROUPS_{name}", str(value))
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 1
    assert "Africa/Atlantis" in result.output and "Traceback" not in result.output


# --- the helpers --------------------------------------------------------------------------------


def test_parse_date_reads_iso_text_and_says_what_is_wrong():
    assert dates.parse_date(" 2026-03-10 ", "on") == MARCH_10
    assert dates.parse_date(MARCH_10, "on") == MARCH_10
    assert dates.parse_date("", "on", required=False) is None
    with pytest.raises(DomainError, match="Enter a date") as refused:
        dates.parse_date("  ", "on")
    assert refused.value.field == "on"
    with pytest.raises(DomainError, match="is not a date"):
        dates.parse_date("10/03/2026", "on")


def test_add_periods_counts_weeks_fortnights_and_months():
    assert dates.add_periods(MARCH_10, 2, "weekly") == date(2026, 3, 24)
    assert dates.add_periods(MARCH_10, 2, "fortnightly") == date(2026, 4, 7)
    assert dates.add_periods(date(2026, 1, 31), 1, "monthly") == date(2026, 2, 28)
    assert dates.add_periods(date(2026, 11, 30), 3, "monthly") == date(2027, 2, 28)
    with pytest.raises(ValueError):
        dates.add_periods(MARCH_10, 1, "daily")


# --- "not in the future": tomorrow refused, today accepted, by the local day ----------------------
# Honolulu's evening is the day before UTC's: a day of slack for UTC let the local tomorrow in.


def test_a_meeting_dated_the_utc_day_is_in_the_future_in_honolulu(
    monkeypatch, conn, admin, make_group, make_cycle
):
    set_clock(monkeypatch, HONOLULU, HONOLULU_EVENING)
    group = make_group()
    make_cycle(group)
    with pytest.raises(DomainError, match="in the future"):
        meetings.open_meeting(admin, group, MARCH_10)
    assert meetings.open_meeting(admin, group, MARCH_9).held_on == MARCH_9


def test_an_exit_is_settled_today_not_tomorrow(
    monkeypatch, conn, make_group, make_member, make_cycle
):
    set_clock(monkeypatch, HONOLULU, HONOLULU_EVENING)
    group = make_group()
    make_cycle(group)
    awa = make_member(group, "Awa")
    with pytest.raises(DomainError, match="in the future") as refused:
        exits.settlement(awa, MARCH_10)
    assert refused.value.field == "settled_on"
    assert exits.settlement(awa, MARCH_9).on == MARCH_9


def test_a_rule_decision_is_dated_today_not_tomorrow(monkeypatch, conn, admin, make_group):
    set_clock(monkeypatch, HONOLULU, HONOLULU_EVENING)
    cycle = cycles.start_cycle(admin, make_group(), rules())
    fix_rules(cycle)
    with pytest.raises(DomainError, match="in the future") as refused:
        cycles.update_rules(
            admin, cycle, rules(share_value="1000"), RuleDecisionInput(MARCH_10, "Voted.")
        )
    assert refused.value.field == "decided_on"
    decision = RuleDecisionInput(MARCH_9, "Voted.")
    assert cycles.update_rules(admin, cycle, rules(share_value="1000"), decision)


def test_a_group_is_formed_today_not_tomorrow(monkeypatch, conn):
    set_clock(monkeypatch, HONOLULU, HONOLULU_EVENING)
    with pytest.raises(DomainError, match="in the future") as refused:
        GroupDetails("Benkadi", "savings", "XOF", formed_on=MARCH_10).clean()
    assert refused.value.field == "formed_on"
    formed = GroupDetails("Benkadi", "savings", "XOF", formed_on=MARCH_9).clean()
    assert formed["formed_on"] == MARCH_9


def test_a_pot_is_paid_out_today_not_tomorrow(monkeypatch, conn, admin, make_group, make_member):
    set_clock(monkeypatch, NAIROBI, NAIROBI_NIGHT)
    group = make_group(kind="rosca")
    rotation = set_up_rotation(admin, group, [make_member(group) for _ in range(3)])
    with pytest.raises(DomainError, match="in the future"):
        rosca_rounds.save_round(admin, rotation, 1, everyone(rotation), MARCH_11, pay=True)
    round_ = rosca_rounds.save_round(admin, rotation, 1, everyone(rotation), MARCH_10, pay=True)
    assert round_.paid_out_on == MARCH_10


def test_a_member_born_this_local_year_is_not_born_in_the_future(monkeypatch):
    # New Year's night in Nairobi: 2027 there, still 2026 in UTC.
    set_clock(monkeypatch, NAIROBI, datetime(2026, 12, 31, 21, 30, tzinfo=UTC))
    assert details(birth_year="2027").clean()["birth_year"] == 2027
