"""Generated customers with a known answer: quality and SQL scoring at scale.

The files come from customer_segmentation.inputs.synthetic: five generating groups,
the group of every customer written beside the file. Timings are the
benchmark harness's business (BENCHMARKS.md); these tests check results.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pyarrow.parquet as pq
import pytest
from bench_harness import LOWER_BOUND, load_harness
from pipeline_runs import PipelineRun, require_success, run_pipeline
from sklearn.metrics import adjusted_rand_score

from customer_segmentation.inputs.synthetic import (
    GROUP_COUNT,
    truth_path,
    write_customers,
)
from customer_segmentation.segment_model.clustering import (
    choose_k,
    score_k_range,
    standardize,
)
from customer_segmentation.segment_model.saved_model import read_saved_model
from customer_segmentation.segment_model.settings import ClusteringSettings

pytestmark = pytest.mark.scale

MILLION = 1_000_000
# Above the default elbow_sample_size (20,000), so the elbow runs on a sample
# and the final fit on everyone, yet small enough for a full-data elbow here.
SMALLER = 60_000


def generated_run(tmp_path_factory, rows: int) -> tuple[PipelineRun, object]:
    folder = tmp_path_factory.mktemp(f"generated_{rows}")
    path = write_customers(folder / f"customers_{rows}.csv", rows)
    return require_success(run_pipeline(folder / "work", path)), path


@pytest.fixture(scope="module")
def million(tmp_path_factory):
    return generated_run(tmp_path_factory, MILLION)


@pytest.fixture(scope="module")
def smaller(tmp_path_factory):
    return generated_run(tmp_path_factory, SMALLER)


def segments_and_groups(run: PipelineRun, path) -> tuple[np.ndarray, np.ndarray]:
    [(segments, groups)] = run.query(
        f"""
        select list(s.cluster_id order by t.customer_id),
               list(t.generating_group order by t.customer_id)
        from customer_segments as s
        inner join read_parquet('{truth_path(path)}') as t
            on s.customer_id = cast(t.customer_id as varchar)
        """
    )
    return np.array(segments), np.array(groups)


@pytest.mark.parametrize("size", ["smaller", "million"])
def test_segments_recover_the_generating_groups(size, request):
    run, path = request.getfixturevalue(size)
    segments, groups = segments_and_groups(run, path)
    ari = adjusted_rand_score(groups, segments)
    print(f"\n{len(groups):,} customers: adjusted Rand index {ari:.4f}")

    assert len(groups) == (SMALLER if size == "smaller" else MILLION)
    assert run.query("select k from elbow_curve where is_chosen") == [(GROUP_COUNT,)]
    assert ari >= 0.9


def test_the_sampled_elbow_chooses_the_full_data_k(smaller):
    run, _ = smaller
    features = run.query(
        "select annual_income_k, spending_score from customer_segments"
    )
    settings = ClusteringSettings()
    full_data_points = score_k_range(
        standardize(np.array(features, dtype=np.float64)), settings
    )
    full_data_k = choose_k(full_data_points, None).k
    [(sampled_k, customers_in_elbow)] = run.query(
        "select k, elbow_customers from segment_model limit 1"
    )

    assert customers_in_elbow == settings.elbow_sample_size < SMALLER
    assert sampled_k == full_data_k


def test_sql_scoring_agrees_with_scikit_learn_predict(million):
    run, _ = million
    saved = read_saved_model(run.publish_dir)
    customers = pq.read_table(run.publish_dir / "customer_segments.parquet")
    features = np.column_stack(
        [customers[c].to_numpy().astype(np.float64) for c in saved.features]
    )

    predicted = saved.predict(features)

    assert len(predicted) == MILLION
    disagreements = int((predicted != customers["cluster_id"].to_numpy()).sum())
    assert disagreements == 0


def test_the_harness_quality_check_reports_what_the_run_published(smaller):
    run, path = smaller
    segments, groups = segments_and_groups(run, path)

    quality = load_harness().quality(run.publish_dir, path)

    assert quality["customers"] == SMALLER
    assert quality["k"] == GROUP_COUNT
    assert quality["elbow_customers"] == ClusteringSettings().elbow_sample_size
    assert quality["adjusted_rand_index"] == adjusted_rand_score(groups, segments)
    assert quality["sql_vs_predict_disagreements"] == 0


def test_the_lower_bound_times_each_part_on_a_finished_run(smaller):
    run, _ = smaller
    result = subprocess.run(
        [sys.executable, str(LOWER_BOUND), str(run.target_dir.parent)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(report["seconds"]) == {
        "dbt_parse",
        "staging_select",
        "elbow",
        "fit",
        "scoring_select",
        "customer_tables_published",
    }
    assert all(seconds > 0 for seconds in report["seconds"].values())
    assert report["total"] == pytest.approx(sum(report["seconds"].values()))
