"""Who writes and who may read a bundle: the organization's UUID and signing key, and this
installation's UUID.

The key is a file in the instance folder (owner-only), made on first need. Every laptop of an
organization must hold the same key and organization UUID: `savings-groups org-key export`
writes them to a file, `savings-groups org-key import` takes them on another laptop.
"""

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from uuid import UUID, uuid4

from savings_groups.core.errors import N_, DomainError
from savings_groups.org import accounts, audit
from savings_groups.store.db import db
from savings_groups.store.models import Organization

KEY_FILE = "organization_key.json"


class KeyRefused(DomainError):
    """The organization's key file cannot be used; nothing was changed."""


@dataclass(frozen=True)
class Identity:
    organization: str  # the organization's UUID
    name: str
    instance: str  # this installation's UUID


def identity() -> Identity:
    """This installation's organization and its own UUID (given one if it has none yet)."""
    org = accounts.organization()
    if org is None:
        raise KeyRefused(N_("This installation is not set up yet: create its first account."))
    if not org.uuid or not org.instance_uuid:
        with db.atomic():
            org.uuid = org.uuid or str(uuid4())
            org.instance_uuid = org.instance_uuid or str(uuid4())
            Organization.update(uuid=org.uuid, instance_uuid=org.instance_uuid).where(
                Organization.id == org.id
            ).execute()
    return Identity(org.uuid, org.name, org.instance_uuid)


def key_path(instance_path) -> Path:
    return Path(instance_path) / KEY_FILE


def _read_key_file(path: Path) -> dict:
    """The {"organization", "name", "key"} of a key file, checked; KeyRefused otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        UUID(data["organization"])
        key = bytes.fromhex(data["key"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KeyRefused(
            N_("%(path)s is not a key file of Savings Groups (%(reason)s)."),
            path=str(path),
            reason=str(error) or type(error).__name__,
        ) from error
    if len(key) < 32:
        raise KeyRefused(N_("The key in %(path)s is too short."), path=str(path))
    return {"organization": data["organization"], "name": data.get("name", ""), "key": data["key"]}


def _write_owner_only(path: Path, data: dict) -> None:
    """Write the file readable by its owner only, whole or not at all (a temporary file renamed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def signing_key(instance_path, create: bool = True) -> bytes | None:
    """The organization's key, made now when there is none and `create` (else None); refused
    when the file belongs to another organization than this database's."""
    me = identity()
    path = key_path(instance_path)
    if not path.exists():
        if not create:
            return None
        _write_owner_only(
            path, {"organization": me.organization, "name": me.name, "key": secrets.token_hex(32)}
        )
    data = _read_key_file(path)
    if data["organization"] != me.organization:
        raise KeyRefused(
            N_(
                "The key file %(path)s belongs to another organization than this database. "
                "Import the organization's key again with “savings-groups org-key import”."
            ),
            path=str(path),
        )
    return bytes.fromhex(data["key"])


def export_key(instance_path, destination) -> None:
    """Copy the organization's key (made now if needed) to a file for another laptop."""
    signing_key(instance_path)
    _write_owner_only(Path(destination), _read_key_file(key_path(instance_path)))


def import_key(actor, instance_path, source, replace: bool = False) -> bool:
    """Take the organization's UUID and key from a file made by export_key on a laptop or the
    server of the same organization; False when this installation already holds them.

    A different key already here is kept unless `replace`: bundles signed with it could no
    longer be read here."""
    data = _read_key_file(Path(source))
    me = identity()
    path = key_path(instance_path)
    if path.exists():
        current = _read_key_file(path)
        if (
            current["key"] == data["key"]
            and current["organization"] == me.organization == data["organization"]
        ):
            return False
        if not replace:
            raise KeyRefused(
                N_(
                    "This installation already has another organization key (%(path)s). "
                    "Bundles it signed could no longer be read here. If you are sure, import "
                    "again with --replace."
                ),
                path=str(path),
            )
    with db.atomic():
        org = accounts.organization()
        old = org.uuid
        Organization.update(uuid=data["organization"]).where(Organization.id == org.id).execute()
        org.uuid = data["organization"]
        audit.record(actor, "organization.key_import", org, previous=old, now=org.uuid)
        _write_owner_only(path, data)
    return True


def sign(key: bytes, payload: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


def signed_by(key: bytes, payload: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(key, payload), signature.strip())
