"""The organization's server: gunicorn with two workers on PostgreSQL, started on an empty
database (both workers migrate at once: the advisory lock lets one do it), then a short load of
recorders closing meetings and a viewer, with no error and the books checked afterwards."""

import importlib.util
import os
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from savings_groups.core.dates import today
from savings_groups.store import schema
from savings_groups.store.db import open_database

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres"),
    reason="several gunicorn workers are for PostgreSQL (SQLite serves one process): set "
    "TEST_DATABASE_URL to a PostgreSQL database",
)


def load_module():
    spec = importlib.util.spec_from_file_location("load", ROOT / "benchmarks" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def workers_of(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def test_two_workers_migrate_once_and_serve_a_load_without_error(empty_app_config, tmp_path):
    pytest.importorskip("gunicorn", reason="gunicorn is the [server] extra (Linux)")
    load = load_module()
    url = empty_app_config["DATABASE_URL"]
    env = load.environment(url, tmp_path / "instance")
    # The test suite's cheap argon2 (the same algorithm), for the demo's accounts and logins.
    env.update(
        SAVINGS_GROUPS_ARGON2_TIME_COST="1",
        SAVINGS_GROUPS_ARGON2_MEMORY_COST="1024",
        SAVINGS_GROUPS_ARGON2_PARALLELISM="1",
    )
    log = tmp_path / "gunicorn.log"
    server = load.start_gunicorn(env, load.free_port(), workers=2, threads=1, log=log)
    try:
        port = int(server.args[server.args.index("-b") + 1].rsplit(":", 1)[1])
        database = open_database(url)
        with database.connection_context():
            applied = [
                name
                for (name,) in database.execute_sql(
                    "SELECT name FROM schema_migration ORDER BY name"
                ).fetchall()
            ]
        assert applied == schema.runner_names()
        assert len(workers_of(server)) == 2

        until = (today() - timedelta(days=load.DAYS_BACK)).isoformat()
        demo = load.run_cli(["demo", "--groups", "4", "--years", "1", "--until", until], env)
        assert demo.returncode == 0, demo.stderr
        plans = load.recording_plan(url, 3)
        assert len(plans) >= 2  # the savings groups (a ROSCA has no meetings)

        stats, seconds = load.run_users(port, plans, viewers=1, seconds=4)
        result = load.report(stats, seconds, {})
        assert result["errors"] == 0, result["error_samples"]
        assert result["meetings_closed"] >= len(plans)
        assert result["kinds"]["passbook"]["count"] > 0
        assert len(workers_of(server)) == 2  # none died and was replaced
    finally:
        load.stop(server)
    check = load.run_cli(["check"], env)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.startswith("OK: 4 groups")
    text = log.read_text()
    assert "Traceback" not in text and "Worker exited" not in text, text
