"""Export groups as one bundle, and import a bundle: the first import creates the groups, a newer
bundle adds what is new and updates what changed, the same bundle twice changes nothing.

A bundle is refused, with nothing changed, when it is older than the last one imported for its
group, altered, of another organization, made here, or when its group changed both here and
where it was made since the last exchange. Import is one transaction: all of it or nothing.

Users never travel: a row's author is written by username and full name; on import each
author from another installation becomes one inactive local account (no password, cannot log
in), named "<username>.<first 8 characters of the installation>", with their full name, so
the history still says who recorded what.
"""

import json
import secrets
from dataclasses import dataclass, field
from importlib import metadata

from peewee import ForeignKeyField, IntegrityError

from savings_groups.bundles import archive, identity, reports
from savings_groups.bundles.archive import BundleRefused, Limits
from savings_groups.bundles.tables import (
    APPEND_ONLY,
    BY_CLASS,
    GROUP_TABLES,
    REWRITTEN,
    USER,
    plain,
    rows_of,
    typed,
)
from savings_groups.core.dates import utcnow
from savings_groups.core.errors import N_
from savings_groups.core.vocabulary import ConsentScope, Role
from savings_groups.org import access, audit
from savings_groups.org.access import Action
from savings_groups.store.db import db
from savings_groups.store.models import (
    AuditEntry,
    BundleExchange,
    BundleRow,
    FineType,
    GroupAssignment,
    GroupConsent,
    Meeting,
    Member,
    SavingsGroup,
    User,
)

USERS_FILE = "users.json"


def app_version() -> str:
    try:
        return metadata.version("savings-groups")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- identities of rows ------------------------------------------------------------------------


def _split(uid) -> tuple[str, int]:
    if not isinstance(uid, str) or uid.count(":") != 1:
        raise ValueError(f"not a row identity: {uid!r}")
    origin, number = uid.split(":")
    return origin, int(number)


def _uids(table: str, local_ids, instance: str) -> dict[int, str]:
    """The identity of each local row: where it was first written, or here."""
    local_ids = list(local_ids)
    known = {
        row.local_id: f"{row.origin}:{row.origin_id}"
        for row in BundleRow.select().where(
            (BundleRow.table == table) & BundleRow.local_id.in_(local_ids)
        )
    }
    return {i: known.get(i, f"{instance}:{i}") for i in local_ids}


# --- export ------------------------------------------------------------------------------------


def export_groups(group_ids, instance_path, by: str = "") -> bytes:
    """One bundle of these groups' books, signed with the organization's key; each group's
    export is recorded here (its sequence, when, the state of its books)."""
    me = identity.identity()
    key = identity.signing_key(instance_path)
    with db.atomic():
        groups = list(
            SavingsGroup.select()
            .where(SavingsGroup.id.in_(list(group_ids)))
            # a practice group's books are not real books: they never leave for the office
            .where(SavingsGroup.is_practice == False)  # noqa: E712 (SQL, not Python)
            .order_by(SavingsGroup.id)
        )
        if not groups:
            raise BundleRefused(N_("Choose at least one group to export."))
        for group in groups:
            if not _allows_bundles(group.id):
                raise BundleRefused(
                    N_(
                        "The group “%(name)s” has not agreed to its members' data leaving this "
                        "computer in a bundle: record its decision on the group's page first. "
                        "Nothing was exported."
                    ),
                    name=group.name,
                )
        files, entries, user_ids = {}, [], set()
        for group in groups:
            data = _group_data(group.id, me.instance, user_ids)
            name = f"group-{group.id}.json"
            files[name] = archive.canonical(data)
            sequence = 1 + (
                BundleExchange.select(BundleExchange.sequence)
                .where(
                    (BundleExchange.group == group.id)
                    & (BundleExchange.direction == reports.EXPORT)
                )
                .order_by(BundleExchange.sequence.desc())
                .scalar()
                or 0
            )
            fingerprint = archive.sha256(files[name])
            counts = reports.counts(group.id)
            audit_mark, entry_mark = reports.marks(group.id)
            BundleExchange.create(
                group=group,
                direction=reports.EXPORT,
                instance=me.instance,
                sequence=sequence,
                fingerprint=fingerprint,
                by=by,
                audit_mark=audit_mark,
                entry_mark=entry_mark,
                counts=json.dumps(counts, sort_keys=True),
            )
            entries.append(
                {
                    "uid": data["savings_group"][0]["id"],
                    "name": group.name,
                    "file": name,
                    "sequence": sequence,
                    "fingerprint": fingerprint,
                    "counts": counts,
                }
            )
        files[USERS_FILE] = archive.canonical(_users_data(user_ids, me.instance))
    manifest = {
        "format": archive.FORMAT,
        "format_version": archive.FORMAT_VERSION,
        "app_version": app_version(),
        "organization": {"uuid": me.organization, "name": me.name},
        "instance": me.instance,
        "exported_at": utcnow().isoformat(),
        "exported_by": by,
        "groups": entries,
        "users": USERS_FILE,
    }
    return archive.write(files, manifest, lambda payload: identity.sign(key, payload))


def _allows_bundles(group_id: int) -> bool:
    """The group's latest decision lets its books travel in a bundle (groups.consent says the
    same; bundles sits beside groups in the layers, so it reads the row itself)."""
    latest = (
        GroupConsent.select()
        .where(GroupConsent.group == group_id)
        .order_by(GroupConsent.id.desc())
        .first()
    )
    return latest is not None and ConsentScope.BUNDLES in latest.scope_set


def _group_data(group_id: int, instance: str, user_ids: set) -> dict:
    """{table: [row, ...]} of one group, rows by id, references written as identities."""
    rows = {
        model: list(rows_of(model, [group_id]).order_by(model.id).dicts()) for model in GROUP_TABLES
    }
    uids = {
        model: _uids(model._meta.table_name, (r["id"] for r in rows[model]), instance)
        for model in GROUP_TABLES
    }
    user_refs = {}
    for model in GROUP_TABLES:
        for row in rows[model]:
            for f in model._meta.sorted_fields:
                if isinstance(f, ForeignKeyField) and f.rel_model is User and row[f.name]:
                    user_ids.add(row[f.name])
    user_refs = _uids(USER, user_ids, instance)
    data = {}
    for model in GROUP_TABLES:
        written = []
        for row in rows[model]:
            out = {}
            for f in model._meta.sorted_fields:
                value = row[f.name]
                if f.name == "id":
                    out["id"] = uids[model][value]
                elif isinstance(f, ForeignKeyField):
                    target = user_refs if f.rel_model is User else uids[f.rel_model]
                    out[f.name] = None if value is None else target[value]
                elif model is AuditEntry and f.name == "object_id":
                    out[f.name] = _object_uid(row, uids)
                elif model is Meeting and f.name == "draft":
                    out[f.name] = _sheet_ids(value, lambda m, i: uids[m].get(i))
                else:
                    out[f.name] = plain(f, value)
            written.append(out)
        data[model._meta.table_name] = written
    return data


def _object_uid(row: dict, uids: dict):
    """An audit entry's object, as an identity when it is a row of the group's books."""
    model = BY_CLASS.get(row["object_type"])
    if model is None or row["object_id"] is None:
        return None
    return uids[model].get(row["object_id"])


def _sheet_ids(text: str, mapped) -> str:
    """A meeting's stored sheet (meetings.sheet: members' lines, their fines, who approved
    group money) with its member and fine type ids mapped by mapped(model, id) -> id."""
    try:
        data = json.loads(text or "{}")
    except ValueError:
        return text
    if not isinstance(data, dict):
        return text
    for line in data.get("lines", []):
        line["member_id"] = mapped(Member, line.get("member_id"))
        line["fines"] = [mapped(FineType, fine) for fine in line.get("fines", [])]
    for line in data.get("group_money", []):
        if line.get("approved_by") is not None:
            line["approved_by"] = mapped(Member, line["approved_by"])
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _users_data(user_ids: set, instance: str) -> list[dict]:
    """Who wrote the rows: identity, username (where they log in) and full name, no more."""
    uids = _uids(USER, user_ids, instance)
    names = {
        row.local_id: row.origin_username
        for row in BundleRow.select().where(
            (BundleRow.table == USER) & BundleRow.local_id.in_(list(user_ids))
        )
    }
    return sorted(
        (
            {
                "id": uids[user.id],
                "username": names.get(user.id) or user.username,
                "full_name": user.full_name,
            }
            for user in User.select().where(User.id.in_(list(user_ids)))
        ),
        key=lambda u: u["id"],
    )


# --- import ------------------------------------------------------------------------------------

ANOTHER_ORGANIZATION = N_(
    "This bundle comes from another organization (“%(name)s”). If this installation belongs to "
    "that organization too, import its key first with “savings-groups org-key import”; else "
    "this bundle cannot be imported here."
)
NO_KEY = N_(
    "This installation does not hold the organization's key, so it cannot check the bundle. "
    "Import the key with “savings-groups org-key import” (made on the server with "
    "“savings-groups org-key export”), then import the bundle again."
)
MADE_HERE = N_("This bundle was made on this installation: there is nothing to import.")
OLDER = N_(
    "This bundle of “%(group)s” is older than the one already imported from the same laptop "
    "(bundle %(sequence)s; bundle %(last)s was imported on %(date)s). Nothing was imported: "
    "make a new bundle on that laptop."
)
BOTH_SIDES = N_(
    "“%(group)s” was changed here and on the laptop that made this bundle since they last "
    "exchanged books. Nothing was imported: the changes would overwrite each other. Bring this "
    "installation's changes to that laptop first (or decide which side is right), then make "
    "a new bundle there."
)
DOES_NOT_FIT = N_(
    "This bundle does not fit the books of “%(group)s” here (%(reason)s). Nothing was imported."
)
NOT_YOURS = N_(
    "This bundle holds “%(group)s”, which is not assigned to you here. Nothing was imported: "
    "ask an administrator to import it."
)
MAY_NOT_CREATE = N_(
    "Your role may not add groups, and this bundle brings the new group “%(group)s”. Nothing "
    "was imported."
)


@dataclass
class GroupImport:
    """What an import did (or would do) to one group: rows added, updated, removed per table."""

    name: str
    new: bool
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    group_id: int | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def count(self, kind: dict, table: str) -> None:
        kind[table] = kind.get(table, 0) + 1


@dataclass
class Imported:
    groups: list[GroupImport]
    instance: str
    exported_at: str
    dry_run: bool


class _Rollback(Exception):
    """Leaves a dry run's transaction without writing anything."""


def import_bundle(
    actor, data: bytes, instance_path, dry_run: bool = False, limits: Limits | None = None
) -> Imported:
    """Import a bundle's groups in one transaction (none of it when `dry_run`: only what it
    would do). `actor` None: the command line, which may import any group."""
    opened = archive.read(data, limits or Limits())
    me = identity.identity()
    manifest = opened.manifest
    org = manifest.get("organization") or {}
    if not isinstance(org, dict) or org.get("uuid") != me.organization:
        raise BundleRefused(ANOTHER_ORGANIZATION, name=str(org.get("name", "?")))
    key = identity.signing_key(instance_path, create=False)
    if key is None:
        raise BundleRefused(NO_KEY)
    if not identity.signed_by(key, opened.manifest_bytes, opened.signature):
        raise BundleRefused(archive.ALTERED, reason="signature")
    archive.check_checksums(opened)
    origin = manifest.get("instance")
    if origin == me.instance:
        raise BundleRefused(MADE_HERE)
    try:
        users = {u["id"]: u for u in json.loads(opened.files[manifest["users"]])}
        groups = [(entry, json.loads(opened.files[entry["file"]])) for entry in manifest["groups"]]
    except (KeyError, TypeError, ValueError) as error:
        raise BundleRefused(archive.CORRUPT, reason=str(error)) from error
    results = []
    try:
        with db.atomic():
            importer = _Importer(actor, me.instance, origin, users)
            for entry, group_data in groups:
                results.append(importer.group(entry, group_data))
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    except IntegrityError as error:
        raise BundleRefused(
            DOES_NOT_FIT, group=", ".join(e["name"] for e, _d in groups), reason=str(error)
        ) from error
    return Imported(results, origin, str(manifest.get("exported_at", "")), dry_run)


class _Importer:
    """Maps a bundle's rows to local rows and writes them, inside the import's transaction."""

    def __init__(self, actor, instance: str, origin: str, users: dict):
        self.actor = actor
        self.instance = instance
        self.origin = origin
        self.users = users
        self.ids: dict[str, dict[str, int]] = {}  # table -> uid -> local id

    def local(self, table: str, uid) -> int | None:
        """The local id of a row identity, None when it was never imported here."""
        if uid is None:
            return None
        origin, number = _split(uid)
        if origin == self.instance:
            return number
        known = self.ids.setdefault(table, {})
        if uid not in known:
            row = BundleRow.get_or_none(
                (BundleRow.origin == origin)
                & (BundleRow.table == table)
                & (BundleRow.origin_id == number)
            )
            if row is None:
                return None
            known[uid] = row.local_id
        return known[uid]

    def remember(self, table: str, uid: str, local_id: int, username=None) -> None:
        origin, number = _split(uid)
        BundleRow.create(
            origin=origin,
            table=table,
            origin_id=number,
            local_id=local_id,
            origin_username=username,
        )
        self.ids.setdefault(table, {})[uid] = local_id

    def user(self, uid) -> int | None:
        """The local account standing for an author: made, inactive, on first sight."""
        found = self.local(USER, uid)
        if found is not None or uid is None:
            return found
        person = self.users[uid]
        username = str(person["username"])
        base = f"{username[:31]}.{_split(uid)[0][:8]}"
        name, n = base, 1
        while User.select().where(User.username == name).exists():
            n += 1
            name = f"{base[:36]}-{n}"
        created = User.create(
            username=name,
            full_name=str(person["full_name"])[:200],
            role=Role.VIEWER.value,
            password_hash="!",  # no password: this account cannot log in
            session_token=secrets.token_hex(32),
            is_active=False,
        )
        self.remember(USER, uid, created.id, username=username[:40])
        return created.id

    def group(self, entry: dict, data: dict) -> GroupImport:
        name = str(entry.get("name", "?"))
        local_id = self.local("savings_group", entry["uid"])
        if (
            local_id is not None
            and not SavingsGroup.select().where(SavingsGroup.id == local_id).exists()
        ):
            raise BundleRefused(DOES_NOT_FIT, group=name, reason="the group is missing here")
        result = GroupImport(name, new=local_id is None, group_id=local_id)
        changed_here = False
        if local_id is not None:
            if (
                self.actor is not None
                and not access.visible_groups(self.actor)
                .where(SavingsGroup.id == local_id)
                .exists()
            ):
                raise BundleRefused(NOT_YOURS, group=name)
            last = (
                BundleExchange.select()
                .where(
                    (BundleExchange.group == local_id)
                    & (BundleExchange.direction == reports.IMPORT)
                    & (BundleExchange.instance == self.origin)
                )
                .order_by(BundleExchange.id.desc())
                .first()
            )
            if last is not None and entry["sequence"] < last.sequence:
                raise BundleRefused(
                    OLDER,
                    group=name,
                    sequence=str(entry["sequence"]),
                    last=str(last.sequence),
                    date=last.at.date(),
                )
            if last is not None and entry["sequence"] == last.sequence:
                if entry["fingerprint"] != last.fingerprint:
                    raise BundleRefused(archive.ALTERED, reason=f"{name}: same sequence")
                return result  # the same bundle again: nothing to do
            exchange = (
                BundleExchange.select()
                .where(BundleExchange.group == local_id)
                .order_by(BundleExchange.id.desc())
                .first()
            )
            audit_mark, entry_mark = reports.marks(local_id)
            changed_here = exchange is None or (
                audit_mark > exchange.audit_mark or entry_mark > exchange.entry_mark
            )
            self._remove_rewritten(local_id, data, result)
        elif self.actor is not None and not access.can(self.actor, Action.CREATE_GROUP):
            raise BundleRefused(MAY_NOT_CREATE, group=name)
        try:
            for model in GROUP_TABLES:
                self._table(model, data.get(model._meta.table_name, []), local_id, result)
        except (KeyError, TypeError, ValueError) as error:
            raise BundleRefused(DOES_NOT_FIT, group=name, reason=str(error)) from error
        if result.group_id is None:
            result.group_id = self.local("savings_group", entry["uid"])
        if not result.changed:
            return result
        if changed_here:
            raise BundleRefused(BOTH_SIDES, group=name)
        group = SavingsGroup.get_by_id(result.group_id)
        if result.new and self.actor is not None and not access.sees_all_groups(self.actor):
            GroupAssignment.create(user=self.actor, group=group, assigned_by=self.actor)
        audit.record(
            self.actor,
            "bundle.import",
            group,
            group=group,
            instance=self.origin,
            sequence=entry["sequence"],
            added=result.added,
            updated=result.updated,
            removed=result.removed,
        )
        audit_mark, entry_mark = reports.marks(group.id)
        BundleExchange.create(
            group=group,
            direction=reports.IMPORT,
            instance=self.origin,
            sequence=entry["sequence"],
            fingerprint=entry["fingerprint"],
            by=self.actor.username if self.actor else "",
            audit_mark=audit_mark,
            entry_mark=entry_mark,
            counts=json.dumps(reports.counts(group.id), sort_keys=True),
        )
        return result

    def _table(self, model, rows: list, group_id, result: GroupImport) -> None:
        table = model._meta.table_name
        current = {}
        if group_id is not None:
            current = {r["id"]: r for r in rows_of(model, [group_id]).dicts()}
        fields = [f for f in model._meta.sorted_fields if f.name != "id"]
        for row in rows:
            values = {f: self._value(model, f, row) for f in fields}
            local_id = self.local(table, row["id"])
            if local_id is None:
                new_id = model.insert(values).execute()
                self.remember(table, row["id"], new_id)
                result.count(result.added, table)
                continue
            if local_id not in current:
                raise ValueError(f"{table} {row['id']} is missing here")
            differ = {f: v for f, v in values.items() if current[local_id][f.name] != v}
            if differ:
                if model in APPEND_ONLY:
                    raise ValueError(f"{table} {row['id']} differs")
                model.update(differ).where(model.id == local_id).execute()
                result.count(result.updated, table)

    def _value(self, model, f, row: dict):
        raw = row[f.name]
        if isinstance(f, ForeignKeyField):
            if raw is None:
                return None
            if f.rel_model is User:
                return self.user(raw)
            found = self.local(f.rel_model._meta.table_name, raw)
            if found is None:
                raise ValueError(f"{f.name} {raw} is not in the bundle")
            return found
        if model is AuditEntry and f.name == "object_id":
            target = BY_CLASS.get(row["object_type"])
            return self.local(target._meta.table_name, raw) if target and raw else None
        if model is Meeting and f.name == "draft":
            return _sheet_ids(raw, lambda m, uid: self.local(m._meta.table_name, uid))
        return typed(f, raw)

    def _remove_rewritten(self, group_id: int, data: dict, result: GroupImport) -> None:
        """Rows the app rewrites (a draft's attendance, a rotation's hands before its start)
        that the bundle no longer has: removed where it was made, removed here too."""
        for model in REWRITTEN:
            table = model._meta.table_name
            kept = {row["id"] for row in data.get(table, [])}
            ids = [r.id for r in rows_of(model, [group_id]).select(model.id)]
            gone = [i for i, uid in _uids(table, ids, self.instance).items() if uid not in kept]
            if gone:
                model.delete().where(model.id.in_(gone)).execute()
                BundleRow.delete().where(
                    (BundleRow.table == table) & BundleRow.local_id.in_(gone)
                ).execute()
                result.removed[table] = len(gone)
