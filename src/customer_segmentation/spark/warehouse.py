"""A Spark target's side of a run: the sources registered before dbt, the
published marts taken out after it.

On DuckDB, `segments run` registers each input as a view in the warehouse
file (inputs/files.py) and loads the saved history (segment_model/store.py). On Spark
the same sources (``run_input.*``, ``last_publish.*``) are registered here,
in the metastore the dbt target uses: the session is opened with the
target's own settings, read from profiles.yml by dbt, so the profile stays
the one home of the Spark configuration. After the build, the published
marts are copied into the DuckDB warehouse (``--export-duckdb``), from
which `segments run` publishes, or written as Parquet (``--export``).

Paths and values never enter SQL text: a file becomes an external table
through Spark's catalog API, the other tables are written from DataFrames;
only the headers appear in the view, as quoted identifiers.

`segments run` calls it (spark/run.py) in .venv-spark; by hand:
``python -m customer_segmentation.spark.warehouse --target spark_local
[--input customers.csv] [--transactions lines.csv]``.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from customer_segmentation import PROJECT_DIR
from customer_segmentation.engines.duckdb_limits import connect
from customer_segmentation.inputs.files import (
    CUSTOMER_FILE,
    CUSTOMER_FILE_BESIDE_TRANSACTIONS,
    FORMATS_TABLE,
    INPUT_SCHEMA,
    TRANSACTION_FILE,
    FileColumns,
    FileKind,
    InputError,
    inspect_file,
    is_parquet,
    load_aliases,
)
from customer_segmentation.inputs.reading import decide_formats
from customer_segmentation.inputs.tables import InputTable, parse_table_name
from customer_segmentation.publishing.publish import (
    ROW_GRAIN_KEYS,
    TableDocs,
    engine_parts,
    published_tables,
    read_dbt_manifest,
    row_grain_models,
)
from customer_segmentation.publishing.warehouse import mark_warehouse
from customer_segmentation.segment_model.settings import settings_from_vars
from customer_segmentation.segment_model.store import (
    ID_COLUMNS,
    MODE_FIT,
    MODE_SCORE,
    REMEMBERED,
    IdFloor,
    RunMode,
    choose_mode,
    read_last_publish,
)
from customer_segmentation.segment_model.store import SCHEMA as LAST_PUBLISH
from customer_segmentation.spark.tables import (
    claim_schemas,
    inspect_spark_table,
    register_spark_table,
    text_columns_sql,
)

PROFILE = "customer_segmentation"


def target_profile(project_dir: Path, target: str) -> Any:
    """``target``'s credentials as dbt renders them from profiles.yml."""
    from dbt.config.profile import Profile
    from dbt.config.renderer import ProfileRenderer
    from dbt.flags import set_from_args
    from dbt_common.context import set_invocation_context

    set_invocation_context(dict(os.environ))
    set_from_args(argparse.Namespace(profiles_dir=str(project_dir)), None)
    profile = Profile.render(
        ProfileRenderer({}),
        project_profile_name=PROFILE,
        profile_name_override=None,
        target_override=target,
        threads_override=None,
    )
    return profile.credentials


def open_session(settings: dict[str, str]) -> Any:
    """A SparkSession configured as dbt-spark's session method opens it."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def register_file(spark: Any, path: Path, found: FileColumns, kind: FileKind) -> None:
    """``run_input.<view>``: the file's columns of ``kind`` as text under their
    own names (empty where the file lacks an optional one), and the file it
    came from."""
    table = f"{INPUT_SCHEMA}.{kind.view}_file"
    spark.sql(f"drop view if exists {INPUT_SCHEMA}.{kind.view}")
    spark.sql(f"drop table if exists {table}")
    options: dict[str, str] = {}
    if not is_parquet(path):
        options = {
            "header": "true",
            "delimiter": found.dialect.delimiter,
            "multiLine": "true",
            "escape": '"',
        }
    spark.catalog.createTable(
        table,
        path=str(path.resolve()),
        source="parquet" if is_parquet(path) else "csv",
        **options,
    )
    spark.sql(
        f"create view {INPUT_SCHEMA}.{kind.view} as\n"
        f"select\n    {text_columns_sql(found, kind)},\n"
        "    input_file_name() as source_file\n"
        f"from {table}"
    )


def register_no_rows(spark: Any, kind: FileKind) -> None:
    """A view of ``kind``'s columns with no rows (transactions alone)."""
    columns = ", ".join(
        f"cast(null as string) as {column}" for column in (*kind.columns, "source_file")
    )
    spark.sql(f"drop view if exists {INPUT_SCHEMA}.{kind.view}")
    spark.sql(f"create view {INPUT_SCHEMA}.{kind.view} as select {columns} where false")


def register_formats(spark: Any, formats: dict, whole_number_ids: bool) -> None:
    """run_input.file_formats, one row per input, written from data."""
    table = f"{INPUT_SCHEMA}.{FORMATS_TABLE}"
    spark.sql(f"drop table if exists {table}")
    if not formats:
        return
    rows = [
        (view, found.decimal_mark, found.date_order, whole_number_ids)
        for view, found in formats.items()
    ]
    schema = (
        "file_kind string, decimal_mark string, date_order string,"
        " whole_number_ids boolean"
    )
    spark.createDataFrame(rows, schema).write.format("parquet").saveAsTable(table)


def write_table(spark: Any, table: str, frame: Any) -> None:
    spark.sql(f"drop table if exists {table}")
    frame.write.format("parquet").saveAsTable(table)


def load_last_publish(spark: Any, remembered: dict[str, pa.Table] | Path) -> None:
    """The publish folder's saved history as the last_publish source (see
    segment_model.store.load_last_publish, its DuckDB twin): from the Parquet files
    `segments run` handed over (a folder), read by the executors, since
    customer_segments holds a row per customer; or from Arrow tables."""
    spark.sql(f"create schema if not exists {LAST_PUBLISH}")
    for table in REMEMBERED:
        frame = (
            spark.read.parquet(str(remembered / f"{table}.parquet"))
            if isinstance(remembered, Path)
            else spark.createDataFrame(remembered[table])
        )
        write_table(spark, f"{LAST_PUBLISH}.{table}", frame)


def register_run(spark: Any, mode: RunMode, floor: IdFloor) -> None:
    """run_input.run_context and id_floor, one row each (as
    segment_model.store.register_run writes them on DuckDB)."""
    for table, rows, schema in (
        (
            "run_context",
            [(mode.mode, mode.reason)],
            "model_mode string, model_mode_reason string",
        ),
        (
            "id_floor",
            [tuple(getattr(floor, name) for name in ID_COLUMNS)],
            ", ".join(f"{name} int" for name in ID_COLUMNS),
        ),
    ):
        write_table(
            spark, f"{INPUT_SCHEMA}.{table}", spark.createDataFrame(rows, schema)
        )


Source = Path | InputTable | None


def inspect_inputs(
    spark: Any, customers: Source, transactions: Source, project_dir: Path
) -> dict[FileKind, tuple[Source, FileColumns]]:
    """Each input file or metastore table matched, counted and its formats
    read (as `segments run` does on DuckDB), by its kind."""
    aliases = load_aliases(project_dir / "seeds" / "column_aliases.csv")
    customer_kind = CUSTOMER_FILE_BESIDE_TRANSACTIONS if transactions else CUSTOMER_FILE
    found = {}
    for kind, source in ((customer_kind, customers), (TRANSACTION_FILE, transactions)):
        if isinstance(source, InputTable):
            found[kind] = (source, inspect_spark_table(spark, source, aliases, kind))
        elif source is not None:
            found[kind] = (source, inspect_file(source, aliases, kind))
    return found


def register_inputs(
    spark: Any,
    found: dict[FileKind, tuple[Source, FileColumns]],
    dbt_vars: dict[str, object] | None = None,
) -> None:
    """The run_input views dbt reads, and how it reads their values."""
    transactions = TRANSACTION_FILE in found
    customer_kind = CUSTOMER_FILE_BESIDE_TRANSACTIONS if transactions else CUSTOMER_FILE
    formats, whole_number_ids = decide_formats(
        tuple(
            (kind, *found.get(kind, (None, None)))
            for kind in (customer_kind, TRANSACTION_FILE)
        ),
        dbt_vars or {},
    )
    spark.sql(f"create schema if not exists {INPUT_SCHEMA}")
    for kind in (customer_kind, TRANSACTION_FILE):
        source, columns = found.get(kind, (None, None))
        if isinstance(source, InputTable) and columns:
            register_spark_table(spark, source, columns, kind)
        elif source is not None and columns:
            register_file(spark, source, columns, kind)
        elif kind == customer_kind and transactions:
            register_no_rows(spark, customer_kind)
        else:
            spark.sql(f"drop view if exists {INPUT_SCHEMA}.{kind.view}")
    register_formats(spark, formats, whole_number_ids)


def inspected(found: dict[FileKind, tuple[Source, FileColumns]]) -> dict:
    """What the inputs turned out to be, for `segments run` to report."""
    return {
        kind.view: {
            "mapping": columns.mapping,
            "extra": list(columns.extra),
            "data_rows": columns.data_rows,
        }
        for kind, (_, columns) in found.items()
    }


def published(target_dir: Path) -> dict[str, TableDocs]:
    return published_tables(read_dbt_manifest(target_dir))


def spark_written(target_dir: Path) -> tuple[str, ...]:
    """The published marts the executors write: a row per customer or per
    input row. Only the others (per segment, band, run, model) may be
    collected to the driver."""
    return row_grain_models(published(target_dir))


def write_parts(spark: Any, schema: str, target_dir: Path, folder: Path) -> None:
    """Each row-grain mart written by the executors, in parallel, as Parquet
    part files in ``folder``/<name>.parquet, ordered by its key (so the same
    rows give the same tables). Spark's commit marker and the local file
    system's checksum files are removed: Parquet checks its own pages."""
    models = published(target_dir)
    for name in spark_written(target_dir):
        key = next(k for k in ROW_GRAIN_KEYS if k in models[name].columns)
        parts = engine_parts(folder, name)
        spark.table(f"{schema}.{name}").orderBy(key).write.parquet(str(parts))
        for path in parts.iterdir():
            if path.name == "_SUCCESS" or path.name.endswith(".crc"):
                path.unlink()


def export_published(
    spark: Any, schema: str, target_dir: Path, folder: Path
) -> list[Path]:
    """Every published mart as Parquet in ``folder``: the row-grain ones as
    part files written by the executors, the small ones as one file each."""
    folder.mkdir(parents=True, exist_ok=True)
    write_parts(spark, schema, target_dir, folder)
    row_grain = spark_written(target_dir)
    written = []
    for name in published(target_dir):
        path = folder / f"{name}.parquet"
        if name not in row_grain:
            pq.write_table(spark.table(f"{schema}.{name}").toArrow(), path)
        written.append(path)
    return written


def export_to_duckdb(
    spark: Any, schema: str, target_dir: Path, warehouse: Path
) -> None:
    """The small published marts (per segment, band, run, model) copied into
    the DuckDB warehouse `segments run` publishes them from, which is marked
    as the product's own; the row-grain ones the executors write (--parts)."""
    row_grain = spark_written(target_dir)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with connect(str(warehouse)) as con:
        mark_warehouse(con)
        for name in published(target_dir):
            if name in row_grain:
                continue
            rows = spark.table(f"{schema}.{name}").toArrow()  # noqa: F841 (SQL)
            con.execute(f"create or replace table main.{name} as from rows")


def run_context(
    args: argparse.Namespace,
) -> tuple[dict[str, pa.Table] | Path, RunMode, IdFloor]:
    """The saved history, the mode and the id floor `segments run` decided
    (or, run by hand: the folder's history and the mode it implies)."""
    if args.history and args.mode:
        remembered: dict[str, pa.Table] | Path = args.history
        mode = RunMode(args.mode, args.mode_reason)
    else:
        remembered = (
            read_last_publish(args.publish_dir, refit=args.refit)[0]
            if args.publish_dir
            else {name: s.empty_table() for name, s in REMEMBERED.items()}
        )
        mode = (
            RunMode(args.mode, args.mode_reason)
            if args.mode
            else choose_mode(remembered, settings_from_vars(args.vars), args.refit)
        )
    floor = (
        IdFloor(*(int(i) for i in args.floor.split(","))) if args.floor else IdFloor()
    )
    return remembered, mode, floor


def prepare_run(spark: Any, args: argparse.Namespace, schema: str) -> None:
    """Before dbt: the inputs inspected, the run's schemas claimed, then the
    inputs, the saved history and the run's decisions registered. An input
    or a schema refused ends it with one line in the report, nothing written."""
    try:
        remembered, mode, floor = run_context(args)
        found = inspect_inputs(
            spark,
            args.input or args.customer_table,
            args.transactions or args.transaction_table,
            args.project_dir,
        )
        claim_schemas(
            spark, [INPUT_SCHEMA, LAST_PUBLISH, schema], args.target_path / "spark"
        )
    except InputError as error:
        if not args.report:
            raise SystemExit(f"Error: {error}") from None
        args.report.write_text(json.dumps({"error": str(error)}))
        raise SystemExit(2) from None  # `segments run` says it, in one line
    if args.report:
        args.report.write_text(json.dumps(inspected(found)))
    register_inputs(spark, found, args.vars)
    load_last_publish(spark, remembered)
    register_run(spark, mode, floor)


def table_name(label: str) -> Callable[[str], InputTable]:
    return lambda raw: parse_table_name(raw, label)


def arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default="spark_local")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    parser.add_argument("--input", type=Path)
    parser.add_argument("--transactions", type=Path)
    parser.add_argument("--customer-table", type=table_name("customer table"))
    parser.add_argument("--transaction-table", type=table_name("transactions table"))
    parser.add_argument(
        "--report", type=Path, help="write what the inputs turned out to be (JSON)"
    )
    parser.add_argument(
        "--export",
        type=Path,
        help="after a build: write the published marts to this folder as Parquet",
    )
    parser.add_argument(
        "--export-duckdb",
        type=Path,
        help="after a build: copy the published marts into this DuckDB warehouse",
    )
    parser.add_argument(
        "--parts",
        type=Path,
        help="after a build: the row-grain marts as Parquet parts in this folder",
    )
    parser.add_argument("--target-path", type=Path, default=Path("target"))
    parser.add_argument("--publish-dir", type=Path, help="load its saved history")
    parser.add_argument(
        "--history", type=Path, help="the saved history as `segments run` read it"
    )
    parser.add_argument("--refit", action="store_true")
    parser.add_argument("--mode", choices=(MODE_FIT, MODE_SCORE))
    parser.add_argument("--mode-reason", default="")
    parser.add_argument("--floor", help="run_id,model_run_id,cluster_id")
    parser.add_argument("--vars", type=json.loads, default={})
    return parser


def main(argv: list[str] | None = None) -> None:
    args = arguments().parse_args(argv)
    credentials = target_profile(args.project_dir, args.target)
    spark = open_session(dict(credentials.server_side_parameters))
    try:
        if args.export:
            export_published(spark, credentials.schema, args.target_path, args.export)
        elif args.parts:
            write_parts(spark, credentials.schema, args.target_path, args.parts)
        elif args.export_duckdb:
            export_to_duckdb(
                spark, credentials.schema, args.target_path, args.export_duckdb
            )
        else:
            prepare_run(spark, args, credentials.schema)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
