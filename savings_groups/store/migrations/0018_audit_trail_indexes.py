"""Indexes for the audit log page: its filters by group, by person and by kind of change, each
read newest first a page at a time (keyset paging by id), stay fast on a long log."""

INDEXES = (("group_id", "id"), ("actor_id", "id"), ("action", "id"))


def up(migrator, db):
    migrator.migrate(*(migrator.add_index("audit_entry", columns, False) for columns in INDEXES))


def down(migrator, db):
    migrator.migrate(
        *(
            migrator.drop_index("audit_entry", "audit_entry_" + "_".join(columns))
            for columns in INDEXES
        )
    )
