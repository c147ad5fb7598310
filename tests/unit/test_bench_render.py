"""BENCHMARKS.md is rendered from stored results, fit-only ones included."""

from bench_harness import load_harness


def run(seconds: float) -> dict:
    return {
        "runs": 1,
        "seconds": seconds,
        "seconds_all": [seconds],
        "peak_mb": 1000.0,
        "stages": {"clean": 1.0, "publish": 2.0},
    }


def result(rows: int, **extra) -> dict:
    return {
        "rows": rows,
        "format": "csv",
        "machine": {
            "cpu": "test cpu",
            "cores": 2,
            "memory_gb": 4.0,
            "python": "3.11",
            "versions": {"duckdb": "1"},
            "commit": "abc1234",
            "duckdb_memory_limit": "1GB",
        },
        "pipeline_fit": run(30.0),
        "quality": {
            "k": 5,
            "k_rule": "knee",
            "generating_groups": 5,
            "elbow_customers": 20_000,
            "adjusted_rand_index": 0.98,
            "sql_vs_predict_disagreements": 0,
            "customers": rows,
        },
        **extra,
    }


def test_ratios_come_from_the_medians_and_missing_runs_read_n_a():
    with_references = result(
        1_000, pipeline_score=run(20.0), notebook=run(60.0), floor=run(10.0)
    )
    fit_only = result(100_000_000)

    page = load_harness().render([fit_only, with_references])

    rows = [line for line in page.splitlines() if line.startswith("| 1")]
    # fit, score, notebook, floor, fit / notebook, fit / floor
    assert rows[0].startswith("| 1,000 | csv | 30.0 | 20.0 | 60.0 | 10.0 | 0.50 | 3.00")
    assert rows[1].startswith("| 100,000,000 | csv | 30.0 | n/a | n/a | n/a | n/a |")
    assert "| 100,000,000 | score |" not in page


def test_the_targets_are_checked_against_the_stored_results():
    ten = result(10_000_000, floor=run(10.0))
    ten["format"] = "parquet"  # fit 30 s against a 10 s floor: 3.00, at the limit
    small = result(200, pipeline_score=run(20.0), notebook=run(5.0))

    page = load_harness().render([small, ten])

    targets = page.split("## Against the lean-run and lifetime-value targets")[1]
    assert "| 10M customers, parquet: fit / floor | 3.00 | 3.00 | met |" in targets
    assert (
        "| 10M customers, parquet: peak memory (MB) | 1,000.00 | 2,048.00 | met |"
        in (targets)
    )
    assert "| 200 customers, csv: repeat run / notebook | 4.00 | 3.00 | missed |" in (
        targets
    )
    assert "| 10M customers, csv: fit / floor | not measured |" in targets


def test_what_lifetime_value_adds_is_read_against_a_run_without_it():
    customers = result(10_000_000)
    transactions = result(10_000_000, kind="transactions")
    transactions["quality"] |= {"transactions": 10_000_000, "revenue_reconciled": True}
    transactions["customer_file_fit"] = run(40.0)
    transactions["pipeline_fit_without_clv"] = run(25.0)
    transactions["pipeline_fit"]["stages"] |= {"transactions": 9.0, "clv": 5.0}
    older = result(5_000_000, kind="transactions")
    older["quality"] |= {"transactions": 5_000_000, "revenue_reconciled": True}
    older["customer_file_fit"] = run(20.0)
    older["pipeline_fit"]["stages"] |= {"transactions": 4.0}

    page = load_harness().render([customers, transactions, older])

    # 30 s with lifetime value against 25 s without: 20% more, within 30%
    assert (
        "| 10M transactions: run / run without lifetime value - 1 | 0.20 | 0.30 "
        "| met |" in page
    )
    rows = [line for line in page.splitlines() if line.startswith("| 10,000,000 | ")]
    assert any("| 9.0 | 5.0 | 25.0 | 40.0 |" in row for row in rows), rows
    rows = [line for line in page.splitlines() if line.startswith("| 5,000,000 | ")]
    assert any("| 4.0 | n/a | n/a | 20.0 |" in row for row in rows), rows


def test_a_local_spark_run_is_a_row_of_its_own():
    bench = load_harness()
    spark = {
        "kind": "spark_local",
        "rows": 1_000_000,
        "format": "csv",
        "machine": result(1)["machine"],
        "runs": 1,
        "seconds": 130.0,
        "peak_mb": 3000.0,
        "steps": {"register": 10.0, "build": 100.0, "export": 5.0, "publish": 2.0},
    }
    text = bench.render([result(1_000_000), spark])
    assert "## On a local Spark (for information)" in text
    row = "| 1,000,000 | csv | 130.0 | 10.0 | 100.0 | 5.0 | 2.0 | 3000 | 1 | abc1234 |"
    assert row in text
    # not a DuckDB row
    assert text.count("| 1,000,000 | csv |") == 2
