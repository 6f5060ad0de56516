"""A group whose decision does not let its books travel is refused, by name, in the command and
on the page; nothing is exported."""

from datetime import date

import pytest
from click.testing import CliRunner

from benchmarks.bench_pages import build
from savings_groups.bundles import operations
from savings_groups.bundles.archive import BundleRefused
from savings_groups.cli import main
from savings_groups.core.vocabulary import ConsentScope
from savings_groups.groups import consent
from savings_groups.store.models import BundleExchange
from tests.bundles.test_commands import env_of


@pytest.fixture
def unconsenting(laptop, admin):
    return build(admin, 3, 1)[0]


def test_export_is_refused_without_the_groups_consent(laptop, admin, unconsenting):
    with pytest.raises(BundleRefused, match="Benkadi"):
        operations.export_groups([unconsenting.id], laptop.instance)
    consent.record_consent(admin, unconsenting, {ConsentScope.API}, date(2026, 2, 1), "The chair")
    with pytest.raises(BundleRefused, match="Benkadi"):
        operations.export_groups([unconsenting.id], laptop.instance)
    assert BundleExchange.select().count() == 0
    consent.record_consent(
        admin, unconsenting, {ConsentScope.BUNDLES}, date(2026, 2, 2), "The chair"
    )
    assert operations.export_groups([unconsenting.id], laptop.instance)
    # withdrawn: a new decision with no scope
    consent.record_consent(admin, unconsenting, set(), date(2026, 2, 3), "The chair")
    with pytest.raises(BundleRefused):
        operations.export_groups([unconsenting.id], laptop.instance)


def test_the_command_names_the_group(laptop, unconsenting, app, tmp_path):
    path = tmp_path / "books.zip"
    here = env_of(laptop.instance, app.config["DATABASE_URL"])
    result = CliRunner().invoke(
        main, ["export", "--group", str(unconsenting.id), str(path)], env=here
    )
    assert result.exit_code != 0
    assert "“Benkadi” has not agreed" in result.output
    assert not path.exists()


def test_the_page_names_the_group(laptop, unconsenting, web):
    web.login("admin")
    answer = web.post("/bundles/export", {"groups": [unconsenting.id]}, form_path="/bundles/")
    assert answer.status_code == 422
    assert "“Benkadi” has not agreed" in answer.get_data(as_text=True)
