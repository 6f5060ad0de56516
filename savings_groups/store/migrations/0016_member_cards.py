"""Member cards: each member gets the opaque identifier printed on their card (core.card_codes),
and may have a photo for it (member_photo).

Existing members get a fresh random code each; new members get one on creation (the model's
default). The column stays nullable in the database (SQLite cannot add NOT NULL without
rebuilding the table); every row has a code and the unique index keeps them apart.
"""

from peewee import BlobField, CharField, DateTimeField, ForeignKeyField, Model

from savings_groups.core.card_codes import new_code


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("member", "card_code", CharField(max_length=20, null=True))
    )
    ids = [row[0] for row in db.execute_sql("SELECT id FROM member WHERE card_code IS NULL")]
    given = set()
    for member_id in ids:
        code = new_code()
        while code in given:  # one chance in 10**11: draw again
            code = new_code()
        given.add(code)
        db.execute_sql(
            f"UPDATE member SET card_code = {db.param} WHERE id = {db.param}", (code, member_id)
        )
    migrator.migrate(migrator.add_index("member", ("card_code",), True))

    def table(name):
        class Table(Model):
            class Meta:
                database = db
                table_name = name

        return Table

    Member, User = table("member"), table("user")

    class MemberPhoto(Model):
        member = ForeignKeyField(Member, unique=True, backref="+", on_delete="RESTRICT")
        content_type = CharField(max_length=20)
        data = BlobField()
        uploaded_by = ForeignKeyField(User, backref="+", on_delete="RESTRICT")
        uploaded_at = DateTimeField()

        class Meta:
            database = db
            table_name = "member_photo"

    db.create_tables([MemberPhoto])


def down(migrator, db):
    migrator.migrate(
        migrator.drop_table("member_photo"),
        migrator.drop_index("member", "member_card_code"),
        migrator.drop_column("member", "card_code"),
    )
