# ruff: noqa: F811  (the club fixture is imported, and named as a test argument)
"""A backups folder that cannot be written: the app starts and says so; a share-out, whose
backup comes first, is refused with a clear message and nothing of it is written; the page says
why "Back up now" failed."""

from datetime import date

import pytest

from savings_groups.backups import automatic, files
from savings_groups.core.vocabulary import EntryKind
from savings_groups.shareout import operations as closing
from savings_groups.store.models import CycleShareOut, Entry
from tests.shareout.test_operations import club  # noqa: F401  (the fixture)


@pytest.fixture
def app_config(app_config, tmp_path):
    """A backups folder that cannot be made: its parent is a file (this stops root too)."""
    (tmp_path / "a-file").write_text("not a folder")
    return {**app_config, "BACKUP_FOLDER": str(tmp_path / "a-file" / "backups")}


def test_a_share_out_is_not_finalised_when_its_backup_cannot_be_written(sqlite_file, admin, club):
    group, cycle, _people = club([10, 6, 4])
    with pytest.raises(files.BackupFailed) as failed:
        closing.finalise(admin, group, cycle, date(2026, 3, 2))
    assert "The backup could not be written in" in str(failed.value)
    assert "Check that the folder can be written" in str(failed.value)
    assert CycleShareOut.select().count() == 0
    assert Entry.select().where(Entry.kind == EntryKind.SHARE_OUT.value).count() == 0


def test_the_daily_backup_that_fails_is_reported_and_the_app_goes_on(sqlite_file, admin):
    assert automatic.daily(None) is None
    assert "could not be written" in str(automatic.last_error)


def test_back_up_now_says_why_it_failed(sqlite_file, admin, web):
    web.login("admin")
    page = web.post("/admin/backups/", follow_redirects=True).get_data(as_text=True)
    assert "The backup could not be written in" in page
    assert "Not a directory" in page
    page = web.client.get("/admin/backups/").get_data(as_text=True)
    assert "No backup yet." in page
