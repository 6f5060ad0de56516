"""The effective date of entries written outside a meeting before they were given one: the day
the money moved, not the day it was typed (0007 took the day recorded for them).

Balances "as of a meeting" order the entries outside a meeting by this date (ledger.counted_at):
a paper-book opening, the carry-over into a cycle and the shares reinvested in it take the
cycle's first day; the carry-over out of a cycle the first day of the cycle that follows it; a
settlement on leaving and the loans it cleared the day of the settlement; the share-out's
payouts and the loans it cleared the share-out day; a loan granted outside a meeting the day
it was granted, and its write-off the day the loan was closed.
No column changes; going down leaves the dates as they are.
"""

CYCLE_START = "(SELECT cycle.start_date FROM cycle WHERE cycle.id = entry.cycle_id)"
SHARE_OUT_DAY = (
    "(SELECT cycle_share_out.held_on FROM cycle_share_out "
    "WHERE cycle_share_out.cycle_id = entry.cycle_id)"
)
SETTLED_ON = (
    "(SELECT member_exit.settled_on FROM member_exit "
    "WHERE member_exit.member_id = entry.member_id AND member_exit.cycle_id = entry.cycle_id)"
)
# The cycle started from this entry's cycle, created before the entry was written: the entry is
# then the carry-over out of its cycle, written when that cycle was started.
FOLLOWER = (
    "FROM cycle AS follower WHERE follower.follows_id = entry.cycle_id "
    "AND follower.created_at <= entry.recorded_at"
)
OUTSIDE = "entry.meeting_id IS NULL AND entry.cycle_id IS NOT NULL"


def up(migrator, db):
    statements = [
        # A paper-book opening (its loans' entries keep their own date).
        f"UPDATE entry SET effective_on = {CYCLE_START} "
        f"WHERE {OUTSIDE} AND kind = 'opening_balance' AND loan_id IS NULL",
        # Shares reinvested from the previous cycle's share-out.
        f"UPDATE entry SET effective_on = {CYCLE_START} WHERE {OUTSIDE} "
        "AND kind = 'share_purchase' AND EXISTS (SELECT 1 FROM cycle "
        "WHERE cycle.id = entry.cycle_id AND cycle.follows_id IS NOT NULL)",
        # The carry-over into a cycle, then the carry-over out of one.
        f"UPDATE entry SET effective_on = {CYCLE_START} WHERE {OUTSIDE} AND kind = 'carry_over'",
        f"UPDATE entry SET effective_on = (SELECT follower.start_date {FOLLOWER}) "
        f"WHERE {OUTSIDE} AND kind = 'carry_over' AND EXISTS (SELECT 1 {FOLLOWER})",
        # The share-out, and the loans it cleared.
        f"UPDATE entry SET effective_on = {SHARE_OUT_DAY} WHERE {OUTSIDE} "
        "AND kind IN ('share_out', 'social_fund_share_out', 'loan_interest', 'loan_principal') "
        f"AND {SHARE_OUT_DAY} IS NOT NULL",
        # A settlement on leaving, and the loans it cleared (a member's loans are all cleared
        # when they leave: none of theirs is left for the share-out).
        f"UPDATE entry SET effective_on = {SETTLED_ON} WHERE {OUTSIDE} "
        "AND kind IN ('exit_settlement', 'loan_interest', 'loan_principal') "
        f"AND {SETTLED_ON} IS NOT NULL",
        # A loan granted outside a meeting: the day it was granted.
        "UPDATE entry SET effective_on = (SELECT loan.granted_on FROM loan "
        "WHERE loan.id = entry.loan_id) WHERE entry.meeting_id IS NULL "
        "AND kind = 'loan_disbursement' AND entry.loan_id IS NOT NULL",
        # A write-off: the day of the decision, when the loan was closed.
        "UPDATE entry SET effective_on = (SELECT loan.closed_on FROM loan "
        "WHERE loan.id = entry.loan_id) WHERE entry.meeting_id IS NULL "
        "AND kind = 'loan_write_off' AND EXISTS (SELECT 1 FROM loan "
        "WHERE loan.id = entry.loan_id AND loan.closed_on IS NOT NULL)",
    ]
    for statement in statements:
        db.execute_sql(statement)


def down(migrator, db):
    pass  # the dates stay: the ones before were the day recorded, not the day money moved
