"""Benchmark the key pages and actions on a demo organization; prints a table, writes a file.

    python benchmarks/bench.py [--groups 10] [--years 3] [--database-url URL] [--reuse]
                               [--cache /tmp/sg-bench] [--repeat 20] [--output benchmarks/results]

The dataset is `savings-groups demo --groups N --years Y` (built in a child process, so that its
memory does not count in the figures below), up to three days ago. On SQLite it is kept in
--cache as `sqlite-<N>g-<Y>y.db`; with --reuse an existing file (or a PostgreSQL database that
already holds groups) is measured again instead of being built anew. PostgreSQL: give an empty
database (it is emptied first unless --reuse).

Measured, as a logged-in administrator through the app's own views (Flask's test client) or, for
the writes, its domain functions:

- close a meeting: in the savings group nearest to 30 members whose cycle is open, a meeting is
  opened today and closed with a realistic sheet (attendance, shares, social fund, what each
  borrower owes repaid); a different group each time (a close cannot be repeated); the time of
  meetings.close_meeting alone (the save and close of the meeting page);
- the group page, a passbook (the member of that group with most entries), the loan portfolio,
  the share-out preview, the meeting page of a draft meeting, the members list;
- the export of that group's bundle (bundles.operations.export_groups);
- "my account": the least a logged-in page costs (the request, the session, the shell of every
  page, two small forms), the floor under every page above.

For each: the median and the 95th percentile of --repeat runs, the number of SQL queries of one
run, and beside it the median time of a hand-written SQL query computing the same figures (HAND
below), and the ratio. And the peak memory (ru_maxrss) of this process: after the app starts,
after a login (argon2id, 64 MiB), after four logins at once, and at the end.

Closing meetings adds meetings dated today to the dataset: a later run with --reuse picks other
groups.
"""

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

from playhouse.test_utils import count_queries

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from savings_groups import create_app  # noqa: E402
from savings_groups.core import dates  # noqa: E402
from savings_groups.core.dates import utcnow  # noqa: E402
from savings_groups.meetings import operations as meetings  # noqa: E402
from savings_groups.meetings.sheet import (  # noqa: E402
    MeetingSheet,
    MemberLine,
    grid_members,
    loan_positions,  # noqa: E402
)
from savings_groups.store.db import db, open_database  # noqa: E402
from savings_groups.store.models import Cycle, SavingsGroup, User  # noqa: E402

PASSWORD = "demo-password"  # demo.operations.DEMO_PASSWORD
ADMIN = "demo-admin"

# The hand-written SQL of each measurement: one statement computing the page's figures.
HAND = {
    # Boxes, savings of the cycle, members, principal outstanding, the savings chart's points.
    "group page": """
        SELECT
          (SELECT SUM(amount) FROM entry WHERE group_id = :group AND fund = 'loan_fund'),
          (SELECT SUM(amount) FROM entry WHERE group_id = :group AND fund = 'social_fund'),
          (SELECT SUM(amount) FROM entry WHERE group_id = :group AND fund = 'bank'),
          (SELECT SUM(amount) FROM entry WHERE cycle_id = :cycle AND kind = 'share_purchase'),
          (SELECT COUNT(*) FROM member WHERE group_id = :group AND left_on IS NULL),
          (SELECT -SUM(amount) FROM entry WHERE loan_id IN
              (SELECT id FROM loan WHERE group_id = :group AND status = 'active')
              AND kind IN ('loan_disbursement', 'loan_principal')),
          (SELECT COUNT(*) FROM (SELECT meeting_id, SUM(amount) FROM entry
              WHERE cycle_id = :cycle AND kind = 'share_purchase' GROUP BY meeting_id) AS points)
    """,
    # The member's entries of the cycle with each fund's running balance.
    "passbook": """
        SELECT id, effective_on, kind, fund, amount, shares,
               SUM(amount) OVER (PARTITION BY fund ORDER BY id)
        FROM entry WHERE member_id = :member AND cycle_id = :cycle ORDER BY id
    """,
    # Each open loan: principal, what was repaid, interest paid, its first unpaid due date.
    "loan portfolio": """
        SELECT loan.id, loan.principal,
               SUM(CASE WHEN entry.kind = 'loan_principal' THEN entry.amount ELSE 0 END),
               SUM(CASE WHEN entry.kind = 'loan_interest' THEN entry.amount ELSE 0 END),
               (SELECT MIN(due_on) FROM loan_installment
                 WHERE loan_id = loan.id AND replaced_on IS NULL)
        FROM loan LEFT JOIN entry ON entry.loan_id = loan.id
             AND entry.kind IN ('loan_principal', 'loan_interest')
        WHERE loan.group_id = :group AND loan.status = 'active'
        GROUP BY loan.id, loan.principal
    """,
    # Each member's shares and the cycle's funds: what the share-out divides.
    "share-out preview": """
        SELECT member_id, fund, SUM(shares), SUM(amount) FROM entry
        WHERE cycle_id = :cycle GROUP BY member_id, fund
    """,
    # The meeting closed today: each member's totals of the cycle (the grid's columns).
    "meeting page": """
        SELECT member_id, kind, fund, SUM(amount), SUM(shares) FROM entry
        WHERE cycle_id = :cycle GROUP BY member_id, kind, fund
    """,
    "members list": """
        SELECT member.id, member.number, member.full_name, SUM(entry.shares)
        FROM member LEFT JOIN entry ON entry.member_id = member.id AND entry.cycle_id = :cycle
        WHERE member.group_id = :group GROUP BY member.id, member.number, member.full_name
    """,
    # Every row of the group's ledger.
    "export bundle (1 group)": "SELECT * FROM entry WHERE group_id = :group ORDER BY id",
    # The floor: a page with the shell alone (menus, language switch) and two small forms.
    "my account (the floor)": 'SELECT id, full_name, role, locale FROM "user" WHERE id = :admin',
}


def rss_mb() -> float:
    """The peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def sql(text: str, params: dict) -> tuple[str, list]:
    """:name parameters to the database's own placeholder."""
    values = []
    for name in sorted(params, key=len, reverse=True):
        text = text.replace(f":{name}", "\0" + name + "\0")
    parts = text.split("\0")
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(db.obj.param)
            values.append(params[part])
        else:
            out.append(part)
    return "".join(out), values


def hand_time(name: str, params: dict, repeat: int) -> tuple[float, int]:
    """The median time of the hand-written query and the number of rows it returns."""
    text, values = sql(HAND[name], params)
    times = []
    with db.connection_context():
        for _ in range(repeat):
            started = time.perf_counter()
            rows = len(db.execute_sql(text, values).fetchall())
            times.append(time.perf_counter() - started)
    return statistics.median(times), rows


# The dataset ----------------------------------------------------------------------------------


def build(url: str, groups: int, years: int, instance: Path) -> None:
    """`savings-groups demo` in a child process, up to three days ago."""
    until = (dates.today() - timedelta(days=3)).isoformat()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SAVINGS_GROUPS_INSTANCE": str(instance),
        "SAVINGS_GROUPS_BACKUPS_AUTOMATIC": "false",
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "savings_groups.cli", "demo"]
    command += ["--groups", str(groups), "--years", str(years), "--until", until]
    print(f"building: {' '.join(command[2:])} on {url.split(':')[0]}", flush=True)
    subprocess.run(command, env=env, check=True)


def dataset(args, instance: Path) -> str:
    if args.database_url:
        url = args.database_url
        database = open_database(url)
        with database.connection_context():
            has = (
                "savings_group" in database.get_tables()
                and database.execute_sql("SELECT COUNT(*) FROM savings_group").fetchone()[0]
            )
            if has and args.reuse:
                return url
            database.execute_sql("DROP SCHEMA public CASCADE")
            database.execute_sql("CREATE SCHEMA public")
        database.close()
        build(url, args.groups, args.years, instance)
        return url
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"sqlite-{args.groups}g-{args.years}y.db"
    if not (args.reuse and path.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        build(f"sqlite:///{path}", args.groups, args.years, instance)
    return f"sqlite:///{path}"


# The close of a meeting ---------------------------------------------------------------------


def candidate_groups(limit: int) -> list[SavingsGroup]:
    """Savings groups with an open cycle that includes today and no meeting today, weekly, of
    28 to 32 members (or the nearest to 30), those whose cycle has most meetings and open loans
    first: a busy group late in its cycle."""
    day = dates.today()
    rows = db.execute_sql(
        f"""
        SELECT g.id, COUNT(DISTINCT m.id) AS members,
               (SELECT COUNT(*) FROM meeting x WHERE x.cycle_id = c.id)
               + (SELECT COUNT(*) FROM loan l WHERE l.cycle_id = c.id AND l.status = 'active')
        FROM savings_group g
        JOIN cycle c ON c.group_id = g.id AND c.closed_at IS NULL
             AND c.start_date <= {db.obj.param} AND c.planned_end >= {db.obj.param}
        JOIN member m ON m.group_id = g.id AND m.left_on IS NULL
        WHERE g.kind = 'savings' AND g.archived_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM meeting t
                          WHERE t.group_id = g.id AND t.held_on >= {db.obj.param})
        GROUP BY g.id, c.id
        """,
        [day, day, day],
    ).fetchall()
    rows.sort(key=lambda row: (max(0, abs(row[1] - 30) - 2), -row[2], row[0]))
    return [SavingsGroup.get_by_id(row[0]) for row in rows[:limit]]


def sheet_for(meeting) -> MeetingSheet:
    """Everyone present buys 1-4 shares and pays the social fund; each borrower pays what is
    due on their loans (a fifth of them nothing: arrears)."""
    cycle = Cycle.get_by_id(meeting.cycle_id)
    positions = loan_positions(meeting, meeting.group)
    lines = []
    for member in grid_members(meeting):
        owed = 0
        position = positions.get(member.id)
        if position is not None and member.id % 5:
            owed = sum(
                min(
                    line.standing.most_payable,
                    line.standing.interest_due + line.standing.principal_due,
                )
                for line in position.lines
            )
        lines.append(
            MemberLine(
                member.id,
                shares=1 + member.id % 4,
                social_fund=cycle.social_fund_contribution or 0,
                repayment=owed,
            )
        )
    return MeetingSheet(lines)


def close_meetings(admin, count: int) -> dict:
    """Open and close a meeting today in `count` groups; time the closes."""
    times, queries, sizes, entries = [], [], [], []
    with db.connection_context():
        chosen = candidate_groups(count)
    for group in chosen:
        with db.connection_context():
            meeting = meetings.open_meeting(admin, group, dates.today())
            sheet = sheet_for(meeting)
            counted = dict(meetings.preview(meeting, sheet))
            with count_queries() as counter:
                started = time.perf_counter()
                meetings.close_meeting(admin, meeting, sheet, counted, "", meeting.version)
                times.append(time.perf_counter() - started)
            queries.append(counter.count)
            sizes.append(len(sheet.lines))
            entries.append(
                db.execute_sql(
                    f"SELECT COUNT(*) FROM entry WHERE meeting_id = {db.obj.param}", [meeting.id]
                ).fetchone()[0]
            )
    if not times:
        sys.exit("no savings group has an open cycle without a meeting today: build anew")
    hand = hand_close(max(entries), admin, chosen[0])
    return {
        "name": f"close a meeting (~{round(statistics.median(sizes))} members)",
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 0.95) * 1000,
        "queries": max(queries),
        "runs": len(times),
        "hand_ms": hand * 1000,
        "note": f"{min(sizes)}-{max(sizes)} members, {statistics.median(entries):.0f} entries",
        "group": chosen[0].id,
    }


def hand_close(rows: int, admin, group) -> float:
    """One multi-row INSERT of as many entries, committed... then deleted again."""
    with db.connection_context():
        cycle = Cycle.select().where(Cycle.group == group).order_by(Cycle.id.desc()).first()
        p = db.obj.param
        values = ", ".join(
            [f"({p}, {p}, 'share_purchase', 'loan_fund', 500, 1, '', {p}, {p}, {p}, 'cash')"] * rows
        )
        params = [group.id, cycle.id, admin.id, utcnow(), dates.today()] * rows
        text = (
            "INSERT INTO entry (group_id, cycle_id, kind, fund, amount, shares, note, "
            f"recorded_by_id, recorded_at, effective_on, channel) VALUES {values}"
        )
        times = []
        for _ in range(5):
            marker = db.execute_sql("SELECT MAX(id) FROM entry").fetchone()[0]
            started = time.perf_counter()
            with db.atomic():
                db.execute_sql(text, params)
            times.append(time.perf_counter() - started)
            with db.atomic():
                db.execute_sql(f"DELETE FROM entry WHERE id > {p}", [marker])
    return statistics.median(times)


# The pages ----------------------------------------------------------------------------------


def measure(name: str, run, repeat: int, hand_params: dict) -> dict:
    run()  # warm: templates compiled, caches filled
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    with count_queries() as counter:
        run()
    hand, rows = hand_time(name, hand_params, repeat)
    return {
        "hand_rows": rows,
        "name": name,
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": percentile(times, 0.95) * 1000,
        "queries": counter.count,
        "runs": repeat,
        "hand_ms": hand * 1000,
    }


def page(client, path: str):
    def run():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return run


def login(app) -> float:
    client = app.test_client()
    response = client.post("/login", data={"username": ADMIN, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code
    return client


def logins_at_once(app, count: int) -> None:
    threads = [threading.Thread(target=login, args=(app,)) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def counts() -> dict:
    with db.connection_context():
        return {
            table: db.execute_sql(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            for table in ("savings_group", "member", "meeting", "loan", "entry")
        }


def table(results: list[dict]) -> str:
    head = "| page or action | median ms | p95 ms | queries | hand SQL ms (rows) | ratio |"
    lines = [head, "|---|---:|---:|---:|---:|---:|"]
    for r in results:
        ratio = r["median_ms"] / r["hand_ms"] if r["hand_ms"] else float("nan")
        lines.append(
            f"| {r['name']} | {r['median_ms']:.1f} | {r['p95_ms']:.1f} | {r['queries']} "
            f"| {r['hand_ms']:.2f} ({r.get('hand_rows', '-')}) | {ratio:.1f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=10, help="10, 100 or 1000 (any size)")
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--database-url", default=None, help="a PostgreSQL database to fill")
    parser.add_argument("--reuse", action="store_true", help="measure the dataset already built")
    parser.add_argument("--cache", default="/tmp/sg-bench", help="where SQLite datasets are kept")
    parser.add_argument("--repeat", type=int, default=20, help="runs of each page")
    parser.add_argument("--closes", type=int, default=10, help="meetings closed (one a group)")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results"))
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="sg-bench-"))
    url = dataset(args, instance)
    backend = url.split(":")[0]
    config = {
        "INSTANCE_PATH": instance,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "WTF_CSRF_ENABLED": False,
        "BACKUPS_AUTOMATIC": False,
    }
    app = create_app(config)
    gc.freeze()  # as wsgi.py and `savings-groups serve` do
    memory = {"after start": rss_mb()}
    client = login(app)
    memory["after a login"] = rss_mb()
    logins_at_once(app, 4)
    memory["after 4 logins at once"] = rss_mb()
    sizes = counts()
    print(f"{backend}: {sizes}  ({machine()})", flush=True)

    with db.connection_context():
        admin = User.get(User.username == ADMIN)
    closed = close_meetings(admin, args.closes)
    results = [closed]

    with db.connection_context():
        group = SavingsGroup.get_by_id(closed["group"])  # the busiest group whose meeting closed
        cycle = Cycle.select().where(Cycle.group == group).order_by(Cycle.id.desc()).first()
        member_id = db.execute_sql(
            f"SELECT member_id FROM entry WHERE cycle_id = {db.obj.param} AND member_id IS NOT "
            "NULL GROUP BY member_id ORDER BY COUNT(*) DESC",
            [cycle.id],
        ).fetchone()[0]
    base = f"/groups/{group.id}"
    params = {"group": group.id, "cycle": cycle.id, "member": member_id, "admin": admin.id}
    today_meeting = db_meeting_today(group)
    pages = {
        "group page": f"{base}",
        "passbook": f"{base}/members/{member_id}/passbook",
        "loan portfolio": f"{base}/loans",
        "share-out preview": f"{base}/share-out",
        "meeting page": f"{base}/meetings/{today_meeting}",
        "members list": f"{base}/members",
        "my account (the floor)": "/account",
    }
    for name, path in pages.items():
        results.append(measure(name, page(client, path), args.repeat, params))
        print(f"  {name}: {results[-1]['median_ms']:.1f} ms", flush=True)

    from savings_groups.bundles.operations import export_groups

    def export():
        with db.connection_context():
            export_groups([group.id], str(instance), by=ADMIN)

    results.append(measure("export bundle (1 group)", export, max(3, args.repeat // 4), params))
    memory["at the end (peak)"] = rss_mb()

    title = f"{backend}, {args.groups} groups, {args.years} years"
    report = [
        f"### {title}",
        "",
        f"Machine: {machine()}. Data: {sizes['savings_group']} groups, {sizes['member']} members, "
        f"{sizes['meeting']} meetings, {sizes['loan']} loans, {sizes['entry']} ledger entries. "
        f"Pages of group {group.id} ({len(grid_members_of(group))} members), on {dates.today()}.",
        "",
        table(results),
        "",
        "Peak memory of the process (ru_maxrss): "
        + ", ".join(f"{name} {mb:.0f} MB" for name, mb in memory.items())
        + ".",
    ]
    text = "\n".join(report)
    print()
    print(text)
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{backend}-{args.groups}g"
    (out / f"{stem}.md").write_text(text + "\n")
    (out / f"{stem}.json").write_text(
        json.dumps(
            {"machine": machine(), "dataset": sizes, "results": results, "memory_mb": memory},
            indent=2,
        )
        + "\n"
    )
    shutil.rmtree(instance, ignore_errors=True)


def db_meeting_today(group) -> int:
    with db.connection_context():
        return db.execute_sql(
            f"SELECT id FROM meeting WHERE group_id = {db.obj.param} ORDER BY held_on DESC",
            [group.id],
        ).fetchone()[0]


def grid_members_of(group) -> list:
    with db.connection_context():
        return list(group.members.where(group.members.model.left_on.is_null()))


if __name__ == "__main__":
    main()
