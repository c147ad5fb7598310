"""Same input, same published tables; row order of the file does not matter."""

from pathlib import Path

import duckdb
import pytest
from pipeline_runs import (
    DEMO_FILE,
    DEMO_TRANSACTIONS,
    RUN_HISTORY_TABLES,
    PipelineRun,
    require_success,
    run_pipeline,
    shuffled_copy,
)


def input_tables(run: PipelineRun) -> list[str]:
    """The published tables that depend on the input alone."""
    return [t for t in run.published_tables if t not in RUN_HISTORY_TABLES]


def published_rows(run: PipelineRun) -> dict[str, list[tuple]]:
    with duckdb.connect(str(run.serving), read_only=True) as con:
        return {
            model: con.sql(f"select * from {model} order by all").fetchall()
            for model in input_tables(run)
        }


def segment_of_each_customer(run: PipelineRun) -> dict[str, tuple[int, str]]:
    rows = run.query(
        "select customer_id, cluster_id, segment_name from customer_segments"
    )
    return {customer: (cluster, name) for customer, cluster, name in rows}


def test_two_runs_publish_identical_tables(demo_run, tmp_path):
    again = require_success(run_pipeline(tmp_path / "again"))
    assert published_rows(again) == published_rows(demo_run)
    # The model tables carry run ids and times by design; everything else
    # must be byte for byte the same.
    for model in input_tables(demo_run):
        first = (demo_run.publish_dir / f"{model}.parquet").read_bytes()
        second = (again.publish_dir / f"{model}.parquet").read_bytes()
        assert first == second, f"{model}.parquet differs between two runs"


@pytest.mark.parametrize("source", ["demo", "reference"])
def test_shuffled_rows_give_every_customer_the_same_segment(source, request, tmp_path):
    if source == "demo":
        original_file = DEMO_FILE
        original = request.getfixturevalue("demo_run")
    else:
        original_file = request.getfixturevalue("reference_file")
        original = request.getfixturevalue("reference_run")
    shuffled_file = shuffled_copy(original_file, tmp_path / "shuffled.csv", seed=7)
    assert shuffled_file.read_bytes() != Path(original_file).read_bytes()

    shuffled = require_success(run_pipeline(tmp_path / "run", shuffled_file))

    assert segment_of_each_customer(shuffled) == segment_of_each_customer(original)
    for model in ("cluster_summary", "elbow_curve", "segment_overview"):
        assert published_rows(shuffled)[model] == published_rows(original)[model]


def test_shuffled_transactions_give_the_same_behaviour_and_segments(
    transactions_run, tmp_path
):
    """File order decides only row numbers and which copy of a repeat is
    flagged; every customer's RFM, named segment and cluster stay."""
    shuffled_file = shuffled_copy(DEMO_TRANSACTIONS, tmp_path / "shuffled.csv", seed=3)
    shuffled = require_success(
        run_pipeline(tmp_path / "run", transactions=shuffled_file)
    )
    for model in ("customer_rfm", "rfm_grid", "rfm_segment_summary", "rfm_score_edges"):
        assert (
            published_rows(shuffled)[model] == published_rows(transactions_run)[model]
        ), model
    assert segment_of_each_customer(shuffled) == segment_of_each_customer(
        transactions_run
    )
