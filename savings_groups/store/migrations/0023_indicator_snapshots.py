"""Quarterly snapshots of each group's indicators (indicator_snapshot): frozen once, never
recomputed; one row a group and quarter."""

from peewee import AutoField, CharField, DateField, DateTimeField, ForeignKeyField, Model, TextField


def up(migrator, db):
    def table(name):
        class Table(Model):
            class Meta:
                database = db
                table_name = name

        return Table

    SavingsGroup, User = table("savings_group"), table("user")

    class IndicatorSnapshot(Model):
        id = AutoField()
        group = ForeignKeyField(SavingsGroup, backref="+", on_delete="RESTRICT")
        quarter = CharField(max_length=7)
        as_of = DateField()
        currency = CharField(max_length=3)
        figures = TextField()
        frozen_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
        frozen_at = DateTimeField()

        class Meta:
            database = db
            table_name = "indicator_snapshot"
            indexes = ((("quarter", "group"), True),)

    db.create_tables([IndicatorSnapshot])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("indicator_snapshot"))
