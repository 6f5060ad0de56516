"""ROSCA rounds: the organiser's commission (a rule of the rotation) and the repayments between
members of a contribution one paid for the other."""

from peewee import BigIntegerField, DateField, DateTimeField, ForeignKeyField, IntegerField, Model


def up(migrator, db):
    def table(name):
        class Table(Model):
            class Meta:
                database = db
                table_name = name

        return Table

    Rotation, Member, Entry, User = (
        table(name) for name in ("rotation", "member", "entry", "user")
    )
    migrator.migrate(
        migrator.add_column("rotation", "commission_amount", BigIntegerField(default=0)),
        migrator.add_column("rotation", "commission_share", IntegerField(default=0)),
        migrator.add_column(
            "rotation",
            "organiser_id",
            ForeignKeyField(Member, field=Member.id, null=True, on_delete="RESTRICT"),
        ),
    )

    class DebtRepayment(Model):
        rotation = ForeignKeyField(Rotation, on_delete="RESTRICT")
        debtor = ForeignKeyField(Member, backref="+", on_delete="RESTRICT")
        creditor = ForeignKeyField(Member, backref="+", on_delete="RESTRICT")
        amount = BigIntegerField()
        paid_on = DateField()
        debtor_entry = ForeignKeyField(Entry, unique=True, backref="+", on_delete="RESTRICT")
        creditor_entry = ForeignKeyField(Entry, unique=True, backref="+", on_delete="RESTRICT")
        recorded_by = ForeignKeyField(User, on_delete="RESTRICT")
        recorded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "debt_repayment"
            indexes = ((("rotation", "debtor", "creditor"), False),)

    db.create_tables([DebtRepayment])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("debt_repayment"))
    migrator.migrate(
        migrator.drop_index("rotation", "rotation_organiser_id"),
        migrator.drop_column("rotation", "organiser_id"),
        migrator.drop_column("rotation", "commission_share"),
        migrator.drop_column("rotation", "commission_amount"),
    )
