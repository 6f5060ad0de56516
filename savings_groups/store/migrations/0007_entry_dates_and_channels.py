"""Each entry's effective date (the day the money moved) and its channel (cash, mobile money, bank).

Balances "as of a meeting" order entries by this date; existing entries take their meeting's
date, a share-out's payouts the share-out day, and the others the day they were recorded.
"""

from peewee import CharField, DateField, PostgresqlDatabase


def up(migrator, db):
    migrator.migrate(migrator.add_column("entry", "effective_on", DateField(null=True)))
    migrator.migrate(
        migrator.add_column("entry", "channel", CharField(max_length=20, default="cash"))
    )
    db.execute_sql(
        "UPDATE entry SET effective_on = "
        "(SELECT meeting.held_on FROM meeting WHERE meeting.id = entry.meeting_id) "
        "WHERE meeting_id IS NOT NULL"
    )
    db.execute_sql(
        "UPDATE entry SET effective_on = (SELECT cycle_share_out.held_on FROM cycle_share_out "
        "WHERE cycle_share_out.cycle_id = entry.cycle_id) "
        "WHERE effective_on IS NULL AND kind IN ('share_out', 'social_fund_share_out') "
        "AND EXISTS (SELECT 1 FROM cycle_share_out WHERE cycle_share_out.cycle_id = entry.cycle_id)"
    )
    day_recorded = (
        "CAST(recorded_at AS DATE)" if isinstance(db, PostgresqlDatabase) else "DATE(recorded_at)"
    )
    db.execute_sql(f"UPDATE entry SET effective_on = {day_recorded} WHERE effective_on IS NULL")
    migrator.migrate(migrator.add_not_null("entry", "effective_on"))
    migrator.migrate(
        migrator.add_index("entry", ("group_id", "effective_on"), False),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_index("entry", "entry_group_id_effective_on"))
    migrator.migrate(migrator.drop_column("entry", "channel"))
    migrator.migrate(migrator.drop_column("entry", "effective_on"))
