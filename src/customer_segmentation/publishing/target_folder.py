"""The dbt target folder is the product's only when its manifest says so.

dbt writes its artifacts (manifest.json, run_results.json, compiled/, run/),
the warehouse and the kept rejected rows into the target folder, replacing
files of the same names, so a command that runs dbt accepts only a target
folder that is new, empty, or holds this product's manifest
(``.customer-segmentation-target.json``). The manifest lists, by name,
every file a command of the product created there: dbt rewrites them on
every run, so no hash is kept. ``segments clean`` deletes exactly those,
through no link; anything else (a note you saved there) stays.

A target folder an earlier version wrote (no manifest) is taken over only
when its warehouse carries the product's owner mark and every entry at its
top is one an earlier version wrote; it is then listed as found.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from customer_segmentation.messages import first_few, setting
from customer_segmentation.publishing import beneath
from customer_segmentation.publishing.ownership import is_plain_relative, read_owned
from customer_segmentation.publishing.publish_folder import protected_reason
from customer_segmentation.publishing.warehouse import is_marked_warehouse

MANIFEST_FILE = ".customer-segmentation-target.json"
MANIFEST_OWNER = "customer-segmentation dbt target folder"
VARIABLE = "DBT_TARGET_PATH"

# What the versions before the manifest wrote at the top of a target folder:
# dbt's artifacts, the warehouse, the error log and the kept rejected rows.
EARLIER_ENTRIES = frozenset(
    {
        "catalog.json",
        "compiled",
        "graph.gpickle",
        "graph_summary.json",
        "index.html",
        "manifest.json",
        "partial_parse.msgpack",
        "perf_info.json",
        "rejected_customers.csv",
        "rejected_transactions.csv",
        "run",
        "run_results.json",
        "segments.log",
        "semantic_manifest.json",
        "sources.json",
        "spark",
        "warehouse.duckdb",
        "warehouse.duckdb.wal",
    }
)


class TargetError(Exception):
    """The target folder is not the product's: refused before any work."""


def read_listing(target: Path) -> list[str] | None:
    """The names the target's manifest lists, or None without one of ours."""

    def listed(document: dict) -> list[str]:
        names = [str(name) for name in document["files"]]
        return [name for name in names if is_plain_relative(name)]

    return read_owned(target / MANIFEST_FILE, MANIFEST_OWNER, listed)


def write_listing(target: Path, files: list[str]) -> None:
    document = {"written_by": MANIFEST_OWNER, "files": sorted(files)}
    text = json.dumps(document, indent=2) + "\n"
    beneath.write_file(target, MANIFEST_FILE, text.encode("utf-8"))


def plain_files(target: Path) -> set[str]:
    """Every file below the target (links listed, never entered), but the
    manifest and lock files (the warehouse's sits here while it is held)."""
    return {
        name
        for name in beneath.plain_entries(target)
        if name != MANIFEST_FILE
        and not is_lock_file(name)
        and not (target / name).is_dir()
    }


def is_lock_file(name: str) -> bool:
    """A lock file publishing/locking.py keeps beside what it guards (``.name.lock``):
    created and removed by the command that holds it."""
    last = PurePosixPath(name).name
    return last.startswith(".") and last.endswith(".lock")


def earlier_listing(target: Path) -> list[str] | None:
    """The files of a target folder an earlier version wrote, or None."""
    top = [path.name for path in target.iterdir() if not is_lock_file(path.name)]
    if not all(name in EARLIER_ENTRIES for name in top):
        return None
    if not is_marked_warehouse(target / "warehouse.duckdb"):
        return None
    return sorted(plain_files(target))


def check_target(target: Path) -> list[str] | None:
    """Refuse, before any work, a target folder that is not the product's;
    the names it lists (None: new or empty)."""
    reason = protected_reason(target)
    given = setting(VARIABLE)
    if reason:
        raise TargetError(
            f"dbt target folder {target} {reason}; set {given} to a folder of "
            "its own. Nothing was changed."
        )
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise TargetError(
            f"dbt target folder {target} is a file, not a folder; set {given} "
            "to a new or empty folder. Nothing was changed."
        )
    entries = [p.name for p in target.iterdir()] if target.is_dir() else []
    if not [name for name in entries if not is_lock_file(name)]:
        return None
    links = [
        name for name in beneath.plain_entries(target) if (target / name).is_symlink()
    ]
    if links:
        raise TargetError(
            f"dbt target folder {target} holds a link ({first_few(links)}) that "
            "dbt would write through into the folder it leads to; remove the "
            f"link, or set {given} to a new or empty folder. Nothing was changed."
        )
    listing = read_listing(target)
    if listing is None:
        listing = earlier_listing(target)
    if listing is None:
        found = sorted(path.name for path in target.iterdir())
        raise TargetError(
            f"dbt target folder {target} holds files this product did not "
            f"write ({first_few(found)}) and has no manifest ({MANIFEST_FILE}) "
            f"saying it did; dbt overwrites files there, so set {given} to a "
            "new or empty folder. Nothing was changed."
        )
    return listing


def claim_target(target: Path) -> list[str]:
    """Check the target folder and make it the product's (a new or empty one
    gets a manifest); the names it lists."""
    listing = check_target(target) or []
    target.mkdir(parents=True, exist_ok=True)
    write_listing(target, listing)
    return listing


@contextmanager
def owned_target(target: Path) -> Iterator[None]:
    """Hold the target folder as the product's for the block (under its
    lock): checked and claimed before, and every file the block created
    listed after, whatever the block's outcome."""
    listing = claim_target(target)
    before = plain_files(target)
    try:
        yield
    finally:
        record(target, set(listing), before)


def record(target: Path, listed: set[str], before: set[str]) -> None:
    """List what was listed and is still there, and what is new."""
    now = plain_files(target)
    write_listing(target, sorted((listed & now) | (now - before)))


def add_file(target: Path, name: str) -> None:
    """List one more file the product wrote (the error log)."""
    listing = read_listing(target)
    if listing is not None and name not in listing:
        write_listing(target, [*listing, name])


def is_owned(target: Path) -> bool:
    return read_listing(target) is not None


def owned_listing(target: Path) -> list[str] | None:
    """What the product wrote in the target folder: its manifest's list, or
    all of a folder an earlier version wrote; None when it is not ours."""
    listing = read_listing(target)
    if listing is None and target.is_dir() and any(target.iterdir()):
        listing = earlier_listing(target)
    return listing


def clean_target(target: Path) -> bool:
    """Delete the files the product wrote, through no link, then the folders
    left empty and the manifest; True if the folder is gone."""
    listing = owned_listing(target)
    if listing is None:
        return False
    for name in listing:
        beneath.unlink_listed(target, name)
    folders = {
        str(parent)
        for name in listing
        for parent in PurePosixPath(name).parents
        if str(parent) != "."
    }
    for name in sorted(folders, key=lambda n: n.count("/"), reverse=True):
        beneath.rmdir_if_empty(target, name)
    beneath.unlink_listed(target, MANIFEST_FILE)
    return beneath.rmdir_if_empty(target.parent, target.name)
