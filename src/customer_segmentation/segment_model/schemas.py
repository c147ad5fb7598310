"""The Arrow schemas of the tables Python writes and reads back, in one place.

The segment model (one row per segment of a model run, and its feature
values, long as published, wide as fitted and scored), the elbow curve, and
the columns a run reads back from the published segment_runs and
customer_segments. The dbt contracts of the marts that carry these tables
are checked against them by tests. Only pyarrow is imported here, so the
command line reads and checks a publish folder without loading scikit-learn.
"""

from __future__ import annotations

import pyarrow as pa

from customer_segmentation.segment_model.features import KNOWN_FEATURES

FEATURE_COLUMNS = ("mean", "sd", "centroid", "centroid_z")

FEATURE_VALUE_COLUMNS = tuple(
    f"{feature}_{part}" for feature in KNOWN_FEATURES for part in FEATURE_COLUMNS
)

# One row per segment of a model run, as published (segment_model,
# segment_model_history): the per-feature values live in FEATURE_SCHEMA.
SEGMENT_MODEL_SCHEMA = pa.schema(
    [
        ("model_run_id", pa.int32()),
        ("fitted_at", pa.timestamp("us")),
        ("settings_fingerprint", pa.string()),
        ("data_fingerprint", pa.string()),
        ("features", pa.string()),
        ("k", pa.int32()),
        ("k_rule", pa.string()),
        ("customers_fitted", pa.int64()),
        ("elbow_customers", pa.int64()),
        ("previous_model_run_id", pa.int32()),
        ("cluster_id", pa.int32()),
        ("segment_name", pa.string()),
        ("cluster_status", pa.string()),
        ("centroid_shift", pa.float64()),
        ("customers", pa.int64()),
        ("radius", pa.float64()),
        ("mean_distance", pa.float64()),
    ]
)

# One row per segment and feature the model uses (segment_model_features).
FEATURE_SCHEMA = pa.schema(
    [
        ("model_run_id", pa.int32()),
        ("cluster_id", pa.int32()),
        ("feature", pa.string()),
        ("fitted_mean", pa.float64()),
        ("fitted_sd", pa.float64()),
        ("centroid", pa.float64()),
        ("centroid_z", pa.float64()),
    ]
)
# FEATURE_SCHEMA's value columns -> the suffix of the wide column.
LONG_TO_WIDE = {
    "fitted_mean": "mean",
    "fitted_sd": "sd",
    "centroid": "centroid",
    "centroid_z": "centroid_z",
}

# The model as the fit and the scoring SQL read it (int_segment_model_selected): one
# row per segment with four columns per declared feature.
MODEL_SCHEMA = pa.schema(
    [
        *SEGMENT_MODEL_SCHEMA,
        *[(column, pa.float64()) for column in FEATURE_VALUE_COLUMNS],
    ]
)


def widen(segments: pa.Table, features: pa.Table) -> pa.Table:
    """Published segment rows and their feature rows as MODEL_SCHEMA rows."""
    values: dict[tuple[int, int], dict[str, float | None]] = {}
    for row in features.to_pylist():
        key = (row["model_run_id"], row["cluster_id"])
        for long, suffix in LONG_TO_WIDE.items():
            values.setdefault(key, {})[f"{row['feature']}_{suffix}"] = row[long]
    rows = [
        {
            **dict.fromkeys(FEATURE_VALUE_COLUMNS),
            **row,
            **values.get((row["model_run_id"], row["cluster_id"]), {}),
        }
        for row in segments.to_pylist()
    ]
    return pa.Table.from_pylist(rows, schema=MODEL_SCHEMA)


def narrow(model: pa.Table) -> tuple[pa.Table, pa.Table]:
    """MODEL_SCHEMA-like rows (any known feature columns present) as
    published segment rows and feature rows; a feature without a centroid
    is one the model does not use."""
    present = set(model.column_names)
    feature_rows = []
    for row in model.to_pylist():
        for feature in KNOWN_FEATURES:
            if row.get(f"{feature}_centroid_z") is None:
                continue
            feature_rows.append(
                {
                    "model_run_id": row["model_run_id"],
                    "cluster_id": row["cluster_id"],
                    "feature": feature,
                    **{
                        long: row.get(f"{feature}_{suffix}")
                        for long, suffix in LONG_TO_WIDE.items()
                        if f"{feature}_{suffix}" in present
                    },
                }
            )
    segments = model.select(SEGMENT_MODEL_SCHEMA.names).cast(SEGMENT_MODEL_SCHEMA)
    return segments, pa.Table.from_pylist(feature_rows, schema=FEATURE_SCHEMA)


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

RUNS_SCHEMA = pa.schema(
    [
        ("run_id", pa.int32()),
        ("run_at", pa.timestamp("us")),
        ("model_mode", pa.string()),
        ("model_mode_reason", pa.string()),
        ("model_run_id", pa.int32()),
        ("customers", pa.int64()),
        ("outliers", pa.int64()),
        ("customers_in_both_runs", pa.int64()),
        ("customers_changed_segment", pa.int64()),
        ("changed_segment_share", pa.float64()),
        ("mean_distance_at_fit", pa.float64()),
        ("mean_distance_now", pa.float64()),
        ("drift_ratio", pa.float64()),
        ("mean_centroid_shift", pa.float64()),
    ]
)

# The columns a scoring run reads from the last published customer_segments.
PUBLISHED_SEGMENT_SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("cluster_id", pa.int32()),
        ("segment_name", pa.string()),
    ]
)
