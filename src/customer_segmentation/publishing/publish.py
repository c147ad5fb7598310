"""Copy the published models out of dbt's warehouse, all together or not at all.

Power BI reads ``publish/``: one Parquet file per model and ``segments.duckdb``
holding the same tables. Everything is written to a fresh folder beside it
first and swapped in only when complete, so a reader sees the previous set
or the new one, never half of each, and a failed run leaves the old set as
it was.

Replacing a folder deletes what was in it, so the product only ever replaces
a folder it published itself: every publish writes a manifest of exactly the
files it wrote (:mod:`customer_segmentation.publishing.ownership`), and
:func:`check_publish_folder` refuses, before a run starts and again right
before the swap, a folder holding anything its manifest does not vouch for.
The previous set is then deleted file by file, as its manifest allows.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import shutil
import stat
import sys
import uuid
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import duckdb

from customer_segmentation.engines.duckdb_limits import connect
from customer_segmentation.engines.sql_text import sql_identifier, sql_literal
from customer_segmentation.messages import one_line
from customer_segmentation.publishing.ownership import (
    Manifest,
    describe_folder,
)
from customer_segmentation.publishing.publish_folder import (
    MANIFEST_FILE,
    MANIFEST_OWNER,
    PARTS,
    WORK_PLAN,
    PublishError,
    check_publish_folder,
    delete_owned,
    inspect_folder,
    keep_rest,
    write_plan,
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


# Columns that give a table a row per customer or per input row: its size
# follows the data. On Spark such a table is written by the executors, never
# collected (docs/spark.md); in the DirectQuery Power BI models it stays in
# the warehouse (docs/power_bi.md).
ROW_GRAIN_KEYS = ("customer_id", "source_row_number")


@dataclass(frozen=True)
class EngineWriter:
    """An engine that writes ``models`` into a folder itself (``write``)."""

    models: tuple[str, ...]
    write: Callable[[Path], None]


@dataclass(frozen=True)
class TableDocs:
    """A published model's dbt descriptions: the table's and its columns'."""

    description: str
    columns: dict[str, str]

    @property
    def has_row_grain(self) -> bool:
        return any(column in ROW_GRAIN_KEYS for column in self.columns)


def row_grain_models(models: dict[str, TableDocs]) -> tuple[str, ...]:
    """The published models with a row per customer or per input row."""
    return tuple(name for name, docs in models.items() if docs.has_row_grain)


def engine_parts(folder: Path, model: str) -> Path:
    """Where an engine writes ``model``: a folder of Parquet part files."""
    return folder / f"{model}.parquet"


def write_comments(con: duckdb.DuckDBPyConnection, model: str, docs: TableDocs) -> None:
    """The dbt descriptions as comments on the serving table, where Power BI
    and any SQL client show them. Taken from dbt's manifest, not persisted
    in the warehouse: a comment per column per model cost dbt a statement
    each on every run."""
    if docs.description.strip():
        con.execute(
            f"comment on table serving.main.{model} is "
            f"{sql_literal(docs.description.strip())}"
        )
    for column, description in docs.columns.items():
        if description.strip():
            con.execute(
                f"comment on column serving.main.{model}.{sql_identifier(column)}"
                f" is {sql_literal(description.strip())}"
            )


def published_tables(manifest: dict) -> dict[str, TableDocs]:
    """The models dbt's manifest marks published (meta ``published: true``,
    set on the marts folder in dbt_project.yml), by name, with their docs."""
    return {
        node["name"]: TableDocs(
            node.get("description") or "",
            {
                name: column.get("description") or ""
                for name, column in node.get("columns", {}).items()
            },
        )
        for node in sorted(manifest["nodes"].values(), key=lambda n: n["name"])
        if node["resource_type"] == "model"
        and node["config"].get("meta", {}).get("published") is True
    }


def published_models(manifest: dict) -> tuple[str, ...]:
    """The published models' names, in order."""
    return tuple(published_tables(manifest))


def read_dbt_manifest(target: Path) -> dict:
    """dbt's manifest.json in a target folder (written by every dbt build)."""
    return json.loads((target / "manifest.json").read_text(encoding="utf-8"))


def write_outputs(
    warehouse: Path,
    folder: Path,
    models: dict[str, TableDocs],
    on_table: Callable[[], None] | None = None,
    engine_written: Sequence[str] = (),
) -> None:
    """Write every published model as Parquet and into a serving DuckDB file.

    The serving file holds plain tables (no macros), in an old storage
    format, so that a Power BI reader can open it. Rows are sorted (on the
    key, or on every column) so the same tables give the same files.
    ``engine_written`` models are already in ``folder`` as Parquet parts (a
    Spark run's executors wrote them, in key order): DuckDB streams them into
    the serving file under its memory limit. (A view over the parts would
    copy nothing, but DuckDB binds a view when it is created, and the parts
    reach their published path only when the whole set is swapped in.)
    """
    serving = sql_literal(str(folder / SERVING_DATABASE))
    with connect() as con:
        con.execute(f"attach {sql_literal(str(warehouse))} as warehouse (read_only)")
        con.execute(
            f"attach {serving} as serving (storage_version '{SERVING_STORAGE_VERSION}')"
        )
        for model in engine_written:
            parts = sql_literal(f"{engine_parts(folder, model)}/*.parquet")
            con.execute(
                f"create table serving.main.{model} as from read_parquet({parts})"
            )
            write_comments(con, model, models[model])
            if on_table is not None:
                on_table()
        for model, docs in models.items():
            if model in engine_written:
                continue
            order = SORT_KEYS.get(model, "all")
            rows = f"select * from warehouse.main.{model} order by {order}"
            con.execute(f"create table serving.main.{model} as {rows}")
            write_comments(con, model, docs)
            parquet = sql_literal(str(folder / f"{model}.parquet"))
            # A new table scans in insertion order: already sorted, so the
            # Parquet file needs no second sort.
            con.execute(
                f"copy (select * from serving.main.{model}) to {parquet} "
                "(format parquet)"
            )
            if on_table is not None:
                on_table()
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
    """Replace ``target`` by ``new``: atomically where possible, never by
    copying. Returns where the previous set now is (None: there was none);
    from here on the new set is the published one, whatever follows."""
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
    return new  # now holding the previous set


def remove_previous(previous: Path) -> Path | None:
    """Delete the replaced set file by file as its manifest allows; returns
    where anything it does not vouch for was kept, or None."""
    if not any(previous.iterdir()):
        previous.rmdir()
        return None
    manifest = inspect_folder(previous).manifest
    if manifest is not None and delete_owned(previous, manifest):
        return None
    return keep_rest(previous)


def write_manifest(folder: Path, facts: dict[str, object]) -> Manifest:
    """List every file of the new set: written last, so a complete set has
    one; the work folder's plan goes once the manifest stands."""
    files = describe_folder(folder, MANIFEST_FILE)
    files.pop(WORK_PLAN, None)
    manifest = Manifest(MANIFEST_OWNER, files, facts)
    (folder / MANIFEST_FILE).write_text(manifest.to_text(), encoding="utf-8")
    (folder / WORK_PLAN).unlink(missing_ok=True)
    return manifest


def keep_mode(new: Path, target: Path) -> None:
    """Give the new folder the permissions the replaced one had."""
    with suppress(FileNotFoundError):
        new.chmod(stat.S_IMODE(target.stat().st_mode))


def publish(
    warehouse: Path,
    publish_dir: Path,
    models: dict[str, TableDocs],
    add_extras: Callable[[Path], object] | None = None,
    facts: dict[str, object] | None = None,
    say: Callable[[str], None] = print,
    on_table: Callable[[], None] | None = None,
    extra_files: Sequence[str] = (),
    engine: EngineWriter | None = None,
) -> Path:
    """Write ``models`` beside ``publish_dir``, then swap them in.

    ``add_extras`` writes anything built from the new tables (the dashboard)
    into the new folder first, so it is swapped in with them or not at all;
    ``extra_files`` names what it writes, for the work folder's plan.
    ``facts`` are kept in the manifest (the highest ids of the history);
    ``on_table`` is called as each table is written. ``engine`` writes its
    tables into the new folder itself (Spark's executors), before the rest.
    """
    publish_dir = publish_dir.resolve()
    publish_dir.parent.mkdir(parents=True, exist_ok=True)
    new = publish_dir.with_name(f".{publish_dir.name}.new-{uuid.uuid4().hex}")
    new.mkdir()
    engine_written = engine.models if engine is not None else ()
    planned = [
        f"{model}.parquet{PARTS if model in engine_written else ''}" for model in models
    ]
    write_plan(
        new, [*planned, SERVING_DATABASE, f"{SERVING_DATABASE}.wal", *extra_files]
    )
    try:
        if engine is not None:
            engine.write(new)
        write_outputs(warehouse, new, models, on_table, engine_written)
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
        previous = swap_in(new, publish_dir)
        swapped = True
    finally:
        if not swapped:
            shutil.rmtree(new, ignore_errors=True)  # this run's own, unpublished
    if previous is not None:
        tidy_previous(previous, publish_dir, say)
    return publish_dir


def tidy_previous(
    previous: Path, publish_dir: Path, say: Callable[[str], None]
) -> None:
    """Remove the replaced set; the new one is published whatever happens here,
    and the run says so rather than failing."""
    try:
        kept = remove_previous(previous)
    except OSError as error:
        say(
            f"Warning: the new set is published in {publish_dir}, but the "
            f"previous set could not be removed from {previous} "
            f"({one_line(error)}); the next run removes what its manifest lists"
        )
        return
    if kept is not None:
        say(
            f"Kept {kept}: files that appeared in the previous set while it "
            "was replaced"
        )
