"""The JSON API's tokens (api_token, stored hashed) and a member's own consent to a record for a
lender (member_consent, append-only: the latest row holds)."""

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
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

    Member, User = table("member"), table("user")

    class MemberConsent(Model):
        id = AutoField()
        member = ForeignKeyField(Member, backref="+", on_delete="RESTRICT")
        allows_lender_record = BooleanField(default=True)
        given_on = DateField()
        recorded_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
        recorded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "member_consent"
            indexes = ((("member", "id"), False),)

    class ApiToken(Model):
        id = AutoField()
        name = CharField(max_length=200)
        token_hash = CharField(max_length=64, unique=True)
        prefix = CharField(max_length=12)
        all_groups = BooleanField(default=False)
        group_ids = TextField(default="")
        allows_phones = BooleanField(default=False)
        created_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
        created_at = DateTimeField()
        revoked_at = DateTimeField(null=True)
        revoked_by = ForeignKeyField(
            User, null=True, backref="+", on_delete="RESTRICT", column_name="revoked_by_id"
        )
        last_used_at = DateTimeField(null=True)

        class Meta:
            database = db
            table_name = "api_token"

    db.create_tables([MemberConsent, ApiToken])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("api_token"), migrator.drop_table("member_consent"))
