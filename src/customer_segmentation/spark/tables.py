"""A Spark target's metastore: the user's tables read in place, and the
schemas the run writes, which must be the product's own.

``segments run --transaction-table shop.orders`` on a Spark target reads the
table where it lives, in the metastore the target's session uses (the
cluster's own metastore service, SEGMENTS_SPARK_METASTORE, or the one under
the target folder). It is looked at as a file is (inputs/tables.py does the
same on DuckDB): its column names matched through the header aliases, its
rows counted and its text columns' formats read, in one Spark job whose
answer is one row; typed columns are read as such. dbt reads it through the
same ``run_input`` view a file gets; the table's name reaches the view as
data (a one-row table the view joins), never as SQL text.

The run writes three schemas: the target's (dbt's models), ``run_input`` and
``last_publish``. In a metastore shared with other people's tables each
carries the product's mark (a database property); a schema of that name
without the mark is refused before anything is written, unless it lies in
the run's own target folder (an earlier version's, which is taken over).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from customer_segmentation.engines.sql_text import spark_identifier
from customer_segmentation.inputs.files import (
    INPUT_SCHEMA,
    MAX_COLUMNS,
    FileColumns,
    FileKind,
    InputError,
    match_columns,
)
from customer_segmentation.inputs.formats import SPARK, Evidence, evidence_sql
from customer_segmentation.inputs.tables import InputTable

MARK_KEY = "customer_segmentation"
MARK_VALUE = "owned"
# Spark's names for the types formats.written_as_text tells apart
SPARK_TYPES = {
    "string": "VARCHAR",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "bigint": "BIGINT",
}
NOT_FOUND = ("TABLE_OR_VIEW_NOT_FOUND", "SCHEMA_NOT_FOUND")


class SchemaRefused(InputError):
    """A schema the run would write is someone else's."""


def duckdb_type(spark_type: str) -> str:
    """A Spark column type as DuckDB names it (inputs/formats.py reads those)."""
    name = spark_type.lower()
    if name.startswith(("varchar", "char")):
        return "VARCHAR"
    return SPARK_TYPES.get(name, name.upper())


def table_sql(table: InputTable) -> str:
    return ".".join(spark_identifier(part) for part in table.parts)


def first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else repr(error)


def read_columns(spark: Any, table: InputTable, label: str) -> dict[str, str]:
    """Each column of the table with its type, in DuckDB's words."""
    from pyspark.errors import AnalysisException

    try:
        dtypes = spark.table(table_sql(table)).dtypes
    except AnalysisException as error:
        if error.getCondition() in NOT_FOUND:
            raise InputError(f"{label} {table}: no such table") from None
        raise InputError(
            f"{label} {table}: cannot be read: {first_line(error)}"
        ) from None
    return {name: duckdb_type(column_type) for name, column_type in dtypes}


def inspect_spark_table(
    spark: Any,
    table: InputTable,
    aliases: dict[str, tuple[str, ...]],
    kind: FileKind,
) -> FileColumns:
    """What inspect_file says of a file, said of a metastore table."""
    label = kind.table_label
    types = read_columns(spark, table, label)
    if len(types) > MAX_COLUMNS:
        raise InputError(f"{label} {table}: is too wide to read: {len(types):,}")
    mapping, extra = match_columns(list(types), aliases, table.name, kind, label)
    aggregates = evidence_sql(mapping, types, SPARK)
    select = ", ".join(["count(*)", *(sql for _, sql in aggregates)])
    rows, *values = spark.sql(f"select {select} from {table_sql(table)}").first()
    if rows == 0:
        raise InputError(f"{label} {table}: has no rows")
    evidence = Evidence(
        **{name: value for (name, _), value in zip(aggregates, values, strict=True)}
    )
    # a Spark TIMESTAMP is cast to text in the session's time zone, which the
    # profile sets to UTC: no column needs the DuckDB path's conversion
    return FileColumns(mapping, extra, int(rows), evidence=evidence)


def text_columns_sql(found: FileColumns, kind: FileKind) -> str:
    """``kind``'s columns as text under their own names, read from the
    input's matched columns (null where it lacks an optional one)."""
    return ",\n    ".join(
        f"cast({spark_identifier(found.mapping[column])} as string) as {column}"
        if column in found.mapping
        else f"cast(null as string) as {column}"
        for column in kind.columns
    )


def register_spark_table(
    spark: Any, table: InputTable, found: FileColumns, kind: FileKind
) -> None:
    """dbt's run_input source for ``kind`` as a view over the table."""
    view = f"{INPUT_SCHEMA}.{kind.view}"
    source = f"{INPUT_SCHEMA}.{kind.view}_source"
    spark.sql(f"drop view if exists {view}")
    spark.sql(f"drop table if exists {source}")
    spark.createDataFrame([(table.name,)], "source_file string").write.format(
        "parquet"
    ).saveAsTable(source)
    spark.sql(
        f"create view {view} as\n"
        f"select\n    {text_columns_sql(found, kind)},\n    named.source_file\n"
        f"from {table_sql(table)}\ncross join {source} as named"
    )


def schema_facts(spark: Any, name: str) -> tuple[bool, str] | None:
    """Whether the schema carries the product's mark, and where it lies;
    None where there is no such schema."""
    if not spark.catalog.databaseExists(name):
        return None
    facts = {
        row.info_name: row.info_value
        for row in spark.sql(
            f"describe schema extended {spark_identifier(name)}"
        ).collect()
    }
    # Spark prints the properties as ((key,value), (key,value))
    marked = f"({MARK_KEY},{MARK_VALUE})" in facts.get("Properties", "")
    return marked, facts.get("Location", "")


def lies_below(location: str, folder: Path) -> bool:
    parsed = urlparse(location)
    if parsed.scheme not in ("", "file"):
        return False
    return Path(parsed.path).resolve().is_relative_to(folder.resolve())


def claim_schemas(spark: Any, names: list[str], own_folder: Path) -> None:
    """Each schema the run writes created with the product's mark, or found
    with it; refused (before anything is written) where it is someone
    else's. ``own_folder``: the target's Spark folder, whose unmarked
    schemas an earlier version made."""
    found = {name: schema_facts(spark, name) for name in names}
    for name, facts in found.items():
        if facts and not facts[0] and not lies_below(facts[1], own_folder):
            raise SchemaRefused(
                f"schema {name} in the metastore is not this product's (no "
                f"{MARK_KEY} mark, at {facts[1]}): the run would write there; "
                "give its own schema with SEGMENTS_SPARK_SCHEMA, or drop this "
                "one if an earlier run made it"
            )
    mark = f"dbproperties ('{MARK_KEY}' = '{MARK_VALUE}')"
    for name, facts in found.items():
        if facts is None:
            spark.sql(f"create schema {spark_identifier(name)} with {mark}")
        elif not facts[0]:
            spark.sql(f"alter schema {spark_identifier(name)} set {mark}")
