"""A file made once by whichever process comes first, never seen half-written by another."""

import os
import secrets
from pathlib import Path


def create_file_once(path: Path, text: str) -> bool:
    """Write `text` to `path` (mode 0600) unless it exists; False when another process made it
    first (its file is then whole: read it). The text is written to a private temporary name
    and linked into place, so a reader never finds the file empty, which O_EXCL alone allows
    between the create and the write (several gunicorn workers starting at once)."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)
