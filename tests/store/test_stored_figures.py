"""Stored figures are the figures: each write raises its group's books version (the database's
triggers, whoever writes), and a reading computes again exactly the groups whose books changed.
The figures read through the store must equal the ones computed from the books, after every kind
of write."""

from datetime import timedelta
from importlib import import_module

import pytest

from savings_groups.core.dates import today
from savings_groups.demo.generate import Options
from savings_groups.demo.operations import load
from savings_groups.indicators import reports
from savings_groups.ledger import corrections
from savings_groups.oversight import figures, trends
from savings_groups.store import stored_figures
from savings_groups.store.db import db
from savings_groups.store.models import (
    BooksVersion,
    Entry,
    Member,
    SavingsGroup,
    StoredFigures,
)
from tests.busy_group import build, close

# the tables whose rows the figures are read from, and how a row's group is found
WATCHED = import_module("savings_groups.store.migrations.0031_stored_figures").WATCHED


def version(group_id: int) -> int:
    return stored_figures.versions([group_id])[group_id]


@pytest.fixture
def demo(conn, admin, policy):
    """Four groups over a year up to today, one a ROSCA: a row in every watched table."""
    load(Options(groups=4, years=1, seed=5, end=today()), policy)


@pytest.mark.parametrize("table", list(WATCHED))
def test_a_row_written_raises_its_groups_version(demo, table):
    group = WATCHED[table].format(r="t")
    row_id, group_id = db.execute_sql(
        f'SELECT t.id, {group} FROM "{table}" t WHERE {group} IS NOT NULL ORDER BY t.id LIMIT 1'
    ).fetchone()
    others = {g.id: version(g.id) for g in SavingsGroup.select() if g.id != group_id}
    before = version(group_id)
    db.execute_sql(f'UPDATE "{table}" SET id = id WHERE id = {db.param}', (row_id,))
    assert version(group_id) == before + 1
    assert {g: version(g) for g in others} == others  # only that group's


def _everything(ids, day):
    """What the dashboard, the groups list and the trends read, through the store."""
    query = SavingsGroup.select().where(SavingsGroup.id.in_(ids)).order_by(SavingsGroup.id)
    return (
        {c.group.id: reports._dump(c) for c in reports.counters(query, day)},
        {k: figures._dump(f) for k, f in figures.figures_for(ids, day).items()},
        trends.trends_for(ids, day),
    )


def _from_the_books(ids, day):
    """The same, computed from the books (nothing stored is read)."""
    StoredFigures.delete().execute()
    return _everything(ids, day)  # nothing stored: all computed


def test_the_stored_figures_follow_every_write(conn, admin):
    day = today()
    busy = build(admin, "Busy", members=8, meetings_held=3)
    quiet = build(admin, "Quiet", members=6, meetings_held=2)
    ids = [busy.group.id, quiet.group.id]
    first = _everything(ids, day)
    assert StoredFigures.select().count() == 6  # 3 kinds of figures, 2 groups
    quiet_version = version(quiet.group.id)

    close(admin, busy.draft, busy.members, 3)  # entries, attendance, loans repaid: inserts
    after_close = _everything(ids, day)
    assert after_close != first
    assert version(quiet.group.id) == quiet_version  # the quiet group's figures were read
    assert after_close == _from_the_books(ids, day)

    _everything(ids, day)
    entry = Entry.select().where(Entry.group == busy.group, Entry.kind == "share_purchase").first()
    corrections.correct_entry(admin, entry, "typed twice", shares=0)  # a reversal
    Member.update(gender="male").where(Member.group == busy.group).execute()  # an update
    changed = _everything(ids, day)
    assert changed == _from_the_books(ids, day)
    assert changed[0][busy.group.id] != after_close[0][busy.group.id]


def test_a_write_while_figures_are_computed_is_not_taken_for_the_new_books(conn, admin):
    """The versions are read before computing: a write that commits in between leaves the
    figures stored under the older version, so the next reading computes them again."""
    group = build(admin, "Busy", members=4, meetings_held=1).group
    computed = []

    def compute(ids):
        computed.append(ids)
        if len(computed) == 1:  # another user writes while the first reading computes
            Member.update(full_name=Member.full_name).where(Member.group == group).execute()
        return {group_id: len(computed) for group_id in ids}

    def read():
        return stored_figures.through("test", [group.id], today(), compute, int, lambda _, v: v)

    assert read() == {group.id: 1}
    assert read() == {group.id: 2}  # computed again: the write came after the versions read
    assert read() == {group.id: 2}  # stored at the version it was computed at
    assert len(computed) == 2


def test_a_group_keeps_todays_figures_and_the_last_other_day(conn, admin):
    group = build(admin, "Busy", members=4, meetings_held=1).group
    days = [today() - timedelta(days=n) for n in (40, 30, 0, 20)]
    for day in days:
        figures.figures_for([group.id], day)
    kept = {row.as_of for row in StoredFigures.select().where(StoredFigures.group_id == group.id)}
    assert kept == {today(), days[-1]}


def test_a_version_is_raised_once_a_write_is_committed_not_before(conn, admin):
    """PostgreSQL raises it at the commit (deferred triggers), SQLite with each statement: either
    way a reading after the commit sees it, and a rolled back write leaves it as it was."""
    group = build(admin, "Busy", members=4, meetings_held=1).group
    before = version(group.id)
    with pytest.raises(RuntimeError), db.atomic():
        Member.update(full_name="Someone").where(Member.group == group).execute()
        raise RuntimeError("cancelled")
    assert version(group.id) == before
    with db.atomic():
        Member.update(full_name="Someone").where(Member.group == group).execute()
    assert version(group.id) > before
    assert BooksVersion.get_by_id(group.id).version == version(group.id)


def test_a_bulk_load_pauses_the_triggers_and_raises_every_version(conn, admin):
    group = build(admin, "Busy", members=4, meetings_held=1).group
    before = version(group.id)
    with db.atomic(), stored_figures.triggers_paused(db.obj):
        Member.update(full_name="Someone").where(Member.group == group).execute()
        assert version(group.id) == before  # paused: not raised by the row
    assert version(group.id) == before + 1  # raised once at the end, for every group
    with pytest.raises(RuntimeError), db.atomic(), stored_figures.triggers_paused(db.obj):
        raise RuntimeError("the load failed")
    Member.update(full_name="Someone else").where(Member.group == group).execute()
    assert version(group.id) == before + 1 + 4  # back with the rollback: one a member row
