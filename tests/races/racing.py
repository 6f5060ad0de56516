"""Two real processes racing against the same database: the harness of tests/races.

Two worker processes (multiprocessing, 'spawn': nothing inherited but the arguments) are
started once per test session. For each race, each worker opens the test's database (the
same DATABASE_URL as the test: its SQLite file, or the PostgreSQL database), reads what it
needs, waits at a barrier until the other is ready too, then calls its domain function at
the same moment, and reports how it ended: done, refused (a DomainError and its message) or
crashed (anything else, which a page would show as a server error).

A racer is "module:function" with keyword arguments (plain values: ids, dates, amounts); the
function reads its rows and returns the write to call after the barrier.
"""

import importlib
import multiprocessing
import threading
import traceback
from dataclasses import dataclass

SPAWN = multiprocessing.get_context("spawn")
TIMEOUT = 60  # seconds; a race that takes longer is a deadlock of the test itself


@dataclass(frozen=True)
class Outcome:
    """How one racer ended: `error` is the DomainError's class name and `message` its English
    text when refused; `crash` the traceback of anything else."""

    error: str | None = None
    message: str | None = None
    crash: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.crash is None

    def __str__(self) -> str:
        if self.crash:
            return f"crashed:\n{self.crash}"
        return "done" if self.ok else f"refused ({self.error}): {self.message}"


def _serve(tasks, results, barrier) -> None:
    """A worker: one race after another until told to stop (None)."""
    from savings_groups.core.errors import DomainError
    from savings_groups.store import db as store

    url = None
    while (task := tasks.get()) is not None:
        task_url, target, kwargs = task
        go, outcome = None, None
        try:
            if task_url != url:
                store.initialize(task_url)
                url = task_url
            store.db.connect(reuse_if_open=True)
            module, name = target.split(":")
            go = getattr(importlib.import_module(module), name)(**kwargs)
        except Exception:
            outcome = Outcome(crash="setting up: " + traceback.format_exc())
        try:
            barrier.wait(TIMEOUT)
        except threading.BrokenBarrierError:
            outcome = outcome or Outcome(crash="the other racer never came to the barrier")
        if outcome is None:
            try:
                go()
                outcome = Outcome()
            except DomainError as error:
                outcome = Outcome(type(error).__name__, str(error))
            except Exception:
                outcome = Outcome(crash=traceback.format_exc())
        if not store.db.is_closed():
            store.db.close()
        results.put(outcome)


class Racers:
    """The two worker processes, started together, raced again and again."""

    def __init__(self):
        self.barrier = SPAWN.Barrier(2)
        self.queues = [(SPAWN.Queue(), SPAWN.Queue()) for _ in range(2)]
        self.workers = [
            SPAWN.Process(target=_serve, args=(tasks, results, self.barrier), daemon=True)
            for tasks, results in self.queues
        ]
        for worker in self.workers:
            worker.start()

    def race(self, url: str, first: tuple, second: tuple) -> tuple[Outcome, Outcome]:
        """Run first = (target, kwargs) and second at the same moment; their outcomes."""
        for (tasks, _results), (target, kwargs) in zip(self.queues, (first, second), strict=True):
            tasks.put((url, target, kwargs))
        outcomes = tuple(results.get(timeout=TIMEOUT * 2) for _tasks, results in self.queues)
        self.barrier.reset()
        return outcomes

    def stop(self) -> None:
        for tasks, _results in self.queues:
            tasks.put(None)
        for worker in self.workers:
            worker.join(10)
            if worker.is_alive():
                worker.kill()
