"""`savings-groups export`, `import` and `org-key`, from a terminal."""

import json
import stat

import pytest
from click.testing import CliRunner

from savings_groups.cli import main
from tests.bundles.conftest import second_url
from tests.bundles.helpers import unzip


@pytest.mark.parametrize(
    "command", [["export"], ["import"], ["org-key"], ["org-key", "export"], ["org-key", "import"]]
)
def test_every_bundle_command_has_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def env_of(instance, url) -> dict:
    return {"SAVINGS_GROUPS_INSTANCE": str(instance), "DATABASE_URL": url}


def test_a_bundle_goes_from_a_terminal_to_another(laptop, server, books, app, tmp_path):
    (group, *_), _rosca = books
    runner = CliRunner()
    path = tmp_path / "books.zip"
    here = env_of(laptop.instance, app.config["DATABASE_URL"])
    result = runner.invoke(main, ["export", "--group", str(group.id), str(path)], env=here)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    manifest = json.loads(unzip(path.read_bytes())["manifest.json"])
    assert [g["name"] for g in manifest["groups"]] == ["Benkadi"]
    there = env_of(server.instance, second_url(tmp_path))
    checked = runner.invoke(main, ["import", "--dry-run", str(path)], env=there)
    assert checked.exit_code == 0, checked.output
    assert "Benkadi: new; added" in checked.output and "dry run" in checked.output
    done = runner.invoke(main, ["import", str(path)], env=there)
    assert done.exit_code == 0 and "Imported." in done.output
    again = runner.invoke(main, ["import", str(path)], env=there)
    assert "Benkadi: already up to date" in again.output
    refused = runner.invoke(main, ["import", str(path)], env=here)
    assert refused.exit_code == 1 and "made on this installation" in refused.output


def test_the_organization_key_is_carried_by_file(laptop, app, tmp_path):
    runner = CliRunner()
    here = env_of(laptop.instance, app.config["DATABASE_URL"])
    key = tmp_path / "key.json"
    result = runner.invoke(main, ["org-key", "export", str(key)], env=here)
    assert result.exit_code == 0 and stat.S_IMODE(key.stat().st_mode) == 0o600
    again = runner.invoke(main, ["org-key", "import", str(key)], env=here)
    assert "already has this key" in again.output
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    refused = runner.invoke(main, ["org-key", "import", str(bad)], env=here)
    assert refused.exit_code == 1 and "not a key file" in refused.output
