"""Groups, who is assigned to them, and the audit log."""

from peewee import (
    AutoField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    class User(Model):
        id = AutoField()

        class Meta:
            database = db
            table_name = "user"

    class SavingsGroup(Model):
        id = AutoField()
        name = CharField(max_length=200)
        kind = CharField(max_length=20)
        currency = CharField(max_length=3)
        village = CharField(max_length=200, default="")
        district = CharField(max_length=200, default="")
        country = CharField(max_length=2, default="")
        created_at = DateTimeField()
        created_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "savings_group"

    class GroupAssignment(Model):
        id = AutoField()
        user = ForeignKeyField(User, on_delete="CASCADE")
        group = ForeignKeyField(SavingsGroup, on_delete="CASCADE")
        assigned_at = DateTimeField()
        assigned_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")

        class Meta:
            database = db
            table_name = "group_assignment"
            indexes = ((("user", "group"), True),)

    class AuditEntry(Model):
        id = AutoField()
        at = DateTimeField(index=True)
        actor = ForeignKeyField(User, null=True, on_delete="RESTRICT")
        action = CharField(max_length=60)
        object_type = CharField(max_length=40)
        object_id = IntegerField(null=True)
        group = ForeignKeyField(SavingsGroup, null=True, on_delete="RESTRICT")
        details = TextField(default="{}")

        class Meta:
            database = db
            table_name = "audit_entry"

    db.create_tables([SavingsGroup, GroupAssignment, AuditEntry])


def down(migrator, db):
    for table in ("audit_entry", "group_assignment", "savings_group"):
        db.execute_sql(f'DROP TABLE "{table}"')
