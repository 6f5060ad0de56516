"""The savings-groups command: init, create-user, serve, and --help for each."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner

from savings_groups.cli import main
from savings_groups.store.db import db
from savings_groups.store.models import Organization, User


@pytest.fixture
def env(empty_app_config, monkeypatch):
    """The command reads its settings from the environment, as on a real machine, and starts
    from a database with no schema, as `init` does on a new machine."""
    values = {
        "SAVINGS_GROUPS_INSTANCE": str(empty_app_config["INSTANCE_PATH"]),
        "DATABASE_URL": empty_app_config["DATABASE_URL"],
        "SAVINGS_GROUPS_ARGON2_TIME_COST": "1",
        "SAVINGS_GROUPS_ARGON2_MEMORY_COST": "1024",
        "SAVINGS_GROUPS_ARGON2_PARALLELISM": "1",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


@pytest.mark.parametrize("command", [[], ["serve"], ["init"], ["create-user"], ["check"]])
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_init_creates_the_instance_and_the_schema(env):
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    assert os.path.exists(os.path.join(env["SAVINGS_GROUPS_INSTANCE"], "secret_key"))


def test_create_user_makes_the_organization_and_first_admin_then_others(env):
    runner = CliRunner()
    first = runner.invoke(
        main,
        [
            "create-user",
            "--username",
            "awa",
            "--full-name",
            "Awa Diallo",
            "--organization",
            "Programme Retour",
        ],
        input="a long password\na long password\n",
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        main,
        [
            "create-user",
            "--username",
            "bob",
            "--full-name",
            "Bob",
            "--role",
            "recorder",
            "--password",
            "another password",
        ],
    )
    assert second.exit_code == 0, second.output
    with db.connection_context():
        assert Organization.get().name == "Programme Retour"
        assert {(u.username, u.role) for u in User.select()} == {
            ("awa", "admin"),
            ("bob", "recorder"),
        }


def test_create_user_reports_bad_input_and_writes_nothing(env):
    runner = CliRunner()
    not_admin = runner.invoke(
        main,
        [
            "create-user",
            "--username",
            "bob",
            "--full-name",
            "Bob",
            "--role",
            "viewer",
            "--password",
            "long enough 1",
        ],
    )
    assert not_admin.exit_code == 1 and "administrator" in not_admin.output
    short = runner.invoke(
        main,
        [
            "create-user",
            "--username",
            "awa",
            "--full-name",
            "Awa",
            "--organization",
            "P",
            "--password",
            "short",
        ],
    )
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    with db.connection_context():
        assert User.select().count() == 0


def test_a_missing_database_folder_is_reported_without_a_traceback(env, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}")
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Traceback" not in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_starts_a_real_server(env):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "savings_groups.cli", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=os.environ.copy(),
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/setup", timeout=2
                ) as response:
                    body = response.read().decode()
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        assert "Welcome to Savings Groups" in body
        assert response.headers["X-Frame-Options"] == "DENY"
    finally:
        server.terminate()
        server.communicate(timeout=10)
