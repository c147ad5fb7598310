"""Whether a folder may be published to, and cleaning up what a publish left.

A folder is the product's only when its manifest vouches for every file in it
(:mod:`customer_segmentation.publishing.ownership`); anything else is refused before a
run starts and again right before the swap, moved aside by a refit, or left
alone. System folders, home and version-control folders are never used.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from customer_segmentation.messages import first_few, setting
from customer_segmentation.publishing import beneath, legacy_publish
from customer_segmentation.publishing.ownership import (
    Manifest,
    is_plain_relative,
    kept_path,
    missing_entries,
    read_manifest,
    read_owned,
    relative_files,
    unowned_entries,
)

MANIFEST_FILE = ".customer-segmentation-publish.json"
PUBLISH_VARIABLE = "SEGMENTS_PUBLISH_DIR"

MANIFEST_OWNER = "customer-segmentation publish folder"

# Written first into a publish's work folder: what it will write there.
WORK_PLAN = ".customer-segmentation-work.json"
WORK_OWNER = "customer-segmentation publish work folder"
# A plan entry ending in this names a folder an engine writes (Spark's part
# files and its commit's temporary files, whose names no one knows before).
PARTS = "/**"

# What the dashboard adds besides the tables (written by the dashboard package).
DASHBOARD_FILE = "dashboard.html"

CHARTS_FOLDER = "charts"

# Never a publish folder, even empty: a swap there would replace them.
VERSION_CONTROL = frozenset({".git", ".hg", ".svn", ".bzr", "_darcs", ".jj"})

SYSTEM_FOLDERS = tuple(
    Path(p)
    for p in ("/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64",
              "/proc", "/sbin", "/sys", "/usr", "/System", "/Library")
)  # fmt: skip


class PublishError(Exception):
    """The new set could not be swapped in; the previous one is untouched."""


@dataclass(frozen=True)
class FolderState:
    """A publish folder as a run finds it.

    ``manifest`` is its list of what the product wrote there (None: not
    the product's folder), ``unowned`` what the list does not vouch for
    (added, changed), ``missing`` listed files that are gone.
    """

    manifest: Manifest | None
    unowned: list[str]
    missing: list[str]

    @property
    def facts(self) -> dict[str, object]:
        return self.manifest.facts if self.manifest else {}


def folder_manifest(folder: Path) -> Manifest | None:
    """The folder's manifest, or one for a whole folder an earlier version wrote."""
    return read_manifest(folder, MANIFEST_FILE, MANIFEST_OWNER) or legacy_publish.adopt(
        folder, MANIFEST_FILE, MANIFEST_OWNER
    )


def inspect_folder(folder: Path) -> FolderState:
    if not folder.is_dir() or not any(folder.iterdir()):
        return FolderState(None, [], [])
    manifest = folder_manifest(folder)
    if manifest is None:
        return FolderState(None, relative_files(folder, ""), [])
    return FolderState(
        manifest,
        unowned_entries(folder, manifest, MANIFEST_FILE),
        missing_entries(folder, manifest),
    )


def protected_reason(folder: Path) -> str | None:
    """Why ``folder`` can never be a publish folder, or None."""
    if folder == Path(folder.anchor):
        return "is the root of the file system"
    if folder == Path.home().resolve():
        return "is your home folder"
    control = [part for part in folder.parts if part in VERSION_CONTROL]
    if control:
        return f"is inside version-control metadata ({control[0]})"
    system = [s for s in SYSTEM_FOLDERS if folder == s or s in folder.parents]
    windows = os.environ.get("SYSTEMROOT")
    if windows and (folder == Path(windows) or Path(windows) in folder.parents):
        system.append(Path(windows))
    if system:
        return f"is inside the system folder {system[0]}"
    return None


def check_writable(folder: Path, what: str) -> None:
    """Create and remove a file in ``folder``, the only test that tells for sure."""
    try:
        handle, probe = tempfile.mkstemp(prefix=".segments-probe-", dir=folder)
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise PublishError(
            f"{what} {folder} is not writable "
            f"({error.strerror or error}); choose another {setting(PUBLISH_VARIABLE)} "
            "or make it writable. Nothing was changed."
        ) from None


def refusal(publish_dir: Path, state: FolderState) -> str:
    """The one line that says why a run will not replace this folder."""
    if state.manifest is None:
        return (
            f"publish folder {publish_dir} holds files this product did not "
            f"publish ({first_few(state.unowned)}) and has no manifest "
            f"({MANIFEST_FILE}) saying it did; a run replaces the whole folder, "
            f"so set {setting(PUBLISH_VARIABLE)} to a new or empty folder. Nothing "
            "was changed."
        )
    return (
        f"publish folder {publish_dir} holds files this product did not "
        f"publish, or changed since it did ({first_few(state.unowned)}); a run "
        "replaces the whole folder, so move them out, or run `make refit` "
        "(segments run --refit), which moves them aside and starts from what "
        "is left. Nothing was changed."
    )


def check_publish_folder(publish_dir: Path, refit: bool = False) -> FolderState:
    """Refuse, before any work, a publish folder that a run must not replace.

    The folder may be absent, empty, or hold only what its manifest lists
    (a refit also takes one with other files, which it moves aside); it
    and the folder it sits in must be writable (the new set is written
    beside it and swapped in).
    """
    reason = protected_reason(publish_dir)
    if reason:
        raise PublishError(
            f"publish folder {publish_dir} {reason}; set "
            f"{setting(PUBLISH_VARIABLE)} to a folder of its own. Nothing was changed."
        )
    if publish_dir.is_symlink() or (publish_dir.exists() and not publish_dir.is_dir()):
        raise PublishError(
            f"publish folder {publish_dir} is a file, not a folder; set "
            f"{setting(PUBLISH_VARIABLE)} to a new or empty folder. Nothing was "
            "changed."
        )
    state = inspect_folder(publish_dir)
    if state.unowned and not (refit and state.manifest is not None):
        raise PublishError(refusal(publish_dir, state))
    if publish_dir.is_dir():
        check_writable(publish_dir, "publish folder")
    parent = publish_dir.parent
    while not parent.exists():
        parent = parent.parent
    check_writable(parent, "the folder that holds the publish folder,")
    return state


def move_aside(publish_dir: Path, names: list[str]) -> Path:
    """Move ``names`` (relative paths) out of the folder, into a kept folder."""
    kept = kept_path(publish_dir)
    kept.mkdir()
    listed = set(names)
    for name in names:
        if any(str(parent) in listed for parent in PurePosixPath(name).parents):
            continue  # moved with its folder
        if beneath.through_link(publish_dir, str(PurePosixPath(name).parent / "_")):
            continue  # below a link: somebody else's folder, not moved from
        (kept / name).parent.mkdir(parents=True, exist_ok=True)
        (publish_dir / name).rename(kept / name)
    return kept


def delete_owned(folder: Path, manifest: Manifest) -> bool:
    """Delete what the manifest vouches for, then the folder if it is empty.

    Anything else stays where it is; returns True if the folder is gone.
    """
    for name, listed in manifest.files.items():
        beneath.unlink_if_unchanged(folder, name, listed)
    beneath.unlink_listed(folder, MANIFEST_FILE)
    for name in sorted(manifest.folders(), key=lambda n: n.count("/"), reverse=True):
        beneath.rmdir_if_empty(folder, name)
    with suppress(OSError):
        folder.rmdir()
    return not folder.exists()


def keep_rest(folder: Path) -> Path:
    kept = kept_path(folder)
    folder.rename(kept)
    return kept


def write_plan(work: Path, planned: list[str]) -> None:
    """Name, in a new work folder, every file the publish will write there:
    written first, so a run killed half way leaves a folder whose every file
    the next run can show it planned."""
    document = {"written_by": WORK_OWNER, "planned": sorted(planned)}
    (work / WORK_PLAN).write_text(json.dumps(document) + "\n", encoding="utf-8")


def read_plan(work: Path) -> set[str] | None:
    """The files a work folder's plan names, or None without a plan of ours."""

    def planned(document: dict) -> set[str]:
        names = {str(name) for name in document["planned"]}
        return {name for name in names if is_plain_relative(name)}

    return read_owned(work / WORK_PLAN, WORK_OWNER, planned)


def work_folders(publish_dir: Path) -> list[Path]:
    """The work folders runs made beside ``publish_dir`` (names only: what
    is in them decides what may be removed)."""
    if not publish_dir.parent.is_dir():
        return []
    prefixes = (f".{publish_dir.name}.new-", f".{publish_dir.name}.old-")
    return [
        path
        for path in sorted(publish_dir.parent.iterdir())
        if path.name.startswith(prefixes) and not path.is_symlink() and path.is_dir()
    ]


def remove_unfinished(work: Path, planned: set[str]) -> bool:
    """Delete an unfinished work folder when every entry in it is one its
    plan named (or a folder one sits in, or anything below a folder an
    engine was to write); True if removed."""
    engine_folders = {n.removesuffix(PARTS) for n in planned if n.endswith(PARTS)}
    files = {n for n in planned if not n.endswith(PARTS)}
    folders = {
        str(parent)
        for name in files | engine_folders
        for parent in PurePosixPath(name).parents
        if str(parent) != "."
    } | engine_folders

    def allowed(name: str) -> bool:
        below_engine = any(name.startswith(f"{f}/") for f in engine_folders)
        return name in files | folders | {MANIFEST_FILE} or below_engine

    entries = relative_files(work, WORK_PLAN)
    if any(not allowed(name) or beneath.through_link(work, name) for name in entries):
        return False
    for name in sorted(entries, key=lambda n: n.count("/"), reverse=True):
        # each removes only its own kind: a plain file, an empty real folder
        beneath.unlink_listed(work, name) or beneath.rmdir_if_empty(work, name)
    beneath.unlink_listed(work, WORK_PLAN)
    return beneath.rmdir_if_empty(work.parent, work.name)


def remove_leftovers(publish_dir: Path) -> list[str]:
    """Finish what killed or failed runs left beside the folder, as lines
    to say: a complete set (its manifest vouches for every file) or an
    unfinished one (its plan names every file) is removed; anything else
    is left and named.

    Called while holding the publish folder's lock, so no running publish
    owns them.
    """
    said = []
    for path in work_folders(publish_dir):
        state = inspect_folder(path)
        planned = read_plan(path)
        if state.manifest is not None and not state.unowned:
            delete_owned(path, state.manifest)
            said.append(f"Removed {path}, left by an interrupted run")
        elif state.manifest is None and planned is not None:
            if remove_unfinished(path, planned):
                said.append(
                    f"Removed {path}, the unfinished work of an interrupted run"
                )
            else:
                said.append(
                    f"Left {path}: an interrupted run's work folder that holds "
                    "files it did not plan; delete it when no run is writing"
                )
        else:
            said.append(
                f"Left {path}: a work folder this run cannot show is all its "
                "own; delete it when no run is writing"
            )
    return said
