"""Practice groups: a group a new recorder learns on. It is marked on every page and never counted
in the organization's indicators, warnings or exports."""

from peewee import BooleanField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("savings_group", "is_practice", BooleanField(default=False))
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("savings_group", "is_practice"))
