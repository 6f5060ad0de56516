"""Members, cycles and their rules, meetings, attendance, the ledger; more about a group."""

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
    class SavingsGroup(Model):
        class Meta:
            database = db
            table_name = "savings_group"

    class User(Model):
        class Meta:
            database = db
            table_name = "user"

    class Cycle(Model):
        group = ForeignKeyField(SavingsGroup, on_delete="RESTRICT")
        number = IntegerField()
        start_date = DateField()
        planned_end = DateField()
        share_value = BigIntegerField()
        min_shares = IntegerField(default=1)
        max_shares = IntegerField(default=5)
        social_fund_contribution = BigIntegerField(default=0)
        loan_rate = CharField(max_length=20, default="0")
        loan_method = CharField(max_length=40, default="flat")
        loan_max_multiple = CharField(max_length=20, default="3")
        loan_max_periods = IntegerField(default=3)
        one_loan_at_a_time = BooleanField(default=True)
        guarantor_threshold = BigIntegerField(null=True)
        debt_warning_ratio = CharField(max_length=20, default="2")
        rules_fixed_at = DateTimeField(null=True)
        closed_at = DateTimeField(null=True)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "cycle"
            indexes = ((("group", "number"), True),)

    db.create_tables([Cycle])

    class Meeting(Model):
        group = ForeignKeyField(SavingsGroup, on_delete="RESTRICT")
        cycle = ForeignKeyField(Cycle, on_delete="RESTRICT")
        held_on = DateField()
        status = CharField(max_length=20, default="draft")
        version = IntegerField(default=0)
        draft = TextField(default="{}")
        notes = TextField(default="")
        closed_at = DateTimeField(null=True)
        closed_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "meeting"
            indexes = ((("group", "held_on"), True),)

    db.create_tables([Meeting])

    class Member(Model):
        group = ForeignKeyField(SavingsGroup, on_delete="RESTRICT")
        number = IntegerField()
        full_name = CharField(max_length=200)
        gender = CharField(max_length=20, default="unstated")
        birth_year = IntegerField(null=True)
        phone = CharField(max_length=40, default="")
        member_type = CharField(max_length=20)
        group_role = CharField(max_length=20, default="member")
        joined_on = DateField()
        left_on = DateField(null=True)
        left_reason = CharField(max_length=200, default="")
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "member"
            indexes = ((("group", "number"), True),)

    db.create_tables([Member])

    class Attendance(Model):
        meeting = ForeignKeyField(Meeting, on_delete="RESTRICT")
        member = ForeignKeyField(Member, on_delete="RESTRICT")
        status = CharField(max_length=20)

        class Meta:
            database = db
            table_name = "attendance"
            indexes = ((("meeting", "member"), True),)

    db.create_tables([Attendance])

    class CashCount(Model):
        meeting = ForeignKeyField(Meeting, on_delete="RESTRICT")
        fund = CharField(max_length=20)
        counted = BigIntegerField()
        computed = BigIntegerField()

        class Meta:
            database = db
            table_name = "cash_count"
            indexes = ((("meeting", "fund"), True),)

    db.create_tables([CashCount])

    class Entry(Model):
        group = ForeignKeyField(SavingsGroup, on_delete="RESTRICT")
        cycle = ForeignKeyField(Cycle, null=True, on_delete="RESTRICT")
        meeting = ForeignKeyField(Meeting, null=True, on_delete="RESTRICT")
        member = ForeignKeyField(Member, null=True, on_delete="RESTRICT")
        kind = CharField(max_length=40)
        fund = CharField(max_length=20)
        amount = BigIntegerField()
        shares = IntegerField(default=0)
        note = TextField(default="")
        recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
        recorded_at = DateTimeField()
        reverses = ForeignKeyField("self", unique=True, null=True, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "entry"
            indexes = ((("group", "fund"), False), (("member", "kind"), False))

    db.create_tables([Entry])

    class FineType(Model):
        cycle = ForeignKeyField(Cycle, on_delete="RESTRICT")
        name = CharField(max_length=100)
        amount = BigIntegerField()

        class Meta:
            database = db
            table_name = "fine_type"

    db.create_tables([FineType])

    class RuleDecision(Model):
        cycle = ForeignKeyField(Cycle, on_delete="RESTRICT")
        decided_on = DateField()
        reason = TextField()
        changes = TextField(default="{}")
        recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
        recorded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "rule_decision"

    db.create_tables([RuleDecision])

    migrator.migrate(
        migrator.add_column("savings_group", "rounding_unit", BigIntegerField(default=1))
    )
    migrator.migrate(
        migrator.add_column(
            "savings_group", "meeting_frequency", CharField(max_length=20, default="weekly")
        )
    )
    migrator.migrate(migrator.add_column("savings_group", "meeting_day", IntegerField(null=True)))
    migrator.migrate(migrator.add_column("savings_group", "formed_on", DateField(null=True)))
    migrator.migrate(
        migrator.add_column(
            "savings_group",
            "facilitator_id",
            ForeignKeyField(User, field=User.id, null=True, on_delete="RESTRICT"),
        )
    )
    migrator.migrate(migrator.add_column("savings_group", "notes", TextField(default="")))
    migrator.migrate(migrator.add_column("savings_group", "archived_at", DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_index("savings_group", "savings_group_facilitator_id"))
    migrator.migrate(migrator.drop_column("savings_group", "archived_at"))
    migrator.migrate(migrator.drop_column("savings_group", "notes"))
    migrator.migrate(migrator.drop_column("savings_group", "facilitator_id"))
    migrator.migrate(migrator.drop_column("savings_group", "formed_on"))
    migrator.migrate(migrator.drop_column("savings_group", "meeting_day"))
    migrator.migrate(migrator.drop_column("savings_group", "meeting_frequency"))
    migrator.migrate(migrator.drop_column("savings_group", "rounding_unit"))
    migrator.migrate(migrator.drop_table("rule_decision"))
    migrator.migrate(migrator.drop_table("fine_type"))
    migrator.migrate(migrator.drop_table("entry"))
    migrator.migrate(migrator.drop_table("cash_count"))
    migrator.migrate(migrator.drop_table("attendance"))
    migrator.migrate(migrator.drop_table("member"))
    migrator.migrate(migrator.drop_table("meeting"))
    migrator.migrate(migrator.drop_table("cycle"))
