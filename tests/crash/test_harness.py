"""The kill harness finds what it is meant to find: a save written in two transactions,
killed between them, is reported as half a save (so the kill tests' "never half" means
something), and such a save is not even taken as a reference; a save outside the database
is aimed by what it says (killing.writing)."""

import os
from collections import Counter

import pytest

from tests.crash.killing import group_rows, kill_during

HALVES = "tests.crash.savers:in_two_transactions"


@pytest.fixture
def halves(app_config, conn, admin, make_group, make_member, make_cycle):
    """kill(**options): kill_during the save in two transactions, each time in a new group."""

    def prepare():
        group = make_group(name="Halves")
        cycle = make_cycle(group)
        make_member(group), make_member(group)
        return {"group": group.id, "actor": admin.id, "cycle": cycle.id}

    def kill(**options):
        rows = lambda kwargs: group_rows(kwargs["group"])  # noqa: E731
        return kill_during(app_config["DATABASE_URL"], HALVES, prepare, rows, **options)

    return kill


def test_a_save_in_two_transactions_is_caught_half_written(halves):
    with pytest.raises(AssertionError, match="half a save"):
        halves(kills=10, one_transaction=False)


def test_a_save_in_two_transactions_is_refused_as_a_reference(halves):
    with pytest.raises(AssertionError, match="2 commits and 0 writes outside"):
        halves(kills=1)


def test_a_save_that_writes_a_file_is_aimed_with_writing(app_config, conn, tmp_path):
    """A save outside the database (a backup) says when it starts writing; its file is then
    either absent or whole at every kill."""
    size, made = 200 * 65_536, iter(range(1_000))

    def prepare():
        return {"path": str(tmp_path / f"backup-{next(made)}"), "size": size}

    def found(kwargs):
        path = kwargs["path"]
        return Counter([os.path.getsize(path) == size] if os.path.exists(path) else [])

    tally = kill_during(
        app_config["DATABASE_URL"],
        "tests.crash.savers:file_written_whole",
        prepare,
        found,
        kills=10,
        one_transaction=False,
    )
    assert tally.during >= 1, str(tally)
