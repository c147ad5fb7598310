"""K-Means segmentation with an elbow-chosen k, stable cluster ids and readable names.

Pure functions over NumPy arrays: no dbt, no DuckDB. The dbt Python models in
``python_models/`` reach them through ``tables`` and ``saved_model``
(:func:`score_k_range` for the elbow, :func:`fit_all`, :func:`stable_ids` and
:func:`segment_names` for the fit), so everything here is testable with plain
pytest.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
from kneed import KneeLocator
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)

from customer_segmentation.segment_model.features import BY_NAME
from customer_segmentation.segment_model.settings import ClusteringSettings

RULE_KNEE = "knee"
RULE_BEST_SILHOUETTE = "best_silhouette"
RULE_OVERRIDE = "override"
SILHOUETTE_SAMPLE = 2_000


@dataclass(frozen=True)
class ElbowPoint:
    """Quality of a K-Means fit for one candidate k (metrics need k >= 2)."""

    k: int
    inertia: float
    silhouette: float | None
    davies_bouldin: float | None
    calinski_harabasz: float | None


@dataclass(frozen=True)
class ElbowChoice:
    k: int
    rule: str


@dataclass(frozen=True)
class Scaling:
    """Per-feature mean and standard deviation of the whole clean population.

    Saved with every model so that scoring later scales new customers exactly
    as the customers the model was fitted on were scaled.
    """

    means: np.ndarray
    sds: np.ndarray

    @classmethod
    def of(cls, features: np.ndarray) -> Scaling:
        return cls.from_moments(features.mean(axis=0), features.std(axis=0))

    @classmethod
    def from_moments(cls, means: np.ndarray, sds: np.ndarray) -> Scaling:
        sds = np.asarray(sds, dtype=np.float64)
        # A constant feature carries no distance; 1 keeps it at 0, not nan.
        return cls(np.asarray(means, dtype=np.float64), np.where(sds > 0, sds, 1.0))

    def apply(self, features: np.ndarray) -> np.ndarray:
        return (features - self.means) / self.sds

    def invert(self, scaled: np.ndarray) -> np.ndarray:
        return scaled * self.sds + self.means


def standardize(features: np.ndarray) -> np.ndarray:
    """Scale each feature to mean 0, sd 1 so no unit dominates the distance."""
    return Scaling.of(features).apply(features)


def fit_kmeans(scaled: np.ndarray, k: int, settings: ClusteringSettings) -> KMeans:
    # random_state and n_init are explicit so a rerun on the same customers
    # reproduces the same clusters.
    return KMeans(
        n_clusters=k,
        n_init=settings.n_init,
        random_state=settings.random_state,
    ).fit(scaled)


def fit_all(
    sample: np.ndarray,
    k: int,
    settings: ClusteringSettings,
    fit_rows: np.ndarray | None = None,
) -> KMeans:
    """Fit K-Means on the sample; then, if given, on the larger fit rows.

    The n_init restarts run on the sample only. The larger fit is one Lloyd
    run started from the sample's centroids, so it needs a few passes over
    the data instead of hundreds.
    """
    model = fit_kmeans(sample, k, settings)
    if fit_rows is None:
        return model
    return KMeans(
        n_clusters=k,
        init=model.cluster_centers_,
        n_init=1,
        random_state=settings.random_state,
    ).fit(fit_rows)


def silhouette_sample_size(n_customers: int) -> int | None:
    """Silhouette costs n^2 distances: estimate it on a sample above 2,000."""
    return SILHOUETTE_SAMPLE if n_customers > SILHOUETTE_SAMPLE else None


def candidate_ks(n_customers: int, settings: ClusteringSettings) -> list[int]:
    """The k values to try: the configured range, capped by the customer count.

    Silhouette needs at least one more customer than clusters, so k stays
    below the number of customers.
    """
    upper = min(settings.k_max, n_customers - 1)
    return list(range(settings.k_min, upper + 1))


def score_k(scaled: np.ndarray, k: int, settings: ClusteringSettings) -> ElbowPoint:
    model = fit_kmeans(scaled, k, settings)
    if k < 2:
        return ElbowPoint(k, float(model.inertia_), None, None, None)
    labels = model.labels_
    return ElbowPoint(
        k=k,
        inertia=float(model.inertia_),
        silhouette=float(
            silhouette_score(
                scaled,
                labels,
                sample_size=silhouette_sample_size(len(scaled)),
                random_state=settings.random_state,
            )
        ),
        davies_bouldin=float(davies_bouldin_score(scaled, labels)),
        calinski_harabasz=float(calinski_harabasz_score(scaled, labels)),
    )


def score_k_range(
    scaled: np.ndarray, settings: ClusteringSettings, distinct: int | None = None
) -> list[ElbowPoint]:
    """Fit every candidate k once and keep inertia beside the other metrics.

    ``distinct`` (the number of different customers, when known) caps k:
    K-Means cannot find more clusters than there are different points.
    """
    return [
        score_k(scaled, k, settings)
        for k in candidate_ks(min(len(scaled), distinct or len(scaled)), settings)
    ]


def find_knee(points: list[ElbowPoint]) -> int | None:
    """The k where the inertia curve bends most (Kneedle), or None if it is flat."""
    if len(points) < 3:
        return None
    with warnings.catch_warnings():
        # kneed warns instead of returning None on curves without a knee.
        warnings.simplefilter("ignore")
        locator = KneeLocator(
            [p.k for p in points],
            [p.inertia for p in points],
            curve="convex",
            direction="decreasing",
        )
    return None if locator.knee is None else int(locator.knee)


def choose_k(points: list[ElbowPoint], k_override: int | None) -> ElbowChoice:
    """Pick k: the override if given, else the knee, else the best silhouette."""
    tried = {p.k for p in points}
    if k_override is not None:
        return ElbowChoice(k_override, RULE_OVERRIDE)
    knee = find_knee(points)
    if knee is not None and knee >= 2 and knee in tried:
        return ElbowChoice(knee, RULE_KNEE)
    scored = [p for p in points if p.silhouette is not None]
    if not scored:
        raise ValueError("need at least 3 customers to choose a number of clusters")
    best = max(scored, key=lambda p: (p.silhouette, -p.k))
    return ElbowChoice(best.k, RULE_BEST_SILHOUETTE)


def order_by_centroid(centroids: np.ndarray) -> np.ndarray:
    """Map K-Means' arbitrary labels to ids 1..k ordered by centroid.

    Clusters are sorted by their centroid's first feature, then the second,
    and so on (rounded, so float noise cannot swap two equal centroids).
    Returns an array where ``result[label]`` is the cluster id of that label.
    """
    rounded = np.round(centroids, 6)
    order = np.lexsort(rounded.T[::-1])
    ids = np.empty(len(centroids), dtype=np.int64)
    ids[order] = np.arange(1, len(centroids) + 1)
    return ids


def level(z_score: float, threshold: float) -> str:
    if z_score > threshold:
        return "High"
    if z_score < -threshold:
        return "Low"
    return "Average"


def name_segment(
    centroid_z: np.ndarray, features: tuple[str, ...], threshold: float
) -> str:
    """Name a cluster by where its centroid sits against the whole population.

    Each feature is High or Low when the centroid is more than ``threshold``
    standard deviations above or below the population mean, else Average;
    a cluster that is Average on every feature is simply "Average".
    Features declared with words (behaviour) read as those words, Average
    ones left out (features.Feature.in_name).
    """
    levels = [level(float(z), threshold) for z in centroid_z]
    if all(lv == "Average" for lv in levels):
        return "Average"
    parts = [
        BY_NAME[feature].in_name(lv)
        for lv, feature in zip(levels, features, strict=True)
    ]
    return ", ".join(part for part in parts if part)


def make_unique(names: list[str]) -> list[str]:
    """Number names that occur more than once: "Average (1)", "Average (2)"."""
    totals = Counter(names)
    seen: Counter[str] = Counter()
    unique = []
    for name in names:
        if totals[name] == 1:
            unique.append(name)
            continue
        seen[name] += 1
        unique.append(f"{name} ({seen[name]})")
    return unique


@dataclass(frozen=True)
class Clusters:
    """A K-Means fit with ids in place of labels (index i is cluster_ids[i])."""

    cluster_ids: np.ndarray  # per fitted label
    centroids: np.ndarray  # scaled units, per fitted label
    labels: np.ndarray  # per customer fitted
    sizes: np.ndarray  # customers per label
    radii: np.ndarray  # root mean square distance to the centroid, per label
    mean_distances: np.ndarray  # mean distance to the centroid, per label


def describe_fit(
    model: KMeans, scaled: np.ndarray, cluster_ids: np.ndarray
) -> Clusters:
    labels = model.labels_
    k = len(model.cluster_centers_)
    distances = np.linalg.norm(scaled - model.cluster_centers_[labels], axis=1)
    sizes = np.bincount(labels, minlength=k)
    safe = np.maximum(sizes, 1)
    return Clusters(
        cluster_ids=cluster_ids,
        centroids=model.cluster_centers_,
        labels=labels,
        sizes=sizes,
        radii=np.sqrt(np.bincount(labels, distances**2, minlength=k) / safe),
        mean_distances=np.bincount(labels, distances, minlength=k) / safe,
    )


def match_previous(
    centroids: np.ndarray,
    previous_centroids: np.ndarray,
    max_distance: float,
) -> dict[int, int]:
    """Pair new centroids with previous ones: {new index: previous index}.

    An optimal assignment (Hungarian algorithm) on the distances between
    centroids, both in the new fit's scaled units; a pair farther apart than
    ``max_distance`` is not the same segment and stays unmatched.
    """
    if len(previous_centroids) == 0:
        return {}
    cost = cdist(centroids, previous_centroids)
    rows, cols = linear_sum_assignment(cost)
    return {
        int(r): int(c)
        for r, c in zip(rows, cols, strict=True)
        if cost[r, c] <= max_distance
    }


def stable_ids(
    centroids: np.ndarray,
    matched: dict[int, int],
    previous_ids: np.ndarray,
    next_id: int,
) -> np.ndarray:
    """Ids per fitted label: a matched cluster keeps its previous id.

    The others get ids from ``next_id`` on (ids are never reused), in
    centroid order, so a first fit numbers its clusters 1..k by centroid.
    """
    ids = np.zeros(len(centroids), dtype=np.int64)
    for label, previous in matched.items():
        ids[label] = previous_ids[previous]
    new_labels = [label for label in range(len(centroids)) if label not in matched]
    if new_labels:
        order = order_by_centroid(centroids[new_labels])
        for label, rank in zip(new_labels, order, strict=True):
            ids[label] = next_id + rank - 1
    return ids


def segment_names(
    centroids: np.ndarray,
    cluster_ids: np.ndarray,
    kept_names: dict[int, str],
    settings: ClusteringSettings,
) -> dict[int, str]:
    """Names by cluster id: kept ones unchanged, new ones from their centroid.

    A new name that is already taken is numbered ("Average (2)").
    """
    names = {cid: name for cid, name in kept_names.items() if cid in set(cluster_ids)}
    fresh = sorted(
        (int(cid), name_segment(c, settings.features, settings.name_threshold))
        for cid, c in zip(cluster_ids, centroids, strict=True)
        if int(cid) not in names
    )
    if not names:
        unique = make_unique([name for _, name in fresh])
        return {cid: name for (cid, _), name in zip(fresh, unique, strict=True)}
    for cid, name in fresh:
        taken = set(names.values())
        candidate, number = name, 2
        while candidate in taken:
            candidate, number = f"{name} ({number})", number + 1
        names[cid] = candidate
    return names
