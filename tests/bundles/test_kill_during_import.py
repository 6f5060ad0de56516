"""An import killed (SIGKILL) at any moment leaves the receiving database with all of the
bundle or none of it: `savings-groups import` runs in a process killed at random times."""

import os
import random
import signal
import subprocess
import sys
import time

from benchmarks.bench_pages import build, build_rosca
from savings_groups.bundles import operations
from savings_groups.bundles.tables import GROUP_TABLES
from savings_groups.store.models import AuditEntry, BundleExchange, BundleRow, User
from tests.bundles.conftest import consent_to_bundles, second_url
from tests.bundles.helpers import snapshot

KILLS = 16


def undo_import() -> None:
    """Take the imported groups out of the server again (it had none before)."""
    BundleRow.delete().execute()
    BundleExchange.delete().execute()
    for model in reversed(GROUP_TABLES):
        query = model.delete()
        if model is AuditEntry:
            query = query.where(AuditEntry.group.is_null(False))
        query.execute()
    User.delete().where(User.password_hash == "!").execute()


def run_import(server, path, url, kill_after=None):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SAVINGS_GROUPS_INSTANCE": str(server.instance),
        "PYTHONPATH": os.getcwd(),
    }
    process = subprocess.Popen(
        [sys.executable, "-c", "from savings_groups.cli import main; main()", "import", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    if kill_after is None:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
        return
    time.sleep(kill_after)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)


def test_an_import_killed_at_any_moment_is_all_or_nothing(laptop, server, admin, tmp_path):
    savings = build(admin, 12, 8)[0]
    rosca = build_rosca(admin, 6, 4)[0]
    consent_to_bundles(admin, savings, rosca)
    path = tmp_path / "books.zip"
    path.write_bytes(operations.export_groups([savings.id, rosca.id], laptop.instance))
    url = second_url(tmp_path)
    with server.active():
        empty = snapshot()
    started = time.monotonic()
    run_import(server, path, url)
    took = time.monotonic() - started
    with server.active():
        full = snapshot()
        assert full["entry"] > empty["entry"]
        undo_import()
        assert snapshot() == empty
    seen = {"none": 0, "all": 0}
    rng = random.Random(13)
    for _ in range(KILLS):
        run_import(server, path, url, kill_after=rng.uniform(0.4 * took, 1.05 * took))
        with server.active():
            now = snapshot()
            assert now in (empty, full), "an import was half written"
            if now == full:
                seen["all"] += 1
                undo_import()
            else:
                seen["none"] += 1
    print(f"import took {took:.2f}s; kills: {seen}")
    assert seen["none"] > 0  # some kills did land before the commit
