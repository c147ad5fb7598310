"""Copy the published models out of dbt's warehouse, all together or not at all.

Power BI reads ``publish/``: one Parquet file per model and ``segments.duckdb``
holding the same tables. Everything is written to a fresh folder beside it
first and swapped in only when complete, so a reader sees the previous set
or the new one, never half of each, and a failed run leaves the old set as
it was.

Replacing a folder deletes what was in it, so the product only ever replaces
a folder it published itself: every published folder carries a marker file,
and :func:`check_publish_folder` refuses any other non-empty folder before a
run starts.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

import duckdb

from customer_segmentation.messages import one_line
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


# Written into every folder the product publishes: the proof that replacing
# the folder deletes nothing a user put there.
MARKER_FILE = ".customer-segmentation-publish"
MARKER_TEXT = (
    "customer-segmentation publish folder\n"
    "Written by `segments run`, which replaces this whole folder on every run.\n"
    "Delete this file to keep the folder from ever being replaced.\n"
)
# What the dashboard adds besides the tables (written by dashboard.py).
DASHBOARD_FILE = "dashboard.html"
CHARTS_FOLDER = "charts"
EXTRA_NAMES = (DASHBOARD_FILE, CHARTS_FOLDER)
# What earlier versions published and this one no longer does: a folder
# they published is still the product's own to replace.
RETIRED_NAMES = ("customer_scores.parquet",)
# What every publish held before the marker existed.
UNMARKED_PUBLISH = {
    SERVING_DATABASE,
    "customer_segments.parquet",
    "cluster_summary.parquet",
}


class PublishError(Exception):
    """The new set could not be swapped in; the previous one is untouched."""


def published_names() -> set[str]:
    """Every name a publish writes, or once wrote, at the top of its folder."""
    return {
        MARKER_FILE,
        SERVING_DATABASE,
        *EXTRA_NAMES,
        *RETIRED_NAMES,
        *(f"{model}.parquet" for model in PUBLISHED_MODELS),
    }


def has_marker(folder: Path) -> bool:
    marker = folder / MARKER_FILE
    if marker.is_symlink() or not marker.is_file():
        return False
    try:
        return marker.read_text(encoding="utf-8") == MARKER_TEXT
    except (OSError, UnicodeDecodeError):
        return False


def foreign_entries(folder: Path) -> list[str]:
    """What in a folder a publish did not write: names it never uses, or
    anything but PNG files in the charts folder."""
    known = published_names()
    foreign = sorted(p.name for p in folder.iterdir() if p.name not in known)
    charts = folder / CHARTS_FOLDER
    if charts.is_dir() and not charts.is_symlink():
        foreign += sorted(
            f"{CHARTS_FOLDER}/{p.name}"
            for p in charts.iterdir()
            if p.suffix != ".png" or not p.is_file() or p.is_symlink()
        )
    elif charts.exists():
        foreign.append(CHARTS_FOLDER)
    return foreign


def is_own_folder(folder: Path) -> bool:
    """True if replacing ``folder`` can only delete what this product wrote.

    It must carry the marker, or hold the files every version before the
    marker published; and nothing else: a file a user added to a published
    folder would be deleted with it.
    """
    names = {entry.name for entry in folder.iterdir()}
    recognised = has_marker(folder) or names >= UNMARKED_PUBLISH
    return recognised and not foreign_entries(folder)


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


def check_publish_folder(publish_dir: Path) -> None:
    """Refuse, before any work, a publish folder that a run must not replace.

    The folder may be absent, empty, or one this product published; it and
    the folder it sits in must be writable (the new set is written beside it
    and swapped in).
    """
    if publish_dir.exists() and not publish_dir.is_dir():
        raise PublishError(
            f"publish folder {publish_dir} is a file, not a folder; set "
            "SEGMENTS_PUBLISH_DIR to a new or empty folder. Nothing was changed."
        )
    if publish_dir.is_dir():
        entries = sorted(entry.name for entry in publish_dir.iterdir())
        if entries and not is_own_folder(publish_dir):
            unknown = foreign_entries(publish_dir) or entries
            shown = ", ".join(unknown[:3]) + (", ..." if len(unknown) > 3 else "")
            raise PublishError(
                f"publish folder {publish_dir} holds files this product did not "
                f"publish ({shown}) and a run replaces the whole folder; set "
                "SEGMENTS_PUBLISH_DIR to a new or empty folder. Nothing was changed."
            )
        check_writable(publish_dir, "publish folder")
    parent = publish_dir.parent
    while not parent.exists():
        parent = parent.parent
    check_writable(parent, "the folder that holds the publish folder,")


def is_leftover(path: Path, publish_dir: Path) -> bool:
    """A folder a killed run left beside ``publish_dir``: named and marked as ours."""
    prefixes = (f".{publish_dir.name}.new-", f".{publish_dir.name}.old-")
    return (
        path.name.startswith(prefixes)
        and path.is_dir()
        and not path.is_symlink()
        and has_marker(path)
    )


def remove_leftovers(publish_dir: Path) -> list[Path]:
    """Delete the marked work folders that killed runs left beside the folder.

    Called while holding the publish folder's lock, so no running publish
    owns them.
    """
    if not publish_dir.parent.is_dir():
        return []
    removed = []
    for path in sorted(publish_dir.parent.iterdir()):
        if is_leftover(path, publish_dir):
            shutil.rmtree(path)
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


def swap_in(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new``: atomically where possible, never by copying."""
    if not target.exists():
        new.rename(target)
        return
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
    shutil.rmtree(new, ignore_errors=True)  # now holds the previous set


def publish(
    warehouse: Path,
    publish_dir: Path,
    add_extras: Callable[[Path], object] | None = None,
) -> Path:
    """Write the published set beside ``publish_dir``, then swap it in.

    ``add_extras`` writes anything built from the new tables (the dashboard)
    into the new folder first, so it is swapped in with them or not at all.
    """
    publish_dir = publish_dir.resolve()
    publish_dir.parent.mkdir(parents=True, exist_ok=True)
    new = publish_dir.with_name(f".{publish_dir.name}.new-{uuid.uuid4().hex}")
    new.mkdir()
    try:
        # First, so that a run killed from here on leaves a folder the next
        # run knows as its own and removes.
        (new / MARKER_FILE).write_text(MARKER_TEXT, encoding="utf-8")
        write_outputs(warehouse, new)
        if add_extras is not None:
            add_extras(new)
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
    try:
        # Again, right before replacing it: a run can take minutes, and a
        # file put into the folder meanwhile must not go with it.
        check_publish_folder(publish_dir)
        swap_in(new, publish_dir)
    finally:
        if new.exists():
            shutil.rmtree(new)
    return publish_dir
