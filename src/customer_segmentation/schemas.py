"""The Arrow schemas of the tables Python writes and reads back, in one place.

The segment model (one row per cluster of a model run), the elbow curve, and
the columns a run reads back from the published segment_runs and
customer_segments. The dbt contracts of the marts that carry these tables
are checked against them by tests. Only pyarrow is imported here, so the
command line reads and checks a publish folder without loading scikit-learn.
"""

from __future__ import annotations

import pyarrow as pa

from customer_segmentation.settings import BEHAVIOUR_FEATURES, KNOWN_FEATURES

FEATURE_COLUMNS = ("mean", "sd", "centroid", "centroid_z")

FEATURE_VALUE_COLUMNS = tuple(
    f"{feature}_{part}" for feature in KNOWN_FEATURES for part in FEATURE_COLUMNS
)
BEHAVIOUR_VALUE_COLUMNS = tuple(
    f"{feature}_{part}" for feature in BEHAVIOUR_FEATURES for part in FEATURE_COLUMNS
)

MODEL_SCHEMA = pa.schema(
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
        *[(column, pa.float64()) for column in FEATURE_VALUE_COLUMNS],
    ]
)

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
