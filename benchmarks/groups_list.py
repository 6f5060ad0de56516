"""Time the paged groups list (the home page) on 1,000 groups, against one hand-written query.

    python benchmarks/groups_list.py [--database-url URL] [--repeat 20]

Without --database-url it uses /tmp/sg-lists/demo-1000g-3y.db, built once with
`savings-groups demo --groups 1000 --years 3` (about 10 minutes on SQLite) and kept there.
It fetches `/` (the first page of 25 groups with their figures and warnings) as the demo
administrator through the test client, REPEAT times, and prints the median, the 95th
percentile and the number of SQL queries; then the same for group_list.group_page() alone,
and for one hand-written SQL query computing the same figures (savings this cycle, loans
outstanding, PAR>30, attendance over the last four meetings, last meeting) for the same page;
and the ratio of the page to that query (the issue's target: under 300 ms, within 3x).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from playhouse.test_utils import count_queries

from savings_groups import create_app
from savings_groups.core.dates import today
from savings_groups.oversight.group_list import Filters, group_page
from savings_groups.oversight.warnings import Thresholds
from savings_groups.store.db import db
from savings_groups.store.models import User

CACHE = Path("/tmp/sg-lists/demo-1000g-3y.db")

HAND_SQL = """
WITH page AS (
    SELECT id FROM savings_group WHERE archived_at IS NULL ORDER BY name, id LIMIT 25),
savings AS (
    SELECT e.group_id, SUM(e.amount) AS amount FROM entry e
    WHERE e.cycle_id IN (
        SELECT id FROM cycle WHERE group_id IN (SELECT id FROM page) AND closed_at IS NULL)
        AND e.kind = 'share_purchase' GROUP BY e.group_id),
m AS (
    SELECT id, group_id, held_on,
        ROW_NUMBER() OVER (PARTITION BY group_id ORDER BY held_on DESC) AS rn
    FROM meeting WHERE status = 'closed' AND group_id IN (SELECT id FROM page)),
att AS (
    SELECT m.group_id, MAX(m.held_on) AS last,
        SUM(CASE WHEN a.status IN ('present', 'late', 'represented') THEN 1 ELSE 0 END)
            AS attended, COUNT(a.id) AS marked
    FROM m LEFT JOIN attendance a ON a.meeting_id = m.id WHERE m.rn <= 4 GROUP BY m.group_id),
l AS (
    SELECT id, group_id, baseline_principal FROM loan
    WHERE status = 'active' AND group_id IN (SELECT id FROM page)),
paid AS (
    SELECT e.loan_id,
        SUM(CASE WHEN e.kind = 'loan_principal' THEN e.amount ELSE 0 END) AS repaid,
        SUM(CASE WHEN e.kind = 'loan_disbursement' THEN -e.amount ELSE 0 END) AS lent
    FROM entry e WHERE e.loan_id IN (SELECT id FROM l) GROUP BY e.loan_id),
late AS (
    SELECT i.loan_id FROM loan_installment i JOIN l ON l.id = i.loan_id
    LEFT JOIN paid ON paid.loan_id = i.loan_id
    WHERE i.replaced_on IS NULL AND i.due_on < :cutoff
    GROUP BY i.loan_id, l.baseline_principal, paid.repaid
    HAVING SUM(i.principal) > COALESCE(paid.repaid, 0) - l.baseline_principal),
loans AS (
    SELECT l.group_id, SUM(paid.lent - paid.repaid) AS outstanding,
        SUM(CASE WHEN late.loan_id IS NULL THEN 0 ELSE paid.lent - paid.repaid END) AS at_risk
    FROM l JOIN paid ON paid.loan_id = l.id LEFT JOIN late ON late.loan_id = l.id
    GROUP BY l.group_id)
SELECT g.id, g.name, savings.amount, loans.outstanding, loans.at_risk, att.attended,
    att.marked, att.last
FROM savings_group g JOIN page ON page.id = g.id
LEFT JOIN savings ON savings.group_id = g.id LEFT JOIN att ON att.group_id = g.id
LEFT JOIN loans ON loans.group_id = g.id
ORDER BY g.name, g.id
"""


def timed(action, repeat: int) -> tuple[float, float, int]:
    """Median and 95th percentile in ms, and the queries of one run."""
    with count_queries() as counter:
        action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, counter.count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    url = args.database_url
    if url is None:
        if not CACHE.exists():
            CACHE.parent.mkdir(parents=True, exist_ok=True)
            print(f"Building {CACHE} (once)...", flush=True)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "savings_groups.cli",
                    "demo",
                    "--groups",
                    "1000",
                    "--years",
                    "3",
                ],
                env={**os.environ, "DATABASE_URL": f"sqlite:///{CACHE}"},
                check=True,
            )
        url = f"sqlite:///{CACHE}"
    app = create_app(
        {
            "DATABASE_URL": url,
            "TESTING": True,
            "BACKUPS_AUTOMATIC": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = app.test_client()
    response = client.post("/login", data={"username": "demo-admin", "password": "demo-password"})
    assert response.status_code in (302, 303), "the demo administrator could not log in"

    def page():
        response = client.get("/")
        assert response.status_code == 200, response.status_code
        return response

    size = len(page().data)
    web_median, web_p95, web_queries = timed(page, args.repeat)
    with app.app_context(), db.connection_context():
        admin = User.get(User.username == "demo-admin")
        on = today()
        limits = Thresholds.from_config(app.config)
        rows_median, rows_p95, rows_queries = timed(
            lambda: group_page(admin, Filters(), on, limits), args.repeat
        )
        sort_median, sort_p95, sort_queries = timed(
            lambda: group_page(admin, Filters(sort="par30", descending=True), on, limits),
            max(3, args.repeat // 4),
        )
        cutoff = on.toordinal() - 30
        from datetime import date

        sql = HAND_SQL.replace(":cutoff", db.param)
        params = (date.fromordinal(cutoff).isoformat(),)
        hand_median, hand_p95, _ = timed(
            lambda: db.execute_sql(sql, params).fetchall(), args.repeat
        )
    print(f"Database: {url}  (page of / : {size // 1024} KiB)")
    print(f"{'what':<36}{'median ms':>10}{'p95 ms':>10}{'queries':>9}")
    for name, median, p95, queries in (
        ("GET / (page 1 of 25, by name)", web_median, web_p95, web_queries),
        ("group_page() by name", rows_median, rows_p95, rows_queries),
        ("group_page() by PAR>30 (all groups)", sort_median, sort_p95, sort_queries),
        ("one hand-written SQL query", hand_median, hand_p95, 1),
    ):
        print(f"{name:<36}{median:>10.1f}{p95:>10.1f}{queries:>9}")
    print(f"ratio GET / to the hand SQL: {web_median / hand_median:.1f}x (target: within 3x)")
    print(f"ratio group_page() to the hand SQL: {rows_median / hand_median:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
