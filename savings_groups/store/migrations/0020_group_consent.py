"""A group's consent to member-level data leaving the app (group_consent): what may be shared,
when the group decided it and who spoke for it. Append-only; the latest row holds."""

from peewee import AutoField, CharField, DateField, DateTimeField, ForeignKeyField, Model


def up(migrator, db):
    def table(name):
        class Table(Model):
            class Meta:
                database = db
                table_name = name

        return Table

    SavingsGroup, User = table("savings_group"), table("user")

    class GroupConsent(Model):
        id = AutoField()
        group = ForeignKeyField(SavingsGroup, backref="+", on_delete="RESTRICT")
        scopes = CharField(max_length=200, default="")
        given_on = DateField()
        given_by = CharField(max_length=200)
        recorded_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
        recorded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "group_consent"
            indexes = ((("group", "id"), False),)

    db.create_tables([GroupConsent])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("group_consent"))
