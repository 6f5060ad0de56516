"""Indexes the organization's dashboard needs on a large ledger (issues 12 and 14): its sums are
read from an index alone, never from the entries' rows (tests/store/test_query_plans.py):

- entry (group_id, fund, effective_on, amount): each group's fund balances as of a day; it
  replaces entry (group_id, fund), which it starts with;
- entry (cycle_id, kind, effective_on, fund, member_id, amount): this cycle's savings and profit;
- entry (loan_id, kind, effective_on, amount): what was repaid of each loan as of a day;
- attendance (meeting_id, status, member_id): the attendance marks of the meetings counted;
- contribution (member_id, status, round_id): the ROSCA members served who then missed one.
"""

ENTRY = (
    ("group_id", "fund", "effective_on", "amount"),
    ("cycle_id", "kind", "effective_on", "fund", "member_id", "amount"),
    ("loan_id", "kind", "effective_on", "amount"),
)
ATTENDANCE = (("meeting_id", "status", "member_id"),)
CONTRIBUTION = (("member_id", "status", "round_id"),)
REPLACED = ("group_id", "fund")


def _name(table, columns):
    return table + "_" + "_".join(columns)


def up(migrator, db):
    migrator.migrate(
        *(migrator.add_index("entry", columns, False) for columns in ENTRY),
        *(migrator.add_index("attendance", columns, False) for columns in ATTENDANCE),
        *(migrator.add_index("contribution", columns, False) for columns in CONTRIBUTION),
        migrator.drop_index("entry", _name("entry", REPLACED)),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.add_index("entry", REPLACED, False),
        *(migrator.drop_index("entry", _name("entry", columns)) for columns in ENTRY),
        *(migrator.drop_index("attendance", _name("attendance", c)) for c in ATTENDANCE),
        *(migrator.drop_index("contribution", _name("contribution", c)) for c in CONTRIBUTION),
    )
