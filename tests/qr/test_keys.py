"""Statement keys in the instance folder: made on first need, owner-only, rotated, retired;
and the two commands that do it."""

import stat
from datetime import date

import pytest
from click.testing import CliRunner

from savings_groups.cli import main
from savings_groups.qr import keys
from savings_groups.qr.tokens import Statement, TokenError, sign, verify


def test_the_first_key_is_made_on_first_need_owner_only_and_kept(tmp_path):
    assert keys.all_keys(tmp_path) == {}
    first = keys.current(tmp_path, date(2026, 1, 5))
    assert (first.id, first.created_on, len(first.secret)) == (1, date(2026, 1, 5), 32)
    assert keys.current(tmp_path, date(2026, 2, 1)) == first
    path = tmp_path / "statement_keys" / "1.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_rotating_keeps_the_old_key_marked_and_signs_with_the_new_one(tmp_path):
    first = keys.current(tmp_path, date(2026, 1, 5))
    second = keys.rotate(tmp_path, date(2026, 3, 1))
    assert second.id == 2 and keys.current(tmp_path, date(2026, 3, 2)) == second
    stored = keys.all_keys(tmp_path)
    assert stored[1].rotated_on == date(2026, 3, 1) and stored[1].secret == first.secret
    assert stored[2].rotated_on is None
    statement = Statement("tontine_passbook", 3, date(2026, 2, 1), {
        "currency": "XOF", "rotation_number": 1, "member_number": 4, "initials": "FK",
        "paid": 20_000, "received": 0, "fines": 0, "balance": 20_000,
    })  # fmt: skip
    old = sign(statement, first.id, first.secret)
    known = {key.id: key.secret for key in stored.values()}
    assert verify(old, known).key_id == 1


def test_a_retired_key_is_no_longer_current_and_a_new_one_is_made(tmp_path):
    keys.current(tmp_path, date(2026, 1, 5))
    retired = keys.retire(tmp_path, 1, date(2026, 4, 1))
    assert retired.retired_on == date(2026, 4, 1)
    assert keys.current(tmp_path, date(2026, 4, 2)).id == 2
    with pytest.raises(KeyError):
        keys.retire(tmp_path, 7, date(2026, 4, 1))
    usable = {k.id: k.secret for k in keys.all_keys(tmp_path).values() if not k.retired_on}
    statement = Statement("rosca_receipt", 1, date(2026, 2, 1), {
        "currency": "XOF", "rotation_number": 1, "round_number": 1, "collected": 30_000,
        "payout": 30_000, "recipients": "1",
    })  # fmt: skip
    with pytest.raises(TokenError) as caught:
        verify(sign(statement, 1, retired.secret), usable)
    assert (caught.value.reason, caught.value.key_id) == ("unknown_key", 1)


@pytest.fixture
def instance(empty_app_config, monkeypatch):
    monkeypatch.setenv("SAVINGS_GROUPS_INSTANCE", str(empty_app_config["INSTANCE_PATH"]))
    monkeypatch.setenv("DATABASE_URL", empty_app_config["DATABASE_URL"])
    return empty_app_config["INSTANCE_PATH"]


def test_the_commands_rotate_and_retire_keys(instance):
    runner = CliRunner()
    rotated = runner.invoke(main, ["rotate-statement-key"])
    assert rotated.exit_code == 0, rotated.output
    assert "signed with key 1" in rotated.output
    again = runner.invoke(main, ["rotate-statement-key"])
    assert "signed with key 2" in again.output
    assert keys.all_keys(instance)[1].rotated_on is not None
    retired = runner.invoke(main, ["retire-statement-key", "1"])
    assert retired.exit_code == 0 and "Key 1 is retired" in retired.output
    unknown = runner.invoke(main, ["retire-statement-key", "9"])
    assert unknown.exit_code != 0 and "There is no statement key 9." in unknown.output
    assert "Traceback" not in unknown.output
