"""Share-out and exit rules on the cycle, finalised share-outs, member exits, ROSCA rotations."""

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    class Cycle(Model):
        class Meta:
            database = db
            table_name = "cycle"

    class Member(Model):
        class Meta:
            database = db
            table_name = "member"

    class SavingsGroup(Model):
        class Meta:
            database = db
            table_name = "savings_group"

    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    migrator.migrate(
        migrator.add_column(
            "cycle", "profit_method", CharField(max_length=20, default="proportional")
        ),
        migrator.add_column(
            "cycle", "leftover_rule", CharField(max_length=20, default="largest_remainder")
        ),
        migrator.add_column("cycle", "social_fund_rule", CharField(max_length=20, default="kept")),
        migrator.add_column(
            "cycle", "loans_at_share_out", CharField(max_length=20, default="deduct")
        ),
        migrator.add_column("cycle", "exit_rule", CharField(max_length=20, default="savings_only")),
        migrator.add_column(
            "cycle",
            "follows_id",
            ForeignKeyField(Cycle, field=Cycle.id, null=True, on_delete="RESTRICT"),
        ),
    )

    class CycleShareOut(Model):
        cycle = ForeignKeyField(Cycle, unique=True, on_delete="RESTRICT")
        held_on = DateField()
        cash = BigIntegerField()
        owed = BigIntegerField()
        value_per_share = CharField(max_length=40)
        carry_over = BigIntegerField()
        social_fund = BigIntegerField()
        social_fund_carry_over = BigIntegerField()
        profit_method = CharField(max_length=20)
        leftover_rule = CharField(max_length=20)
        social_fund_rule = CharField(max_length=20)
        loans_at_share_out = CharField(max_length=20)
        finalised_by = ForeignKeyField(User, on_delete="RESTRICT")
        finalised_at = DateTimeField()

        class Meta:
            database = db
            table_name = "cycle_share_out"

    class ShareOutLine(Model):
        share_out = ForeignKeyField(CycleShareOut, on_delete="RESTRICT")
        member = ForeignKeyField(Member, on_delete="RESTRICT")
        shares = IntegerField()
        saved = BigIntegerField()
        profit = BigIntegerField()
        deducted = BigIntegerField()
        social_fund = BigIntegerField(default=0)
        payout = BigIntegerField()

        class Meta:
            database = db
            table_name = "share_out_line"
            indexes = ((("share_out", "member"), True),)

    class MemberExit(Model):
        member = ForeignKeyField(Member, on_delete="RESTRICT")
        cycle = ForeignKeyField(Cycle, on_delete="RESTRICT")
        settled_on = DateField()
        rule = CharField(max_length=20)
        shares = IntegerField()
        saved = BigIntegerField()
        profit = BigIntegerField()
        deducted = BigIntegerField()
        payout = BigIntegerField()
        recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
        recorded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "member_exit"
            indexes = ((("member", "cycle"), True),)

    class Rotation(Model):
        group = ForeignKeyField(SavingsGroup, on_delete="RESTRICT")
        number = IntegerField()
        contribution = BigIntegerField()
        frequency = CharField(max_length=20)
        start_date = DateField()
        order = CharField(max_length=20)
        discount_rule = CharField(max_length=20, default="shared")
        late_fine = BigIntegerField(default=0)
        notes = TextField(default="")
        created_by = ForeignKeyField(User, on_delete="RESTRICT")
        created_at = DateTimeField()
        started_at = DateTimeField(null=True)
        finished_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "rotation"
            indexes = ((("group", "number"), True),)

    class Hand(Model):
        rotation = ForeignKeyField(Rotation, on_delete="RESTRICT")
        number = IntegerField()
        position = IntegerField(null=True)

        class Meta:
            database = db
            table_name = "hand"
            indexes = ((("rotation", "number"), True),)

    class HandHolder(Model):
        hand = ForeignKeyField(Hand, on_delete="RESTRICT")
        member = ForeignKeyField(Member, on_delete="RESTRICT")
        half = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "hand_holder"
            indexes = ((("hand", "member"), True),)

    db.create_tables([CycleShareOut, ShareOutLine, MemberExit, Rotation, Hand, HandHolder])


def down(migrator, db):
    for table in (
        "hand_holder",
        "hand",
        "rotation",
        "member_exit",
        "share_out_line",
        "cycle_share_out",
    ):
        migrator.migrate(migrator.drop_table(table))
    migrator.migrate(migrator.drop_index("cycle", "cycle_follows_id"))
    for column in (
        "follows_id",
        "exit_rule",
        "loans_at_share_out",
        "social_fund_rule",
        "leftover_rule",
        "profit_method",
    ):
        migrator.migrate(migrator.drop_column("cycle", column))
