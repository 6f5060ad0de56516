"""The keys that sign printed statements, kept in the instance folder (not the session key).

`<instance>/statement_keys/<id>.json`, one file a key, readable by its owner only (0600):
`{"id": 2, "secret": "<hex>", "created_on": "2026-12-05", "rotated_on": null,
"retired_on": null}`. The current key is the newest one not retired; rotating makes a new
one and writes on the previous one the day it was replaced; its tokens still verify and say
so. A retired key verifies nothing any more: its tokens say it was retired.
"""

import json
import os
import secrets
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from savings_groups.core.once import create_file_once

FOLDER = "statement_keys"


@dataclass(frozen=True)
class Key:
    id: int
    secret: bytes
    created_on: date
    rotated_on: date | None = None
    retired_on: date | None = None


def _folder(instance_path) -> Path:
    return Path(instance_path) / FOLDER


def _day(text):
    return date.fromisoformat(text) if text else None


def all_keys(instance_path) -> dict[int, Key]:
    """Every key of the installation, by id."""
    keys = {}
    folder = _folder(instance_path)
    if not folder.is_dir():
        return keys
    for path in folder.glob("*.json"):
        data = json.loads(path.read_text(encoding="ascii"))
        keys[data["id"]] = Key(
            data["id"],
            bytes.fromhex(data["secret"]),
            _day(data["created_on"]),
            _day(data.get("rotated_on")),
            _day(data.get("retired_on")),
        )
    return keys


def _write(instance_path, key: Key, new: bool) -> None:
    folder = _folder(instance_path)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{key.id}.json"
    text = json.dumps(
        {
            "id": key.id,
            "secret": key.secret.hex(),
            "created_on": key.created_on.isoformat(),
            "rotated_on": key.rotated_on.isoformat() if key.rotated_on else None,
            "retired_on": key.retired_on.isoformat() if key.retired_on else None,
        }
    )
    if new:  # never overwrite a key: two processes making the first key at once keep one
        if not create_file_once(path, text):
            raise FileExistsError(path)
        return
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)
    os.replace(temporary, path)


def current(instance_path, today: date) -> Key:
    """The key to sign with: the newest not retired, made on first need."""
    keys = all_keys(instance_path)
    usable = [key for key in keys.values() if not key.retired_on]
    if usable:
        return max(usable, key=lambda key: key.id)
    # The keys just read, not read again: a process that found none makes key 1 or, if another
    # made it meanwhile, uses that one (reading again would make key 2 beside it).
    return _rotate(instance_path, today, keys)


def rotate(instance_path, today: date) -> Key:
    """A new current key; the previous current one keeps verifying, marked rotated today."""
    return _rotate(instance_path, today, all_keys(instance_path))


def _rotate(instance_path, today: date, keys: dict) -> Key:
    new = Key(max(keys, default=0) + 1, secrets.token_bytes(32), today)
    try:
        _write(instance_path, new, new=True)
    except FileExistsError:  # made at the same moment by another process: use that one
        return all_keys(instance_path)[new.id]
    for key in keys.values():
        if not key.rotated_on:
            _write(instance_path, replace(key, rotated_on=today), new=False)
    return new


def retire(instance_path, key_id: int, today: date) -> Key:
    """Stop trusting a key (lost, or too old): its tokens no longer verify."""
    keys = all_keys(instance_path)
    if key_id not in keys:
        raise KeyError(key_id)
    key = keys[key_id]
    if key.retired_on:
        return key
    retired = replace(key, retired_on=today, rotated_on=key.rotated_on or today)
    _write(instance_path, retired, new=False)
    return retired
