"""Which files are the product's own: the one rule, a manifest of what it wrote.

Every folder the product writes (a publish folder, the Power BI projects)
holds a manifest listing each file it wrote there, with its size and SHA-256.
A file is the product's own only when the manifest lists it and its bytes
are still the ones written; anything else in the folder (a file the
manifest does not list, a listed file that changed, a link, a folder no
listed file needs) belongs to somebody else. No file name or pattern ever
makes a file ours.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TypeVar

from customer_segmentation.publishing import beneath

MANIFEST_VERSION = 1
T = TypeVar("T")


@dataclass(frozen=True)
class Manifest:
    """What one write put into a folder: relative path -> (bytes, sha256)."""

    owner: str
    files: dict[str, tuple[int, str]]
    # Facts the writer keeps beside the list (the publish's highest ids).
    facts: dict[str, object] = field(default_factory=dict)

    def to_text(self) -> str:
        document = {
            "written_by": self.owner,
            "manifest_version": MANIFEST_VERSION,
            "facts": self.facts,
            "files": {
                path: {"bytes": size, "sha256": digest}
                for path, (size, digest) in sorted(self.files.items())
            },
        }
        return json.dumps(document, indent=2, sort_keys=True) + "\n"

    def folders(self) -> set[str]:
        """Every folder the listed files sit in, relative to the top."""
        return {
            str(parent)
            for path in self.files
            for parent in PurePosixPath(path).parents
            if str(parent) != "."
        }


def digest_bytes(data: bytes) -> tuple[int, str]:
    return len(data), hashlib.sha256(data).hexdigest()


def digest_file(path: Path) -> tuple[int, str]:
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
    return path.stat().st_size, digest


def relative_files(folder: Path, skip: str) -> list[str]:
    """Every entry below ``folder`` as a relative POSIX path, folders
    included; a link is listed, never entered."""
    return [name for name in beneath.plain_entries(folder) if name != skip]


def describe_folder(folder: Path, manifest_name: str) -> dict[str, tuple[int, str]]:
    """Size and hash of every file below ``folder`` but the manifest itself."""
    return {
        name: digest_file(folder / name)
        for name in relative_files(folder, manifest_name)
        if (folder / name).is_file() and not (folder / name).is_symlink()
    }


def read_owned(path: Path, owner: str, read: Callable[[dict], T]) -> T | None:
    """What ``read`` takes from the JSON document at ``path`` when the
    product wrote it as ``owner``; None for anything else (a link, not JSON,
    another writer, a document of another shape)."""
    if path.is_symlink() or not path.is_file():
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document["written_by"] != owner:
            return None
        return read(document)
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None


def read_manifest(folder: Path, manifest_name: str, owner: str) -> Manifest | None:
    """The folder's manifest, or None if it has none this product wrote."""

    def listed(document: dict) -> Manifest | None:
        files = {
            str(name): (int(entry["bytes"]), str(entry["sha256"]))
            for name, entry in document["files"].items()
        }
        if any(not is_plain_relative(name) for name in files):
            return None
        return Manifest(owner, files, dict(document.get("facts") or {}))

    return read_owned(folder / manifest_name, owner, listed)


def is_plain_relative(name: str) -> bool:
    """A path inside the folder: relative, with no `..`, `.` or empty part."""
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and all(part not in ("", ".", "..") for part in name.split("/"))
    )


def is_unchanged(folder: Path, name: str, listed: tuple[int, str]) -> bool:
    """The listed file is there, reached without a link, with its bytes."""
    return beneath.file_digest(folder, name) == listed


def unowned_entries(folder: Path, manifest: Manifest, manifest_name: str) -> list[str]:
    """What in ``folder`` the manifest does not vouch for, as relative paths.

    A listed file that is missing is not reported: removing it lost nothing.
    """
    foreign = []
    folders = manifest.folders()
    for name in relative_files(folder, manifest_name):
        path = folder / name
        if name in manifest.files:
            if not is_unchanged(folder, name, manifest.files[name]):
                foreign.append(name)
        elif not (
            name in folders and path.is_dir() and not beneath.through_link(folder, name)
        ):
            foreign.append(name)
    return foreign


def missing_entries(folder: Path, manifest: Manifest) -> list[str]:
    """Listed files that are no longer in the folder."""
    return sorted(name for name in manifest.files if not os.path.lexists(folder / name))


def kept_path(beside: Path) -> Path:
    """Where files the product will not delete go: a new name beside
    ``beside``, ``<name>-kept-<UTC time>``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return beside.with_name(f"{beside.name.lstrip('.')}-kept-{stamp}")
