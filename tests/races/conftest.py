"""Fixtures of the races: the two racing processes (once per session) and `race`, which runs
two racers against the test's own database (the same DATABASE_URL as its app)."""

import pytest

from tests.races.racing import Racers


@pytest.fixture(scope="session")
def racers():
    started = Racers()
    yield started
    started.stop()


@pytest.fixture
def race(racers, app_config, conn):
    """race((target, kwargs), (target, kwargs)) -> (Outcome, Outcome); see racing.py."""
    url = app_config["DATABASE_URL"]

    def run(first, second):
        return racers.race(url, first, second)

    return run
