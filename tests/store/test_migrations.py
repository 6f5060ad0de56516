"""Schema migrations: from an empty database, from every earlier version, and a newer database refused."""

import pytest
from peewee import PostgresqlDatabase

from savings_groups import create_app
from savings_groups.store import schema
from savings_groups.store.db import open_database
from savings_groups.store.models import ALL_MODELS, Organization, User


@pytest.fixture
def app_config(empty_app_config):
    """These tests start from a database with no schema, not the migrated one the others get."""
    return empty_app_config


@pytest.fixture
def database(app_config):
    database = open_database(app_config["DATABASE_URL"])
    database.connect()
    yield database
    database.close()


def columns(database) -> dict[str, set[str]]:
    return {table: {c.name for c in database.get_columns(table)} for table in database.get_tables()}


def model_columns() -> dict[str, set[str]]:
    return {m._meta.table_name: {f.column_name for f in m._meta.sorted_fields} for m in ALL_MODELS}


def test_migrations_build_the_schema_of_the_models_from_an_empty_database(database):
    applied = schema.upgrade(database)
    assert applied == schema.runner_names()
    built = columns(database)
    for table, wanted in model_columns().items():
        assert built.get(table) == wanted, table
    assert schema.upgrade(database) == []  # nothing left to do


@pytest.mark.parametrize("previous", range(1, len(schema.runner_names())))
def test_upgrade_from_an_earlier_version_keeps_the_data(database, previous):
    names = schema.runner_names()
    schema.upgrade(database, target=names[previous - 1])
    database.execute_sql(
        "INSERT INTO organization (name, default_locale, created_at) VALUES ('Kept', 'fr', '2026-01-01 00:00:00')"
    )
    assert schema.upgrade(database) == names[previous:]
    with database.bind_ctx([Organization]):
        assert Organization.get().name == "Kept"
    assert columns(database)["savings_group"] == model_columns()["savings_group"]


def test_a_database_newer_than_the_code_is_refused(database, app_config):
    schema.upgrade(database)
    runner = schema.runner(database)
    runner.History.create(name="9999_from_the_future")
    with pytest.raises(schema.SchemaTooNew) as refused:
        schema.upgrade(database)
    assert "9999_from_the_future" in str(refused.value)
    assert "newer version" in str(refused.value)
    with pytest.raises(schema.SchemaTooNew):
        create_app(app_config)


def test_the_app_migrates_on_start(app_config, database):
    create_app(app_config)
    with database.bind_ctx([User]):
        assert User.table_exists()
    assert {m.name for m in schema.runner(database).status() if m.applied} == set(
        schema.runner_names()
    )


def test_sqlite_runs_durable_and_with_foreign_keys(app, conn):
    from savings_groups.store.db import db

    if isinstance(db.obj, PostgresqlDatabase):
        pytest.skip("SQLite pragmas")
    pragma = lambda name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]  # noqa: E731
    assert pragma("journal_mode") == "wal"
    assert pragma("foreign_keys") == 1
    assert pragma("synchronous") == 2  # FULL
    assert pragma("busy_timeout") == 10000


def test_0009_gives_old_cycles_and_loans_their_meeting_period_and_changes_no_figure(database):
    """Before 0009 a rate was per meeting period: a weekly group's cycle and loan get "week", a
    monthly group's "month", the cycle's one method its list; no rate changes."""
    from datetime import date
    from decimal import Decimal
    from fractions import Fraction

    from savings_groups.loans.compute import period_rate
    from savings_groups.store.models import Cycle, Loan, Member, SavingsGroup

    class MemberBefore0016(Member):  # no card code yet
        class Meta:
            table_name = "member"

    class GroupBefore0019(SavingsGroup):  # no practice mark yet
        class Meta:
            table_name = "savings_group"

    MemberBefore0016._meta.remove_field("card_code")
    GroupBefore0019._meta.remove_field("is_practice")
    GroupBefore0019._meta.remove_field("print_locale")
    names = schema.runner_names()
    schema.upgrade(database, target=names[names.index("0009_loan_terms") - 1])
    old = [Organization, User, GroupBefore0019, MemberBefore0016, Cycle, Loan]
    terms = {}
    with database.bind_ctx(old):
        user = User.create(
            username="u", full_name="U", role="admin", password_hash="x", session_token="t"
        )
        for frequency, method in (("weekly", "declining_equal_principal"), ("monthly", "flat")):
            group = GroupBefore0019.create(
                name=frequency, kind="savings", currency="XOF", meeting_frequency=frequency
            )
            member = MemberBefore0016.create(
                group=group,
                number=1,
                full_name="A",
                member_type="returnee",
                joined_on=date(2026, 1, 5),
            )
            cycle = Cycle.create(
                group=group,
                number=1,
                start_date=date(2026, 1, 5),
                planned_end=date(2026, 12, 28),
                share_value=1000,
                loan_rate=Decimal("0.075"),
                loan_method=method,
            )
            loan = Loan.create(
                group=group,
                cycle=cycle,
                member=member,
                principal=10_000,
                rate=Decimal("0.075"),
                method=method,
                periods=3,
                frequency=frequency,
                purpose="business",
                granted_on=date(2026, 2, 2),
                granted_by=user,
            )
            terms[frequency] = (cycle.id, loan.id)
    schema.upgrade(database)
    with database.bind_ctx(old):
        for frequency, period, method in (
            ("weekly", "week", "declining_equal_principal"),
            ("monthly", "month", "flat"),
        ):
            cycle_id, loan_id = terms[frequency]
            cycle, loan = Cycle.get_by_id(cycle_id), Loan.get_by_id(loan_id)
            assert (cycle.loan_rate, cycle.loan_rate_period) == (Decimal("0.075"), period)
            assert (cycle.loan_method, cycle.loan_methods) == (method, method)
            assert (loan.rate, loan.rate_period) == (Decimal("0.075"), period)
            assert period_rate(loan.rate, loan.rate_period, loan.frequency) == Fraction(3, 40)
    schema.runner(database).down("0009_loan_terms")  # and back: 0009 undone
    assert "rate_period" not in columns(database)["loan"]
    assert not {"loan_rate_period", "loan_methods"} & columns(database)["cycle"]


def test_login_throttles_are_counted_per_device_from_0015_and_back(database):
    schema.upgrade(database)
    names = {i.name: i.columns for i in database.get_indexes("login_throttle")}
    assert names["login_throttle_username_device"] == ["username", "device"]
    schema.runner(database).down("0015_login_throttle_per_device")
    assert "device" not in columns(database)["login_throttle"]
    assert "0015_login_throttle_per_device" in schema.upgrade(database)  # and up again
    assert "device" in columns(database)["login_throttle"]
