"""The user's side of a metastore: their tables, made and looked at as they
would with Spark, run in .venv-spark by the Spark tier (conftest.py).

``create URI FOLDER``: schema ``shop`` with two external tables over the
Parquet files in FOLDER (written there by the test): ``shop.orders`` and
``shop.orders_without_amount``. ``describe URI FOLDER``: every table's
definition and every schema's properties, as JSON, so the test can tell
that a run changed nothing of the user's and marked its own schemas.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pyspark.sql import SparkSession

TABLES = ("orders", "orders_without_amount")
# what describe shows that changes when anybody reads the table
VOLATILE = {"Last Access", "Statistics"}


def session(uri: str, folder: Path) -> SparkSession:
    return (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.hadoop.hive.metastore.uris", uri)
        .config("spark.sql.warehouse.dir", str(folder / "warehouse"))
        .enableHiveSupport()
        .getOrCreate()
    )


def create(spark: SparkSession, folder: Path) -> None:
    location = str(folder / "shop.db").replace("'", "''")
    spark.sql(f"create schema shop location '{location}'")
    for name in TABLES:
        spark.catalog.createTable(
            f"shop.{name}", path=str(folder / name), source="parquet"
        )


def describe(spark: SparkSession) -> dict:
    tables = {
        name: [
            [row.col_name, row.data_type]
            for row in spark.sql(f"describe table extended shop.{name}").collect()
            if row.col_name not in VOLATILE
        ]
        for name in TABLES
    }
    schemas = {
        row.namespace: {
            fact.info_name: fact.info_value
            for fact in spark.sql(
                f"describe schema extended `{row.namespace}`"
            ).collect()
        }.get("Properties", "")
        for row in spark.sql("show schemas").collect()
    }
    listed = sorted(row.tableName for row in spark.sql("show tables in shop").collect())
    return {"tables": tables, "schemas": schemas, "shop_tables": listed}


def main() -> None:
    command, uri, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    spark = session(uri, folder)
    try:
        if command == "create":
            create(spark, folder)
        print(json.dumps(describe(spark)))
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
