"""Group expenses and other income say who approved them; a share-out keeps the account's part.

`entry.approved_by_id`: the member who approved a group expense or other income at a meeting
(empty: the meeting itself). `cycle_share_out.bank`: what the group's bank or mobile-money
account held at the share-out, counted in its cash and brought back to the box.
"""

from peewee import BigIntegerField, ForeignKeyField, Model


def up(migrator, db):
    class Member(Model):
        class Meta:
            database = db
            table_name = "member"

    migrator.migrate(
        migrator.add_column(
            "entry",
            "approved_by_id",
            ForeignKeyField(Member, field=Member.id, null=True, on_delete="RESTRICT"),
        ),
        migrator.add_column("cycle_share_out", "bank", BigIntegerField(default=0)),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_column("cycle_share_out", "bank"))
    migrator.migrate(migrator.drop_index("entry", "entry_approved_by_id"))
    migrator.migrate(migrator.drop_column("entry", "approved_by_id"))
