"""The same dbt project on a Spark cluster as on DuckDB.

The Mall Customers file and the transactions demo are run by `segments run`
on both engines: DBT_TARGET=spark on a standalone master with two workers,
each its own JVM (tests/spark_cluster.py), the transactions read there as a
table of the cluster's metastore (test_metastore_tables.py). Every
published mart must hold
the same rows, but for what names the run itself (when it ran, the engine's
hash of the data, the file's path as each engine writes it); the tables with
a row per customer or per input row are written by the executors.
"""

import json
from decimal import Decimal

import duckdb
import pyarrow.parquet as pq
import pytest
from mart_compare import assert_same_marts, table
from pipeline_runs import REPO

from customer_segmentation.publishing.publish import (
    published_tables,
    read_dbt_manifest,
    row_grain_models,
)
from customer_segmentation.publishing.publish_folder import MANIFEST_FILE

# One worker takes every test of the cluster's runs, first, while the other
# runs the rest (pyproject: --dist=loadgroup; tests/spark comes first).
pytestmark = pytest.mark.xdist_group("spark-cluster")


def test_the_reference_analysis_on_spark(spark_reference_run):
    assert (spark_reference_run.publish_dir / "segments.duckdb").is_file()
    assert (spark_reference_run.publish_dir / "dashboard.html").is_file()
    elbow = table(spark_reference_run, "elbow_curve").to_pylist()
    assert [(r["k"], r["selection_rule"]) for r in elbow if r["is_chosen"]] == [
        (5, "knee")
    ]
    sizes = table(spark_reference_run, "cluster_summary")["customers"].to_pylist()
    assert sorted(sizes, reverse=True) == [81, 39, 35, 23, 22]


def test_every_published_mart_is_the_same_on_both_engines(
    reference_run, spark_reference_run
):
    assert_same_marts(reference_run, spark_reference_run)


def test_the_same_customers_get_the_same_segment_ids(
    reference_run, spark_reference_run
):
    def segments(table):
        return dict(
            zip(
                table["customer_id"].to_pylist(),
                table["cluster_id"].to_pylist(),
                strict=True,
            )
        )

    on_duckdb = segments(table(reference_run, "customer_segments"))
    assert len(on_duckdb) == 200
    assert segments(table(spark_reference_run, "customer_segments")) == on_duckdb


def test_the_transactions_demo_reconciles_to_the_cent_on_spark(
    transactions_run, spark_transactions_run
):
    audit = table(spark_transactions_run, "transaction_audit").to_pylist()
    (expected,) = table(transactions_run, "transaction_audit").to_pylist()
    assert audit == [{**expected, "source_file": audit[0]["source_file"]}], (
        "transaction_audit"
    )
    assert isinstance(audit[0]["amount_used"], Decimal)
    monetary = {
        row["customer_id"]: row["monetary"]
        for row in table(spark_transactions_run, "customer_rfm").to_pylist()
    }
    assert monetary == {
        row["customer_id"]: row["monetary"]
        for row in table(transactions_run, "customer_rfm").to_pylist()
    }
    assert sum(monetary.values()) == audit[0]["monetary_total"]
    assert_same_marts(transactions_run, spark_transactions_run)


def test_both_workers_ran_executors(cluster_runs):
    applications = cluster_runs["applications"]
    assert sorted(applications) == ["work1", "work2"]
    # registering the inputs, dbt's build, the copy and the parts: one
    # application each, per run, with an executor on every worker
    assert all(len(apps) >= 8 for apps in applications.values()), applications


def test_row_grain_tables_are_published_as_parts_the_executors_wrote(
    spark_reference_run, spark_transactions_run
):
    for run in (spark_reference_run, spark_transactions_run):
        manifest = json.loads((run.publish_dir / MANIFEST_FILE).read_text())
        models = published_tables(read_dbt_manifest(run.target_dir))
        row_grain = row_grain_models(models)
        assert {"customer_segments", "customer_rfm", "rejected_customers"} <= set(
            row_grain
        )
        for name in models:
            path = run.publish_dir / f"{name}.parquet"
            if name not in row_grain:
                assert path.is_file(), name
                continue
            parts = sorted(p.name for p in path.iterdir())
            assert parts and all(
                p.startswith("part-") and p.endswith(".parquet") for p in parts
            ), (name, parts)  # no commit marker, no checksum file
            assert {f"{name}.parquet/{p}" for p in parts} <= set(manifest["files"])
            with duckdb.connect(str(run.serving), read_only=True) as con:
                (served,) = con.sql(f"select count(*) from {name}").fetchone()
            assert served == pq.read_table(path).num_rows, name


def test_the_cluster_keeps_its_metastore_under_the_target_folder(
    spark_reference_run,
):
    assert (spark_reference_run.target_dir / "spark" / "metastore_db").is_dir()
    assert (spark_reference_run.target_dir / "spark" / "warehouse").is_dir()
    for stray in ("derby.log", "metastore_db", "spark-warehouse"):
        assert not (REPO / stray).exists(), stray


def test_an_engine_write_killed_half_way_leaves_the_published_set(cluster_runs):
    """Spark's executors writing the parts into a publish's work folder, the
    writer killed at its first part file (driver JVM and all): the published
    set is untouched, and the next run's clean-up removes the work folder,
    Spark's temporary commit files included, since its plan names them."""
    killed = cluster_runs["killed_engine_write"]
    assert any("part-" in name for name in killed["written"]), killed["written"]
    assert killed["published_unchanged"]
    assert killed["lines"] == [
        f"Removed {killed['work']}, the unfinished work of an interrupted run"
    ]
    assert not killed["work_left"]
