"""ROSCA rotations: what stays in the pot at the end (the rule, what was done with it, the
entries outside the rounds) and turns swapped between two hands after the start."""

from peewee import (
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    def table(name):
        class Table(Model):
            class Meta:
                database = db
                table_name = name

        return Table

    Rotation, Hand, Entry, User = (table(name) for name in ("rotation", "hand", "entry", "user"))

    migrator.migrate(
        migrator.add_column("rotation", "end_rule", CharField(max_length=20, default="shared"))
    )

    class TurnSwap(Model):
        rotation = ForeignKeyField(Rotation, on_delete="RESTRICT")
        first_hand = ForeignKeyField(Hand, backref="+", on_delete="RESTRICT")
        second_hand = ForeignKeyField(Hand, backref="+", on_delete="RESTRICT")
        first_position = IntegerField()
        second_position = IntegerField()
        note = TextField(default="")
        recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
        recorded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "turn_swap"

    class RotationEnd(Model):
        rotation = ForeignKeyField(Rotation, unique=True, backref="+", on_delete="RESTRICT")
        rule = CharField(max_length=20)
        remainder = BigIntegerField()
        shared = BigIntegerField()
        carried = BigIntegerField()
        left = BigIntegerField()
        carried_to = ForeignKeyField(Rotation, null=True, backref="+", on_delete="RESTRICT")
        held_on = DateField()
        recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
        recorded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "rotation_end"

    class RotationEntry(Model):
        rotation = ForeignKeyField(Rotation, backref="+", on_delete="RESTRICT")
        entry = ForeignKeyField(Entry, unique=True, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "rotation_entry"

    db.create_tables([TurnSwap, RotationEnd, RotationEntry])


def down(migrator, db):
    for name in ("rotation_entry", "rotation_end", "turn_swap"):
        migrator.migrate(migrator.drop_table(name))
    migrator.migrate(migrator.drop_column("rotation", "end_rule"))
