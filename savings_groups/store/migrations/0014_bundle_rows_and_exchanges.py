"""Group bundles: which local row each row of an imported bundle became, and every export and
import of a group (when, which sequence, the state of the books then)."""

from peewee import (
    BigIntegerField,
    CharField,
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

    class BundleRow(Model):
        origin = CharField(max_length=36)
        table = CharField(max_length=40, column_name="table_name")
        origin_id = BigIntegerField()
        local_id = BigIntegerField()
        origin_username = CharField(max_length=40, null=True)

        class Meta:
            database = db
            table_name = "bundle_row"
            indexes = (
                (("origin", "table", "origin_id"), True),
                (("table", "local_id"), False),
            )

    class BundleExchange(Model):
        group = ForeignKeyField(SavingsGroup, on_delete="RESTRICT")
        direction = CharField(max_length=10)
        instance = CharField(max_length=36)
        sequence = IntegerField()
        fingerprint = CharField(max_length=64)
        at = DateTimeField()
        by = CharField(max_length=200, default="")
        audit_mark = BigIntegerField(default=0)
        entry_mark = BigIntegerField(default=0)
        counts = TextField(default="{}")

        class Meta:
            database = db
            table_name = "bundle_exchange"
            indexes = ((("group", "direction", "instance"), False),)

    db.create_tables([BundleRow, BundleExchange])


def down(migrator, db):
    for name in ("bundle_exchange", "bundle_row"):
        migrator.migrate(migrator.drop_table(name))
