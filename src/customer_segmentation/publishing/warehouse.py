"""The warehouse a run writes into must be the product's own.

dbt writes about fifty tables and views into its DuckDB file, replacing any
of the same name, so SEGMENTS_WAREHOUSE may only name a new file or one the
product created. The product marks a warehouse it creates with a one-row
table (``run_input.warehouse_owner``, written by `segments run` and by the
project's ``on-run-start`` hook). A warehouse from before that mark existed
is recognised by its whole content: only the project's own relations, and
the run context only `segments run` or the hook write.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from customer_segmentation.engines.duckdb_limits import connect
from customer_segmentation.inputs.files import INPUT_SCHEMA
from customer_segmentation.messages import duckdb_reason, setting

OWNER_TABLE = "warehouse_owner"
OWNER_TEXT = "customer-segmentation dbt warehouse"
DUCKDB_MAGIC = b"DUCK"
# dbt-duckdb's names for a relation being replaced: a killed run leaves them.
DBT_SUFFIXES = ("__dbt_tmp", "__dbt_backup")
LAST_PUBLISH = "last_publish"


class WarehouseError(Exception):
    """SEGMENTS_WAREHOUSE names a database this product must not write into."""


# Models earlier versions built under names since changed (0.1.0): a
# warehouse from before the owner mark may still hold them.
RENAMED_MODELS = frozenset(
    {
        "int_segment_model",
        "int_elbow_scores",
        "int_customer_behaviour",
        "int_rfm_as_of",
        "int_rfm_segment_cells",
    }
)


def project_relations(project_dir: Path) -> set[str]:
    """Names of the dbt project's models and seeds, now or in an earlier
    version: its relations in main."""
    models = [
        path.stem
        for folder in ("models", "python_models")
        for path in (project_dir / folder).rglob("*")
        if path.suffix in (".sql", ".py")
    ]
    seeds = [path.stem for path in (project_dir / "seeds").glob("*.csv")]
    return {*models, *seeds, *RENAMED_MODELS}


def relations(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Every (schema, name) of a table or view in the open database."""
    return con.execute(
        "select schema_name, table_name from duckdb_tables()"
        " where database_name = current_database()"
        " union all select schema_name, view_name from duckdb_views()"
        " where database_name = current_database() and not internal"
    ).fetchall()


def is_marked(found: list[tuple[str, str]], con: duckdb.DuckDBPyConnection) -> bool:
    if (INPUT_SCHEMA, OWNER_TABLE) not in found:
        return False
    rows = con.execute(f"select * from {INPUT_SCHEMA}.{OWNER_TABLE}").fetchall()
    return rows == [(OWNER_TEXT,)]


def is_marked_warehouse(warehouse: Path) -> bool:
    """A plain DuckDB file that carries the product's owner mark."""
    if warehouse.is_symlink() or not warehouse.is_file():
        return False
    try:
        with connect(str(warehouse), read_only=True) as con:
            return is_marked(relations(con), con)
    except duckdb.Error:
        return False


def is_earlier_warehouse(found: list[tuple[str, str]], known: set[str]) -> bool:
    """All of it the project's relations, with the run context a run wrote."""

    def ours(schema: str, name: str) -> bool:
        if schema in (INPUT_SCHEMA, LAST_PUBLISH):
            return True
        base = next((name[: -len(s)] for s in DBT_SUFFIXES if name.endswith(s)), name)
        return schema == "main" and base in known

    return (INPUT_SCHEMA, "run_context") in found and all(
        ours(schema, name) for schema, name in found
    )


def check_warehouse(warehouse: Path, project_dir: Path) -> None:
    """Refuse, before any write, a warehouse file the product did not create."""
    if not warehouse.exists() and not warehouse.is_symlink():
        return
    given = setting("SEGMENTS_WAREHOUSE")
    refused = f"{given} {warehouse} is not a warehouse this product created"
    advice = (
        "a run would write about fifty tables into it; name a new file, or unset "
        f"{given}. Nothing was changed."
    )
    if warehouse.is_symlink() or not warehouse.is_file():
        raise WarehouseError(f"{refused} (it is not a plain file); {advice}")
    with warehouse.open("rb") as handle:
        if handle.read(12)[8:12] != DUCKDB_MAGIC:
            raise WarehouseError(f"{refused} (it is not a DuckDB file); {advice}")
    try:
        with connect(str(warehouse), read_only=True) as con:
            found = relations(con)
            if is_marked(found, con):
                return
    except duckdb.Error as error:
        raise WarehouseError(
            f"{refused} (DuckDB cannot open it: {duckdb_reason(error)}); {advice}"
        ) from error
    if not is_earlier_warehouse(found, project_relations(project_dir)):
        raise WarehouseError(f"{refused} (it holds other tables); {advice}")


def mark_warehouse(con: duckdb.DuckDBPyConnection) -> None:
    """Mark the open warehouse as the product's own (see the module docstring)."""
    con.execute(f"create schema if not exists {INPUT_SCHEMA}")
    con.execute(
        f"create or replace table {INPUT_SCHEMA}.{OWNER_TABLE} as select ? as owner",
        [OWNER_TEXT],
    )
