"""Inputs read where they live: a table named as the engine spells it, in a
user's DuckDB database attached read only (``--attach shop.duckdb
--transaction-table shop.sales.orders``).

The table is looked at as a file is (inputs/files.py): its column names
matched to the columns through the header aliases, its rows counted and its
text columns' formats read, in one scan; typed columns (DATE, TIMESTAMP,
DECIMAL, integers) are read as such. dbt reads it through the same
``run_input`` view a file gets, naming the table where a file's path would
be. The database is attached with READ_ONLY in every connection that reads
it (here, and in dbt's through the dbt-duckdb plugin in
inputs/attach_plugin.py), so nothing of it is ever written; the table's name and
the file's path are quoted identifiers and literals, never rendered by a
template.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from customer_segmentation.engines.duckdb_limits import connect
from customer_segmentation.engines.sql_text import sql_identifier, sql_literal
from customer_segmentation.inputs.files import (
    INPUT_SCHEMA,
    MAX_COLUMNS,
    FileColumns,
    FileKind,
    InputError,
    inspect_file,
    match_columns,
    register_input,
    view_sql,
)
from customer_segmentation.inputs.formats import Evidence, evidence_sql
from customer_segmentation.messages import duckdb_reason

ATTACH_VARIABLE = "SEGMENTS_ATTACH"
PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Catalog names DuckDB or this product already use in a connection.
TAKEN_CATALOGS = {"memory", "system", "temp", "main", "warehouse", "serving"}


@dataclass(frozen=True)
class InputTable:
    """A table as the user named it: ``catalog.schema.table``,
    ``schema.table`` or ``table``."""

    name: str
    parts: tuple[str, ...]

    def __str__(self) -> str:
        return self.name

    @property
    def sql(self) -> str:
        return ".".join(sql_identifier(part) for part in self.parts)


def parse_table_name(raw: str, label: str) -> InputTable:
    parts = tuple(part.strip() for part in raw.strip().split("."))
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise InputError(
            f"{label} {raw!r} is not a table name: give catalog.schema.table, "
            "schema.table or table"
        )
    return InputTable(".".join(parts), parts)


def catalog_name(database: Path) -> str:
    """The catalog an attached database is read under: its file name
    without the extension."""
    name = database.stem
    if not PLAIN_NAME.fullmatch(name) or name.lower() in TAKEN_CATALOGS:
        raise InputError(
            f"database {database}: its name {name!r} cannot be a catalog name "
            "(letters, digits and underscores, not "
            f"{', '.join(sorted(TAKEN_CATALOGS))}); attach a copy or a link "
            "with another name"
        )
    return name


def attached_database() -> Path | None:
    """The database `segments run` was asked to attach (SEGMENTS_ATTACH)."""
    raw = os.environ.get(ATTACH_VARIABLE)
    return Path(raw).expanduser().resolve() if raw and raw.strip() else None


def attach_read_only(con: duckdb.DuckDBPyConnection, database: Path) -> None:
    try:
        con.execute(
            f"attach if not exists {sql_literal(str(database))} as "
            f"{sql_identifier(catalog_name(database))} (read_only)"
        )
    except duckdb.Error as error:
        # a program holding it open for writing, or not a DuckDB file
        raise InputError(
            f"database {database}: cannot be read: {duckdb_reason(error)}"
        ) from None


def read_columns(
    con: duckdb.DuckDBPyConnection, table: InputTable, label: str
) -> dict[str, str]:
    """Each column of the table with its DuckDB type."""
    try:
        described = con.execute(f"describe select * from {table.sql}").fetchall()
    except duckdb.CatalogException:
        raise InputError(f"{label} {table}: no such table") from None
    except duckdb.Error as error:
        raise InputError(
            f"{label} {table}: cannot be read: {duckdb_reason(error)}"
        ) from None
    return {name: column_type for name, column_type, *_ in described}


def inspect_table(
    table: InputTable,
    aliases: dict[str, tuple[str, ...]],
    kind: FileKind,
    database: Path | None,
) -> FileColumns:
    """What inspect_file says of a file, said of a table."""
    label = kind.table_label
    with connect() as con:
        if database is not None:
            attach_read_only(con, database)
        types = read_columns(con, table, label)
        if len(types) > MAX_COLUMNS:
            raise InputError(f"{label} {table}: is too wide to read: {len(types):,}")
        mapping, extra = match_columns(list(types), aliases, table.name, kind, label)
        aggregates = evidence_sql(mapping, types)
        select = ", ".join(["count(*)", *(sql for _, sql in aggregates)])
        rows, *values = con.execute(f"select {select} from {table.sql}").fetchone()
    if rows == 0:
        raise InputError(f"{label} {table}: has no rows")
    evidence = Evidence(
        **{name: value for (name, _), value in zip(aggregates, values, strict=True)}
    )
    zoned = tuple(
        column
        for column, name in mapping.items()
        if types[name].upper().startswith("TIMESTAMP WITH TIME ZONE")
    )
    return FileColumns(mapping, extra, int(rows), evidence=evidence, zoned=zoned)


def register_table(
    warehouse: Path,
    table: InputTable,
    found: FileColumns,
    kind: FileKind,
    database: Path | None,
) -> None:
    """dbt's run_input source for ``kind`` as a view over the table."""
    with connect(str(warehouse)) as con:
        if database is not None:
            attach_read_only(con, database)
        con.execute(f"create schema if not exists {INPUT_SCHEMA}")
        con.execute(view_sql(table.sql, table.name, found, kind))


def inspect_source(
    source: Path | InputTable,
    aliases: dict[str, tuple[str, ...]],
    kind: FileKind,
    database: Path | None,
) -> FileColumns:
    """A file or a table, matched, counted and its formats read."""
    if isinstance(source, InputTable):
        return inspect_table(source, aliases, kind, database)
    return inspect_file(source, aliases, kind)


def register_source(
    warehouse: Path,
    source: Path | InputTable | None,
    found: FileColumns | None,
    kind: FileKind,
    database: Path | None = None,
    empty: bool = False,
) -> None:
    """dbt's run_input view of ``kind``: over the file or the table."""
    if isinstance(source, InputTable) and found is not None:
        register_table(warehouse, source, found, kind, database)
    else:
        register_input(warehouse, source, found, kind, empty)
