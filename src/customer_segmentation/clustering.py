"""K-Means segmentation with an elbow-chosen k, stable cluster ids and readable names.

Pure functions over NumPy arrays: no dbt, no DuckDB. The dbt Python models in
``python_models/`` are thin adapters around :func:`score_k_range` and
:func:`assign_segments`, so everything here is testable with plain pytest.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass

import numpy as np
from kneed import KneeLocator
from sklearn.cluster import KMeans
from sklearn.metrics import (
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.preprocessing import StandardScaler

from customer_segmentation.settings import ClusteringSettings

# How a feature reads inside a segment name ("High Income, Low Spend").
FEATURE_LABELS: dict[str, str] = {
    "annual_income_k": "Income",
    "spending_score": "Spend",
    "age": "Age",
    "income_to_spend_ratio": "Income-to-Spend",
}

RULE_KNEE = "knee"
RULE_BEST_SILHOUETTE = "best_silhouette"
RULE_OVERRIDE = "override"


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
class Segmentation:
    """Per-customer cluster ids (1..k) and the name of each cluster id."""

    cluster_ids: np.ndarray
    segment_names: dict[int, str]


def standardize(features: np.ndarray) -> np.ndarray:
    """Scale each feature to mean 0, sd 1 so no unit dominates the distance."""
    return StandardScaler().fit_transform(features)


def fit_kmeans(scaled: np.ndarray, k: int, settings: ClusteringSettings) -> KMeans:
    # random_state and n_init are explicit so a rerun on the same customers
    # reproduces the same clusters.
    return KMeans(
        n_clusters=k,
        n_init=settings.n_init,
        random_state=settings.random_state,
    ).fit(scaled)


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
        silhouette=float(silhouette_score(scaled, labels)),
        davies_bouldin=float(davies_bouldin_score(scaled, labels)),
        calinski_harabasz=float(calinski_harabasz_score(scaled, labels)),
    )


def score_k_range(scaled: np.ndarray, settings: ClusteringSettings) -> list[ElbowPoint]:
    """Fit every candidate k once and keep inertia beside the other metrics."""
    return [score_k(scaled, k, settings) for k in candidate_ks(len(scaled), settings)]


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
    """
    levels = [level(float(z), threshold) for z in centroid_z]
    if all(lv == "Average" for lv in levels):
        return "Average"
    return ", ".join(
        f"{lv} {FEATURE_LABELS.get(feature, feature)}"
        for lv, feature in zip(levels, features, strict=True)
    )


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


def assign_segments(
    features: np.ndarray, k: int, settings: ClusteringSettings
) -> Segmentation:
    """Fit K-Means with k clusters and return ordered ids and segment names.

    ``features`` must already be in a deterministic row order (the adapter
    sorts by customer id) so that the same customers always get the same fit.
    """
    if k > len(features):
        raise ValueError(
            f"{len(features)} valid customers is fewer than the {k} clusters asked for"
        )
    scaled = standardize(features)
    model = fit_kmeans(scaled, k, settings)
    # Scaling keeps each feature's order, so ordering scaled centroids orders
    # them in original units too.
    ids_by_label = order_by_centroid(model.cluster_centers_)
    cluster_ids = ids_by_label[model.labels_]

    centroids_z = np.empty_like(model.cluster_centers_)
    centroids_z[ids_by_label - 1] = model.cluster_centers_
    names = make_unique(
        [
            name_segment(z, settings.features, settings.name_threshold)
            for z in centroids_z
        ]
    )
    return Segmentation(
        cluster_ids=cluster_ids,
        segment_names={cid: names[cid - 1] for cid in range(1, k + 1)},
    )
