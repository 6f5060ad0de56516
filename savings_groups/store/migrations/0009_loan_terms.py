"""Each loan its own terms, within the cycle's rules: the rate said with its period.

A cycle's rules name the period of their rate (`loan_rate_period`: week, two_weeks, four_weeks,
month) and the methods a loan may use (`loan_methods`, comma-separated); a loan keeps the period
of its rate (`rate_period`). Until now a rate was per meeting period: existing cycles and loans
get the period of their meetings (weekly: week, fortnightly: two_weeks, monthly: month) and the
cycle's single method, so that no rate and no figure changes.
"""

from peewee import CharField

# The period of each meeting frequency, as SQL: CASE <frequency> WHEN 'weekly' THEN 'week' ...
PERIOD_OF = (
    "CASE {} WHEN 'weekly' THEN 'week' WHEN 'fortnightly' THEN 'two_weeks' "
    "WHEN 'monthly' THEN 'month' END"
)


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("cycle", "loan_rate_period", CharField(max_length=20, null=True)),
        migrator.add_column("cycle", "loan_methods", CharField(max_length=200, null=True)),
        migrator.add_column("loan", "rate_period", CharField(max_length=20, null=True)),
    )
    group_period = PERIOD_OF.format("savings_group.meeting_frequency")
    db.execute_sql(
        f'UPDATE "cycle" SET loan_rate_period = (SELECT {group_period} FROM savings_group '
        'WHERE savings_group.id = "cycle".group_id) WHERE loan_rate_period IS NULL'
    )
    db.execute_sql(
        f"UPDATE loan SET rate_period = {PERIOD_OF.format('frequency')} WHERE rate_period IS NULL"
    )
    db.execute_sql('UPDATE "cycle" SET loan_methods = loan_method WHERE loan_methods IS NULL')


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column("loan", "rate_period"),
        migrator.drop_column("cycle", "loan_methods"),
        migrator.drop_column("cycle", "loan_rate_period"),
    )
