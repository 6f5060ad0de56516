"""The key pages read the ledger through its indexes, never by a full scan of `entry` (EXPLAIN on
SQLite and PostgreSQL). On PostgreSQL sequential scans are switched off for the check, so that a
small test database shows the plan a large one gets: a scan of `entry` that remains (a sequential
scan, or an index read from end to end without a condition, as the history of an older group
read backwards through the primary key) means no index fits the query."""

import json
import logging
import re

import pytest
from peewee import PostgresqlDatabase

from savings_groups.bundles.operations import export_groups
from savings_groups.core import dates
from savings_groups.core.vocabulary import ConsentScope
from savings_groups.groups import consent
from savings_groups.store.db import db
from tests.busy_group import build, pages

ALIAS = re.compile(r'"entry" AS "(\w+)"')


class Captured(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.queries = []

    def emit(self, record):
        if isinstance(record.msg, tuple):
            self.queries.append(record.msg)


@pytest.fixture
def ledger_queries(conn, admin, web, app):
    """Every SELECT on the ledger of the key pages, the dashboard and a group's export."""
    web.login("admin")
    build(admin, "Other", members=6, meetings_held=3)
    busy = build(admin, "Busy", members=12, meetings_held=6)
    consent.record_consent(  # a bundle carries members' data only with the group's consent
        admin, busy.group, set(ConsentScope), dates.today(), "The members, at their meeting"
    )
    logger, handler = logging.getLogger("peewee"), Captured()
    level = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    try:
        for name, path in {**pages(busy), "dashboard": "/dashboard"}.items():
            assert web.client.get(path).status_code == 200, name
        export_groups([busy.group.id], app.instance_path, by="admin")
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    selects = [
        (text, params)
        for text, params in handler.queries
        if text.lstrip().upper().startswith("SELECT") and ALIAS.search(text)
    ]
    assert len(selects) > 10
    return selects


def full_scans_sqlite(text, params) -> list[str]:
    aliases = set(ALIAS.findall(text))
    plan = db.execute_sql("EXPLAIN QUERY PLAN " + text, params).fetchall()
    return [row[3] for row in plan if any(re.match(rf"SCAN {a}\b", row[3]) for a in aliases)]


def full_scans_postgres(text, params) -> list[str]:
    (plan,) = db.execute_sql("EXPLAIN (FORMAT JSON) " + text, params).fetchone()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    found = []

    def walk(node):
        if node.get("Relation Name") == "entry":
            kind = node["Node Type"]
            if kind == "Seq Scan" or (kind.startswith("Index") and "Index Cond" not in node):
                found.append(f"{kind} {node.get('Index Name', '')}".strip())
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return found


def test_no_key_page_scans_the_whole_ledger(ledger_queries):
    postgres = isinstance(db.obj, PostgresqlDatabase)
    if postgres:
        db.execute_sql("SET enable_seqscan = off")
        db.execute_sql("SET enable_sort = off")
    try:
        scans = {
            text: found
            for text, params in ledger_queries
            if (found := (full_scans_postgres if postgres else full_scans_sqlite)(text, params))
        }
    finally:
        if postgres:
            db.execute_sql("RESET enable_seqscan")
            db.execute_sql("RESET enable_sort")
    assert scans == {}
