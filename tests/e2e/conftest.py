"""Browser tests: Playwright drives Debian's chromium against the app served on a free port.

The app is the same one the other tests use (the `app` fixture: a SQLite file per test, or
PostgreSQL when TEST_DATABASE_URL is set), served by werkzeug in a thread for one test.
Set SAVINGS_GROUPS_REQUIRE_BROWSER=1 (CI does) to fail, instead of skip, without chromium.
"""

import os
import shutil
import threading

import pytest
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
# Fail fast: a page of this app answers in milliseconds, a missing element should not cost 30 s.
ACTION_TIMEOUT_MS = 10_000


def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        message = "Debian's chromium is not installed (no `chromium` on PATH)"
        if os.environ.get("SAVINGS_GROUPS_REQUIRE_BROWSER"):
            pytest.fail(f"{message}, and SAVINGS_GROUPS_REQUIRE_BROWSER is set", pytrace=False)
        pytest.skip(f"{message}: apt-get install chromium")
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(pytestconfig):
    """pytest-playwright's launch options, with the system chromium instead of a download."""
    args = {"executable_path": chromium_path(), "args": CHROMIUM_ARGS}
    if pytestconfig.getoption("--headed"):
        args["headless"] = False
    if pytestconfig.getoption("--slowmo"):
        args["slow_mo"] = pytestconfig.getoption("--slowmo")
    return args


@pytest.fixture(scope="session")
def base_url():
    """Replaces pytest-playwright's own, for two reasons.

    Its fallback `base_url` fixture (used when pytest-base-url is not installed) is an instance
    method of a plugin class, which pytest 9 deprecates with a PytestRemovedIn10Warning: an
    error under this project's filterwarnings = error. And these tests never aim at an outside
    URL: each one serves its own app, whose address `browser_context_args` below sets.
    """
    return None


@pytest.fixture
def live_server(app):
    """The app on a free port of 127.0.0.1, for the length of one test; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def browser_context_args(browser_context_args, live_server):
    """Every page starts at the live server, in English unless the test chooses otherwise.

    Function-scoped on purpose: the browser context is made after the server starts and is
    closed before it stops.
    """
    return {**browser_context_args, "base_url": live_server, "locale": "en-US"}


@pytest.fixture
def page(page):
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.set_default_navigation_timeout(ACTION_TIMEOUT_MS)
    return page


def log_in(page: Page, username: str) -> None:
    """Log in through the login page with the test password, and wait until it is left."""
    page.goto("/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#username")).to_have_count(0)
