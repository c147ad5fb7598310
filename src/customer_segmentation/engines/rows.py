"""What the dbt Python models read from the warehouse, on either engine.

A dbt Python model gets its refs as DuckDB relations (dbt-duckdb) or Spark
DataFrames (dbt-spark, dbt-databricks). The fit and the lifetime-value
models ask them only a few questions: a one-row aggregate, distinct groups
with their counts, a seeded sample, the whole (small) table. ``rows_of``
wraps either kind behind those questions; the heavy lifting stays in the
engine, and only small results come back as Arrow. ``for_engine`` hands an
Arrow result back in the form the engine's materialization takes.

No dbt imports: the models are thin adapters over this module.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import pyarrow as pa


class Rows(Protocol):
    def one(self, *expressions: str) -> tuple:
        """The expressions (aggregates) over every row, as one tuple."""

    def counted(
        self, columns: tuple[str, ...], where: str | None = None
    ) -> dict[str, np.ndarray]:
        """Each distinct combination of ``columns`` (rows matching
        ``where``) with its row count as ``customers``, ordered by them."""

    def sample(self, columns: tuple[str, ...], size: int) -> pa.Table:
        """Up to ``size`` rows picked by a hash of customer_id (a fixed set
        whatever the row order: every row when there are that few), sorted by
        customer_id."""

    def fingerprint(self, columns: tuple[str, ...]) -> int:
        """A hash of the rows' ``columns`` that ignores row order."""

    def arrow(self) -> pa.Table:
        """Every row, for small tables."""


def _as_numpy(table: pa.Table) -> dict[str, np.ndarray]:
    return {name: table.column(name).to_numpy() for name in table.column_names}


class DuckDBRows:
    def __init__(self, relation: Any) -> None:
        self.relation = relation

    def one(self, *expressions: str) -> tuple:
        return self.relation.aggregate(", ".join(expressions)).fetchone()

    def counted(self, columns, where=None):
        key = ", ".join(columns)
        rows = self.relation if where is None else self.relation.filter(where)
        counted = rows.aggregate(f"{key}, count(*) as customers", key)
        return counted.order(key).fetchnumpy()

    def sample(self, columns, size):
        return (
            self.relation.select(*columns)
            .order("hash(customer_id), customer_id")
            .limit(size)
            .order("customer_id")
            .to_arrow_table()
        )

    def fingerprint(self, columns):
        (value,) = self.one(f"bit_xor(hash({', '.join(columns)}))")
        return int(value or 0)

    def arrow(self):
        return self.relation.to_arrow_table()


class SparkRows:
    def __init__(self, frame: Any) -> None:
        self.frame = frame

    def one(self, *expressions: str) -> tuple:
        return tuple(self.frame.selectExpr(*expressions).first())

    def counted(self, columns, where=None):
        rows = self.frame if where is None else self.frame.where(where)
        counted = (
            rows.groupBy(*columns)
            .count()
            .withColumnRenamed("count", "customers")
            .orderBy(*columns)
        )
        return _as_numpy(counted.toArrow())

    def sample(self, columns, size):
        return (
            self.frame.selectExpr(*columns)
            .orderBy(self._expression("xxhash64(customer_id)"), "customer_id")
            .limit(size)
            .orderBy("customer_id")
            .toArrow()
        )

    def fingerprint(self, columns):
        (value,) = self.one(f"bit_xor(xxhash64({', '.join(columns)}))")
        return int(value or 0) & (2**64 - 1)

    def arrow(self):
        return self.frame.toArrow()

    @staticmethod
    def _expression(sql: str) -> Any:
        from pyspark.sql.functions import expr

        return expr(sql)


def rows_of(ref: Any) -> Rows:
    """The engine's ref (a DuckDB relation or a Spark DataFrame) as Rows."""
    if hasattr(ref, "selectExpr"):
        return SparkRows(ref)
    return DuckDBRows(ref)


def for_engine(table: pa.Table, session: Any) -> Any:
    """An Arrow result as the engine's materialization takes it: Arrow for
    dbt-duckdb, a DataFrame of the session for Spark."""
    if hasattr(session, "createDataFrame"):
        return session.createDataFrame(table)
    return table
