"""A publish folder written by an earlier version keeps scoring.

tests/fixtures/publish_0.1.0 holds what version 0.1.0 (commit 660d6cc)
published on the demo customers and reads back: its manifest and the four
remembered tables, where segment_model_history still carried each feature's
scaling and centroids as columns (segment_model_features did not exist).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
from pipeline_runs import require_success, run_pipeline

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "publish_0.1.0"


def test_a_history_published_by_0_1_0_scores_with_the_same_segment_ids(tmp_path):
    publish = tmp_path / "publish"
    shutil.copytree(FIXTURE, publish)
    saved = pq.read_table(FIXTURE / "customer_segments.parquet").to_pylist()
    wide = pq.read_table(FIXTURE / "segment_model_history.parquet").to_pylist()

    run = require_success(run_pipeline(tmp_path, publish_dir=publish))

    assert "scored with model run 1" in run.stdout
    now = dict(run.query("select customer_id, cluster_id from customer_segments"))
    assert now == {row["customer_id"]: row["cluster_id"] for row in saved}
    features = run.query(
        "select cluster_id, feature, fitted_mean, fitted_sd, centroid, centroid_z"
        " from segment_model_features where model_run_id = 1 order by all"
    )
    assert features == sorted(
        (
            row["cluster_id"],
            feature,
            row[f"{feature}_mean"],
            row[f"{feature}_sd"],
            row[f"{feature}_centroid"],
            row[f"{feature}_centroid_z"],
        )
        for row in wide
        for feature in ("annual_income_k", "spending_score")
    )
    history = run.query("select model_run_id, cluster_id from segment_model_history")
    assert sorted(history) == sorted((1, row["cluster_id"]) for row in wide)
