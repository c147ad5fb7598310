from datetime import datetime

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans

from customer_segmentation.engines.rows import Rows, rows_of
from customer_segmentation.segment_model.clustering import (
    RULE_BEST_SILHOUETTE,
    RULE_KNEE,
    RULE_OVERRIDE,
    SILHOUETTE_SAMPLE,
    ElbowPoint,
    Scaling,
    candidate_ks,
    choose_k,
    fit_all,
    make_unique,
    match_previous,
    name_segment,
    order_by_centroid,
    score_k_range,
    segment_names,
    silhouette_sample_size,
    stable_ids,
    standardize,
)
from customer_segmentation.segment_model.fit_error import FitError
from customer_segmentation.segment_model.schemas import (
    ELBOW_SCHEMA,
    MODEL_SCHEMA,
    RUNS_SCHEMA,
)
from customer_segmentation.segment_model.settings import ClusteringSettings
from customer_segmentation.segment_model.tables import fit_model_table

SETTINGS = ClusteringSettings()
FEATURES = ("annual_income_k", "spending_score")


def blobs(centres: list[tuple[float, float]], per_blob: int = 30, seed: int = 0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal(c, 2.0, size=(per_blob, 2)) for c in centres])


FIVE_BLOBS = [(25, 80), (25, 20), (55, 50), (85, 80), (85, 20)]


def test_candidate_ks_stop_below_the_customer_count():
    assert candidate_ks(100, SETTINGS) == list(range(1, 11))
    assert candidate_ks(6, SETTINGS) == [1, 2, 3, 4, 5]


def test_knee_finds_the_number_of_well_separated_groups():
    points = score_k_range(standardize(blobs(FIVE_BLOBS)), SETTINGS)
    assert choose_k(points, None).k == 5
    assert choose_k(points, None).rule == RULE_KNEE


def test_override_wins_over_the_knee():
    points = score_k_range(standardize(blobs(FIVE_BLOBS)), SETTINGS)
    assert choose_k(points, 3) == choose_k(points, 3).__class__(3, RULE_OVERRIDE)


def test_falls_back_to_best_silhouette_when_the_curve_has_no_knee():
    # A straight line has no bend for Kneedle to find.
    points = [
        ElbowPoint(1, 10.0, None, None, None),
        ElbowPoint(2, 8.0, 0.30, 1.0, 10.0),
        ElbowPoint(3, 6.0, 0.55, 1.0, 10.0),
        ElbowPoint(4, 4.0, 0.40, 1.0, 10.0),
    ]
    assert choose_k(points, None).k == 3
    assert choose_k(points, None).rule == RULE_BEST_SILHOUETTE


def test_order_by_centroid_sorts_by_first_then_second_feature():
    centroids = np.array([[50.0, 50.0], [20.0, 80.0], [90.0, 10.0], [20.0, 10.0]])
    ids = order_by_centroid(centroids)
    assert ids.tolist() == [3, 2, 4, 1]


@pytest.mark.parametrize(
    ("z_scores", "expected"),
    [
        ((1.2, 1.1), "High Income, High Spend"),
        ((1.2, -1.1), "High Income, Low Spend"),
        ((-1.2, 1.1), "Low Income, High Spend"),
        ((-1.2, -1.1), "Low Income, Low Spend"),
        ((0.2, -0.3), "Average"),
        ((0.2, 0.9), "Average Income, High Spend"),
        ((0.5, -0.5), "Average"),  # the threshold itself is still Average
    ],
)
def test_segment_names_follow_the_centroid_position(z_scores, expected):
    assert name_segment(np.array(z_scores), FEATURES, 0.5) == expected


def test_repeated_names_are_numbered_in_cluster_order():
    assert make_unique(["Average", "High Income, High Spend", "Average"]) == [
        "Average (1)",
        "High Income, High Spend",
        "Average (2)",
    ]


def customer_relation(features: np.ndarray) -> Rows:
    """Clean customers as the fit model reads them: an id and the features."""
    customers = pa.table(
        {
            "customer_id": [f"c{i:05d}" for i in range(len(features))],
            "annual_income_k": features[:, 0],
            "spending_score": features[:, 1],
        }
    )
    return rows_of(duckdb.connect().from_arrow(customers))


def elbow_choosing(k: int) -> pa.Table:
    return pa.table(
        {
            "k": [k],
            "inertia": [1.0],
            "silhouette": [None],
            "davies_bouldin": [None],
            "calinski_harabasz": [None],
            "is_chosen": [True],
            "selection_rule": [RULE_OVERRIDE],
        },
        schema=ELBOW_SCHEMA,
    )


def test_the_fit_is_repeatable_with_ids_in_centroid_order():
    customers = customer_relation(blobs(FIVE_BLOBS, seed=3))
    fitted_at = datetime(2026, 11, 27)
    first, second = (
        fit_model_table(
            customers,
            elbow_choosing(5),
            MODEL_SCHEMA.empty_table(),
            RUNS_SCHEMA.empty_table(),
            SETTINGS,
            fitted_at,
        )
        for _ in range(2)
    )
    assert first.equals(second)
    incomes = first.sort_by("cluster_id")["annual_income_k_centroid"].to_pylist()
    assert incomes == sorted(incomes)
    assert sorted(first["segment_name"].to_pylist()) == sorted(
        [
            "Low Income, High Spend",
            "Low Income, Low Spend",
            "Average",
            "High Income, High Spend",
            "High Income, Low Spend",
        ]
    )


def test_asking_for_more_clusters_than_customers_is_an_error():
    customers = customer_relation(np.array([[1.0, 2.0], [3.0, 4.0]]))
    with pytest.raises(ValueError, match="fewer than the 5 clusters"):
        fit_model_table(
            customers,
            elbow_choosing(5),
            MODEL_SCHEMA.empty_table(),
            RUNS_SCHEMA.empty_table(),
            SETTINGS,
            datetime(2026, 11, 27),
        )


def test_the_full_fit_starts_from_the_sample_and_refines_on_everyone():
    everyone = standardize(blobs(FIVE_BLOBS, per_blob=2_000, seed=5))
    sample = everyone[::40]
    refined = fit_all(sample, 5, SETTINGS, everyone)
    sample_only = fit_all(sample, 5, SETTINGS)
    assert len(refined.labels_) == len(everyone)
    assert len(sample_only.labels_) == len(sample)
    # Lloyd on all rows from the sample's centroids lands on the centroids of
    # the full data, which the sample only approximates.
    direct = KMeans(5, n_init=10, random_state=0).fit(everyone).cluster_centers_
    gap = cdist(refined.cluster_centers_, direct).min(axis=1).max()
    assert gap < 1e-6


def test_silhouette_is_estimated_on_a_sample_only_above_its_size():
    assert silhouette_sample_size(SILHOUETTE_SAMPLE) is None
    assert silhouette_sample_size(SILHOUETTE_SAMPLE + 1) == SILHOUETTE_SAMPLE


def test_scaling_keeps_a_constant_feature_at_zero():
    scaling = Scaling.of(np.array([[1.0, 5.0], [3.0, 5.0]]))
    scaled = scaling.apply(np.array([[2.0, 5.0]]))
    assert scaled.tolist() == [[0.0, 0.0]]
    assert scaling.invert(scaled).tolist() == [[2.0, 5.0]]


def test_matching_pairs_each_centroid_with_the_nearest_previous_one():
    previous = np.array([[0.0, 0.0], [2.0, 2.0], [-2.0, 2.0]])
    moved = np.array([[-1.9, 2.1], [0.1, 0.0], [2.0, 1.8]])
    assert match_previous(moved, previous, max_distance=1.0) == {0: 2, 1: 0, 2: 1}


def test_centroids_too_far_apart_are_not_the_same_segment():
    previous = np.array([[0.0, 0.0], [2.0, 2.0]])
    new = np.array([[0.2, 0.0], [5.0, -5.0]])
    assert match_previous(new, previous, max_distance=1.0) == {0: 0}


def test_matched_clusters_keep_their_ids_and_new_ones_get_unused_ids():
    centroids = np.array([[3.0, 0.0], [0.0, 0.0], [1.0, 0.0]])
    ids = stable_ids(centroids, matched={1: 0}, previous_ids=np.array([4]), next_id=7)
    # label 1 keeps id 4; the new labels are numbered by centroid from 7
    assert ids.tolist() == [8, 4, 7]


def test_a_first_fit_numbers_clusters_by_centroid():
    centroids = np.array([[3.0, 0.0], [0.0, 0.0], [1.0, 0.0]])
    ids = stable_ids(centroids, {}, np.array([], dtype=np.int64), next_id=1)
    assert ids.tolist() == [3, 1, 2]


def test_kept_names_stay_and_new_names_never_collide():
    centroids = np.array([[0.0, 0.0], [0.1, 0.1], [2.0, 2.0]])
    names = segment_names(
        centroids, np.array([1, 6, 7]), {1: "Average", 2: "Gone"}, SETTINGS
    )
    assert names == {1: "Average", 6: "Average (2)", 7: "High Income, High Spend"}


def test_an_empty_feature_is_refused_by_name_not_fitted_as_nan():
    import pyarrow as pa

    from customer_segmentation.segment_model.tables import feature_matrix

    customers = pa.table({"log_monetary": [1.0, 2.0], "age": [None, 30]})
    with pytest.raises(FitError, match=r"^Cannot segment: of 2 customers, 1 lack age"):
        feature_matrix(customers, ("log_monetary", "age"))


def test_identical_customers_are_refused_in_one_sentence():
    import duckdb

    from customer_segmentation.segment_model.settings import ClusteringSettings
    from customer_segmentation.segment_model.tables import elbow_table

    with duckdb.connect() as con:
        customers = con.sql(
            "select i::varchar as customer_id, 50.0 as annual_income_k,"
            " 50.0 as spending_score from range(200) as t (i)"
        )
        with pytest.raises(FitError, match=r"only 1 different combination"):
            elbow_table(rows_of(customers), ClusteringSettings())


def test_the_elbow_tries_no_more_clusters_than_different_customers():
    import duckdb

    from customer_segmentation.segment_model.settings import ClusteringSettings
    from customer_segmentation.segment_model.tables import elbow_table

    with duckdb.connect() as con:
        customers = con.sql(
            "select i::varchar as customer_id, (i % 4)::double as annual_income_k,"
            " (i % 4)::double * 2 as spending_score from range(200) as t (i)"
        )
        elbow = elbow_table(rows_of(customers), ClusteringSettings())
    assert max(elbow["k"].to_pylist()) == 3
