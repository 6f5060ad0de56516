"""A second process that records meetings in a loop (run by test_while_writing.py):
each meeting and its five share purchases (ledger.entries) in one transaction, until the stop
file appears.

python -m tests.backups.writer URL ADMIN_ID GROUP_ID CYCLE_ID MEMBER_ID STOP_FILE
"""

import sys
from datetime import date, timedelta
from pathlib import Path

from savings_groups.core.vocabulary import MeetingStatus
from savings_groups.store import db as store
from savings_groups.store.models import Cycle, Meeting, Member, SavingsGroup, User
from tests.shareout.test_operations import buy

AMOUNTS = (1_000, 2_000, 3_000, 4_000, 5_000)  # one meeting's entries: 15,000 in all


def main(url, admin_id, group_id, cycle_id, member_id, stop_file) -> None:
    store.initialize(url)
    stop = Path(stop_file)
    with store.db.connection_context():
        admin, group = User.get_by_id(admin_id), SavingsGroup.get_by_id(group_id)
        cycle, member = Cycle.get_by_id(cycle_id), Member.get_by_id(member_id)
        day = date(2026, 1, 5)
        print("ready", flush=True)
        while not stop.exists():
            with store.db.atomic():
                meeting = Meeting.create(
                    group=group, cycle=cycle, held_on=day, status=MeetingStatus.CLOSED.value
                )
                for amount in AMOUNTS:
                    buy(admin, cycle, member, amount // 1_000, amount, meeting)
            day += timedelta(days=1)


if __name__ == "__main__":
    main(sys.argv[1], *map(int, sys.argv[2:6]), sys.argv[6])
