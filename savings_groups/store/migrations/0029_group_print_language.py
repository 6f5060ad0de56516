"""A group's print language: passbooks, receipts and slips that members take home are printed
in it, whatever the language of the person printing them."""

from peewee import CharField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("savings_group", "print_locale", CharField(max_length=20, default=""))
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("savings_group", "print_locale"))
