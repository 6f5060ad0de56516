"""Time the pages of a busy savings group and count their SQL queries; prints a table.

    python benchmarks/bench_pages.py [--members 40] [--meetings 50] [--database-url URL]

A group of N members holds M closed meetings (every member buys shares and pays the social
fund each time) and every other member borrows at a last, draft meeting; then each page is
fetched through the test client, as a logged-in admin, REPEAT times. The figures are
wall-clock times on this machine and the number of SQL queries of one fetch: the query count
must not grow with the data (compare two sizes).
"""

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from playhouse.test_utils import count_queries

from savings_groups import accounts, create_app, groups, lending, meetings
from savings_groups.db import db
from savings_groups.meeting_sheet import MeetingSheet, MemberLine
from savings_groups.models import Cycle, Member

REPEAT = 5
PASSWORD = "benchmark password"


def build(members: int, meeting_count: int):
    policy = accounts.LoginPolicy()
    admin = accounts.setup("Benchmark", "admin", "Admin", PASSWORD, "en", policy)
    group = groups.create_group(admin, groups.GroupDetails("Benkadi", "savings", "XOF"))
    start = date(2025, 1, 6)
    Cycle.create(
        group=group,
        number=1,
        start_date=start,
        planned_end=start + timedelta(days=7 * (meeting_count + 10)),
        share_value=500,
        social_fund_contribution=100,
    )
    people = [
        Member.create(
            group=group, number=n, full_name=f"Member {n}", member_type="returnee", joined_on=start
        )
        for n in range(1, members + 1)
    ]
    close_times = []
    for week in range(meeting_count):
        meeting = meetings.open_meeting(admin, group, start + timedelta(days=7 * week))
        sheet = MeetingSheet(
            [MemberLine(p.id, shares=1 + (p.number + week) % 5, social_fund=100) for p in people]
        )
        computed = meetings.preview(meeting, sheet)
        started = time.perf_counter()
        meetings.close_meeting(admin, meeting, sheet, dict(computed), "", meeting.version)
        close_times.append(time.perf_counter() - started)
    draft = meetings.open_meeting(admin, group, start + timedelta(days=7 * meeting_count))
    cycle = Cycle.get(Cycle.group == group)
    for person in people[::2]:  # every other member borrows at the draft meeting
        request = lending.LoanRequest(person, 2000, 3, "business")
        warnings = {code.value for code in lending.LoanWarning}
        lending.grant_loan(admin, group, cycle, request, draft.held_on, draft, warnings)
    return group, people[0], draft, close_times


def fetch(client, path: str) -> tuple[float, int]:
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        response = client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    with count_queries() as counter:
        client.get(path)
    return statistics.median(times), counter.count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--meetings", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sg-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    # CSRF off for the benchmark's own login post; the pages measured are GETs.
    config = {"INSTANCE_PATH": folder, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    app = create_app({**config, "WTF_CSRF_ENABLED": False})
    with db.connection_context():
        started = time.perf_counter()
        group, member, draft, close_times = build(args.members, args.meetings)
        built = time.perf_counter() - started
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    print(f"{args.members} members, {args.meetings} closed meetings on {url.split(':')[0]}")
    median_close, slowest_close = statistics.median(close_times), max(close_times)
    print(
        f"built in {built:.1f} s; closing one meeting: median {median_close * 1000:.0f} ms,"
        f" slowest {slowest_close * 1000:.0f} ms"
    )
    pages = {
        "group page": f"/groups/{group.id}",
        "meeting grid (draft)": f"/groups/{group.id}/meetings/{draft.id}",
        "meetings list": f"/groups/{group.id}/meetings",
        "members list": f"/groups/{group.id}/members",
        "passbook": f"/groups/{group.id}/members/{member.id}/passbook",
        "money history": f"/groups/{group.id}/ledger",
        "loan portfolio": f"/groups/{group.id}/loans",
        "installments due": f"/groups/{group.id}/loans/due",
    }
    print(f"{'page':<24}{'median ms':>10}{'queries':>9}")
    for name, path in pages.items():
        seconds, queries = fetch(client, path)
        print(f"{name:<24}{seconds * 1000:>10.1f}{queries:>9}")


if __name__ == "__main__":
    main()
