"""Published marts compared row by row between two runs (two engines, or a
file and the same rows as a table), but for the columns that say when and
where a run happened."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

# Columns that say when and where a run happened, not what it found.
RUN_COLUMNS = {"fitted_at", "run_at", "data_fingerprint", "source_file"}
# Sums of doubles in another order differ in the last bits, and an optimiser
# started from them stops elsewhere within its own tolerance.
FLOAT_TOLERANCE = 1e-6


def comparable(table: pa.Table) -> list[dict]:
    """Rows without the run's own columns, in a fixed order."""
    kept = table.select([c for c in table.column_names if c not in RUN_COLUMNS])
    rows = kept.to_pylist()
    return sorted(rows, key=lambda row: [repr(row[c]) for c in kept.column_names])


def assert_same_rows(duckdb_rows: list[dict], spark_rows: list[dict], name: str):
    assert len(duckdb_rows) == len(spark_rows), name
    for on_duckdb, on_spark in zip(duckdb_rows, spark_rows, strict=True):
        assert on_duckdb.keys() == on_spark.keys(), name
        for column, value in on_duckdb.items():
            other = on_spark[column]
            if isinstance(value, float | list) and other is not None:
                assert other == pytest.approx(value, rel=FLOAT_TOLERANCE), (
                    f"{name}.{column}"
                )
            else:
                assert other == value, f"{name}.{column}"


def table(run, name: str) -> pa.Table:
    return pq.read_table(run.publish_dir / f"{name}.parquet")


def assert_same_marts(duckdb_run, spark_run):
    names = duckdb_run.published_tables
    assert names
    assert spark_run.published_tables == names
    for name in names:
        assert_same_rows(
            comparable(table(duckdb_run, name)),
            comparable(table(spark_run, name)),
            name,
        )
