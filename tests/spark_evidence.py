"""The formats evidence scan (formats.evidence_sql) on Spark, over rows
given as JSON: run in .venv-spark by tests/spark/test_spark_evidence.py,
which compares the answers with DuckDB's. Prints one JSON line."""

from __future__ import annotations

import json
import sys

from pyspark.sql import SparkSession

from customer_segmentation.inputs.formats import SPARK, evidence_sql


def main() -> None:
    cases = json.loads(sys.argv[1])
    spark = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    answers = {}
    try:
        for name, case in cases.items():
            frame = spark.createDataFrame(
                case["rows"], ", ".join(f"`{h}` string" for h in case["headers"])
            )
            frame.createOrReplaceTempView("rows")
            aggregates = evidence_sql(case["mapping"], None, SPARK)
            select = ", ".join(sql for _, sql in aggregates)
            values = spark.sql(f"select {select} from rows").first()
            answers[name] = dict(
                zip([n for n, _ in aggregates], list(values), strict=True)
            )
    finally:
        spark.stop()
    print(json.dumps(answers))


if __name__ == "__main__":
    main()
