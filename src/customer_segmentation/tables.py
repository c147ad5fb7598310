"""Arrow in, Arrow out: the clustering functions shaped for the dbt Python models.

The models hand over customer features as an Arrow table already sorted by
customer id; these functions return Arrow tables with explicit schemas, so
DuckDB never has to guess a column type from pandas objects.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from customer_segmentation.clustering import (
    assign_segments,
    choose_k,
    score_k,
    score_k_range,
    standardize,
)
from customer_segmentation.settings import ClusteringSettings

ELBOW_SCHEMA = pa.schema(
    [
        ("k", pa.int32()),
        ("inertia", pa.float64()),
        ("silhouette", pa.float64()),
        ("davies_bouldin", pa.float64()),
        ("calinski_harabasz", pa.float64()),
        ("is_chosen", pa.bool_()),
        ("selection_rule", pa.string()),
    ]
)

SEGMENT_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("cluster_id", pa.int32()),
        ("segment_name", pa.string()),
    ]
)


def read_features(
    customers: duckdb.DuckDBPyRelation, features: tuple[str, ...]
) -> pa.Table:
    """Fetch the id and feature columns, sorted by customer id.

    The sort makes the fit independent of the file's row order and of how
    DuckDB parallelised the scan.
    """
    return (
        customers.select("customer_id", *features)
        .order("customer_id")
        .fetch_arrow_table()
    )


def feature_matrix(customers: pa.Table, features: tuple[str, ...]) -> np.ndarray:
    missing = [f for f in features if f not in customers.column_names]
    if missing:
        raise ValueError(f"customer features lack the columns {missing}")
    return np.column_stack(
        [customers.column(f).to_numpy().astype(np.float64) for f in features]
    )


def elbow_table(customers: pa.Table, settings: ClusteringSettings) -> pa.Table:
    """One row per k tried, with the chosen k flagged and the rule that chose it."""
    scaled = standardize(feature_matrix(customers, settings.features))
    points = score_k_range(scaled, settings)
    choice = choose_k(points, settings.k_override)
    if choice.k not in {p.k for p in points}:
        # An override outside the tried range is still fitted and shown.
        points = sorted(
            [*points, score_k(scaled, choice.k, settings)], key=lambda p: p.k
        )
    return pa.table(
        {
            "k": [p.k for p in points],
            "inertia": [p.inertia for p in points],
            "silhouette": [p.silhouette for p in points],
            "davies_bouldin": [p.davies_bouldin for p in points],
            "calinski_harabasz": [p.calinski_harabasz for p in points],
            "is_chosen": [p.k == choice.k for p in points],
            "selection_rule": [choice.rule] * len(points),
        },
        schema=ELBOW_SCHEMA,
    )


def chosen_k(elbow: pa.Table) -> int:
    flags = zip(elbow["k"].to_pylist(), elbow["is_chosen"].to_pylist(), strict=True)
    chosen = [k for k, is_chosen in flags if is_chosen]
    if len(chosen) != 1:
        raise ValueError(f"the elbow table flags {len(chosen)} chosen k, expected 1")
    return int(chosen[0])


def segments_table(
    customers: pa.Table, k: int, settings: ClusteringSettings
) -> pa.Table:
    """One row per customer: its ordered cluster id and segment name."""
    segmentation = assign_segments(
        feature_matrix(customers, settings.features), k, settings
    )
    ids = segmentation.cluster_ids.tolist()
    return pa.table(
        {
            "customer_id": customers.column("customer_id").cast(pa.string()),
            "cluster_id": ids,
            "segment_name": [segmentation.segment_names[i] for i in ids],
        },
        schema=SEGMENT_SCHEMA,
    )
