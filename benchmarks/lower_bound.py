"""What a pipeline run must do that the floor does not, timed part by part.

The floor (floor.py) scans the file, fits once and writes one Parquet file.
A pipeline run must also start and parse dbt, parse every row in
staging, run the elbow and the fit, score every customer in SQL, and
publish the customer tables twice (into the serving DuckDB file and as
Parquet). This times each of those
parts alone, on the work folder of a finished run on a customer file
(`make bench` leaves <data-dir>/work_<rows>). Nothing is written to the
warehouse and no dbt test runs, so the sum is a lower bound on the
pipeline's time for that file. Prints seconds per part and the sum as JSON.

    .venv/bin/python benchmarks/lower_bound.py /tmp/segments-bench/work_10000000
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb

from customer_segmentation.engines.duckdb_limits import memory_limit
from customer_segmentation.engines.rows import rows_of
from customer_segmentation.engines.sql_text import sql_literal
from customer_segmentation.publishing.publish import SERVING_STORAGE_VERSION
from customer_segmentation.segment_model.schemas import MODEL_SCHEMA, RUNS_SCHEMA
from customer_segmentation.segment_model.settings import settings_from_vars
from customer_segmentation.segment_model.tables import elbow_table, fit_model_table

REPO = Path(__file__).resolve().parents[1]
COMPILED = Path("compiled/customer_segmentation/models")
STAGING_SQL = COMPILED / "staging/customer_file/stg_customer_file__customers.sql"
STAGING_READS = (
    "count(*), max(customer_id), max(gender),"
    " max(raw_customer_id), sum(age), sum(annual_income_k), sum(spending_score)"
)
SCORING_SQL = COMPILED / "intermediate/segments/int_customers_scored.sql"
SCORING_READS = (
    "count(*), max(customer_id), sum(cluster_id), max(segment_name),"
    " sum(distance_to_centroid), count_if(is_outlier)"
)
CUSTOMER_TABLES = ("customer_segments",)


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def connect(warehouse: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(
        str(warehouse), read_only=True, config={"memory_limit": memory_limit()}
    )


def dbt_parse(scratch: Path) -> None:
    """A full parse, dbt's import included, in a target folder of its own."""
    env = {
        **os.environ,
        "DBT_TARGET_PATH": str(scratch / "target"),
        "DBT_LOG_PATH": str(scratch / "logs"),
        "DBT_PROFILES_DIR": str(REPO),
        "SEGMENTS_WAREHOUSE": str(scratch / "parse.duckdb"),
    }
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [str(dbt), "parse", "--no-partial-parse", "--project-dir", str(REPO)],
        env=env,
        check=True,
        capture_output=True,
    )


def compiled_select(target: Path, warehouse: Path, model: Path, reads: str) -> None:
    """A model's compiled query as the run compiled it, nothing written.

    ``reads`` aggregates every column, so no column is pruned from the plan.
    """
    query = (target / model).read_text(encoding="utf-8")
    with connect(warehouse) as con:
        con.execute(f"select {reads} from ({query})").fetchall()


def elbow_and_fit(warehouse: Path) -> dict[str, float]:
    """The two Python models' library calls, on the run's featurized customers."""
    settings = settings_from_vars(None)
    with connect(warehouse) as con:
        customers = rows_of(con.table("int_customers_featurized"))
        start = time.perf_counter()
        elbow = elbow_table(customers, settings)
        elbow_seconds = time.perf_counter() - start
        fit_seconds = timed(
            lambda: fit_model_table(
                customers,
                elbow,
                MODEL_SCHEMA.empty_table(),
                RUNS_SCHEMA.empty_table(),
                settings,
                fitted_at=datetime(2000, 1, 1),
            )
        )
    return {"elbow": elbow_seconds, "fit": fit_seconds}


def publish_customer_tables(warehouse: Path, scratch: Path) -> None:
    """The customer table into a serving file and as Parquet, unsorted."""
    with duckdb.connect(config={"memory_limit": memory_limit()}) as con:
        con.execute(f"attach {sql_literal(str(warehouse))} as warehouse (read_only)")
        serving = sql_literal(str(scratch / "serving.duckdb"))
        con.execute(
            f"attach {serving} as serving (storage_version '{SERVING_STORAGE_VERSION}')"
        )
        for table in CUSTOMER_TABLES:
            con.execute(
                f"create table serving.main.{table} as"
                f" select * from warehouse.main.{table}"
            )
            parquet = sql_literal(str(scratch / f"{table}.parquet"))
            con.execute(f"copy serving.main.{table} to {parquet} (format parquet)")


def lower_bound(work: Path) -> dict[str, object]:
    target = work / "target"
    warehouse = target / "warehouse.duckdb"
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        seconds = {
            "dbt_parse": timed(lambda: dbt_parse(scratch)),
            "staging_select": timed(
                lambda: compiled_select(target, warehouse, STAGING_SQL, STAGING_READS)
            ),
            **elbow_and_fit(warehouse),
            "scoring_select": timed(
                lambda: compiled_select(target, warehouse, SCORING_SQL, SCORING_READS)
            ),
            "customer_tables_published": timed(
                lambda: publish_customer_tables(warehouse, scratch)
            ),
        }
    return {"seconds": seconds, "total": sum(seconds.values())}


if __name__ == "__main__":
    print(json.dumps(lower_bound(Path(sys.argv[1]))))
