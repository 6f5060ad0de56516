"""What the bundle tests compare: a bundle's files, a database's rows, a group's figures."""

import io
import json
import zipfile

from savings_groups.bundles.tables import GROUP_TABLES
from savings_groups.ledger import entries as ledger
from savings_groups.reports.passbook import passbook
from savings_groups.store.models import BundleExchange, BundleRow, SavingsGroup, User


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def content(data: bytes, leave_out_instance: str | None = None) -> dict:
    """The groups' rows and authors of a bundle, by group name; rows first written on
    `leave_out_instance` left out (the receiving side's own audit of the import)."""
    files = unzip(data)
    manifest = json.loads(files["manifest.json"])
    groups = {}
    for entry in manifest["groups"]:
        tables = json.loads(files[entry["file"]])
        groups[entry["name"]] = {
            table: [
                row
                for row in rows
                if not (leave_out_instance and row["id"].startswith(leave_out_instance))
            ]
            for table, rows in tables.items()
        }
    users = [
        u
        for u in json.loads(files[manifest["users"]])
        if not (leave_out_instance and u["id"].startswith(leave_out_instance))
    ]
    return {"groups": groups, "users": users}


def snapshot() -> dict[str, int]:
    """How many rows each table that an import writes holds."""
    counts = {model._meta.table_name: model.select().count() for model in GROUP_TABLES}
    for model in (BundleRow, BundleExchange, User):
        counts[model._meta.table_name] = model.select().count()
    return counts


def figures(group_name: str) -> dict:
    """A group's balances, and each member's passbook totals, by member number."""
    group = SavingsGroup.get(SavingsGroup.name == group_name)
    members = list(group.members)
    return {
        "balances": {str(k): v for k, v in ledger.balances(group).items()},
        "passbooks": {
            m.number: passbook(group, m, None).totals
            for m in sorted(members, key=lambda m: m.number)
        },
    }
