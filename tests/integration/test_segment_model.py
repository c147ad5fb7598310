"""A persisted model: scoring without refits, stable ids, retirement, drift.

Every test starts from a copy of the reference run's publish folder (a first
fit), so the shared fixture is never changed and each test has its own
history.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pytest
from customer_files import read_rows, write_csv
from pipeline_runs import PipelineRun, require_success, run_pipeline

from customer_segmentation.inputs.synthetic import chunks
from customer_segmentation.segment_model.saved_model import read_saved_model

pytestmark = pytest.mark.reference

DRIFT_TEST = "assert_drift_within_threshold"


def copy_of_publish(run: PipelineRun, tmp_path: Path) -> Path:
    copy = tmp_path / "publish"
    shutil.copytree(run.publish_dir, copy)
    return copy


def segments_by_customer(run: PipelineRun) -> dict[str, tuple[int, str]]:
    rows = run.query(
        "select customer_id, cluster_id, segment_name from customer_segments"
    )
    return {customer: (cluster, name) for customer, cluster, name in rows}


def active_segments(run: PipelineRun) -> set[tuple[int, str]]:
    return set(run.query("select cluster_id, segment_name from segment_model"))


def latest_run(run: PipelineRun) -> dict[str, object]:
    with duckdb.connect(str(run.serving), read_only=True) as con:
        row = con.sql("select * from segment_runs order by run_id desc limit 1")
        return dict(zip(row.columns, row.fetchone(), strict=True))


def drift_test_status(run: PipelineRun) -> str:
    results = json.loads((run.target_dir / "run_results.json").read_text())
    [status] = [r["status"] for r in results["results"] if DRIFT_TEST in r["unique_id"]]
    return status


def predict_with_saved_model(run: PipelineRun, customers: list[str]) -> list[int]:
    """scikit-learn's KMeans.predict with the published segment model."""
    saved = read_saved_model(run.publish_dir)
    wanted = ", ".join(f"'{c}'" for c in customers)
    rows = run.query(
        f"select {', '.join(saved.features)} from customer_segments "
        f"where customer_id in ({wanted}) order by customer_id"
    )
    return saved.predict(np.array(rows, dtype=np.float64)).tolist()


def write_variant(source: Path, destination: Path, change) -> Path:
    header, rows = read_rows(source)
    return write_csv(destination, header, change(rows))


def test_new_customers_are_scored_with_the_saved_model(
    reference_run, reference_file, tmp_path
):
    def add_fifty(rows):
        new = next(chunks(50, seed=2026)).to_pylist()
        return rows + [
            [
                str(1000 + i),
                r["Gender"],
                str(r["Age"]),
                str(r["Annual Income (k$)"]),
                str(r["Spending Score (1-100)"]),
            ]
            for i, r in enumerate(new)
        ]

    extended = write_variant(reference_file, tmp_path / "plus50.csv", add_fifty)
    publish = copy_of_publish(reference_run, tmp_path)

    run = require_success(
        run_pipeline(tmp_path / "work", extended, publish_dir=publish)
    )

    assert "Mode: score" in run.stdout
    assert run.query("select distinct model_run_id from segment_model") == [(1,)]
    assert run.query("select count(*) from segment_model_history") == run.query(
        "select count(*) from segment_model"
    ), "a scoring run must not add a model run"
    assert latest_run(run)["model_mode"] == "score"
    before = segments_by_customer(reference_run)
    after = segments_by_customer(run)
    assert {c: after[c] for c in before} == before
    new_customers = sorted(set(after) - set(before))
    assert len(new_customers) == 50
    sql_scored = [after[c][0] for c in new_customers]
    assert sql_scored == predict_with_saved_model(run, new_customers)


def test_a_refit_on_shuffled_rows_keeps_every_id_and_name(
    reference_run, reference_file, tmp_path
):
    def shuffle_and_drop(rows):
        rng = random.Random(11)
        rng.shuffle(rows)
        return rows[: len(rows) - len(rows) // 20]  # 5% of customers removed

    changed = write_variant(reference_file, tmp_path / "changed.csv", shuffle_and_drop)
    publish = copy_of_publish(reference_run, tmp_path)

    run = require_success(
        run_pipeline(tmp_path / "work", changed, publish_dir=publish, refit=True)
    )

    assert "Mode: fit" in run.stdout
    assert run.query("select distinct model_run_id from segment_model") == [(2,)]
    assert active_segments(run) == active_segments(reference_run)
    before = segments_by_customer(reference_run)
    after = segments_by_customer(run)
    both = set(before) & set(after)
    assert len(both) == 190
    expected_moves: dict[tuple[int, int], int] = {}
    for customer in both:
        key = (before[customer][0], after[customer][0])
        expected_moves[key] = expected_moves.get(key, 0) + 1
    migration = run.query(
        "select previous_cluster_id, cluster_id, customers from segment_migration"
    )
    assert {(p, c): n for p, c, n in migration} == expected_moves
    assert sum(n for _, _, n in migration) == len(both)
    assert latest_run(run)["customers_in_both_runs"] == len(both)


def test_a_segment_that_disappears_is_retired_and_the_rest_keep_their_ids(
    reference_run, reference_file, tmp_path
):
    before = segments_by_customer(reference_run)
    removed_id, removed_name = before["1"]  # customer 1's segment goes away

    def without_that_segment(rows):
        return [r for r in rows if before[r[0]][0] != removed_id]

    four_groups = write_variant(
        reference_file, tmp_path / "four.csv", without_that_segment
    )
    publish = copy_of_publish(reference_run, tmp_path)

    run = require_success(
        run_pipeline(tmp_path / "work", four_groups, publish_dir=publish, refit=True)
    )

    kept = active_segments(reference_run) - {(removed_id, removed_name)}
    assert active_segments(run) == kept
    retired = run.query(
        "select cluster_id, segment_name from segment_model_history "
        "where model_run_id = 2 and cluster_status = 'retired'"
    )
    assert retired == [(removed_id, removed_name)]
    assert "1 segment(s) of the previous model retired" in run.stdout


def test_drift_warns_and_a_refit_clears_it(reference_run, reference_file, tmp_path):
    def spend_more(rows):
        return [[*r[:4], str(min(100, int(r[4]) + 15))] for r in rows]

    shifted = write_variant(reference_file, tmp_path / "shifted.csv", spend_more)
    publish = copy_of_publish(reference_run, tmp_path)

    scored = require_success(
        run_pipeline(tmp_path / "score", shifted, publish_dir=publish)
    )
    drift_ratio = latest_run(scored)["drift_ratio"]
    print(f"\ndrift ratio after +15 spend: {drift_ratio:.2f}")
    refitted = require_success(
        run_pipeline(tmp_path / "refit", shifted, publish_dir=publish, refit=True)
    )

    assert "Mode: score" in scored.stdout
    assert drift_ratio > 1.25
    assert drift_test_status(scored) == "warn"
    assert "Drift:" in scored.stdout and "make refit" in scored.stdout
    assert "Mode: fit" in refitted.stdout
    assert drift_test_status(refitted) == "pass"
    assert "Drift:" not in refitted.stdout
    assert latest_run(refitted)["mean_centroid_shift"] > 0
