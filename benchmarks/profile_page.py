"""Time one page of an existing dataset through Flask's test client and show where the time goes.

    python benchmarks/profile_page.py --database-url sqlite:////tmp/sg-bench/sqlite-1000g-3y.db \
        [--group ID] [--page group|passbook|loans|share-out|meeting|members|account|PATH ...]
        [--repeat 30] [--profile] [--top 40] [--sort cumulative|tottime]

Logs in as the demo administrator (one argon2 hash), fetches each page once to warm the
templates, then --repeat times, and prints the median and the 95th percentile and the number of
SQL queries of one fetch. With --profile, one more batch of --repeat fetches runs under cProfile
and the --top functions are printed (the figures of that batch are inflated by the profiler:
read the shares, not the times). The group is --group (bench.py prints the one it measured),
else the savings group of 28 to 32 members with an open cycle and most meetings and open loans
(a busy one); a page is one of the names above or a path. "account" is the floor: a logged-in
page with the shell of every page and two small forms.

The dataset is only read; nothing is written but the login's session and audit rows.
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playhouse.test_utils import count_queries

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from savings_groups import create_app  # noqa: E402
from savings_groups.store.db import db  # noqa: E402

ADMIN, PASSWORD = "demo-admin", "demo-password"


def busy_group() -> int:
    p = db.obj.param
    return db.execute_sql(
        f"""
        SELECT g.id FROM savings_group g
        JOIN cycle c ON c.group_id = g.id AND c.closed_at IS NULL
        WHERE g.kind = 'savings' AND g.archived_at IS NULL
          AND (SELECT COUNT(*) FROM member m WHERE m.group_id = g.id AND m.left_on IS NULL)
              BETWEEN {p} AND {p}
        ORDER BY (SELECT COUNT(*) FROM meeting x WHERE x.cycle_id = c.id)
               + (SELECT COUNT(*) FROM loan l WHERE l.cycle_id = c.id AND l.status = 'active')
               DESC, g.id
        LIMIT 1
        """,
        [28, 32],
    ).fetchone()[0]


def paths(group: int) -> dict[str, str]:
    p = db.obj.param
    cycle = db.execute_sql(f"SELECT MAX(id) FROM cycle WHERE group_id = {p}", [group]).fetchone()[0]
    member = db.execute_sql(
        f"SELECT member_id FROM entry WHERE cycle_id = {p} AND member_id IS NOT NULL "
        "GROUP BY member_id ORDER BY COUNT(*) DESC",
        [cycle],
    ).fetchone()[0]
    meeting = db.execute_sql(
        f"SELECT id FROM meeting WHERE group_id = {p} ORDER BY held_on DESC", [group]
    ).fetchone()[0]
    base = f"/groups/{group}"
    return {
        "group": base,
        "passbook": f"{base}/members/{member}/passbook",
        "loans": f"{base}/loans",
        "share-out": f"{base}/share-out",
        "meeting": f"{base}/meetings/{meeting}",
        "members": f"{base}/members",
        "account": "/account",
        "languages": "/admin/languages",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--group", type=int, default=None)
    parser.add_argument("--page", nargs="*", default=["group", "passbook", "loans"])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="sg-profile-"))
    app = create_app(
        {
            "INSTANCE_PATH": instance,
            "DATABASE_URL": args.database_url,
            "SECRET_KEY": "profile",
            "WTF_CSRF_ENABLED": False,
            "BACKUPS_AUTOMATIC": False,
            "RUN_MIGRATIONS_ON_START": False,
        }
    )
    client = app.test_client()
    response = client.post("/login", data={"username": ADMIN, "password": PASSWORD})
    assert response.status_code in (302, 303), response.status_code
    with db.connection_context():
        group = args.group or busy_group()
        known = paths(group)
    print(f"group {group}")
    for name in args.page:
        path = known.get(name, name)

        def fetch(path=path):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            return response

        size = len(fetch().data)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            fetch()
            times.append((time.perf_counter() - started) * 1000)
        with count_queries() as counter:
            fetch()
        ordered = sorted(times)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
        print(
            f"{name:10} {path:40} median {statistics.median(times):6.2f} ms  p95 {p95:6.2f} ms"
            f"  min {ordered[0]:6.2f} ms  {counter.count} queries  {size} bytes",
            flush=True,
        )
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.repeat):
                fetch()
            profiler.disable()
            stats = pstats.Stats(profiler)
            stats.sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main()
