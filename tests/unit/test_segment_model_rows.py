from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from customer_segmentation.segment_model.clustering import (
    Scaling,
    describe_fit,
    fit_all,
)
from customer_segmentation.segment_model.saved_model import (
    FitRun,
    latest_run,
    model_rows,
    next_model_run_id,
    previous_model,
    saved_kmeans,
)
from customer_segmentation.segment_model.schemas import (
    ELBOW_SCHEMA,
    MODEL_SCHEMA,
    RUNS_SCHEMA,
    narrow,
    widen,
)
from customer_segmentation.segment_model.settings import (
    ClusteringSettings,
    settings_fingerprint,
)
from customer_segmentation.segment_model.store import (
    MODE_FIT,
    MODE_SCORE,
    choose_mode,
    read_last_publish,
    read_remembered,
)

SETTINGS = ClusteringSettings()
RUNS = RUNS_SCHEMA.empty_table()


def fit_run(history: pa.Table) -> FitRun:
    model_run_id = next_model_run_id(history, RUNS)
    return FitRun(model_run_id, datetime(2026, 11, 27), "f" * 16, "knee", 0, 0)


def groups(centres, per_group=200, seed=0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(c, 3.0, size=(per_group, 2)) for c in centres])


FIVE = [(25, 80), (25, 20), (55, 50), (85, 80), (85, 20)]


def fit_rows(features: np.ndarray, k: int, history: pa.Table) -> pa.Table:
    scaling = Scaling.of(features)
    scaled = scaling.apply(features)
    fit = describe_fit(fit_all(scaled, k, SETTINGS), scaled, np.arange(1, k + 1))
    return model_rows(fit, scaling, previous_model(history), SETTINGS, fit_run(history))


def active(rows: pa.Table) -> dict[int, str]:
    return {
        r["cluster_id"]: r["segment_name"]
        for r in rows.to_pylist()
        if r["cluster_status"] == "active"
    }


def test_a_first_fit_is_run_one_with_ids_one_to_k():
    rows = fit_rows(groups(FIVE), 5, MODEL_SCHEMA.empty_table())
    assert rows.schema == MODEL_SCHEMA
    assert set(rows["model_run_id"].to_pylist()) == {1}
    assert sorted(active(rows)) == [1, 2, 3, 4, 5]
    assert rows["previous_model_run_id"].to_pylist() == [None] * 5
    sizes = rows["customers"].to_pylist()
    assert sum(sizes) == 1000
    # unused features carry no scaling, so SQL adds nothing for them
    assert rows["age_mean"].to_pylist() == [None] * 5


def test_a_refit_on_similar_data_keeps_every_id_and_name():
    first = fit_rows(groups(FIVE, seed=1), 5, MODEL_SCHEMA.empty_table())
    second = fit_rows(groups(FIVE, seed=2)[::-1], 5, first)
    assert set(second["model_run_id"].to_pylist()) == {2}
    assert active(second) == active(first)
    assert all(0 <= s < 0.2 for s in second["centroid_shift"].to_pylist())


def test_a_vanished_group_is_retired_and_a_new_one_gets_a_new_id():
    first = fit_rows(groups(FIVE), 5, MODEL_SCHEMA.empty_table())
    moved = [*FIVE[:4], (140, 140)]  # the fifth group is gone, another appears
    second = fit_rows(groups(moved), 5, first)
    statuses = {(r["cluster_id"], r["cluster_status"]) for r in second.to_pylist()}
    assert (6, "active") in statuses
    [(retired_id, _)] = [s for s in statuses if s[1] == "retired"]
    assert retired_id in active(first)
    assert len(active(second)) == 5


def test_the_saved_model_predicts_what_the_fit_assigned():
    features = groups(FIVE, seed=4)
    scaling = Scaling.of(features)
    scaled = scaling.apply(features)
    kmeans = fit_all(scaled, 5, SETTINGS)
    rows = model_rows(
        describe_fit(kmeans, scaled, np.arange(1, 6)),
        scaling,
        None,
        SETTINGS,
        fit_run(MODEL_SCHEMA.empty_table()),
    )
    saved = saved_kmeans(rows)
    by_label = {
        label: int(saved.predict(features[kmeans.labels_ == label][:1])[0])
        for label in range(5)
    }
    assert np.array_equal(
        saved.predict(features), np.array([by_label[x] for x in kmeans.labels_])
    )
    assert saved.features == SETTINGS.features


def test_latest_run_is_the_newest_model_run():
    first = fit_rows(groups(FIVE), 5, MODEL_SCHEMA.empty_table())
    second = fit_rows(groups(FIVE, seed=9), 5, first)
    history = pa.concat_tables([first, second])
    assert set(latest_run(history)["model_run_id"].to_pylist()) == {2}


def publish_folder(tmp_path: Path, settings: ClusteringSettings) -> Path:
    folder = tmp_path / "publish"
    folder.mkdir()
    rows = fit_rows(groups(FIVE), 5, MODEL_SCHEMA.empty_table())
    rows = rows.set_column(
        rows.schema.get_field_index("settings_fingerprint"),
        "settings_fingerprint",
        pa.array([settings_fingerprint(settings)] * rows.num_rows),
    )
    pq.write_table(rows, folder / "segment_model_history.parquet")
    pq.write_table(
        pa.table(
            {
                "k": [5],
                "inertia": [1.0],
                "silhouette": [0.5],
                "davies_bouldin": [0.5],
                "calinski_harabasz": [9.0],
                "is_chosen": [True],
                "selection_rule": ["knee"],
            },
            schema=ELBOW_SCHEMA,
        ),
        folder / "elbow_curve.parquet",
    )
    return folder


@pytest.mark.parametrize(
    ("refit", "settings", "mode", "reason"),
    [
        (False, SETTINGS, MODE_SCORE, "model run 1 matches"),
        (True, SETTINGS, MODE_FIT, "refit asked for"),
        (False, ClusteringSettings(k_override=4), MODE_FIT, "settings"),
    ],
)
def test_the_mode_follows_the_saved_model(tmp_path, refit, settings, mode, reason):
    folder = publish_folder(tmp_path, SETTINGS)
    remembered, _ = read_last_publish(folder, refit=refit)
    chosen = choose_mode(remembered, settings, refit=refit)
    assert chosen.mode == mode
    assert reason in chosen.reason


def test_an_empty_publish_folder_fits(tmp_path):
    remembered, _ = read_last_publish(tmp_path, refit=False)
    chosen = choose_mode(remembered, SETTINGS, refit=False)
    assert chosen.mode == MODE_FIT
    assert "no saved model" in chosen.reason
    assert read_remembered(tmp_path, "segment_runs").num_rows == 0


def test_a_history_whose_feature_rows_were_lost_is_refitted_with_new_ids(tmp_path):
    folder = publish_folder(tmp_path, SETTINGS)
    wide = pq.read_table(folder / "segment_model_history.parquet")
    segments, _ = narrow(wide)
    # published since the feature rows had their own file, which is now gone
    pq.write_table(segments, folder / "segment_model_history.parquet")

    remembered, _ = read_last_publish(folder, refit=False)
    chosen = choose_mode(remembered, SETTINGS, refit=False)
    assert chosen.mode == MODE_FIT
    assert "feature values of model run 1 are missing" in chosen.reason

    history = widen(remembered["segment_model_history"], pa.table({}))
    refit = fit_rows(groups(FIVE), 5, history)
    assert min(active(refit)) > max(segments["cluster_id"].to_pylist())
