"""ROSCA rounds: the rounds of a rotation, bids, contributions and the entries of each round."""

from peewee import (
    BigIntegerField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
)


def up(migrator, db):
    def table(name):
        class Table(Model):
            class Meta:
                database = db
                table_name = name

        return Table

    Rotation, Hand, Member, Entry, User = (
        table(name) for name in ("rotation", "hand", "member", "entry", "user")
    )

    class Round(Model):
        rotation = ForeignKeyField(Rotation, on_delete="RESTRICT")
        number = IntegerField()
        due_on = DateField()
        pot = BigIntegerField()
        recipient = ForeignKeyField(Hand, null=True, unique=True, on_delete="RESTRICT")
        seed = CharField(max_length=200, default="")
        discount = BigIntegerField(default=0)
        paid_out_on = DateField(null=True)
        paid_out_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
        paid_out_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "round"
            indexes = ((("rotation", "number"), True),)

    class Bid(Model):
        round = ForeignKeyField(Round, on_delete="RESTRICT")
        hand = ForeignKeyField(Hand, on_delete="RESTRICT")
        discount = BigIntegerField()
        recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
        recorded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "bid"
            indexes = ((("round", "hand"), True),)

    class Contribution(Model):
        round = ForeignKeyField(Round, on_delete="RESTRICT")
        hand = ForeignKeyField(Hand, on_delete="RESTRICT")
        member = ForeignKeyField(Member, on_delete="RESTRICT")
        amount = BigIntegerField()
        status = CharField(max_length=20)
        paid_by = ForeignKeyField(Member, null=True, backref="+", on_delete="RESTRICT")
        entry = ForeignKeyField(Entry, null=True, unique=True, on_delete="RESTRICT")
        fine_entry = ForeignKeyField(
            Entry, null=True, unique=True, backref="+", on_delete="RESTRICT"
        )
        replaces = ForeignKeyField("self", null=True, unique=True, on_delete="RESTRICT")
        recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
        recorded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "contribution"
            indexes = ((("round", "hand", "member"), False),)

    class RoundEntry(Model):
        round = ForeignKeyField(Round, on_delete="RESTRICT")
        entry = ForeignKeyField(Entry, unique=True, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "round_entry"

    db.create_tables([Round, Bid, Contribution, RoundEntry])


def down(migrator, db):
    for table in ("round_entry", "contribution", "bid", "round"):
        migrator.migrate(migrator.drop_table(table))
