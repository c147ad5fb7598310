"""What decides, before a Spark run writes, whether a metastore schema is
the product's, and how a Spark table's columns are told apart."""

from pathlib import Path

import pytest

from customer_segmentation.inputs.formats import SPARK, evidence_sql, written_as_text
from customer_segmentation.spark.tables import duckdb_type, lies_below


@pytest.mark.parametrize(
    ("location", "below"),
    [
        ("file:/runs/target/spark/warehouse/run_input.db", True),
        ("/runs/target/spark/warehouse/segments.db", True),
        ("file:/runs/target/spark-other/run_input.db", False),
        ("file:/runs/target/spark/../../shop.db", False),
        ("hdfs://cluster/runs/target/spark/warehouse/run_input.db", False),
        ("", False),
    ],
)
def test_an_unmarked_schema_is_taken_over_only_inside_the_runs_own_folder(
    location, below
):
    assert lies_below(location, Path("/runs/target/spark")) is below


@pytest.mark.parametrize(
    ("spark_type", "as_text"),
    [
        ("string", True),
        ("varchar(20)", True),
        ("int", False),
        ("bigint", False),
        ("decimal(12,2)", False),
        ("date", False),
    ],
)
def test_only_text_columns_of_a_spark_table_are_scanned_for_formats(
    spark_type, as_text
):
    assert written_as_text("amount", duckdb_type(spark_type)) is as_text


def test_ids_typed_as_fractions_are_still_checked_for_whole_numbers():
    assert written_as_text("customer_id", duckdb_type("double"))
    assert not written_as_text("customer_id", duckdb_type("bigint"))


def test_the_spark_evidence_quotes_names_with_backticks():
    aggregates = dict(evidence_sql({"customer_id": "Customer `ID`"}, None, SPARK))
    sql = aggregates["whole_number_ids"]
    assert "`Customer ``ID```" in sql
    assert "regexp_like(" in sql and "decimal(38, 0)" in sql
