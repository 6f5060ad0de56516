"""Indexes the pages' queries need on a large ledger (issue 14), each checked by EXPLAIN in
tests/store/test_query_plans.py on SQLite and PostgreSQL:

- entry (group_id, id): a group's money history and its bundle read the group's entries by id
  (newest first); without it PostgreSQL walks the whole ledger backwards by id, through every
  later group's entries, to find an older group's.
"""

INDEXES = (("group_id", "id"),)


def up(migrator, db):
    migrator.migrate(*(migrator.add_index("entry", columns, False) for columns in INDEXES))


def down(migrator, db):
    migrator.migrate(
        *(migrator.drop_index("entry", "entry_" + "_".join(columns)) for columns in INDEXES)
    )
