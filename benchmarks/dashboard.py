"""Time the organization dashboard, the groups list sorted by warnings, the trends and the API's
indicators on 1,000 demo groups over 3 years, against one hand-written SQL query computing the
dashboard's core figures; prints median, p95, query count and the ratio. Each page is timed with
every group's figures stored (store/stored_figures.py), after 1 and 20 groups' books changed
(those groups computed again), and with nothing stored (all computed: the first reading of a
day, or after an upgrade).

    python benchmarks/dashboard.py [--groups 1000] [--years 3] [--repeat 15]
                                   [--database-url URL]

Without --database-url the demo is built once into /tmp/indicators-demo-<groups>x<years>.sqlite3
(about 4 minutes on SQLite) and reused by later runs. With --database-url the database must
already hold the demo (`savings-groups demo --groups 1000 --years 3`).
Targets (issue 12): the dashboard under 300 ms, within 3x the hand-written SQL.
"""

import argparse
import gc
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from peewee import fn
from playhouse.test_utils import count_queries

from savings_groups import create_app
from savings_groups.core.dates import today
from savings_groups.org import api_tokens
from savings_groups.store.db import db
from savings_groups.store.models import Member, StoredFigures, User

# The same core figures as the dashboard, per group, in one statement: members (by type, women),
# attendance over the cycle, savings this cycle, loan fund cash, social fund, principal
# outstanding and at risk. (Not in it: the last four meetings, drop-outs, ROSCA figures.)
HAND_SQL = """
WITH cur AS (
  SELECT c.group_id, c.id AS cycle_id, c.start_date FROM cycle c
  WHERE c.start_date <= {day} AND NOT EXISTS (
    SELECT 1 FROM cycle d WHERE d.group_id = c.group_id AND d.start_date <= {day}
      AND d.start_date > c.start_date)
), grp AS (
  SELECT id, currency FROM savings_group WHERE NOT is_practice
), mem AS (
  SELECT group_id, member_type, COUNT(*) AS members,
         SUM(CASE WHEN gender = 'female' THEN 1 ELSE 0 END) AS women
  FROM member WHERE joined_on <= {day} AND (left_on IS NULL OR left_on > {day})
  GROUP BY group_id, member_type
), att AS (
  SELECT m.group_id, COUNT(*) AS rows_, SUM(CASE WHEN a.status IN ('present', 'late')
         THEN 1 ELSE 0 END) AS present
  FROM attendance a JOIN meeting m ON m.id = a.meeting_id JOIN cur ON cur.cycle_id = m.cycle_id
  WHERE m.status = 'closed' AND m.held_on <= {day} GROUP BY m.group_id
), ent AS (
  SELECT e.group_id,
    SUM(CASE WHEN e.fund IN ('loan_fund', 'bank') THEN e.amount ELSE 0 END) AS cash,
    SUM(CASE WHEN e.fund = 'social_fund' THEN e.amount ELSE 0 END) AS social,
    SUM(CASE WHEN e.kind = 'share_purchase' AND e.cycle_id = cur.cycle_id THEN e.amount
        ELSE 0 END) AS savings
  FROM entry e LEFT JOIN cur ON cur.group_id = e.group_id
  WHERE e.effective_on <= {day} GROUP BY e.group_id
), book AS (
  SELECT l.group_id, l.principal + l.baseline_principal - COALESCE((SELECT SUM(e.amount)
      FROM entry e WHERE e.loan_id = l.id AND e.kind = 'loan_principal'
      AND e.effective_on <= {day}), 0)
      - CASE WHEN l.status = 'written_off' AND l.closed_on <= {day} THEN l.written_off ELSE 0 END
      AS outstanding,
    COALESCE((SELECT SUM(i.principal) FROM loan_installment i WHERE i.loan_id = l.id
      AND i.replaced_on IS NULL AND i.due_on < {late}), 0) AS due_late,
    COALESCE((SELECT SUM(e.amount) FROM entry e WHERE e.loan_id = l.id
      AND e.kind = 'loan_principal' AND e.effective_on <= {day}), 0) + l.baseline_principal AS paid
  FROM loan l WHERE l.granted_on <= {day}
), lns AS (
  SELECT group_id, SUM(CASE WHEN outstanding > 0 THEN outstanding ELSE 0 END) AS outstanding,
    SUM(CASE WHEN outstanding > 0 AND paid < due_late THEN outstanding ELSE 0 END) AS at_risk
  FROM book GROUP BY group_id
)
SELECT grp.id, grp.currency, mem.member_type, mem.members, mem.women, att.rows_, att.present,
  ent.cash, ent.social, ent.savings, lns.outstanding, lns.at_risk
FROM grp LEFT JOIN mem ON mem.group_id = grp.id LEFT JOIN att ON att.group_id = grp.id
  LEFT JOIN ent ON ent.group_id = grp.id LEFT JOIN lns ON lns.group_id = grp.id
"""


def timed(run, repeat, before=None):
    """Median and 95th percentile in ms of `repeat` runs (`before` each, not timed)."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    url = args.database_url
    if not url:
        path = Path(f"/tmp/indicators-demo-{args.groups}x{args.years}.sqlite3")
        url = f"sqlite:///{path}"
        if not path.exists():
            print(f"Building the demo into {path} (once)...", flush=True)
            env = dict(os.environ, DATABASE_URL=url)
            command = [
                sys.executable,
                "-m",
                "savings_groups.cli",
                "demo",
                "--groups",
                str(args.groups),
                "--years",
                str(args.years),
            ]
            subprocess.run(command, env=env, check=True)
    os.environ["DATABASE_URL"] = url
    app = create_app({"BACKUPS_AUTOMATIC": False})  # no copy of a 4 GB file at each run
    gc.freeze()  # as wsgi.py and `savings-groups serve` do
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"username": "demo-admin", "password": "demo-password", "csrf_token": token}
    )
    day = today()
    with app.app_context():
        admin = User.get(User.username == "demo-admin")
        _, secret = api_tokens.create_token(admin, "benchmark", [], True, False)
    pages = {
        "dashboard": ("/dashboard", {}),
        "groups by warnings": ("/oversight/groups?sort=warnings", {}),
        "trends": ("/oversight/trends", {}),
        "API indicators": ("/api/v1/indicators", {"Authorization": f"Bearer {secret}"}),
    }

    def get(path, headers):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)

    def forget_all():  # as after midnight, or an upgrade: every group's figures computed again
        with app.app_context(), db.connection_context():
            StoredFigures.delete().execute()

    def change(count):  # `count` groups' books written to (a member's row, as any write does)
        def run():
            with app.app_context(), db.connection_context():
                changed = Member.select(fn.MIN(Member.id)).group_by(Member.group).limit(count)
                Member.update(full_name=Member.full_name).where(Member.id.in_(changed)).execute()

        return run

    rows = []
    for name, (path, headers) in pages.items():
        get(path, headers)  # warm up: the figures are stored
        with count_queries() as counted:
            get(path, headers)
        stored = timed(lambda: get(path, headers), args.repeat)  # noqa: B023
        rows.append((f"{name}, figures stored", *stored, counted.count))
        for count in (1, 20):
            ran = timed(lambda: get(path, headers), args.repeat, before=change(count))  # noqa: B023
            rows.append((f"{name}, {count} group(s) changed", *ran, None))
        cold = timed(lambda: get(path, headers), max(3, args.repeat // 5), before=forget_all)  # noqa: B023
        rows.append((f"{name}, all computed", *cold, None))

    late = (day - timedelta(days=30)).isoformat()
    text = HAND_SQL.format(day="__DAY__", late="__LATE__")
    params = [
        late if o == "__LATE__" else day.isoformat() for o in re.findall(r"__DAY__|__LATE__", text)
    ]
    sql = text.replace("__DAY__", db.param).replace("__LATE__", db.param)

    def hand():
        with app.app_context(), db.connection_context():
            db.execute_sql(sql, params).fetchall()

    hand()
    hand_median, hand_p95 = timed(hand, args.repeat)
    print(
        f"database: {url.split('@')[-1]}  groups: {args.groups}  years: {args.years}  "
        f"repeat: {args.repeat}  load: {os.getloadavg()[0]:.1f}"
    )
    print(f"{'page':40} {'median ms':>10} {'p95 ms':>10} {'queries':>8} {'/ hand SQL':>10}")
    for name, median, p95, queries in rows:
        print(
            f"{name:40} {median:10.1f} {p95:10.1f} {queries if queries is not None else '':>8}"
            f" {median / hand_median:9.2f}x"
        )
    print(
        f"{'hand SQL (one query, the core figures)':40} {hand_median:10.1f} {hand_p95:10.1f} {1:>8}"
    )
    print("targets (issue 12): the dashboard under 300 ms and within 3x the hand SQL")
    return 0


if __name__ == "__main__":
    sys.exit(main())
