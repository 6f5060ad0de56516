"""Internal loans: loans, their installments, guarantors and acknowledged warnings; entry.loan."""

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
    class Cycle(Model):
        class Meta:
            database = db
            table_name = "cycle"

    class Meeting(Model):
        class Meta:
            database = db
            table_name = "meeting"

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

    class Loan(Model):
        group = ForeignKeyField(SavingsGroup, on_delete="RESTRICT")
        cycle = ForeignKeyField(Cycle, on_delete="RESTRICT")
        member = ForeignKeyField(Member, on_delete="RESTRICT")
        meeting = ForeignKeyField(Meeting, null=True, on_delete="RESTRICT")
        principal = BigIntegerField()
        rate = CharField(max_length=20)
        method = CharField(max_length=40)
        periods = IntegerField()
        unit = BigIntegerField(default=1)
        frequency = CharField(max_length=20)
        purpose = CharField(max_length=20)
        status = CharField(max_length=20, default="active")
        granted_on = DateField()
        granted_by = ForeignKeyField(User, on_delete="RESTRICT")
        closed_on = DateField(null=True)
        rescheduled_on = DateField(null=True)
        written_off = BigIntegerField(default=0)
        baseline_principal = BigIntegerField(default=0)
        baseline_interest = BigIntegerField(default=0)
        carried_interest = BigIntegerField(default=0)
        created_at = DateTimeField()

        class Meta:
            database = db
            table_name = "loan"
            indexes = ((("group", "status"), False), (("member", "status"), False))

    db.create_tables([Loan])

    class LoanFlag(Model):
        loan = ForeignKeyField(Loan, on_delete="RESTRICT")
        code = CharField(max_length=40)
        details = TextField(default="{}")
        acknowledged_by = ForeignKeyField(User, on_delete="RESTRICT")
        acknowledged_at = DateTimeField()

        class Meta:
            database = db
            table_name = "loan_flag"
            indexes = ((("loan", "code"), True),)

    db.create_tables([LoanFlag])

    class LoanGuarantor(Model):
        loan = ForeignKeyField(Loan, on_delete="RESTRICT")
        member = ForeignKeyField(Member, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "loan_guarantor"
            indexes = ((("loan", "member"), True),)

    db.create_tables([LoanGuarantor])

    class LoanInstallment(Model):
        loan = ForeignKeyField(Loan, on_delete="RESTRICT")
        version = IntegerField(default=0)
        number = IntegerField()
        due_on = DateField()
        principal = BigIntegerField()
        interest = BigIntegerField(null=True)
        replaced_on = DateField(null=True)

        class Meta:
            database = db
            table_name = "loan_installment"
            indexes = ((("loan", "version", "number"), True),)

    db.create_tables([LoanInstallment])

    migrator.migrate(
        migrator.add_column(
            "entry",
            "loan_id",
            ForeignKeyField(Loan, field=Loan.id, null=True, on_delete="RESTRICT"),
        )
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_index("entry", "entry_loan_id"))
    migrator.migrate(migrator.drop_column("entry", "loan_id"))
    migrator.migrate(migrator.drop_table("loan_installment"))
    migrator.migrate(migrator.drop_table("loan_guarantor"))
    migrator.migrate(migrator.drop_table("loan_flag"))
    migrator.migrate(migrator.drop_table("loan"))
