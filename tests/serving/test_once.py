"""Files that several worker processes starting together make once: the session key and the
first statement key. Every process gets the same, whole key."""

import multiprocessing
from datetime import date

from savings_groups.config import read_or_create_secret_key
from savings_groups.core.once import create_file_once
from savings_groups.qr import keys


def test_a_file_is_made_once(tmp_path):
    path = tmp_path / "made"
    assert create_file_once(path, "first")
    assert not create_file_once(path, "second")
    assert path.read_text() == "first"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == ["made"]  # no temporary left


def _secret(folder):
    return read_or_create_secret_key(folder)


def _statement_key(folder):
    return keys.current(folder, date(2026, 12, 5)).secret.hex()


def test_workers_starting_together_share_one_secret_key_and_one_statement_key(tmp_path):
    context = multiprocessing.get_context("fork")
    with context.Pool(6) as pool:
        secrets = pool.map(_secret, [tmp_path] * 24)
        statement_keys = pool.map(_statement_key, [tmp_path] * 24)
    assert len(set(secrets)) == 1 and len(secrets[0]) == 64
    assert len(set(statement_keys)) == 1 and len(statement_keys[0]) == 64
    assert sorted(p.name for p in (tmp_path / keys.FOLDER).iterdir()) == ["1.json"]
