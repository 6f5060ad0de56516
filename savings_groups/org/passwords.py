"""Password hashing with argon2id, the memory-hard hash OWASP recommends first.

Each hash or check takes ARGON2_MEMORY_COST KiB (64 MiB by default) while it runs: a login raises
the server's memory by that much, and many logins at once would multiply it. At most
CONCURRENT_HASHES run at once in a process (the others wait their turn, a fraction of a second
each), so the peak stays bounded without lowering the cost OWASP recommends. One: on SQLite the
logins already took turns (each checks its password inside the write transaction that counts
failures), and four logins at once stayed at 140 MB; on PostgreSQL two ran side by side and
took the server to 197-205 MB, over the 150 MB the server is meant to stay under.
"""

import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

CONCURRENT_HASHES = 1
_slots = threading.BoundedSemaphore(CONCURRENT_HASHES)

_hasher = PasswordHasher()


def configure(time_cost: int, memory_cost: int, parallelism: int) -> None:
    """Set the cost of new hashes; existing hashes keep theirs and are upgraded at login."""
    global _hasher, _DUMMY_HASH
    _DUMMY_HASH = None
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hash_password(password: str) -> str:
    with _slots:
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        with _slots:
            return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# Verified against when the username is unknown, so that both answers take as long.
_DUMMY_HASH = None


def dummy_verify(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not a password of anyone")
    verify_password(_DUMMY_HASH, password)
