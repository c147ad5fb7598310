"""A user's table in the cluster's metastore, read in place on Spark.

The cluster fixture (conftest.runs_on_a_cluster) starts a Hive metastore
service beside the standalone cluster, makes the user's schema ``shop`` with
the transactions demo as the external table ``shop.orders`` (the same rows
as the file, its columns named otherwise and the quantity typed), and runs
`segments run --transaction-table shop.orders` on the cluster against it.
"""

from pathlib import Path

import pytest
from mart_compare import assert_same_marts, table

# One worker takes every test of the cluster's runs, first, while the other
# runs the rest (pyproject: --dist=loadgroup; tests/spark comes first).
pytestmark = pytest.mark.xdist_group("spark-cluster")

MARK = "((customer_segmentation,owned))"


def test_the_same_rows_as_a_metastore_table_publish_the_same_marts(
    transactions_run, spark_transactions_run
):
    (audit,) = table(spark_transactions_run, "transaction_audit").to_pylist()
    assert audit["source_file"] == "shop.orders"
    assert "Transactions: shop.orders (8068 data rows)" in (
        spark_transactions_run.stdout
    )
    # the user's names, matched through the header aliases
    assert (
        "  columns: customer_id <- 'customer_id', purchase_date <- 'order_date', "
        "amount <- 'line_total', order_id <- 'invoice_no', quantity <- 'qty'"
    ) in spark_transactions_run.stdout
    assert_same_marts(transactions_run, spark_transactions_run)


def test_nothing_of_the_users_is_changed_and_the_runs_schemas_are_marked(
    cluster_runs,
):
    user_side = cluster_runs["user_side"]
    assert user_side["files_unchanged"]
    assert user_side["after"]["tables"] == user_side["made"]["tables"]
    assert user_side["after"]["shop_tables"] == ["orders", "orders_without_amount"]
    schemas = user_side["after"]["schemas"]
    assert schemas["shop"] == ""
    assert all(
        schemas[name] == MARK for name in ("segments", "run_input", "last_publish")
    )


def refusal(cluster_runs, name: str) -> str:
    run = cluster_runs[name]
    assert run["returncode"] != 0
    output = (run["stdout"] + run["stderr"]).splitlines()
    errors = [line for line in output if "error:" in line.lower()]
    assert len(errors) == 1, errors
    assert not Path(run["publish_dir"]).exists()
    return errors[0]


def test_a_missing_table_is_one_line_naming_it(cluster_runs):
    assert refusal(cluster_runs, "no_such_table") == (
        "segments: error: transactions table shop.returns: no such table"
    )


def test_a_missing_column_is_one_line_naming_the_table(cluster_runs):
    line = refusal(cluster_runs, "no_amount")
    assert line.startswith(
        "segments: error: transactions table shop.orders_without_amount: "
        "required column 'amount' not found"
    ), line
    assert "headers found: invoice_no, customer_id, order_date, qty" in line


def test_the_users_own_schema_is_refused_as_the_runs(cluster_runs):
    line = refusal(cluster_runs, "user_schema")
    assert line.startswith(
        "segments: error: schema shop in the metastore is not this product's"
    ), line
    # refused before anything was written: no table of the run's in it
    assert cluster_runs["user_side"]["after"]["shop_tables"] == [
        "orders",
        "orders_without_amount",
    ]
