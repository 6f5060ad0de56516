"""The audit log: every write says who did it, when, and what changed."""

import json

from .models import AuditEntry


def record(actor, action: str, obj, group=None, **details) -> AuditEntry:
    """Write one audit entry; call it inside the transaction of the write it describes."""
    return AuditEntry.create(
        actor=actor,
        action=action,
        object_type=type(obj).__name__,
        object_id=obj.id,
        group=group,
        details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
    )


def changes(obj, **new_values) -> dict:
    """Set the new values on obj and return {field: [old, new]} for those that differ."""
    changed = {}
    for name, value in new_values.items():
        old = getattr(obj, name)
        if old != value:
            changed[name] = [old, value]
            setattr(obj, name, value)
    return changed
