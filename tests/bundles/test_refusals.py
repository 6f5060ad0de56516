"""Every bundle that may not be imported is refused with its reason, and nothing is changed."""

import io
import json
import secrets
import stat
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from savings_groups.bundles import archive, identity, operations
from savings_groups.bundles.archive import BundleRefused, Limits
from tests.bundles.helpers import rezip, snapshot, unzip


@pytest.fixture
def bundle(laptop, books):
    (group, *_), (tontine, _rotation) = books
    return operations.export_groups([group.id, tontine.id], laptop.instance, by="admin")


def refused(server, data, match, **kwargs):
    """Import on the server: refused with this message, and no row written."""
    with server.active():
        before = snapshot()
        with pytest.raises(BundleRefused, match=match) as error:
            operations.import_bundle(server.admin, data, server.instance, **kwargs)
        assert snapshot() == before
    return error.value


def test_a_changed_file_is_refused_by_its_checksum(server, bundle):
    files = unzip(bundle)
    name = next(n for n in files if n.startswith("group-"))
    files[name] = files[name].replace(b'"amount":', b'"amount":1', 1)
    refused(server, rezip(files), "altered after it was made.*checksum")


def test_a_changed_manifest_is_refused_by_its_signature(server, bundle):
    files = unzip(bundle)
    manifest = json.loads(files["manifest.json"])
    name = next(n for n in files if n.startswith("group-"))
    files[name] = files[name].replace(b'"amount":', b'"amount":1', 1)
    manifest["files"][name] = archive.sha256(files[name])
    files["manifest.json"] = json.dumps(manifest).encode()
    refused(server, rezip(files), "altered after it was made.*signature")


def test_a_file_added_to_the_bundle_is_refused(server, bundle):
    files = unzip(bundle)
    files["extra.json"] = b"{}"
    refused(server, rezip(files), r"altered after it was made \(extra.json\)")


def test_a_bundle_of_another_organization_is_refused(server, laptop):
    manifest = {
        "format": archive.FORMAT,
        "format_version": 1,
        "organization": {"uuid": "00000000-0000-4000-8000-000000000000", "name": "Other NGO"},
        "instance": "x",
        "groups": [],
        "users": "users.json",
    }
    data = archive.write({"users.json": b"[]"}, manifest, lambda p: identity.sign(b"k" * 32, p))
    refused(server, data, "another organization .“Other NGO”.*org-key import")


def test_a_truncated_bundle_is_refused(server, bundle):
    refused(server, bundle[: len(bundle) // 2], "not a complete bundle.*cut short")


def test_a_corrupt_byte_is_refused(server, bundle):
    files = unzip(bundle)
    name = next(n for n in files if n.startswith("group-"))
    spoiled = bytearray(bundle)
    at = bundle.index(name.encode(), 40) + len(name) + 20  # inside its compressed data
    spoiled[at] ^= 0xFF
    refused(server, bytes(spoiled), "not a complete bundle|altered")


def test_a_zip_bomb_is_refused(server):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        bomb.writestr("manifest.json", b"{}")
        bomb.writestr("group-1.json", b"0" * (40 * 1024 * 1024))
    error = refused(server, buffer.getvalue(), "unzips to far more than a group's books")
    assert error.params["size"] == 40


def test_a_bundle_too_large_unzipped_is_refused(server, bundle):
    refused(server, bundle, "unzips to far more", limits=Limits(unzipped_bytes=1000))


@pytest.mark.parametrize("name", ["../evil.json", "/etc/passwd", "a/../../b.json", "c:\\x.json"])
def test_a_name_outside_the_folder_is_refused(server, bundle, name):
    files = unzip(bundle)
    files[name] = b"{}"
    refused(server, rezip(files), "outside the bundle's folder")


def test_a_huge_file_is_refused(server, bundle):
    refused(server, bundle, r"too large for a bundle", limits=Limits(file_bytes=len(bundle) - 1))


def test_a_bundle_of_a_newer_format_is_refused(server, bundle):
    files = unzip(bundle)
    manifest = json.loads(files["manifest.json"])
    manifest["format_version"] = archive.FORMAT_VERSION + 1
    files["manifest.json"] = json.dumps(manifest).encode()
    refused(server, rezip(files), "made by a newer version.*format 2")


def test_not_a_zip_is_refused(server):
    refused(server, b"PK\x03\x04 not really a zip", "not a complete bundle")


def test_a_bundle_made_here_is_refused(laptop, bundle):
    with pytest.raises(BundleRefused, match="made on this installation"):
        operations.import_bundle(None, bundle, laptop.instance)


def test_without_the_key_a_bundle_cannot_be_checked(server, bundle):
    identity.key_path(server.instance).unlink()
    refused(server, bundle, "does not hold the organization's key")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.floats(0, 1), flip=st.integers(1, 255))
def test_any_changed_byte_is_refused_or_changes_nothing(server, bundle, position, flip):
    """One byte changed anywhere: refused, or (a byte the zip does not use) the very same
    import as the bundle's own."""
    with server.active():
        expected = operations.import_bundle(server.admin, bundle, server.instance, dry_run=True)
        spoiled = bytearray(bundle)
        spoiled[min(int(position * len(bundle)), len(bundle) - 1)] ^= flip
        before = snapshot()
        try:
            got = operations.import_bundle(
                server.admin, bytes(spoiled), server.instance, dry_run=True
            )
        except BundleRefused:
            pass
        else:
            # the same rows (PostgreSQL may number a dry run's new group differently)
            assert [what(g) for g in got.groups] == [what(g) for g in expected.groups]
        assert snapshot() == before


def what(group_import) -> tuple:
    return (group_import.name, group_import.new, group_import.added, group_import.updated)


def test_the_organization_key_is_owner_only_and_is_not_silently_replaced(laptop, server, tmp_path):
    path = identity.key_path(laptop.instance)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    exported = tmp_path / "copy.json"
    identity.export_key(laptop.instance, exported)
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    other = tmp_path / "other.json"
    other.write_text(
        json.dumps(
            {"organization": "00000000-0000-4000-8000-000000000001", "key": secrets.token_hex(32)}
        )
    )
    with server.active():
        assert identity.import_key(server.admin, server.instance, exported) is False
        with pytest.raises(identity.KeyRefused, match="already has another organization key"):
            identity.import_key(server.admin, server.instance, other)
        assert identity.identity().organization == json.loads(exported.read_text())["organization"]
