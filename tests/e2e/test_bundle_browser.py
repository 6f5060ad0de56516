"""An administrator downloads a group's bundle on a laptop and imports it on the organization's
server (a second instance of the app, served by `savings-groups serve` in its own process, on
its own database), and finds the group there."""

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import Page, expect

from tests.bundles.conftest import books, laptop, second_databases, second_url, server  # noqa: F401
from tests.conftest import PASSWORD
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server_url(request, tmp_path):
    """The server instance served in its own process (the app holds one database per process)."""
    side = request.getfixturevalue("server")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": second_url(tmp_path),
        "SAVINGS_GROUPS_INSTANCE": str(side.instance),
        "PYTHONPATH": os.getcwd(),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from savings_groups.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--threads",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/login", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.usefixtures("books")
def test_an_admin_carries_a_group_from_a_laptop_to_the_server(page: Page, server_url, tmp_path):
    log_in(page, "admin")
    page.goto("/bundles/")
    expect(page.get_by_text("3 closed meetings not yet exported")).to_be_visible()
    page.get_by_label("Benkadi").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download a bundle of the groups ticked").click()
    bundle = tmp_path / "benkadi.zip"
    download.value.save_as(bundle)
    page.goto("/bundles/")
    expect(page.get_by_text("Everything is in the last bundle").first).to_be_visible()

    page.goto(f"{server_url}/login")
    page.fill("#username", "boss")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("#username")).to_have_count(0)
    page.goto(f"{server_url}/bundles/")
    page.set_input_files("input[name=bundle]", str(bundle))
    page.locator("#check").click()
    expect(page.locator("#import-result")).to_contain_text("Nouveau groupe")
    expect(page.locator("#import-result")).to_contain_text("rien n’a encore été importé")
    page.set_input_files("input[name=bundle]", str(bundle))
    page.locator("#submit").click()
    expect(page.locator("#import-result")).to_contain_text("Paquet importé")
    page.locator("#import-result").get_by_role("link", name="Benkadi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Benkadi")
    expect(page.get_by_role("link", name="Membres", exact=True)).to_be_visible()
