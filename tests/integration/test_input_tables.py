"""Inputs read where they live: a user's DuckDB database attached read only,
its tables named as DuckDB spells them (`segments run --attach shop.duckdb
--customer-table shop.crm.customers`).

The same rows as a table publish the same marts as from a file; typed
columns (integers, DATE, DECIMAL) are read as such; the database file is
byte-identical after the run; a missing table or column is one line.
"""

import hashlib
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from mart_compare import assert_same_marts, table
from pipeline_runs import REPO, SEGMENTS, pipeline_env, require_success, run_pipeline

from customer_segmentation.engines.sql_text import sql_literal

DEMO_TRANSACTIONS = REPO / "demo" / "transactions.csv"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_database(path: Path, *statements: str) -> Path:
    with duckdb.connect(str(path)) as con:
        for statement in statements:
            con.execute(statement)
    return path


def table_env(database: Path, **tables: str) -> dict[str, str]:
    return {
        "SEGMENTS_ATTACH": str(database),
        **{f"SEGMENTS_{kind.upper()}_TABLE": name for kind, name in tables.items()},
    }


@pytest.fixture(scope="module")
def typed_customers(tmp_path_factory, reference_file):
    """The Mall Customers file as a table of integer columns, and its run."""
    folder = tmp_path_factory.mktemp("customer-table")
    database = make_database(
        folder / "shop.duckdb",
        "create schema crm",
        "create table crm.customers as select"
        ' "CustomerID"::integer as "CustomerID", "Gender",'
        ' "Age"::integer as "Age",'
        ' "Annual Income (k$)"::integer as "Annual Income (k$)",'
        ' "Spending Score (1-100)"::integer as "Spending Score (1-100)"'
        f" from read_csv({sql_literal(str(reference_file))})",
    )
    before = digest(database)
    run = run_pipeline(
        folder, extra_env=table_env(database, customer="shop.crm.customers")
    )
    return {"run": require_success(run), "database": database, "before": before}


def test_a_typed_customer_table_gives_the_reference_analysis(typed_customers):
    run = typed_customers["run"]
    assert "Input: shop.crm.customers (200 data rows)" in run.stdout
    chosen = [r["k"] for r in table(run, "elbow_curve").to_pylist() if r["is_chosen"]]
    assert chosen == [5]
    sizes = table(run, "cluster_summary")["customers"].to_pylist()
    assert sorted(sizes, reverse=True) == [81, 39, 35, 23, 22]
    (audit,) = table(run, "load_audit").to_pylist()
    assert audit["source_file"] == "shop.crm.customers"


def test_a_customer_table_publishes_what_its_file_does(typed_customers, reference_run):
    assert_same_marts(reference_run, typed_customers["run"])


def test_the_attached_database_is_byte_identical(typed_customers):
    assert digest(typed_customers["database"]) == typed_customers["before"]


def test_the_transactions_demo_as_a_table_publishes_what_its_file_does(
    tmp_path, transactions_run
):
    # read_csv's own types: ids and quantities as BIGINT, the rest as text
    # (the demo's dirty dates and amounts cannot be typed)
    database = make_database(
        tmp_path / "shop.duckdb",
        "create schema sales",
        "create table sales.orders as from read_csv("
        f"{sql_literal(str(DEMO_TRANSACTIONS))})",
    )
    before = digest(database)
    run = run_pipeline(
        tmp_path / "run",
        extra_env=table_env(database, transaction="shop.sales.orders"),
    )
    require_success(run)
    assert_same_marts(transactions_run, run)
    assert digest(database) == before


def test_dates_and_decimals_are_read_as_typed(tmp_path):
    """The demo's readable lines as DATE and DECIMAL(12, 2): each customer's
    monetary value is the table's own sum of its lines, to the cent (an exact
    repeat is counted, and flagged in transaction_audit)."""
    typed = (
        'select "Order ID", "Customer ID"::bigint as "Customer ID",'
        ' try_cast("Purchase Date" as date) as "Purchase Date",'
        ' "Quantity"::integer as "Quantity",'
        ' try_cast("Amount" as decimal(12, 2)) as "Amount"'
        f" from read_csv({sql_literal(str(DEMO_TRANSACTIONS))}, all_varchar = true)"
    )
    database = make_database(
        tmp_path / "shop.duckdb",
        f"create table orders as from ({typed}) where"
        ' "Purchase Date" is not null and "Amount" > 0'
        ' and "Customer ID" is not null',
    )
    with duckdb.connect(str(database), read_only=True) as con:
        types = dict(
            con.sql("select column_name, data_type from duckdb_columns()").fetchall()
        )
        expected = dict(
            con.sql(
                'select cast("Customer ID" as varchar), sum("Amount")'
                " from orders group by all"
            ).fetchall()
        )
    assert types["Purchase Date"] == "DATE"
    assert types["Amount"] == "DECIMAL(12,2)"
    run = require_success(
        run_pipeline(
            tmp_path / "run", extra_env=table_env(database, transaction="shop.orders")
        )
    )
    monetary = {
        row["customer_id"]: row["monetary"]
        for row in table(run, "customer_rfm").to_pylist()
    }
    assert monetary == expected
    assert all(isinstance(value, Decimal) for value in monetary.values())


def refused(tmp_path: Path, database: Path, **tables: str) -> str:
    """`segments run` on the tables: refused, its error line."""
    env = {
        **pipeline_env(tmp_path, None, None, tmp_path / "publish"),
        **table_env(database, **tables),
    }
    result = subprocess.run(
        SEGMENTS, cwd=REPO, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "publish").exists()
    return result.stderr.strip().splitlines()[-1]


def test_a_missing_table_or_column_is_one_line(tmp_path):
    database = make_database(
        tmp_path / "shop.duckdb",
        "create table orders as select 1 as client, 2.5 as amount",
    )
    before = digest(database)
    assert refused(tmp_path, database, transaction="shop.nowhere") == (
        "segments: error: transactions table shop.nowhere: no such table"
    )
    line = refused(tmp_path, database, transaction="shop.orders")
    assert line.startswith(
        "segments: error: transactions table shop.orders: required column "
        "'customer_id' not found"
    )
    assert digest(database) == before


def test_a_file_that_is_not_a_duckdb_database_is_one_line_and_untouched(tmp_path):
    notes = tmp_path / "notes.duckdb"
    notes.write_text("my notes, not a database\n")
    line = refused(tmp_path, notes, customer="notes.customers")
    assert line.startswith(f"segments: error: database {notes}: cannot be read")
    assert notes.read_text() == "my notes, not a database\n"
