"""The bundle file: a zip of JSON files and a manifest of their SHA-256, the manifest signed
with the organization's key. Reading refuses, before anything is imported, a file too large, a
truncated or corrupt zip, a zip bomb, a name outside the bundle's folder, an altered file."""

import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath

from savings_groups.core.errors import N_, DomainError, Number

FORMAT = "savings-groups-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
# A fixed time in every zip entry: the same books give the same bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class BundleRefused(DomainError):
    """The bundle cannot be imported here; nothing was changed."""


@dataclass(frozen=True)
class Limits:
    """What a bundle may weigh: the file, all its files unzipped, the unzipped/zipped ratio of
    one file (a zip bomb is thousands to one; JSON books are tens to one), its number of files."""

    file_bytes: int = 64 * 1024 * 1024
    unzipped_bytes: int = 512 * 1024 * 1024
    ratio: int = 200
    files: int = 1000


def canonical(data) -> bytes:
    """JSON with sorted keys and no spaces: the same data always gives the same bytes."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(files: dict[str, bytes], manifest: dict, sign) -> bytes:
    """The zip of `files`, their checksums added to `manifest`, signed by sign(bytes) -> hex."""
    manifest = {**manifest, "files": {name: sha256(data) for name, data in files.items()}}
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [
            (MANIFEST, manifest_bytes),
            (SIGNATURE, sign(manifest_bytes).encode()),
            *sorted(files.items()),
        ]:
            archive.writestr(zipfile.ZipInfo(name, ZIP_TIME), data, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


@dataclass
class Opened:
    manifest: dict
    manifest_bytes: bytes
    signature: str
    files: dict[str, bytes]


CORRUPT = N_(
    "This file is not a complete bundle of Savings Groups (%(reason)s): it may have been cut "
    "short while it was copied. Copy it again from the laptop that made it, or make a new one."
)
ALTERED = N_(
    "This bundle was altered after it was made (%(reason)s). Do not use it: make a new bundle "
    "on the laptop that holds the group's books."
)


def read(data: bytes, limits: Limits = Limits()) -> Opened:
    """Open a bundle's bytes and check its shape and checksums (not yet its signature)."""
    if len(data) > limits.file_bytes:
        raise BundleRefused(
            N_("This file is too large for a bundle (%(size)s MB; at most %(limit)s MB)."),
            size=Number(len(data) // (1024 * 1024)),
            limit=Number(limits.file_bytes // (1024 * 1024)),
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        with archive:
            infos = archive.infolist()
            _check_names_and_sizes(infos, limits)
            contents = {info.filename: _read_member(archive, info) for info in infos}
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        EOFError,
        ValueError,
        OSError,
    ) as error:
        raise BundleRefused(CORRUPT, reason=str(error) or type(error).__name__) from error
    except (NotImplementedError, RuntimeError) as error:  # a method or encryption unknown here
        raise BundleRefused(CORRUPT, reason=str(error)) from error
    for name in (MANIFEST, SIGNATURE):
        if name not in contents:
            raise BundleRefused(CORRUPT, reason=f"no {name}")
    manifest_bytes = contents.pop(MANIFEST)
    signature = contents.pop(SIGNATURE).decode("ascii", "replace")
    try:
        manifest = json.loads(manifest_bytes)
    except ValueError as error:
        raise BundleRefused(CORRUPT, reason=f"{MANIFEST}: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BundleRefused(CORRUPT, reason=f"{MANIFEST} is not a bundle's manifest")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BundleRefused(
            N_(
                "This bundle was made by a newer version of Savings Groups (bundle format "
                "%(version)s; this version reads format %(known)s at most). Install the newer "
                "version here, then import it again."
            ),
            version=str(version),
            known=str(FORMAT_VERSION),
        )
    return Opened(manifest, manifest_bytes, signature, contents)


def check_checksums(opened: Opened) -> None:
    """Every file listed with its SHA-256, none missing, none added."""
    listed = opened.manifest.get("files")
    if not isinstance(listed, dict):
        raise BundleRefused(ALTERED, reason=f"{MANIFEST} lists no files")
    extra = sorted(set(opened.files) - set(listed))
    missing = sorted(set(listed) - set(opened.files))
    if extra or missing:
        raise BundleRefused(ALTERED, reason=", ".join(extra + missing))
    for name, data in sorted(opened.files.items()):
        if sha256(data) != listed[name]:
            raise BundleRefused(ALTERED, reason=f"{name}: checksum")


def _check_names_and_sizes(infos, limits: Limits) -> None:
    if len(infos) > limits.files:
        raise BundleRefused(CORRUPT, reason=f"{len(infos)} files")
    names = set()
    for info in infos:
        name = info.filename
        path = PurePosixPath(name)
        if (
            "\\" in name
            or "\x00" in name
            or path.is_absolute()
            or ".." in path.parts
            or (len(name) > 1 and name[1] == ":")
        ):
            raise BundleRefused(
                N_(
                    "This bundle holds a file named “%(name)s”, outside the bundle's folder: "
                    "it was not made by Savings Groups. Do not use it."
                ),
                name=name,
            )
        if name in names:
            raise BundleRefused(ALTERED, reason=f"{name} twice")
        names.add(name)
    total = sum(info.file_size for info in infos)
    bomb = total > limits.unzipped_bytes or any(
        info.file_size > limits.ratio * max(info.compress_size, 1) and info.file_size > 1024 * 1024
        for info in infos
    )
    if bomb:
        raise BundleRefused(
            N_(
                "This file unzips to far more than a group's books (%(size)s MB): it is not a "
                "bundle of Savings Groups. Nothing was imported."
            ),
            size=Number(total // (1024 * 1024)),
        )


def _read_member(archive, info) -> bytes:
    """A file's bytes, never more than its header says (a header may lie about its size)."""
    with archive.open(info) as handle:
        data = handle.read(info.file_size + 1)
    if len(data) != info.file_size:
        raise ValueError(f"{info.filename}: size differs from the zip's directory")
    return data
