"""Who wrote a bundle: a stable UUID of the organization (the same on every laptop of it, once
its key is imported) and one of this installation (this laptop or the server)."""

import uuid

from peewee import CharField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("organization", "uuid", CharField(max_length=36, null=True)),
        migrator.add_column("organization", "instance_uuid", CharField(max_length=36, null=True)),
    )
    for (row_id,) in db.execute_sql("SELECT id FROM organization").fetchall():
        p = db.param
        db.execute_sql(
            f"UPDATE organization SET uuid = {p}, instance_uuid = {p} WHERE id = {p}",
            (str(uuid.uuid4()), str(uuid.uuid4()), row_id),
        )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("organization", "instance_uuid"),
        migrator.drop_column("organization", "uuid"),
    )
