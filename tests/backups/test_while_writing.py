"""Backups while another process writes, and a backup process killed (SIGKILL) at random
moments: every file that carries a backup's name is whole, checked and consistent (each
meeting with all its entries or none), and the live database stays sound."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date

from savings_groups.backups import files
from savings_groups.core.vocabulary import BackupReason, EntryKind, Fund
from tests.backups.writer import AMOUNTS


def consistent_ledger(path) -> int:
    """The number of meetings in a backup, after checking each has all its entries."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        meetings = connection.execute("SELECT COUNT(*) FROM meeting").fetchone()[0]
        rows = connection.execute(
            "SELECT m.id, COUNT(e.id), COALESCE(SUM(e.amount), 0) FROM meeting m "
            "LEFT JOIN entry e ON e.meeting_id = m.id GROUP BY m.id"
        ).fetchall()
        total = connection.execute("SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM entry")
        count, amount = total.fetchone()
    finally:
        connection.close()
    assert all(row[1:] == (len(AMOUNTS), sum(AMOUNTS)) for row in rows), rows
    assert (count, amount) == (meetings * len(AMOUNTS), meetings * sum(AMOUNTS))
    return meetings


def environment():
    return {**os.environ, "PYTHONPATH": os.getcwd()}


def test_backups_taken_while_another_process_records_meetings(
    sqlite_file, folder, world, app_config, tmp_path, admin
):
    w = world()
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.backups.writer",
            app_config["DATABASE_URL"],
            *map(str, (admin.id, w.group.id, w.cycle.id, w.members[0].id)),
            str(stop),
        ],
        env=environment(),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        taken = []
        for _ in range(10):
            time.sleep(0.05)
            taken.append(files.take(sqlite_file, folder, BackupReason.MANUAL))
    finally:
        stop.touch()
        assert writer.wait(60) == 0
        writer.stdout.close()
    seen = [consistent_ledger(backup.path) for backup in taken]
    for backup in taken:
        assert files.integrity_problem(backup.path) is None
    assert seen == sorted(seen)  # each backup a later point of the same books
    assert seen[-1] > seen[0] > 0, seen  # taken while the writer wrote
    assert consistent_ledger(sqlite_file) >= seen[-1]


BACKING_UP = """
import sys
from pathlib import Path
from savings_groups.backups import files
from savings_groups.core.vocabulary import BackupReason, EntryKind, Fund
print("ready", flush=True)
while True:
    files.take(Path(sys.argv[1]), Path(sys.argv[2]), BackupReason.MANUAL, keep=3)
"""


def test_a_backup_killed_at_any_moment_leaves_no_half_backup(sqlite_file, folder, world, conn):
    w = world()
    for day in range(1, 4):  # some books to check afterwards
        meeting = w.meeting(date(2026, 2, day))
        for amount in AMOUNTS:
            w.post(Fund.LOAN_FUND, EntryKind.SHARE_PURCHASE, amount, w.members[0], meeting, 1)
    filler = sqlite3.connect(sqlite_file)  # large enough that a kill lands mid-copy
    filler.execute("CREATE TABLE filler (data BLOB)")
    filler.executemany("INSERT INTO filler VALUES (randomblob(1000000))", [()] * 30)
    filler.commit()
    filler.close()
    files.private_folder(folder)
    chance = random.Random(13)
    for _kill in range(24):
        process = subprocess.Popen(
            [sys.executable, "-c", BACKING_UP, str(sqlite_file), str(folder)],
            env=environment(),
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout.readline().strip() == "ready"
        time.sleep(chance.uniform(0, 0.6))
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        process.stdout.close()
    assert files.listing(folder), "no backup was ever finished: kill later"
    for backup in files.listing(folder):
        assert files.integrity_problem(backup.path) is None, backup.name
        assert consistent_ledger(backup.path) == 3
    left = [path for path in folder.iterdir() if path.name.startswith(".")]
    assert left, "no kill landed in the middle of a backup: make the database larger"
    assert all(files.parse(path) is None for path in left)
    assert files.integrity_problem(sqlite_file) is None
    assert consistent_ledger(sqlite_file) == 3
