"""Copy the published models out of dbt's warehouse, all together or not at all.

Power BI reads ``publish/``: one Parquet file per model and ``segments.duckdb``
holding the same tables. Everything is written to a fresh folder beside it
first and swapped in only when complete, so a reader sees the previous set
or the new one, never half of each, and a failed run leaves the old set as
it was.

Replacing a folder deletes what was in it, so the product only ever replaces
a folder it published itself: every publish writes a manifest of exactly the
files it wrote (:mod:`customer_segmentation.ownership`), and
:func:`check_publish_folder` refuses, before a run starts and again right
before the swap, a folder holding anything its manifest does not vouch for.
The previous set is then deleted file by file, as its manifest allows.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import stat
import sys
import tempfile
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import duckdb

from customer_segmentation import legacy_publish
from customer_segmentation.messages import first_few, one_line
from customer_segmentation.ownership import (
    Manifest,
    describe_folder,
    is_unchanged,
    kept_path,
    missing_entries,
    read_manifest,
    relative_files,
    unowned_entries,
)
from customer_segmentation.sql_text import sql_identifier, sql_literal

PUBLISHED_MODELS = (
    "customer_segments",
    "cluster_summary",
    "gender_dist",
    "age_groups",
    "elbow_curve",
    "segment_overview",
    "dim_segment",
    "dim_gender",
    "dim_age_band",
    "segment_cube",
    "rejected_customers",
    "load_audit",
    "segment_model",
    "segment_model_history",
    "segment_model_features",
    "segment_migration",
    "segment_runs",
    "customer_rfm",
    "rfm_segment_summary",
    "rfm_grid",
    "rfm_score_edges",
    "dim_rfm_segment",
    "transaction_audit",
    "rejected_transactions",
)
# Tables whose rows a unique, tested key orders on its own: sorting ten
# million customers on one column instead of all of them saves seconds and
# gives the same order. Every other table is sorted on all its columns.
SORT_KEYS = {
    "customer_segments": "customer_id",
    "customer_rfm": "customer_id",
}
SERVING_DATABASE = "segments.duckdb"
# Written in the storage format of DuckDB 1.0.0, so any DuckDB from 1.0.0 on
# (the Power BI connector's bundled one included) can open the file.
SERVING_STORAGE_VERSION = "v1.0.0"
OLDEST_READER = "1.0.0"


MANIFEST_FILE = ".customer-segmentation-publish.json"
MANIFEST_OWNER = "customer-segmentation publish folder"
# What the dashboard adds besides the tables (written by dashboard.py).
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
            f"({error.strerror or error}); choose another SEGMENTS_PUBLISH_DIR "
            "or make it writable. Nothing was changed."
        ) from None


def refusal(publish_dir: Path, state: FolderState) -> str:
    """The one line that says why a run will not replace this folder."""
    if state.manifest is None:
        return (
            f"publish folder {publish_dir} holds files this product did not "
            f"publish ({first_few(state.unowned)}) and has no manifest "
            f"({MANIFEST_FILE}) saying it did; a run replaces the whole folder, "
            "so set SEGMENTS_PUBLISH_DIR to a new or empty folder. Nothing was "
            "changed."
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
            f"publish folder {publish_dir} {reason}; set SEGMENTS_PUBLISH_DIR "
            "to a folder of its own. Nothing was changed."
        )
    if publish_dir.is_symlink() or (publish_dir.exists() and not publish_dir.is_dir()):
        raise PublishError(
            f"publish folder {publish_dir} is a file, not a folder; set "
            "SEGMENTS_PUBLISH_DIR to a new or empty folder. Nothing was changed."
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
        (kept / name).parent.mkdir(parents=True, exist_ok=True)
        (publish_dir / name).rename(kept / name)
    return kept


def delete_owned(folder: Path, manifest: Manifest) -> bool:
    """Delete what the manifest vouches for, then the folder if it is empty.

    Anything else stays where it is; returns True if the folder is gone.
    """
    for name, listed in manifest.files.items():
        if is_unchanged(folder, name, listed):
            (folder / name).unlink()
    (folder / MANIFEST_FILE).unlink(missing_ok=True)
    for name in sorted(manifest.folders(), key=lambda n: n.count("/"), reverse=True):
        with suppress(OSError):
            (folder / name).rmdir()  # only when empty
    with suppress(OSError):
        folder.rmdir()
    return not folder.exists()


def keep_rest(folder: Path) -> Path:
    kept = kept_path(folder)
    folder.rename(kept)
    return kept


def is_leftover(path: Path, publish_dir: Path) -> bool:
    """A work folder a killed run left beside ``publish_dir``, all of it ours.

    Only a complete one is: its manifest is written last, and the whole
    folder must match it.
    """
    prefixes = (f".{publish_dir.name}.new-", f".{publish_dir.name}.old-")
    if not path.name.startswith(prefixes) or path.is_symlink() or not path.is_dir():
        return False
    state = inspect_folder(path)
    return state.manifest is not None and not state.unowned


def remove_leftovers(publish_dir: Path) -> list[Path]:
    """Delete the work folders that killed runs left beside the folder.

    Called while holding the publish folder's lock, so no running publish
    owns them.
    """
    if not publish_dir.parent.is_dir():
        return []
    removed = []
    for path in sorted(publish_dir.parent.iterdir()):
        if is_leftover(path, publish_dir):
            delete_owned(path, inspect_folder(path).manifest)
            removed.append(path)
    return removed


def copy_comments(con: duckdb.DuckDBPyConnection, model: str) -> None:
    """Carry the dbt descriptions (persisted as comments) over to the serving table."""
    # Large customer-grain marts are views in the warehouse, tables here.
    [table_comment] = con.execute(
        "select comment from duckdb_tables() where database_name = 'warehouse'"
        " and schema_name = 'main' and table_name = $model"
        " union all select comment from duckdb_views() where database_name"
        " = 'warehouse' and schema_name = 'main' and view_name = $model",
        {"model": model},
    ).fetchone()
    if table_comment:
        con.execute(
            f"comment on table serving.main.{model} is {sql_literal(table_comment)}"
        )
    columns = con.execute(
        "select column_name, comment from duckdb_columns()"
        " where database_name = 'warehouse' and schema_name = 'main'"
        " and table_name = ? and comment is not null",
        [model],
    ).fetchall()
    for column, comment in columns:
        con.execute(
            f"comment on column serving.main.{model}.{sql_identifier(column)}"
            f" is {sql_literal(comment)}"
        )


def write_outputs(warehouse: Path, folder: Path) -> None:
    """Write every published model as Parquet and into a serving DuckDB file.

    The serving file holds plain tables only (no views, no macros), in an
    old storage format, so that a Power BI reader can open it. Rows are
    sorted (on the key, or on every column) so the same tables give the
    same files.
    """
    serving = sql_literal(str(folder / SERVING_DATABASE))
    with duckdb.connect() as con:
        con.execute(f"attach {sql_literal(str(warehouse))} as warehouse (read_only)")
        con.execute(
            f"attach {serving} as serving (storage_version '{SERVING_STORAGE_VERSION}')"
        )
        for model in PUBLISHED_MODELS:
            order = SORT_KEYS.get(model, "all")
            rows = f"select * from warehouse.main.{model} order by {order}"
            con.execute(f"create table serving.main.{model} as {rows}")
            copy_comments(con, model)
            parquet = sql_literal(str(folder / f"{model}.parquet"))
            # A new table scans in insertion order: already sorted, so the
            # Parquet file needs no second sort.
            con.execute(
                f"copy (select * from serving.main.{model}) to {parquet} "
                "(format parquet)"
            )
        con.execute("detach serving")
        con.execute("detach warehouse")


def exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE).

    Returns False where the platform or file system cannot, so the caller
    falls back to two renames.
    """
    if sys.platform != "linux":
        return False
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(
        at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange
    )
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL):
        return False
    raise OSError(code, os.strerror(code), str(second))


def swap_in(new: Path, target: Path) -> Path | None:
    """Replace ``target`` by ``new``: atomically where possible, never by copying.

    The previous set is then deleted file by file as its manifest allows;
    returns where anything it does not vouch for was kept, or None.
    """
    if not target.exists():
        new.rename(target)
        return None
    try:
        swapped = exchange(new, target)
        if not swapped:
            # Elsewhere (Windows, some network file systems) a reader may find
            # no folder for the instant between these two renames, never a mix.
            old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex}")
            target.rename(old)
            try:
                new.rename(target)
            except OSError:
                old.rename(target)
                raise
            new = old
    except OSError as error:
        # Windows refuses to rename a folder while Power BI holds a file in it.
        raise PublishError(
            f"could not replace {target} ({error.strerror or error}); it is "
            "probably open in Power BI or another program. Close it and run "
            "again; the previously published files are unchanged."
        ) from None
    # ``new`` now holds the previous set
    if not any(new.iterdir()):
        new.rmdir()
        return None
    previous = inspect_folder(new).manifest
    if previous is not None and delete_owned(new, previous):
        return None
    return keep_rest(new)


def write_manifest(folder: Path, facts: dict[str, object]) -> Manifest:
    """List every file of the new set: written last, so a complete set has one."""
    manifest = Manifest(MANIFEST_OWNER, describe_folder(folder, MANIFEST_FILE), facts)
    (folder / MANIFEST_FILE).write_text(manifest.to_text(), encoding="utf-8")
    return manifest


def keep_mode(new: Path, target: Path) -> None:
    """Give the new folder the permissions the replaced one had."""
    with suppress(FileNotFoundError):
        new.chmod(stat.S_IMODE(target.stat().st_mode))


def publish(
    warehouse: Path,
    publish_dir: Path,
    add_extras: Callable[[Path], object] | None = None,
    facts: dict[str, object] | None = None,
    say: Callable[[str], None] = print,
) -> Path:
    """Write the published set beside ``publish_dir``, then swap it in.

    ``add_extras`` writes anything built from the new tables (the dashboard)
    into the new folder first, so it is swapped in with them or not at all.
    ``facts`` are kept in the manifest (the highest ids of the history).
    """
    publish_dir = publish_dir.resolve()
    publish_dir.parent.mkdir(parents=True, exist_ok=True)
    new = publish_dir.with_name(f".{publish_dir.name}.new-{uuid.uuid4().hex}")
    new.mkdir()
    try:
        write_outputs(warehouse, new)
        if add_extras is not None:
            add_extras(new)
        write_manifest(new, facts or {})
    except (OSError, duckdb.IOException) as error:
        # Disk full, quota, a file size limit: the new set is incomplete.
        shutil.rmtree(new, ignore_errors=True)
        raise PublishError(
            f"could not write the new published files beside {publish_dir} "
            f"({one_line(error)}); free disk space and run again. The "
            "previously published files are unchanged."
        ) from error
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    swapped = False
    try:
        # Again, right before replacing it: a run can take minutes, and a
        # file put into the folder meanwhile must not go with it.
        check_publish_folder(publish_dir)
        keep_mode(new, publish_dir)
        kept = swap_in(new, publish_dir)
        swapped = True
    finally:
        if not swapped:
            shutil.rmtree(new, ignore_errors=True)  # this run's own, unpublished
    if kept is not None:
        say(
            f"Kept {kept}: files that appeared in the previous set while it "
            "was replaced"
        )
    return publish_dir
