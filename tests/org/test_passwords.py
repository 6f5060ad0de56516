"""Password hashes: at most two argon2 computations at once, each at the configured cost."""

import threading
import time

from argon2 import PasswordHasher

from savings_groups.org import passwords


class Watched:
    """argon2's hasher, slowed down and watched: how many hashes run at the same moment."""

    def __init__(self, hasher: PasswordHasher):
        self.hasher, self.running, self.most = hasher, 0, 0
        self.lock = threading.Lock()

    def _run(self, call, *args):
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(0.05)
            return call(*args)
        finally:
            with self.lock:
                self.running -= 1

    def hash(self, password):
        return self._run(self.hasher.hash, password)

    def verify(self, password_hash, password):
        return self._run(self.hasher.verify, password_hash, password)


def test_one_hash_runs_at_a_time_and_each_is_right(monkeypatch):
    passwords.configure(1, 1024, 1)
    stored = passwords.hash_password("the right password")
    watched = Watched(passwords._hasher)
    monkeypatch.setattr(passwords, "_hasher", watched)
    results = []

    def login(password):
        results.append(passwords.verify_password(stored, password))

    threads = [
        threading.Thread(target=login, args=("the right password" if n % 2 else "wrong",))
        for n in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert watched.most == passwords.CONCURRENT_HASHES == 1
    assert sorted(results) == [False, False, False, True, True, True]


def test_the_cost_stays_what_is_configured():
    passwords.configure(3, 65536, 4)  # OWASP's argon2id: 64 MiB, 3 passes
    try:
        assert "$m=65536,t=3,p=4$" in passwords.hash_password("a long enough password")
    finally:
        passwords.configure(1, 1024, 1)
