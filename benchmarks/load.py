"""Load test of the organization's server: gunicorn workers on PostgreSQL, simulated users on
loopback, then the ledger's integrity check.

    python benchmarks/load.py --database-url postgresql://postgres@127.0.0.1:5432/load \\
        --workers 4 --seconds 60

It EMPTIES the database it is given (DROP SCHEMA public CASCADE), fills it with
`savings-groups demo --groups N` dated back so that the groups' cycles have free days left,
starts `gunicorn -w N wsgi:app` on a free port, logs every simulated user in, then runs for
--seconds:

- recorders (20): each logs in as a facilitator assigned to its own group and, again and again,
  opens a meeting on the next free day, saves the grid as a draft (every member present, one
  share each) and closes it, through the real forms with their CSRF tokens;
- viewers (5): each logs in and reads the groups list, group pages and passbooks.

It prints the throughput (requests/s of the timed run, logins not counted), the latency
percentiles (p50, p95, p99) of each kind of request and the errors (any 5xx, any refused save
or close, any failed request), writes them as JSON (--output), then runs `savings-groups
check`. The exit status is 1 when there was any error or the check found a difference.
"""

import argparse
import html.parser
import http.client
import json
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from savings_groups.core.dates import today  # noqa: E402  (the app's day: its zone)

DEMO_PASSWORD = "demo-password"
# The demo's data ends this many days ago: the open cycles have free days left for meetings.
DAYS_BACK = 150


# The server ---------------------------------------------------------------------------------


def run_cli(args: list[str], env: dict) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", "from savings_groups.cli import main; main()", *args]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)


def environment(url: str, instance: Path) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        SAVINGS_GROUPS_INSTANCE=str(instance),
        PYTHONPATH=str(ROOT) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    return env


def empty_database(url: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


def fill(url: str, env: dict, groups: int, years: int, seed: int) -> str:
    empty_database(url)
    until = (today() - timedelta(days=DAYS_BACK)).isoformat()
    done = run_cli(
        [
            "demo",
            "--groups",
            str(groups),
            "--years",
            str(years),
            "--seed",
            str(seed),
            "--until",
            until,
        ],
        env,
    )
    if done.returncode:
        raise SystemExit(f"savings-groups demo failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    env: dict, port: int, workers: int, threads: int, log: Path | None = None
) -> subprocess.Popen:
    """`gunicorn -w workers wsgi:app` on loopback, once it answers (its messages to `log`)."""
    command = [
        sys.executable, "-m", "gunicorn", "-w", str(workers), "--threads", str(threads),
        "-b", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--log-level", "warning",
        "--timeout", "60", "wsgi:app",
    ]  # fmt: skip
    if log is not None:
        command[-1:-1] = ["--error-logfile", str(log)]
    server = subprocess.Popen(command, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            server.wait()
            raise SystemExit("gunicorn stopped at start")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/login")
            if connection.getresponse().status in (200, 302):  # 302: first run, to /setup
                return server
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    stop(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()


# Who records where ---------------------------------------------------------------------------


def recording_plan(url: str, count: int) -> list[dict]:
    """The groups with the most free days in their open cycle, each with a facilitator assigned
    to it and the first free day."""
    import psycopg

    day = today()
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            """
            SELECT g.id, g.currency, c.planned_end, max(m.held_on),
                   (SELECT u.username FROM group_assignment a JOIN "user" u ON u.id = a.user_id
                     WHERE a.group_id = g.id AND u.is_active ORDER BY u.id LIMIT 1)
              FROM savings_group g
              JOIN cycle c ON c.group_id = g.id AND c.closed_at IS NULL
              LEFT JOIN meeting m ON m.cycle_id = c.id
             WHERE g.kind = 'savings' AND g.archived_at IS NULL
             GROUP BY g.id, c.id, g.currency
            """
        ).fetchall()
    plans = []
    from babel.numbers import get_currency_precision

    for group_id, currency, planned_end, last, username in rows:
        if username is None:
            continue
        first = (last or day - timedelta(days=DAYS_BACK)) + timedelta(days=1)
        end = min(planned_end, day)
        if end >= first:
            plans.append(
                {
                    "group": group_id,
                    "user": username,
                    "first": first,
                    "end": end,
                    "decimals": get_currency_precision(currency),
                }
            )
    plans.sort(key=lambda p: (p["end"] - p["first"]).days, reverse=True)
    return plans[:count]


# A simulated browser ------------------------------------------------------------------------


class FormReader(html.parser.HTMLParser):
    """The fields of each form posted back to the page itself (no action), as a browser would
    submit them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.forms: list[list[tuple[str, str]]] = []
        self.fields: list[tuple[str, str]] = []
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = not a.get("action") and (a.get("method") or "").lower() == "post"
            if self.inside:
                self.fields = []
                self.forms.append(self.fields)
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append((a["name"], a.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self.select, self.options = a["name"], []
        elif tag == "option" and self.select is not None:
            self.options.append((a.get("value", ""), "selected" in a))
        elif tag == "textarea" and a.get("name"):
            self.textarea = a["name"]
            self.fields.append((a["name"], ""))

    def handle_data(self, data):
        if self.textarea is not None and self.fields and self.fields[-1][0] == self.textarea:
            self.fields[-1] = (self.textarea, self.fields[-1][1] + data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = [v for v, s in self.options if s] or [v for v, _ in self.options[:1]]
            if chosen:
                self.fields.append((self.select, chosen[0]))
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_fields(page: str, having: str) -> list[tuple[str, str]]:
    """The fields of the page's own form that has a field named `having`."""
    reader = FormReader()
    reader.feed(page)
    for fields in reader.forms:
        if any(name == having for name, _ in fields):
            return fields
    raise Failure(f"no form with {having}")


class Failure(Exception):
    """A simulated user stops: its error is counted."""


class Browser:
    def __init__(self, port: int, stats: "Stats"):
        self.port, self.stats, self.cookies = port, stats, {}

    def request(self, kind: str, method: str, path: str, form=None, expect=(200,)):
        body = urlencode(form).encode() if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except OSError as error:
            self.stats.error(kind, f"{method} {path}: {error}")
            raise Failure from error
        finally:
            connection.close()
        self.stats.timing(kind, time.perf_counter() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.status not in expect:
            said = re.findall(
                r'class="[^"]*(?:alert|invalid-feedback)[^"]*"[^>]*>(.*?)</', text, re.S
            )
            said = " | ".join(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m)).strip() for m in said)
            self.stats.error(kind, f"{method} {path}: {response.status} {said[:300]}")
            raise Failure
        return response, text

    def login(self, username: str) -> None:
        _, page = self.request("login page", "GET", "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "username": username, "password": DEMO_PASSWORD}
        self.request("login", "POST", "/login", form, expect=(302, 303))


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = defaultdict(list)
        self.meetings_closed = 0

    def timing(self, kind, seconds):
        with self.lock:
            self.times[kind].append(seconds)

    def error(self, kind, text):
        with self.lock:
            self.errors[kind].append(text)


def cash_counted(page: str, decimals: int) -> dict[str, str]:
    """What the treasurer counts in each box: exactly what the books say after the meeting
    (the grid's preview, in minor units), typed as the page's language writes numbers."""
    comma = re.search(r'<html[^>]*lang="fr', page) is not None
    counted = {}
    for box, computed in re.findall(r'data-box="(\w+)"[^>]*data-computed="(-?\d+)"', page):
        if box == "bank":  # the account: entered only when its statement was checked
            continue
        amount = int(computed)
        text = str(amount)
        if decimals:
            whole, part = divmod(amount, 10**decimals)
            text = f"{whole}{',' if comma else '.'}{part:0{decimals}d}"
        counted[f"counted-{box}"] = text
    return counted


class Clock:
    """Every simulated user logs in first; the timed run starts when all have (25 logins at
    once are argon2's cost, not the pages')."""

    def __init__(self, users: int, seconds: float):
        self.seconds = seconds
        self.started = self.stop_at = 0.0
        self.barrier = threading.Barrier(users, action=self._start)

    def _start(self):
        self.started = time.perf_counter()
        self.stop_at = time.monotonic() + self.seconds

    def logged_in(self, browser: "Browser", username: str) -> None:
        try:
            browser.login(username)
        finally:
            self.barrier.wait()

    def running(self) -> bool:
        return time.monotonic() < self.stop_at


def recorder(port: int, plan: dict, stats: Stats, clock: Clock, members_shares: int = 1) -> None:
    browser = Browser(port, stats)
    group = plan["group"]
    day = plan["first"]
    try:
        clock.logged_in(browser, plan["user"])
        while clock.running() and day <= plan["end"]:
            base = f"/groups/{group}/meetings"
            _, page = browser.request("meeting: new form", "GET", f"{base}/new")
            fields = dict(form_fields(page, "held_on"))
            fields["held_on"] = day.isoformat()
            response, _ = browser.request(
                "meeting: open", "POST", f"{base}/new", fields, expect=(302, 303)
            )
            day += timedelta(days=1)
            edit = urlsplit(response.headers["Location"]).path
            _, page = browser.request("meeting: grid", "GET", edit)
            fields = form_fields(page, "version")
            filled = []
            for name, value in fields:
                if name.endswith("-shares"):
                    value = str(members_shares)
                filled.append((name, value))
            browser.request(
                "meeting: save draft", "POST", edit, [*filled, ("action", "save")],
                expect=(302, 303),
            )  # fmt: skip
            _, page = browser.request("meeting: grid", "GET", edit)
            fields = [(n, v) for n, v in form_fields(page, "version")]
            counted = cash_counted(page, plan["decimals"])
            fields = [(n, counted.get(n, v)) for n, v in fields]
            browser.request(
                "meeting: close", "POST", edit, [*fields, ("action", "close")], expect=(302, 303)
            )
            with stats.lock:
                stats.meetings_closed += 1
    except Failure as failure:
        if failure.args:  # not recorded yet (a request's failure is)
            stats.error("page", str(failure))


def viewer(port: int, username: str, groups: list[int], stats: Stats, clock: Clock) -> None:
    browser = Browser(port, stats)
    chooser = random.Random(id(browser))
    try:
        clock.logged_in(browser, username)
        while clock.running():
            browser.request("groups list", "GET", "/")
            group = chooser.choice(groups)
            _, page = browser.request("group page", "GET", f"/groups/{group}")
            _, page = browser.request("members list", "GET", f"/groups/{group}/members")
            passbooks = re.findall(rf"/groups/{group}/members/\d+/passbook", page)
            if passbooks:
                browser.request("passbook", "GET", chooser.choice(passbooks))
    except Failure as failure:
        if failure.args:  # not recorded yet (a request's failure is)
            stats.error("page", str(failure))


def run_users(port: int, plans: list[dict], viewers: int, seconds: float, viewer_name=None):
    """The recorders of `plans` and `viewers` viewers for `seconds` once all are logged in;
    the statistics and the seconds the timed run lasted."""
    stats = Stats()
    clock = Clock(len(plans) + viewers, seconds)
    viewed = [p["group"] for p in plans] or [1]
    threads = [threading.Thread(target=recorder, args=(port, p, stats, clock)) for p in plans]
    threads += [
        threading.Thread(
            target=viewer, args=(port, viewer_name or "demo-admin", viewed, stats, clock)
        )
        for _ in range(viewers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return stats, time.perf_counter() - clock.started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def report(stats: Stats, seconds: float, setup: dict) -> dict:
    total = sum(len(v) for k, v in stats.times.items() if k not in ("login", "login page"))
    kinds = {}
    for kind in sorted(stats.times):
        values = stats.times[kind]
        kinds[kind] = {
            "count": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
            "errors": len(stats.errors.get(kind, [])),
        }
    errors = {kind: texts[:5] for kind, texts in stats.errors.items()}
    return {
        **setup,
        "requests": total,
        "throughput_rps": round(total / seconds, 1),
        "meetings_closed": stats.meetings_closed,
        "errors": sum(len(v) for v in stats.errors.values()),
        "error_samples": errors,
        "kinds": kinds,
    }


def print_report(result: dict) -> None:
    print(
        f"\n{result['workers']} workers × {result['threads']} threads, {result['recorders']} "
        f"recorders + {result['viewers']} viewers, {result['seconds']} s, "
        f"{result['groups']} demo groups"
    )
    print(f"{'request':<22}{'count':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for kind, row in result["kinds"].items():
        print(
            f"{kind:<22}{row['count']:>8}{row['p50_ms']:>10}{row['p95_ms']:>10}"
            f"{row['p99_ms']:>10}{row['errors']:>8}"
        )
    print(
        f"throughput {result['throughput_rps']} requests/s, {result['requests']} requests, "
        f"{result['meetings_closed']} meetings closed, {result['errors']} errors"
    )
    for kind, samples in result["error_samples"].items():
        for sample in samples:
            print(f"  error ({kind}): {sample}")
    print(f"integrity check: {result.get('check', '')}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database to EMPTY")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--recorders", type=int, default=20)
    parser.add_argument("--viewers", type=int, default=5)
    parser.add_argument("--output", type=Path, default=None, help="write the results as JSON")
    args = parser.parse_args(argv)
    if not args.database_url.startswith(("postgresql://", "postgres://")):
        parser.error("the load test runs on PostgreSQL: give a postgresql:// URL")

    with tempfile.TemporaryDirectory(prefix="sg-load-") as folder:
        env = environment(args.database_url, Path(folder) / "instance")
        started = time.perf_counter()
        print(fill(args.database_url, env, args.groups, args.years, args.seed))
        print(f"demo filled in {time.perf_counter() - started:.0f} s")
        plans = recording_plan(args.database_url, args.recorders)
        if len(plans) < args.recorders:
            print(f"only {len(plans)} groups have free days: {len(plans)} recorders")
        port = free_port()
        server = start_gunicorn(env, port, args.workers, args.threads)
        try:
            stats, elapsed = run_users(port, plans, args.viewers, args.seconds)
        finally:
            stop(server)
        result = report(
            stats,
            elapsed,
            {
                "workers": args.workers,
                "threads": args.threads,
                "recorders": len(plans),
                "viewers": args.viewers,
                "seconds": round(elapsed, 1),
                "groups": args.groups,
                "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                f"{platform.python_implementation()} {platform.python_version()}",
            },
        )
        check = run_cli(["check"], env)
        result["check"] = check.stdout.strip() or check.stderr.strip()[-500:]
        result["check_ok"] = check.returncode == 0
    print_report(result)
    if args.output:
        args.output.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
    return 0 if result["errors"] == 0 and result["check_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
