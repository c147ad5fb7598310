"""The persisted segment model: what a fit saves, and how a refit keeps ids.

A model run is one row per cluster: the run's id, time and fingerprints, the
scaling of every feature, k and the rule that chose it, and each cluster's
centroid (scaled and in original units), size and radius. SQL scores
customers against these rows, so everything scoring needs is in them.

Feature columns are fixed (one set per known feature, empty when a feature is
not clustered on), so the table has the same schema whatever the features,
and the SQL that scores it needs no generated column lists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sklearn.cluster import KMeans

from customer_segmentation.segment_model.clustering import (
    Clusters,
    Scaling,
    match_previous,
    segment_names,
    stable_ids,
)
from customer_segmentation.segment_model.schemas import (
    FEATURE_VALUE_COLUMNS,
    MODEL_SCHEMA,
    widen,
)
from customer_segmentation.segment_model.settings import (
    ClusteringSettings,
    settings_fingerprint,
)
from customer_segmentation.segment_model.store import latest_run

STATUS_ACTIVE = "active"
STATUS_RETIRED = "retired"


@dataclass(frozen=True)
class FitRun:
    """What a fit knows about itself besides the clusters."""

    model_run_id: int
    fitted_at: datetime
    data_fingerprint: str
    k_rule: str
    customers_fitted: int
    elbow_customers: int
    # New segment ids start past this too (the publish manifest's highest).
    highest_cluster_id: int = 0


@dataclass(frozen=True)
class PreviousModel:
    """The active clusters of the latest saved run, centroids in original units."""

    run_id: int
    highest_id: int
    features: tuple[str, ...]
    cluster_ids: np.ndarray
    names: dict[int, str]
    centroids: np.ndarray
    rows: list[dict[str, object]]


def next_model_run_id(history: pa.Table, runs: pa.Table) -> int:
    """One more than any model run id the folder's history or runs mention.

    The runs count too: a deleted history file must not give a new model a
    number that older rows of segment_runs already use for another.
    """
    used = [
        pc.max(table["model_run_id"]).as_py()
        for table in (history, runs)
        if table.num_rows
    ]
    return max([0, *[u for u in used if u is not None]]) + 1


def same_features(previous: PreviousModel | None, settings: ClusteringSettings) -> bool:
    """Centroids can only be compared when both models use the same features
    and the previous one's are known (its feature rows may have been lost)."""
    return (
        previous is not None
        and previous.features == settings.features
        and bool(np.isfinite(previous.centroids).all())
    )


def previous_model(history: pa.Table) -> PreviousModel | None:
    latest = latest_run(history)
    if latest.num_rows == 0:
        return None
    rows = [row for row in latest.to_pylist() if row["cluster_status"] == STATUS_ACTIVE]
    features = tuple(str(rows[0]["features"]).split(","))
    return PreviousModel(
        run_id=int(rows[0]["model_run_id"]),
        highest_id=int(pc.max(history["cluster_id"]).as_py()),
        features=features,
        cluster_ids=np.array([r["cluster_id"] for r in rows], dtype=np.int64),
        names={int(r["cluster_id"]): str(r["segment_name"]) for r in rows},
        centroids=np.array(
            [[r[f"{f}_centroid"] for f in features] for r in rows], dtype=np.float64
        ),
        rows=rows,
    )


def identify(
    fit: Clusters,
    scaling: Scaling,
    previous: PreviousModel | None,
    settings: ClusteringSettings,
    highest_cluster_id: int = 0,
) -> tuple[np.ndarray, dict[int, str], dict[int, int]]:
    """Ids and names per fitted label, and {label: previous row index} matched.

    New ids start past the previous model's highest id and past
    ``highest_cluster_id``, so no id ever names two segments.
    """
    matched: dict[int, int] = {}
    next_id = highest_cluster_id + 1
    if previous is not None:
        next_id = max(next_id, previous.highest_id + 1)
        if same_features(previous, settings):
            matched = match_previous(
                fit.centroids,
                scaling.apply(previous.centroids),
                settings.max_match_distance,
            )
    previous_ids = previous.cluster_ids if previous else np.array([], dtype=np.int64)
    ids = stable_ids(fit.centroids, matched, previous_ids, next_id)
    kept = previous.names if previous else {}
    names = segment_names(fit.centroids, ids, kept, settings)
    return ids, names, matched


def _feature_values(
    features: tuple[str, ...],
    scaling: Scaling | None,
    centroid: np.ndarray | None,
    centroid_z: np.ndarray | None,
) -> dict[str, float | None]:
    values: dict[str, float | None] = dict.fromkeys(FEATURE_VALUE_COLUMNS)
    for i, feature in enumerate(features):
        if scaling is not None:
            values[f"{feature}_mean"] = float(scaling.means[i])
            values[f"{feature}_sd"] = float(scaling.sds[i])
        if centroid is not None:
            values[f"{feature}_centroid"] = float(centroid[i])
        if centroid_z is not None:
            values[f"{feature}_centroid_z"] = float(centroid_z[i])
    return values


def model_rows(
    fit: Clusters,
    scaling: Scaling,
    previous: PreviousModel | None,
    settings: ClusteringSettings,
    run: FitRun,
) -> pa.Table:
    """The new run's rows: one per cluster, then one per retired cluster."""
    ids, names, matched = identify(
        fit, scaling, previous, settings, run.highest_cluster_id
    )
    shared = {
        "model_run_id": run.model_run_id,
        "fitted_at": run.fitted_at,
        "settings_fingerprint": settings_fingerprint(settings),
        "data_fingerprint": run.data_fingerprint,
        "features": ",".join(settings.features),
        "k": len(ids),
        "k_rule": run.k_rule,
        "customers_fitted": run.customers_fitted,
        "elbow_customers": run.elbow_customers,
        "previous_model_run_id": previous.run_id if previous else None,
    }
    # With other features every previous segment is retired (none matched).
    previous_scaled = (
        scaling.apply(previous.centroids) if same_features(previous, settings) else None
    )
    rows = []
    for label in np.argsort(ids):
        shift = None
        if previous_scaled is not None and label in matched:
            shift = float(
                np.linalg.norm(fit.centroids[label] - previous_scaled[matched[label]])
            )
        rows.append(
            {
                **shared,
                "cluster_id": int(ids[label]),
                "segment_name": names[int(ids[label])],
                "cluster_status": STATUS_ACTIVE,
                "centroid_shift": shift,
                "customers": int(fit.sizes[label]),
                "radius": float(fit.radii[label]),
                "mean_distance": float(fit.mean_distances[label]),
                **_feature_values(
                    settings.features,
                    scaling,
                    scaling.invert(fit.centroids[label]),
                    fit.centroids[label],
                ),
            }
        )
    kept = set(matched.values())
    for index, old in enumerate(previous.rows if previous else []):
        if index in kept:
            continue
        rows.append(
            {
                **shared,
                **{column: old[column] for column in FEATURE_VALUE_COLUMNS},
                "cluster_id": old["cluster_id"],
                "segment_name": old["segment_name"],
                "cluster_status": STATUS_RETIRED,
                "centroid_shift": None,
                "customers": None,
                "radius": old["radius"],
                "mean_distance": old["mean_distance"],
            }
        )
    return pa.Table.from_pylist(rows, schema=MODEL_SCHEMA)


@dataclass(frozen=True)
class SavedModel:
    """A saved model run as scikit-learn objects, to score in Python."""

    kmeans: KMeans
    scaling: Scaling
    cluster_ids: np.ndarray
    features: tuple[str, ...]

    def predict(self, features: np.ndarray) -> np.ndarray:
        """Cluster ids for raw feature rows (columns in ``self.features`` order)."""
        return self.cluster_ids[self.kmeans.predict(self.scaling.apply(features))]


def read_saved_model(publish_dir: Path) -> SavedModel:
    """The model a publish folder's segment_model and segment_model_features
    hold, as scikit-learn objects."""
    return saved_kmeans(
        widen(
            pq.read_table(publish_dir / "segment_model.parquet"),
            pq.read_table(publish_dir / "segment_model_features.parquet"),
        )
    )


def saved_kmeans(model: pa.Table) -> SavedModel:
    """The active clusters of a model run (wide rows) as a scikit-learn KMeans.

    ``predict`` then does in Python what the SQL scoring does in the
    warehouse, for checking it or for scoring elsewhere.
    """
    rows = [r for r in model.to_pylist() if r["cluster_status"] == STATUS_ACTIVE]
    rows.sort(key=lambda r: r["cluster_id"])
    features = tuple(str(rows[0]["features"]).split(","))
    centroids = np.array(
        [[r[f"{f}_centroid_z"] for f in features] for r in rows], dtype=np.float64
    )
    kmeans = KMeans(n_clusters=len(rows), init=centroids, n_init=1)
    # The attributes fit() would set, taken from the saved run instead.
    kmeans.cluster_centers_ = centroids
    kmeans.n_features_in_ = len(features)
    kmeans._n_threads = 1
    scaling = Scaling.from_moments(
        np.array([rows[0][f"{f}_mean"] for f in features]),
        np.array([rows[0][f"{f}_sd"] for f in features]),
    )
    return SavedModel(
        kmeans, scaling, np.array([r["cluster_id"] for r in rows]), features
    )
