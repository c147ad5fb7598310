"""A Spark table's values are read for their formats as a file's are: the
evidence scan in Spark's dialect gives DuckDB's answers on the shapes real
exports have (US and European number and date styles, padded ids)."""

import json
import subprocess

import duckdb
from spark_runs import REPO, SPARK_BIN, spark_env

from customer_segmentation.inputs.formats import evidence_sql

HEADERS = ["Customer ID", "Purchase Date", "Amount"]
MAPPING = {
    "customer_id": "Customer ID",
    "purchase_date": "Purchase Date",
    "amount": "Amount",
}
CASES = {
    "us": [
        ["00042", "12/31/2024", "1,234.50"],
        ["7", "1/5/2025", "15.5"],
        ["00042", "2/28/2025 10:15", "1,000"],
    ],
    "european": [
        ["42", "31/12/2024", "1.234,50"],
        ["7", "05.01.2025", "15,5"],
        ["108", "28-02-25", "2.000.000"],
    ],
    "not_whole_ids": [
        ["C-17", "2024-12-31", "12"],
        ["", "2025-01-05", "1,5"],
        ["1e3", "2025-02-28", "3"],
    ],
}


def on_duckdb(rows: list[list[str]]) -> dict:
    aggregates = evidence_sql(MAPPING)
    with duckdb.connect() as con:
        con.execute(
            "create table rows (" + ", ".join(f'"{h}" varchar' for h in HEADERS) + ")"
        )
        con.executemany("insert into rows values (?, ?, ?)", rows)
        select = ", ".join(sql for _, sql in aggregates)
        values = con.sql(f"select {select} from rows").fetchone()
    return dict(zip([name for name, _ in aggregates], values, strict=True))


def test_the_spark_evidence_scan_answers_as_duckdbs(tmp_path):
    cases = {
        name: {"headers": HEADERS, "mapping": MAPPING, "rows": rows}
        for name, rows in CASES.items()
    }
    result = subprocess.run(
        [
            str(SPARK_BIN / "python"),
            str(REPO / "tests" / "spark_evidence.py"),
            json.dumps(cases),
        ],
        env=spark_env(tmp_path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    on_spark = json.loads(result.stdout.strip().splitlines()[-1])
    expected = {name: on_duckdb(rows) for name, rows in CASES.items()}
    # the cases do settle something: both marks, both day orders, ids
    assert expected["us"]["point_decimals"] > 0
    assert expected["european"]["comma_decimals"] > 0
    assert expected["us"]["largest_second"] > 12
    assert expected["european"]["largest_first"] > 12
    assert not expected["not_whole_ids"]["whole_number_ids"]
    assert on_spark == expected
