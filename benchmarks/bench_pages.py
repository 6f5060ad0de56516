"""Time the pages of a busy savings group and of a ROSCA, count their SQL queries; prints tables.

    python benchmarks/bench_pages.py [--members 40] [--meetings 50] [--hands 30] [--rounds 20]
                                     [--database-url URL [--empty-database]]

A savings group of N members holds M closed meetings (every member buys shares and pays the
social fund each time) and every other member borrows at a last, draft meeting. Its pages are
fetched through the test client, as a logged-in admin, REPEAT times; then the draft meeting is
closed, the share-out pages are fetched, the share-out is finalised (timed once: it closes the
cycle) and the next-cycle page is fetched. A ROSCA then runs a rotation of H hands, one a member,
with R rounds paid out; its pages are fetched and round R+1 is saved (contributions and payout,
timed once). The dates are set so that the last meeting and round R+1 fall today.

The figures are wall-clock times on this machine and the number of SQL queries of one fetch:
a page's query count must not grow with the data (compare two sizes). The writes (finalising,
saving a round) post an entry per member, so theirs do grow.
"""

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from playhouse.test_utils import count_queries

from savings_groups import create_app
from savings_groups.core import dates
from savings_groups.core.vocabulary import LoanWarning
from savings_groups.groups import operations as groups
from savings_groups.loans import operations as lending
from savings_groups.loans import requests as loan_requests
from savings_groups.meetings import operations as meetings
from savings_groups.meetings.sheet import MeetingSheet, MemberLine
from savings_groups.org import accounts
from savings_groups.rosca import rotations
from savings_groups.rosca import rounds as rosca_rounds
from savings_groups.rosca.rounds import ContributionLine
from savings_groups.shareout import exits, next_cycle
from savings_groups.shareout import operations as closing
from savings_groups.store.db import db, open_database
from savings_groups.store.models import Cycle, Member

REPEAT = 5
PASSWORD = "benchmark password"
CONTRIBUTION = 10_000  # XOF a hand a round


def add_members(group, count: int, on) -> list[Member]:
    return [
        Member.create(
            group=group, number=n, full_name=f"Member {n}", member_type="returnee", joined_on=on
        )
        for n in range(1, count + 1)
    ]


def build(admin, members: int, meeting_count: int):
    """The savings group: closed meetings every week up to today's, a draft one today with loans."""
    group = groups.create_group(admin, groups.GroupDetails("Benkadi", "savings", "XOF"))
    start = dates.today() - timedelta(days=7 * meeting_count)
    cycle = Cycle.create(
        group=group,
        number=1,
        start_date=start,
        planned_end=start + timedelta(days=7 * (meeting_count + 10)),
        share_value=500,
        social_fund_contribution=100,
    )
    people = add_members(group, members, start)
    close_times = []
    for week in range(meeting_count):
        meeting = meetings.open_meeting(admin, group, start + timedelta(days=7 * week))
        started = time.perf_counter()
        close(admin, meeting, people, week)
        close_times.append(time.perf_counter() - started)
    draft = meetings.open_meeting(admin, group, start + timedelta(days=7 * meeting_count))
    for person in people[::2]:  # every other member borrows at the draft meeting
        request = loan_requests.LoanRequest(person, 2000, 3, "business")
        warnings = {code.value for code in LoanWarning}
        lending.grant_loan(admin, group, cycle, request, draft.held_on, draft, warnings)
    return group, cycle, people, draft, close_times


def close(admin, meeting, people, week: int) -> None:
    sheet = MeetingSheet(
        [MemberLine(p.id, shares=1 + (p.number + week) % 5, social_fund=100) for p in people]
    )
    computed = meetings.preview(meeting, sheet)
    meetings.close_meeting(admin, meeting, sheet, dict(computed), "", meeting.version)


def build_rosca(admin, hands: int, paid_rounds: int):
    """A ROSCA with a rotation of `hands` whole hands in a fixed order, `paid_rounds` paid out;
    the next round is due today."""
    group = groups.create_group(admin, groups.GroupDetails("Tontine", "rosca", "XOF"))
    start = dates.today() - timedelta(days=7 * paid_rounds)
    people = add_members(group, hands, start)
    terms = rotations.RotationTerms(CONTRIBUTION, "weekly", start, "fixed", "shared", None)
    rotation = rotations.create_rotation(admin, group, terms)
    choices = [rotations.HandChoice(p.id, 1, False, None) for p in people]
    made = rotations.set_hands(admin, rotation, choices)
    rotations.set_order(admin, rotation, {h.number: h.number for h in made})
    rotation = rotations.start_rotation(admin, rotation)
    for number in range(1, paid_rounds + 1):
        save_round(admin, rotation, number)
    return group, rotation


def save_round(admin, rotation, number: int):
    """Everyone pays on time and the pot is paid out on the round's day."""
    lines = [
        ContributionLine(hand.number, holder.member.id, "on_time")
        for hand in rotations.hands_of(rotation)
        for holder in hand.holders
    ]
    on = rotations.due_date(rotation, number)
    return rosca_rounds.save_round(admin, rotation, number, lines, on, pay=True)


def timed(action) -> tuple[float, int]:
    """Seconds and queries of one call (for the writes, which cannot be repeated)."""
    with db.connection_context(), count_queries() as counter:
        started = time.perf_counter()
        action()
        seconds = time.perf_counter() - started
    return seconds, counter.count


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


def show(client, pages: dict[str, str]) -> None:
    for name, path in pages.items():
        seconds, queries = fetch(client, path)
        print(f"{name:<32}{seconds * 1000:>10.1f}{queries:>9}")


def show_write(name: str, seconds: float, queries: int) -> None:
    print(f"{name + ' (once)':<32}{seconds * 1000:>10.1f}{queries:>9}")


def empty(url: str, allowed: bool) -> None:
    """Stop unless the database is empty; with --empty-database, empty a PostgreSQL one."""
    database = open_database(url)
    with database.connection_context():
        if not database.get_tables():
            return
        if not allowed:
            sys.exit(f"{url} is not empty: give an empty database, or --empty-database")
        database.execute_sql("DROP SCHEMA public CASCADE")
        database.execute_sql("CREATE SCHEMA public")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--meetings", type=int, default=50)
    parser.add_argument("--hands", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=20, help="rounds paid out before timing")
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--empty-database", action="store_true", help="drop everything in the PostgreSQL database"
    )
    args = parser.parse_args()
    if args.rounds >= args.hands:
        parser.error("--rounds must be below --hands: one round is left to save")
    folder = Path(tempfile.mkdtemp(prefix="sg-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    if args.database_url:
        empty(url, args.empty_database)
    # CSRF off for the benchmark's own login post; the pages measured are GETs.
    config = {"INSTANCE_PATH": folder, "DATABASE_URL": url, "SECRET_KEY": "bench"}
    app = create_app({**config, "WTF_CSRF_ENABLED": False})
    with db.connection_context():
        started = time.perf_counter()
        policy = accounts.LoginPolicy()
        admin = accounts.setup("Benchmark", "admin", "Admin", PASSWORD, "en", policy)
        group, cycle, people, draft, close_times = build(admin, args.members, args.meetings)
        built = time.perf_counter() - started
        exits.settlement(people[0], dates.today())  # the exit page shows figures, not a refusal
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": PASSWORD})
    print(f"{args.members} members, {args.meetings} closed meetings on {url.split(':')[0]}")
    median_close, slowest_close = statistics.median(close_times), max(close_times)
    print(
        f"built in {built:.1f} s; closing one meeting: median {median_close * 1000:.0f} ms,"
        f" slowest {slowest_close * 1000:.0f} ms"
    )
    base, member = f"/groups/{group.id}", people[0]  # member 1 borrows
    print(f"{'page':<32}{'median ms':>10}{'queries':>9}")
    show(
        client,
        {
            "group page": base,
            "meeting grid (draft)": f"{base}/meetings/{draft.id}",
            "meetings list": f"{base}/meetings",
            "members list": f"{base}/members",
            "passbook": f"{base}/members/{member.id}/passbook",
            "member exit": f"{base}/members/{member.id}/exit",
            "money history": f"{base}/ledger",
            "loan portfolio": f"{base}/loans",
            "installments due": f"{base}/loans/due",
        },
    )

    with db.connection_context():
        close(admin, draft, people, args.meetings)
        problems = closing.preview(group, cycle, dates.today()).problems
        assert not problems, problems
    show(
        client,
        {
            "share-out preview": f"{base}/share-out",
            "share-out sheet (A4)": f"{base}/share-out/sheet",
            "share-out slips (A4)": f"{base}/share-out/slips",
        },
    )
    seconds, queries = timed(lambda: closing.finalise(admin, group, cycle, dates.today()))
    show_write(f"finalise, {args.members} members", seconds, queries)
    with db.connection_context():
        refused = next_cycle.why_not(group, Cycle.get_by_id(cycle.id))
        assert refused is None, refused
    show(
        client,
        {
            "share-out (final)": f"{base}/share-out?cycle={cycle.id}",
            "next cycle": f"{base}/cycles/{cycle.id}/next",
        },
    )

    with db.connection_context():
        started = time.perf_counter()
        tontine, rotation = build_rosca(admin, args.hands, args.rounds)
        built = time.perf_counter() - started
    print(f"\nROSCA: {args.hands} hands, {args.rounds} rounds paid out; built in {built:.1f} s")
    print(f"{'page':<32}{'median ms':>10}{'queries':>9}")
    turn = f"/groups/{tontine.id}/rotations/{rotation.id}"
    show(
        client,
        {
            "rotation": turn,
            f"round {args.rounds + 1} (to record)": f"{turn}/rounds/{args.rounds + 1}",
            f"round {args.rounds} (paid out)": f"{turn}/rounds/{args.rounds}",
            "schedule (A4)": f"{turn}/schedule",
            f"receipt of round {args.rounds}": f"{turn}/rounds/{args.rounds}/receipt",
        },
    )
    seconds, queries = timed(lambda: save_round(admin, rotation, args.rounds + 1))
    show_write(f"save a round, {args.hands} hands", seconds, queries)


if __name__ == "__main__":
    main()
