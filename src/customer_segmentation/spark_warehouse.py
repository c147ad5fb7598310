"""The input files on a Spark target: registered where dbt's sources look.

On DuckDB, `segments run` registers each input as a view in the warehouse
file (input_files.py). On Spark the same sources (``run_input.customers``,
``run_input.transactions``, ``run_input.file_formats``) are registered here,
in the metastore the dbt target uses: the session is opened with the
target's own settings, read from profiles.yml by dbt, so the profile stays
the one home of the Spark configuration.

Paths and values never enter SQL text: the file becomes an external table
through Spark's catalog API, the formats a table written from a DataFrame;
only the headers appear in the view, as quoted identifiers.

Usage (in .venv-spark): ``python -m customer_segmentation.spark_warehouse
--target spark_local [--input customers.csv] [--transactions lines.csv]``.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from customer_segmentation.input_files import (
    CUSTOMER_FILE,
    CUSTOMER_FILE_BESIDE_TRANSACTIONS,
    FORMATS_TABLE,
    INPUT_SCHEMA,
    TRANSACTION_FILE,
    FileColumns,
    FileKind,
    inspect_file,
    is_parquet,
    load_aliases,
)
from customer_segmentation.model_store import (
    ID_COLUMNS,
    REMEMBERED,
    IdFloor,
    choose_mode,
)
from customer_segmentation.run_steps import decide_formats
from customer_segmentation.settings import settings_from_vars

PROJECT_DIR = Path(__file__).resolve().parents[2]
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


def quoted(identifier: str) -> str:
    """A Spark SQL identifier for any header: backticks, doubled inside."""
    return "`" + identifier.replace("`", "``") + "`"


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
    columns = ",\n    ".join(
        f"cast({quoted(found.mapping[column])} as string) as {column}"
        if column in found.mapping
        else f"cast(null as string) as {column}"
        for column in kind.columns
    )
    spark.sql(
        f"create view {INPUT_SCHEMA}.{kind.view} as\n"
        f"select\n    {columns},\n    input_file_name() as source_file\n"
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


def register_run(spark: Any, dbt_vars: dict[str, object]) -> None:
    """run_input.run_context and id_floor, as `segments run` registers them
    for a publish folder with nothing saved yet: a Spark run always fits
    (reading a saved model back into Spark is not built yet)."""
    nothing_saved = {name: schema.empty_table() for name, schema in REMEMBERED.items()}
    mode = choose_mode(nothing_saved, settings_from_vars(dbt_vars), refit=False)
    floor = IdFloor()
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
        spark.sql(f"drop table if exists {INPUT_SCHEMA}.{table}")
        spark.createDataFrame(rows, schema).write.format("parquet").saveAsTable(
            f"{INPUT_SCHEMA}.{table}"
        )


def register_inputs(
    spark: Any,
    customers: Path | None,
    transactions: Path | None,
    project_dir: Path = PROJECT_DIR,
    dbt_vars: dict[str, object] | None = None,
) -> None:
    """Inspect the files (as `segments run` does) and register them."""
    aliases = load_aliases(project_dir / "seeds" / "column_aliases.csv")
    customer_kind = CUSTOMER_FILE_BESIDE_TRANSACTIONS if transactions else CUSTOMER_FILE
    found = customers and inspect_file(customers, aliases, customer_kind)
    found_transactions = transactions and inspect_file(
        transactions, aliases, TRANSACTION_FILE
    )
    formats, whole_number_ids = decide_formats(
        (
            (customer_kind, customers, found or None),
            (TRANSACTION_FILE, transactions, found_transactions or None),
        ),
        dbt_vars or {},
    )
    spark.sql(f"create schema if not exists {INPUT_SCHEMA}")
    if customers and found:
        register_file(spark, customers, found, customer_kind)
    elif transactions:
        register_no_rows(spark, customer_kind)
    else:
        spark.sql(f"drop view if exists {INPUT_SCHEMA}.{customer_kind.view}")
    if transactions and found_transactions:
        register_file(spark, transactions, found_transactions, TRANSACTION_FILE)
    else:
        spark.sql(f"drop view if exists {INPUT_SCHEMA}.{TRANSACTION_FILE.view}")
    register_formats(spark, formats, whole_number_ids)
    register_run(spark, dbt_vars or {})


def export_published(
    spark: Any, schema: str, target_dir: Path, folder: Path
) -> list[Path]:
    """Every published mart (dbt's manifest says which) as one Parquet file
    in ``folder``, read whole through Arrow: the marts are small."""
    import pyarrow.parquet as pq

    from customer_segmentation.publish import published_models, read_dbt_manifest

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in published_models(read_dbt_manifest(target_dir)):
        path = folder / f"{name}.parquet"
        pq.write_table(spark.table(f"{schema}.{name}").toArrow(), path)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--target", default="spark_local")
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR)
    parser.add_argument("--input", type=Path)
    parser.add_argument("--transactions", type=Path)
    parser.add_argument(
        "--export",
        type=Path,
        help="after a build: write the published marts to this folder as Parquet",
    )
    parser.add_argument("--target-path", type=Path, default=Path("target"))
    args = parser.parse_args(argv)
    credentials = target_profile(args.project_dir, args.target)
    spark = open_session(dict(credentials.server_side_parameters))
    try:
        if args.export:
            export_published(spark, credentials.schema, args.target_path, args.export)
        else:
            register_inputs(spark, args.input, args.transactions, args.project_dir)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
