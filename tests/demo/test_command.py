"""`savings-groups demo` from a terminal: on a new installation, then refused, then added to."""

import re

from click.testing import CliRunner

from savings_groups.cli import main
from savings_groups.core.dates import today
from savings_groups.demo.operations import ADMIN_USERNAME
from savings_groups.store.db import db
from savings_groups.store.models import SavingsGroup, StoredFigures, User
from tests.test_cli import env, speaking  # noqa: F401 (env is a fixture)


def test_demo_on_a_new_installation_then_refused_then_added(env):  # noqa: F811
    runner = CliRunner()
    first = runner.invoke(main, ["demo", "--until", "2026-11-30"])
    assert first.exit_code == 0, first.output
    assert "5 groups" in first.output
    assert f"“{ADMIN_USERNAME}” with the password “demo-password”" in first.output
    with db.connection_context():
        assert SavingsGroup.select().count() == 5
        assert User.get(User.username == ADMIN_USERNAME).role == "admin"

    again = runner.invoke(main, ["demo", "--until", "2026-11-30"])
    assert again.exit_code == 1
    assert "already has groups" in again.output
    assert "Traceback" not in again.output

    added = runner.invoke(main, ["demo", "--groups", "2", "--seed", "2", "--add"])
    assert added.exit_code == 0, added.output
    assert "Log in as" not in added.output  # the administrator was there already
    with db.connection_context():
        assert SavingsGroup.select().count() == 7


def test_demo_has_help():
    result = CliRunner().invoke(main, ["demo", "--help"])
    assert result.exit_code == 0
    assert "--groups" in result.output and "--add" in result.output


def test_the_demo_counts_are_written_the_installers_way(env):  # noqa: F811
    """Thousands grouped as the language groups them: "5 890 opérations", "5,890 ledger entries"."""
    french = CliRunner().invoke(
        main, ["demo", "--groups", "2", "--years", "1"], env=speaking(LANG="fr_FR.UTF-8")
    )
    assert french.exit_code == 0, french.output
    assert re.search(r"\b\d{1,3}\u202f\d{3} opérations \(générées en \d+,\d s", french.output)
    english = CliRunner().invoke(
        main, ["demo", "--groups", "1", "--seed", "3", "--add"], env=speaking(LANG="C.UTF-8")
    )
    assert english.exit_code == 0, english.output
    assert re.search(r"\b\d{1,3},\d{3} ledger entries", english.output)


def test_the_nightly_command_stores_todays_figures_of_every_group(env):  # noqa: F811
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--groups", "3", "--years", "1"]).exit_code == 0
    stored = runner.invoke(main, ["store-figures"], env=speaking(LANG="fr_FR.UTF-8"))
    assert stored.exit_code == 0, stored.output
    assert "Les chiffres du jour de 3 groupes sont enregistrés." in stored.output
    with db.connection_context():
        kinds = {
            (row.kind.split(":")[0], row.as_of)
            for row in StoredFigures.select(StoredFigures.kind, StoredFigures.as_of)
        }
        assert kinds == {(name, today()) for name in ("indicators", "oversight", "trends")}
        assert StoredFigures.select().count() == 3 * 3
